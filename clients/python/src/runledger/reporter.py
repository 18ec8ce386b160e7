"""RunReporter: reports one run, the behaviour of the TypeScript client's client/run-reporter.ts."""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Callable, Dict, Mapping, Optional, Type

from ._sender import CloseReport, DeliveryProblem, EventSender, SenderStats

TERMINAL_TYPES = frozenset(("run.completed", "run.failed", "run.cancelled", "run.timed_out"))

# The contract's length limits (docs/contract.md): cut here so an error is never rejected for length.
_MAX_MESSAGE = 8192
_MAX_TYPE = 256
_MAX_STACK = 32768


def to_error_info(error: object) -> Dict[str, str]:
    """An exception (or anything raised or passed as an error) as the contract's ``{message, type, stack}``."""
    if isinstance(error, BaseException):
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        stack = "".join(traceback.format_exception(kind, error, error.__traceback__))
        return {"message": (str(error) or kind.__name__)[:_MAX_MESSAGE], "type": name[:_MAX_TYPE], "stack": stack[:_MAX_STACK]}
    if isinstance(error, Mapping) and isinstance(error.get("message"), str) and error["message"]:
        info = {"message": error["message"][:_MAX_MESSAGE]}
        for key, limit in (("type", _MAX_TYPE), ("stack", _MAX_STACK)):
            if isinstance(error.get(key), str):
                info[key] = error[key][:limit]
        return info
    text = error if isinstance(error, str) else repr(error)
    return {"message": (text or "unknown error")[:_MAX_MESSAGE]}


def _iso(epoch_seconds: float) -> str:
    at = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _some(**fields: Any) -> Dict[str, Any]:
    """The fields that were given: the contract has no nulls for absent optional fields."""
    return {key: value for key, value in fields.items() if value is not None}


