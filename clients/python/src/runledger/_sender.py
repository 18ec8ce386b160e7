"""Background delivery of events to ``POST /v1/events``: the behaviour of client/event-sender.ts, on threads."""

from __future__ import annotations

import contextlib
import json
import random as _random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Set

from ._answer import Judged, Refused, Retry, Verdict, read_answer
from ._backoff import BackoffPolicy, retry_delay
from ._env import resolve_connection
from ._transport import NetworkError, Transport, urllib_transport

#: The contract's limits (docs/contract.md, "Limits").
MAX_EVENT_BYTES = 65_536
MAX_EVENTS_PER_REQUEST = 100
MAX_REQUEST_BYTES = 1_048_576
#: Room for ``{"events":[...]}`` around the events of one request.
_BATCH_OVERHEAD_BYTES = 1024

#: Why an event was not delivered. ``deadline`` and ``gave-up`` events may still have been stored:
#: resending them (same eventId and seq) is safe.
UNSENT_REASONS = ("buffer-full", "closed", "too-large", "rejected", "conflict", "refused", "gave-up", "deadline")


@dataclass(frozen=True)
class UnsentEvent:
    """An event that was not delivered, and why (``reason`` is one of UNSENT_REASONS)."""

    event: Dict[str, Any]
    reason: str
    detail: str


@dataclass(frozen=True)
class DeliveryProblem(UnsentEvent):
    """What ``on_error`` hears: the unsent event plus, where there is one, the server's word on it."""

    #: The server's field errors, for ``rejected``.
    errors: List[Dict[str, Any]] = field(default_factory=list)
    #: The HTTP status and the contract's error body, for ``refused``.
    status: Optional[int] = None
    error: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class CloseReport:
    #: Events the server answered ``accepted`` or ``duplicate`` for, over the sender's life.
    sent: int
    #: Every event reported but not delivered, each with its reason, in report order.
    unsent: List[UnsentEvent]


@dataclass(frozen=True)
class SenderStats:
    requests: int
    sent: int
    unsent: int
    buffered: int


@dataclass
class _Queued:
    event: Dict[str, Any]
    ordinal: int
    raw: bytes


def _wait(seconds: float, abort: threading.Event) -> None:
    abort.wait(seconds)


