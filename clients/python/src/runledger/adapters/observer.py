"""The run-observer protocol -> runledger: a RunLifecycleEvent observer that reports what it observes.

Before::

    observers = CompositeObserver([(MetricsObserver(), True), (SlackObserver(), False)])

After (add it beside the others, required or optional like any observer)::

    from runledger.adapters.observer import RunledgerObserver
    observers = CompositeObserver([(MetricsObserver(), True), (RunledgerObserver(), True)])

==========================  ==========================  ===================================================
RunLifecycleEvent           runledger                   payload
==========================  ==========================  ===================================================
``run_started``             ``run.started``             the event's payload
``run_completed``           ``run.completed``           ``result``, ``usage`` (token counts), ``title``
``run_failed``              ``run.failed``              ``error`` {message, type, stack}
``run_cancelled``           ``run.cancelled``           ``reason``
``human_message``           ``message.human``           ``content``
``thread_status_updated``   ``thread.status_updated``   ``status``
other                       ``custom:observer.X``       the event's payload
==========================  ==========================  ===================================================

Each event keeps its own ``event_id`` (as eventId), ``sequence`` (as seq, plus ``seq_offset``: pass 1
when your sequences start at 0), ``run_id``, ``thread_id`` and ``occurred_at``: a redelivered event is
a ``duplicate``, never stored twice. ``on_event`` never waits for the network; it raises
ObserverDeliveryError when the event cannot even be buffered (a required observer's failure is then
raised by the composite, an optional one's logged).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

from .._sender import CloseReport, EventSender
from ..reporter import _iso, to_error_info
from ._shared import enum_name, epoch_seconds, field_of, to_jsonable

_TYPES = {
    "RUN_STARTED": "run.started",
    "RUN_COMPLETED": "run.completed",
    "RUN_FAILED": "run.failed",
    "RUN_CANCELLED": "run.cancelled",
    "HUMAN_MESSAGE": "message.human",
    "THREAD_STATUS_UPDATED": "thread.status_updated",
}


class ObserverDeliveryError(RuntimeError):
    """The observed event could not be buffered for delivery (the reporter is closed, the buffer is full...)."""


def to_event(observed: Any, seq_offset: int = 0) -> Dict[str, Any]:
    """A RunLifecycleEvent as a runledger event (the module's table)."""
    kind = enum_name(field_of(observed, "event_type", "type"))
    payload = field_of(observed, "payload")
    data: Dict[str, Any] = to_jsonable(payload) if isinstance(payload, dict) else {}
    target = _TYPES.get(kind, f"custom:observer.{kind.lower()}"[:71])
    if target == "run.completed":
        result = data.get("result", payload if not isinstance(payload, dict) else None)
        usage = data.get("usage", data.get("token_usage"))
        data = {key: value for key, value in (("result", result), ("title", data.get("title"))) if value is not None}
        if isinstance(usage, dict):
            data["usage"] = {str(name): count for name, count in usage.items() if isinstance(count, (int, float)) and count >= 0}
    elif target == "run.failed":
        error = data.get("error")
        data = {**data, "error": to_error_info(error if error is not None else "the run failed")}
    elif target == "message.human":
        data = {**data, "content": str(data.get("content", data.get("message", data.get("text", ""))))}
    elif target == "thread.status_updated":
        data = {**data, "status": str(data.get("status", "unknown"))}
    at = epoch_seconds(field_of(observed, "occurred_at", "timestamp"))
    event: Dict[str, Any] = {
        "eventId": str(field_of(observed, "event_id", "id")),
        "runId": str(field_of(observed, "run_id")),
        "type": target,
        "occurredAt": _iso(at if at is not None else datetime.now(timezone.utc).timestamp()),
        "seq": int(field_of(observed, "sequence", "seq")) + seq_offset,
        "payload": data,
    }
    thread = field_of(observed, "thread_id")
    if thread is not None:
        event["threadId"] = str(thread)
    return event


class RunledgerObserver:
    """A run observer (``async on_event(event)``) reporting each observed event to its run in runledger."""

    def __init__(self, *, sender: Optional[EventSender] = None, seq_offset: int = 0, **connection: Any) -> None:
        self._sender = sender or EventSender(**connection)
        self._seq_offset = seq_offset

    async def on_event(self, event: Any) -> None:
        self.report(event)

    def report(self, event: Any) -> None:
        """The synchronous form, for plain-callback observers."""
        if not self._sender.enqueue(to_event(event, self._seq_offset)):
            unsent = self._sender.report().unsent
            reason = unsent[-1].detail if unsent else "not buffered"
            raise ObserverDeliveryError(f"event {field_of(event, 'event_id')} of run {field_of(event, 'run_id')}: {reason}")

    def flush(self, timeout: Optional[float] = None) -> bool:
        return self._sender.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> CloseReport:
        return self._sender.close(timeout)