class RunReporter:
    """Reports one run to runledger. Each call builds an event with a fresh eventId and the next seq
    (producer-sequenced: the cheapest path on the server), so the run's order is the order of the calls
    whatever the network does, and resending is always safe. Calls never wait for the network: they
    return True when the event was buffered, False when it was not (``on_error`` says why).
    ``close()`` waits for delivery and lists what failed.

    As a context manager, an exception leaving the block marks the run failed with the exception's type,
    message and traceback (KeyboardInterrupt: cancelled), then the reporter closes.

    ``base_url`` and ``api_key`` default to ``RUNLEDGER_URL`` / ``RUNLEDGER_API_KEY``, then the running
    local stack's address and development key. The remaining keyword arguments are EventSender's:
    ``max_batch_size`` (100), ``flush_interval`` (0.2 s), ``max_buffered_events`` (10,000),
    ``concurrency`` (2), ``max_attempts`` (10), ``backoff``, ``request_timeout`` (10 s), and for tests
    ``transport``, ``sleep``, ``random``, ``clock``.
    """

    def __init__(
        self,
        *,
        run_id: str,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        thread_id: Optional[str] = None,
        heartbeat_interval: Optional[float] = None,
        on_error: Optional[Callable[[DeliveryProblem], None]] = None,
        first_seq: int = 1,
        close_timeout: Optional[float] = None,
        clock: Optional[Callable[[], float]] = None,
        sender: Optional[EventSender] = None,
        **sender_options: Any,
    ) -> None:
        self.run_id = run_id
        self.thread_id = thread_id
        # A shared sender (adapters reporting many runs) is its owner's to close: close() then only flushes.
        self._owns_sender = sender is None
        self._sender = sender or EventSender(base_url=base_url, api_key=api_key, on_error=on_error, clock=clock, **sender_options)
        self._clock = clock or time.time
        self._next_seq = first_seq
        self._lock = threading.Lock()
        self._heartbeat_interval = heartbeat_interval
        self._heartbeat_stop = threading.Event()
        self._heartbeat: Optional[threading.Thread] = None
        self._ended = False
        self._close_timeout = close_timeout

    @property
    def stats(self) -> SenderStats:
        """Requests made, events delivered, events not delivered, events buffered."""
        return self._sender.stats

    @property
    def ended(self) -> bool:
        """Whether a terminal event (completed, failed, cancelled, timed out) was reported."""
        return self._ended

    def queued(self) -> bool:
        return self._report("run.queued")

    def started(self) -> bool:
        buffered = self._report("run.started")
        self._start_heartbeat()
        return buffered

    def progress(self, progress: float, message: Optional[str] = None, step: Optional[str] = None) -> bool:
        """``progress`` from 0 to 1."""
        return self._report("run.progress", _some(progress=progress, message=message, step=step))

    def checkpoint(self, name: str, state: Any = None) -> bool:
        return self._report("run.checkpoint", _some(name=name, state=state))

    def heartbeat(self) -> bool:
        return self._report("run.heartbeat")

    def token(self, text: str, index: Optional[int] = None) -> bool:
        return self._report("token", _some(text=text, index=index))

    def step(self, name: str, duration_ms: Optional[float] = None) -> bool:
        return self._report("step", _some(name=name, durationMs=duration_ms))

    def custom(self, name: str, payload: Optional[Mapping[str, Any]] = None) -> bool:
        """``custom:NAME`` (NAME 1-64 of letters, digits, '.', '_', '-') with any JSON object payload."""
        return self._report(f"custom:{name}", dict(payload or {}))

    def message(self, content: str) -> bool:
        """``message.human``: what a person said in the run's conversation."""
        return self._report("message.human", {"content": content})

    def thread_status(self, status: str) -> bool:
        """``thread.status_updated``."""
        return self._report("thread.status_updated", {"status": status})

    def task(
        self, task_id: str, name: Optional[str] = None, stage: Optional[str] = None, worker_id: Optional[str] = None
    ) -> TaskReporter:
        """Events of one task of the run (a queue task, a pipeline item or stage, a phase)."""
        return TaskReporter(self, task_id, _some(name=name, stage=stage, workerId=worker_id))

    def completed(self, result: Any = None, usage: Optional[Mapping[str, float]] = None, title: Optional[str] = None) -> bool:
        return self._report("run.completed", _some(result=result, usage=dict(usage) if usage is not None else None, title=title))

    def failed(self, error: object) -> bool:
        """``error``: an exception (its type, message and traceback are kept), a message, or ``{message, type?, stack?}``."""
        return self._report("run.failed", {"error": to_error_info(error)})

    def cancelled(self, reason: Optional[str] = None) -> bool:
        return self._report("run.cancelled", _some(reason=reason))

    def timed_out(self, timeout_seconds: Optional[float] = None) -> bool:
        return self._report("run.timed_out", _some(timeoutSeconds=timeout_seconds))

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what is buffered now; True once each of those events is delivered or given up, False at ``timeout``."""
        return self._sender.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> CloseReport:
        """Stops the heartbeat, delivers what is buffered (within ``timeout`` seconds if given), and lists what
        was not delivered: ``CloseReport(sent, unsent)``."""
        self._stop_heartbeat()
        if self._owns_sender:
            return self._sender.close(timeout)
        self._sender.flush(timeout)
        return self._sender.report()

    def __enter__(self) -> RunReporter:
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        if error is not None and not self._ended:
            if isinstance(error, KeyboardInterrupt):
                self.cancelled("KeyboardInterrupt")
            elif isinstance(error, Exception):
                self.failed(error)
        self.close(self._close_timeout)

    def report(self, kind: str, payload: Optional[Dict[str, Any]] = None, *, occurred_at: Optional[float] = None) -> bool:
        """Any event type of the contract with its payload as the contract spells it (camelCase), numbered like
        the others; ``occurred_at`` (epoch seconds) when the event happened earlier than now. For adapters
        translating another system's events; the named methods are the usual way."""
        return self._report(kind, payload, occurred_at)

    def _report(
        self, kind: str, payload: Optional[Dict[str, Any]] = None, occurred_at: Optional[float] = None, *, automatic: bool = False
    ) -> bool:
        terminal = kind in TERMINAL_TYPES
        at = self._clock() if occurred_at is None else occurred_at
        event: Dict[str, Any] = {"eventId": str(uuid.uuid4()), "runId": self.run_id, "type": kind, "occurredAt": _iso(at)}
        if self.thread_id is not None:
            event["threadId"] = self.thread_id
        if payload is not None:
            event["payload"] = payload
        # The lock keeps "take the next seq" and "buffer it" one step, whichever threads report.
        with self._lock:
            # The heartbeat thread may wake just as the run ends or the reporter closes: under the lock it
            # sees that and beats no more.
            if automatic and (self._ended or self._heartbeat_stop.is_set()):
                return False
            # Reject-new happens before a seq is taken, so a refused event leaves no gap in the run.
            if not terminal and not self._sender.has_room:
                return self._sender.enqueue(event)
            event["seq"] = self._next_seq
            buffered = self._sender.enqueue(event, force=terminal)
            if buffered:
                self._next_seq += 1
            if terminal:
                self._ended = True
        if terminal:
            self._stop_heartbeat()
            self._sender.request_flush()
        return buffered

    def _start_heartbeat(self) -> None:
        if self._heartbeat_interval is None or self._heartbeat is not None or self._ended:
            return
        interval = self._heartbeat_interval

        def beat() -> None:
            while not self._heartbeat_stop.wait(interval):
                self._report("run.heartbeat", automatic=True)

        self._heartbeat = threading.Thread(target=beat, name=f"runledger-heartbeat-{self.run_id}", daemon=True)
        self._heartbeat.start()

    def _stop_heartbeat(self) -> None:
        self._heartbeat_stop.set()