class EventSender:
    """Buffers events and delivers them in the background, in batches (100 events / 1 MiB / 200 ms, on
    ``flush()`` and ``close()``), retrying whole batches on network errors, timeouts, 408, 429 (after its
    Retry-After) and 5xx with full-jitter backoff, and never on another 4xx. Retrying is safe because
    every event keeps its eventId and seq: what was stored answers ``duplicate``, which counts as delivered.

    ``enqueue`` never touches the network: it returns at once. Delivery runs on ``concurrency`` daemon
    threads started on the first event. ``on_error`` is called on those threads (or the caller's, for
    an event refused at once): keep it short, and do not call ``flush`` or ``close`` from it.
    """

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        on_error: Optional[Callable[[DeliveryProblem], None]] = None,
        max_batch_size: int = MAX_EVENTS_PER_REQUEST,
        flush_interval: float = 0.2,
        max_buffered_events: int = 10_000,
        concurrency: int = 2,
        max_attempts: int = 10,
        backoff: BackoffPolicy = BackoffPolicy(),  # noqa: B008 (frozen, so one shared default is safe)
        request_timeout: float = 10.0,
        transport: Optional[Transport] = None,
        sleep: Optional[Callable[[float, threading.Event], None]] = None,
        random: Optional[Callable[[], float]] = None,
        clock: Optional[Callable[[], float]] = None,
    ) -> None:
        url, key = resolve_connection(base_url, api_key)
        self._url = f"{url}/v1/events"
        self._headers: Mapping[str, str] = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self._on_error = on_error
        self._max_batch = _checked_int("max_batch_size", max_batch_size, 1, MAX_EVENTS_PER_REQUEST)
        self._flush_interval = _checked_seconds("flush_interval", flush_interval, 0, 3600)
        self._max_buffered = _checked_int("max_buffered_events", max_buffered_events, 1, 10**12)
        self._concurrency = _checked_int("concurrency", concurrency, 1, 64)
        self._max_attempts = _checked_int("max_attempts", max_attempts, 1, 10**12)
        self._backoff = backoff
        self._request_timeout = _checked_seconds("request_timeout", request_timeout, 0.001, 3600)
        self._transport = transport or urllib_transport
        self._sleep = sleep or _wait
        self._random = random or _random.random
        self._clock = clock or time.time

        # One lock for all state; the condition wakes the workers (new events, flush, close) and the
        # callers of flush/close (events settled).
        self._cond = threading.Condition(threading.RLock())
        self._queue: List[_Queued] = []
        self._in_flight: Dict[int, List[_Queued]] = {}
        self._in_flight_events = 0
        self._unsettled: Set[int] = set()
        self._next_ordinal = 0
        self._next_batch = 0
        self._due = False
        self._first_waiting_at: Optional[float] = None
        self._closed = False
        self._shutdown = False
        self._abort = threading.Event()
        self._sent = 0
        self._unsent: List[tuple[int, UnsentEvent]] = []
        self._requests = 0
        self._workers: List[threading.Thread] = []

    @property
    def buffered(self) -> int:
        """Events waiting or in flight."""
        with self._cond:
            return len(self._queue) + self._in_flight_events

    @property
    def has_room(self) -> bool:
        """Whether the buffer has room for one more event under the reject-new policy."""
        return self.buffered < self._max_buffered

    @property
    def stats(self) -> SenderStats:
        with self._cond:
            return SenderStats(self._requests, self._sent, len(self._unsent), len(self._queue) + self._in_flight_events)

    def enqueue(self, event: Dict[str, Any], *, force: bool = False) -> bool:
        """Buffers an event for delivery; False when it was not buffered (closed, not JSON, too large, or the
        buffer is full and ``force`` is not set), in which case ``on_error`` has heard of it."""
        with self._cond:
            ordinal = self._next_ordinal
            self._next_ordinal += 1
            if self._closed:
                return self._drop(event, ordinal, "closed", "the reporter is closed")
            if not force and len(self._queue) + self._in_flight_events >= self._max_buffered:
                return self._drop(
                    event, ordinal, "buffer-full", f"{self._max_buffered} events are already buffered (max_buffered_events)"
                )
            try:
                raw = json.dumps(event, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
            except (TypeError, ValueError) as error:
                return self._drop(event, ordinal, "rejected", f"the event is not JSON: {error}")
            if len(raw) > MAX_EVENT_BYTES:
                return self._drop(
                    event, ordinal, "too-large", f"{len(raw)} bytes serialized; an event may be at most {MAX_EVENT_BYTES}"
                )
            if not self._queue:
                self._first_waiting_at = time.monotonic()
            self._queue.append(_Queued(event, ordinal, raw))
            self._unsettled.add(ordinal)
            self._start_workers()
            self._cond.notify_all()
            return True

    def request_flush(self) -> None:
        """Sends what is buffered now, without waiting for it."""
        with self._cond:
            self._due = True
            self._cond.notify_all()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what is buffered now; returns once each of those events is delivered or given up (True), or
        when ``timeout`` seconds have passed (False)."""
        with self._cond:
            mark = self._next_ordinal
            self._due = True
            self._cond.notify_all()
            return self._cond.wait_for(lambda: min(self._unsettled, default=mark) >= mark, timeout)

    def close(self, timeout: Optional[float] = None) -> CloseReport:
        """Stops taking events, delivers what is buffered, and reports what was not delivered. With ``timeout``
        (seconds), what is still waiting or trying then is abandoned and listed as ``deadline`` (it may have
        been stored: resending it is safe)."""
        with self._cond:
            self._closed = True
        delivered = self.flush(timeout)
        with self._cond:
            if not delivered:
                self._abort.set()
                for queued in self._queue:
                    self._settle(queued, "deadline", f"not sent within the {timeout} s close timeout")
                self._queue.clear()
                for batch in self._in_flight.values():
                    for queued in batch:
                        self._settle(queued, "deadline", f"abandoned at the {timeout} s close timeout (it may have been stored)")
            self._shutdown = True
            self._cond.notify_all()
            workers = list(self._workers)
            report = self.report()
        if delivered:
            # Idle now, they end at once; after an abandon they may sit in a request: they are daemons.
            for worker in workers:
                worker.join()
        return report

    def report(self) -> CloseReport:
        """What was delivered and what was not, so far."""
        with self._cond:
            return CloseReport(self._sent, [unsent for _, unsent in sorted(self._unsent, key=lambda item: item[0])])

    def _start_workers(self) -> None:
        while len(self._workers) < self._concurrency:
            worker = threading.Thread(target=self._work, name=f"runledger-sender-{len(self._workers)}", daemon=True)
            self._workers.append(worker)
            worker.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                batch_id, batch = self._wait_for_batch()
                if batch is None:
                    return
            try:
                self._deliver(batch)
            except Exception as error:  # noqa: BLE001 (recorded below, not swallowed)
                # A fault in this thread (a transport that raises something unexpected, a bug) must not
                # leave the batch unsettled, or flush() and close() would wait for it forever.
                with self._cond:
                    for queued in batch:
                        self._settle(queued, "gave-up", f"the delivery thread failed: {type(error).__name__}: {error}")
            finally:
                with self._cond:
                    self._in_flight.pop(batch_id, None)
                    self._in_flight_events -= len(batch)
                    self._cond.notify_all()

    def _wait_for_batch(self) -> tuple[int, Optional[List[_Queued]]]:
        """Under the lock: the next batch to send (full ones at once, partial ones once due), or None to stop."""
        while True:
            if self._abort.is_set() or (self._shutdown and not self._queue):
                return -1, None
            if self._queue:
                waited = time.monotonic() - (self._first_waiting_at or 0.0)
                if waited >= self._flush_interval:
                    self._due = True
                if self._due or len(self._queue) >= self._max_batch:
                    return self._take_batch()
                self._cond.wait(self._flush_interval - waited)
            else:
                self._cond.wait()

    def _take_batch(self) -> tuple[int, List[_Queued]]:
        size = _BATCH_OVERHEAD_BYTES
        count = 0
        for queued in self._queue:
            if count == self._max_batch or (count > 0 and size + len(queued.raw) + 1 > MAX_REQUEST_BYTES):
                break
            size += len(queued.raw) + 1
            count += 1
        batch, self._queue = self._queue[:count], self._queue[count:]
        if self._queue:
            self._first_waiting_at = time.monotonic()
        else:
            self._due = False
            self._first_waiting_at = None
        batch_id = self._next_batch
        self._next_batch += 1
        self._in_flight[batch_id] = batch
        self._in_flight_events += len(batch)
        return batch_id, batch

    def _deliver(self, batch: List[_Queued]) -> None:
        """One batch until it is judged, refused, given up, or abandoned at the close timeout."""
        body = b'{"events":[' + b",".join(queued.raw for queued in batch) + b"]}"
        attempt = 1
        while True:
            verdict = self._post(body)
            if isinstance(verdict, Judged):
                self._judge(batch, verdict.results)
                return
            if isinstance(verdict, Refused):
                code = verdict.error.get("code")
                message = verdict.error.get("message")
                detail = f"HTTP {verdict.status}" + (f" {code}: {message}" if code is not None else "")
                with self._cond:
                    for queued in batch:
                        self._settle(queued, "refused", detail, status=verdict.status, error=verdict.error or None)
                return
            if self._abort.is_set():
                return  # close() has listed the batch as abandoned already.
            if attempt >= self._max_attempts:
                with self._cond:
                    for queued in batch:
                        self._settle(queued, "gave-up", f"{attempt} attempts; the last: {verdict.reason}")
                return
            self._sleep(retry_delay(attempt - 1, verdict.retry_after, self._backoff, self._random), self._abort)
            if self._abort.is_set():
                return
            attempt += 1

    def _post(self, body: bytes) -> Verdict:
        with self._cond:
            self._requests += 1
        try:
            answer = self._transport("POST", self._url, self._headers, body, self._request_timeout)
        except NetworkError as error:
            return Retry(str(error))
        return read_answer(answer, self._clock())

    def _judge(self, batch: List[_Queued], results: List[Dict[str, Any]]) -> None:
        # Results come in request order; matching by eventId as well guards against an answer that is not.
        by_event_id = {result.get("eventId"): result for result in results}
        with self._cond:
            for index, queued in enumerate(batch):
                event_id = queued.event.get("eventId")
                in_order = results[index] if index < len(results) else None
                result = in_order if in_order is not None and in_order.get("eventId") == event_id else by_event_id.get(event_id)
                status = result.get("status") if result is not None else None
                if result is None:
                    self._settle(queued, "refused", "the answer has no result for this event")
                elif status in ("accepted", "duplicate"):
                    self._settle(queued)
                elif status == "rejected":
                    errors = [error for error in result.get("errors", []) if isinstance(error, dict)]
                    detail = "; ".join(f"{error.get('path')} {error.get('message')}" for error in errors)
                    self._settle(queued, "rejected", detail, errors=errors)
                else:
                    self._settle(queued, "conflict", str(result.get("message", "conflict")))

    def _settle(self, queued: _Queued, reason: Optional[str] = None, detail: str = "", **extra: Any) -> None:
        """Under the lock: marks an event done, delivered when no reason is given. Once only: an answer
        arriving after close() abandoned its batch changes nothing."""
        if queued.ordinal not in self._unsettled:
            return
        self._unsettled.discard(queued.ordinal)
        if reason is None:
            self._sent += 1
        else:
            self._record(queued.event, queued.ordinal, reason, detail, **extra)
        self._cond.notify_all()

    def _drop(self, event: Dict[str, Any], ordinal: int, reason: str, detail: str) -> bool:
        self._record(event, ordinal, reason, detail)
        return False

    def _record(self, event: Dict[str, Any], ordinal: int, reason: str, detail: str, **extra: Any) -> None:
        self._unsent.append((ordinal, UnsentEvent(event, reason, detail)))
        if self._on_error is None:
            return
        # The callback is the user's; its failure must not stop delivery of the other events.
        with contextlib.suppress(Exception):
            self._on_error(DeliveryProblem(event, reason, detail, **extra))


def _checked_int(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high} (got {value!r})")
    return value


def _checked_seconds(name: str, value: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number of seconds from {low} to {high} (got {value!r})")
    return float(value)
