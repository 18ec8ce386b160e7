"""OmniQ task events -> runledger task events, and an event processor over a run's stored events.

Before::

    logger = EventLogger(storage=SQLiteEventStorage("events.db"))
    queue = OmniQ(event_logger=logger)
    processor = EventProcessor(storage)

After::

    from runledger.adapters.omniq import RunledgerEventLogger, RunledgerEventProcessor
    logger = RunledgerEventLogger(run_id="nightly-import")      # or run_id=lambda event: event.queue_name
    queue = OmniQ(event_logger=logger)
    processor = RunledgerEventProcessor("nightly-import")

=============  ==================  ====================================================
TaskEvent      runledger           payload (besides ``taskId``)
=============  ==================  ====================================================
ENQUEUED       ``task.queued``     ``stage`` = queue name, ``queueName``
STARTED        ``task.started``    ``workerId``, ``attempt``
COMPLETED      ``task.completed``  ``result``
FAILED         ``task.failed``     ``error`` {message, type, stack = the traceback}
RETRIED        ``task.retrying``   ``attempt``, ``maxAttempts``, ``error``
CANCELLED      ``task.cancelled``  ``reason`` (the cancel reason)
TIMEOUT        ``task.timed_out``  ``timeoutSeconds``
other          ``custom:omniq.X``  every detail
=============  ==================  ====================================================

Each event keeps its own timestamp as ``occurredAt``. The variants OmniQ has used (EXECUTING, COMPLETE,
ERROR, RETRY, EXPIRED; enum members or text, any case) map to the same types.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from .._sender import CloseReport
from ..client import Client
from ..models import StoredEvent
from ..reporter import RunReporter, to_error_info
from ._shared import RunPool, enum_name, epoch_seconds, field_of, to_jsonable

_TYPES = {
    "ENQUEUED": "task.queued",
    "STARTED": "task.started",
    "EXECUTING": "task.started",
    "COMPLETED": "task.completed",
    "COMPLETE": "task.completed",
    "FAILED": "task.failed",
    "ERROR": "task.failed",
    "RETRIED": "task.retrying",
    "RETRY": "task.retrying",
    "CANCELLED": "task.cancelled",
    "CANCELED": "task.cancelled",
    "TIMEOUT": "task.timed_out",
    "EXPIRED": "task.timed_out",
}
_BACK = {"task.queued": "ENQUEUED", "task.started": "STARTED", "task.completed": "COMPLETED", "task.failed": "FAILED",
         "task.retrying": "RETRIED", "task.cancelled": "CANCELLED", "task.timed_out": "TIMEOUT"}  # fmt: skip

RunIdOf = Union[str, Callable[[Any], str], None]


def to_runledger(event: Any) -> tuple[str, Dict[str, Any]]:
    """One OmniQ TaskEvent as a runledger event type and payload (the module's table)."""
    kind = enum_name(field_of(event, "event_type", "type"))
    queue = field_of(event, "queue_name", "queue")
    payload: Dict[str, Any] = {"taskId": str(field_of(event, "task_id", "id"))}
    for key, value in (("stage", queue), ("queueName", queue), ("workerId", field_of(event, "worker_id", "worker"))):
        if value is not None:
            payload[key] = str(value)
    attempt = field_of(event, "attempt", "retry_count")
    if isinstance(attempt, int) and attempt >= 0:
        payload["attempt"] = attempt
    target = _TYPES.get(kind)
    error = _error(event)
    if target == "task.completed" and field_of(event, "result") is not None:
        payload["result"] = to_jsonable(field_of(event, "result"))
    elif target == "task.failed":
        payload["error"] = error or {"message": "the task failed"}
    elif target == "task.retrying":
        payload["attempt"] = max(1, payload.get("attempt", 1))
        max_attempts = field_of(event, "max_attempts", "max_retries")
        if isinstance(max_attempts, int) and max_attempts >= 1:
            payload["maxAttempts"] = max_attempts
        if error is not None:
            payload["error"] = error
    elif target == "task.cancelled" and field_of(event, "cancel_reason", "reason") is not None:
        payload["reason"] = str(field_of(event, "cancel_reason", "reason"))
    elif target == "task.timed_out":
        timeout = field_of(event, "timeout_seconds", "timeout")
        if isinstance(timeout, (int, float)) and timeout > 0:
            payload["timeoutSeconds"] = timeout
    elif target is None:
        details = field_of(event, "details")
        payload.update(to_jsonable(details) if isinstance(details, dict) else {})
        return f"custom:omniq.{kind.lower()}"[:71], payload
    return target, payload


def _error(event: Any) -> Optional[Dict[str, str]]:
    error = field_of(event, "error", "exception")
    if error is None:
        return None
    info = to_error_info(error)
    trace = field_of(event, "traceback")
    if isinstance(trace, str) and trace:
        info["stack"] = trace[:32768]
    return info


class RunledgerEventLogger:
    """An OmniQ event logger: ``log_event(event)`` reports the TaskEvent to its run at once (buffered,
    never waiting for the network). One run: pass ``reporter``, or ``run_id`` as text; one run per
    OmniQ run id: ``run_id`` as a function of the event (``run_id=lambda event: event.run_id``)."""

    def __init__(self, reporter: Optional[RunReporter] = None, *, run_id: RunIdOf = None, **connection: Any) -> None:
        if reporter is None and run_id is None:
            raise ValueError("RunledgerEventLogger needs a run: pass reporter=, run_id='...' or run_id=lambda event: ...")
        self._pool = RunPool(reporter, **connection)
        self._run_id = run_id

    def log_event(self, event: Any) -> None:
        kind, payload = to_runledger(event)
        run = self._pool.get(self._run_id_for(event))
        run.report(kind, payload, occurred_at=epoch_seconds(field_of(event, "timestamp", "created_at")))

    def flush(self, timeout: Optional[float] = None) -> bool:
        return self._pool.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> CloseReport:
        return self._pool.close(timeout)

    def _run_id_for(self, event: Any) -> Optional[str]:
        if not callable(self._run_id):
            return self._run_id  # text, or None with a reporter (which the pool always answers with)
        found = self._run_id(event)
        if not found:
            raise ValueError(f"run_id gave no run id for the event of task {field_of(event, 'task_id')!r}")
        return found


class AsyncRunledgerEventLogger(RunledgerEventLogger):
    """The async form OmniQ's async queues call: ``await logger.log_event(event)`` (it never waits on the network)."""

    async def log_event(self, event: Any) -> None:  # type: ignore[override]
        super().log_event(event)


@dataclass(frozen=True)
class OmniqTaskEvent:
    """A stored task event read back in OmniQ's shape, for handlers written against OmniQ's TaskEvent."""

    task_id: str
    event_type: str
    timestamp: datetime
    seq: int
    queue_name: Optional[str] = None
    worker_id: Optional[str] = None
    result: Any = None
    error: Optional[str] = None
    traceback: Optional[str] = None
    attempt: Optional[int] = None
    max_attempts: Optional[int] = None
    cancel_reason: Optional[str] = None
    timeout_seconds: Optional[float] = None

    @staticmethod
    def from_stored(event: StoredEvent) -> OmniqTaskEvent:
        payload = event.payload
        found = payload.get("error")
        error: Dict[str, Any] = found if isinstance(found, dict) else {}
        at = datetime.fromisoformat(event.occurred_at.replace("Z", "+00:00")).astimezone(timezone.utc)
        return OmniqTaskEvent(
            task_id=str(payload.get("taskId")),
            event_type=_BACK.get(event.type, event.type),
            timestamp=at,
            seq=event.seq,
            queue_name=payload.get("queueName", payload.get("stage")),
            worker_id=payload.get("workerId"),
            result=payload.get("result"),
            error=error.get("message"),
            traceback=error.get("stack"),
            attempt=payload.get("attempt"),
            max_attempts=payload.get("maxAttempts"),
            cancel_reason=payload.get("reason"),
            timeout_seconds=payload.get("timeoutSeconds"),
        )


Handler = Callable[[OmniqTaskEvent], Any]


class RunledgerEventProcessor:
    """OmniQ's event processor over a run's stored task events: ``register_handler(fn)``, then
    ``process_events_once()`` (what is stored and not yet processed) or ``start()`` (that, then the run
    live until it ends). Each event reaches each handler once, in seq order. Handlers are plain
    functions; a coroutine function is refused (this processor runs on the caller's thread)."""

    def __init__(
        self, run_id: str, *, client: Optional[Client] = None, base_url: Optional[str] = None, api_key: Optional[str] = None
    ) -> None:
        self.run_id = run_id
        self._client = client or Client(base_url, api_key)
        self._handlers: List[Handler] = []
        self._last_seq = 0

    def register_handler(self, handler: Handler) -> None:
        if inspect.iscoroutinefunction(handler):
            raise TypeError("RunledgerEventProcessor calls handlers on the caller's thread: pass a plain function")
        self._handlers.append(handler)

    def process_events_once(self) -> int:
        """Runs the handlers over the stored task events after the last one processed; how many there were."""
        return self._process(self._client.iter_events(self.run_id, self._last_seq))

    def start(self) -> int:
        """Processes what is stored, then follows the run live until its terminal event; how many task events."""
        return self.process_events_once() + self._process(self._client.follow(self.run_id, self._last_seq))

    def _process(self, events: Iterable[StoredEvent]) -> int:
        count = 0
        for event in events:
            self._last_seq = max(self._last_seq, event.seq)
            if not event.type.startswith("task."):
                continue
            omniq_event = OmniqTaskEvent.from_stored(event)
            for handler in self._handlers:
                handler(omniq_event)
            count += 1
        return count