class TaskReporter:
    """The events of one task; ``attempt`` and ``duration_ms`` may be given on any call."""

    def __init__(self, run: RunReporter, task_id: str, details: Dict[str, Any]) -> None:
        self.task_id = task_id
        self._run = run
        self._details = details

    def queued(self, *, attempt: Optional[int] = None) -> bool:
        return self._send("task.queued", attempt, None)

    def started(self, *, attempt: Optional[int] = None) -> bool:
        return self._send("task.started", attempt, None)

    def retrying(
        self, attempt: int, max_attempts: Optional[int] = None, error: object = None, *, duration_ms: Optional[float] = None
    ) -> bool:
        """The task will run again: ``attempt`` is the attempt about to start (>= 1)."""
        extra = _some(maxAttempts=max_attempts, error=None if error is None else to_error_info(error))
        return self._send("task.retrying", attempt, duration_ms, extra)

    def completed(self, result: Any = None, *, attempt: Optional[int] = None, duration_ms: Optional[float] = None) -> bool:
        return self._send("task.completed", attempt, duration_ms, _some(result=result))

    def failed(self, error: object, *, attempt: Optional[int] = None, duration_ms: Optional[float] = None) -> bool:
        return self._send("task.failed", attempt, duration_ms, {"error": to_error_info(error)})

    def cancelled(
        self, reason: Optional[str] = None, *, attempt: Optional[int] = None, duration_ms: Optional[float] = None
    ) -> bool:
        return self._send("task.cancelled", attempt, duration_ms, _some(reason=reason))

    def timed_out(
        self, timeout_seconds: Optional[float] = None, *, attempt: Optional[int] = None, duration_ms: Optional[float] = None
    ) -> bool:
        return self._send("task.timed_out", attempt, duration_ms, _some(timeoutSeconds=timeout_seconds))

    def _send(
        self, kind: str, attempt: Optional[int], duration_ms: Optional[float], extra: Optional[Dict[str, Any]] = None
    ) -> bool:
        payload = {"taskId": self.task_id, **self._details, **_some(attempt=attempt, durationMs=duration_ms), **(extra or {})}
        return self._run._report(kind, payload)
