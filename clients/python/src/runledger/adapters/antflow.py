"""AntFlow's StatusTracker callbacks -> runledger: each pipeline item is a task of the run, its stage kept.

Before::

    tracker = StatusTracker(on_status_change=log_change, on_task_fail=alert)

After::

    from runledger.adapters.antflow import RunledgerTrackerCallbacks
    tracker = StatusTracker(**RunledgerTrackerCallbacks(run).callbacks())

=========================================  ===================================================
``on_status_change(StatusEvent)``           item ``queued`` -> ``task.queued``, ``in_progress`` -> ``task.started``,
                                            ``retrying`` -> ``task.retrying``, ``completed`` -> ``task.completed``,
                                            ``failed`` -> ``task.failed``; ``stage`` and ``workerId`` (the worker) kept
``on_task_start(TaskEvent)``                ``task.started`` of the item: ``name`` = the task function, ``attempt``
``on_task_complete(TaskEvent)``             ``step`` ``<stage>.<task>`` with ``durationMs`` (the item goes on to its next stage)
``on_task_retry(TaskEvent)``                ``task.retrying`` of the item: the next ``attempt``, the ``error``
``on_task_fail(TaskEvent)``                 ``task.failed`` of the item with the ``error`` and ``durationMs``
=========================================  ===================================================

The task id is ``str(item_id)``. An item failed by ``on_task_fail`` is not reported failed a second time
by the ``failed`` status change that follows it.
"""

from __future__ import annotations

import threading
from typing import Any, Awaitable, Callable, Dict, Optional, Set

from ..reporter import RunReporter, TaskReporter
from ._shared import enum_name, field_of, to_jsonable

Callback = Callable[[Any], Awaitable[None]]


class RunledgerTrackerCallbacks:
    """The five async callbacks a StatusTracker takes, reporting to one run (the pipeline run)."""

    def __init__(self, reporter: RunReporter) -> None:
        self.reporter = reporter
        self._failed: Set[str] = set()
        self._lock = threading.Lock()

    def callbacks(self) -> Dict[str, Callback]:
        """The keyword arguments for ``StatusTracker(...)``."""
        return {
            "on_status_change": self.on_status_change,
            "on_task_start": self.on_task_start,
            "on_task_complete": self.on_task_complete,
            "on_task_retry": self.on_task_retry,
            "on_task_fail": self.on_task_fail,
        }

    async def on_status_change(self, event: Any) -> None:
        item = str(field_of(event, "item_id"))
        task = self._task(item, event)
        status = enum_name(field_of(event, "status")).lower()
        attempt = _int(field_of(event, "attempt"))
        if status == "queued":
            task.queued(attempt=attempt)
        elif status == "in_progress":
            task.started(attempt=attempt)
        elif status == "retrying":
            task.retrying(max(1, attempt or 1), error=field_of(event, "error"))
        elif status == "completed":
            task.completed(to_jsonable(field_of(event, "result", "value")), attempt=attempt)
        elif status == "failed" and not self._already_failed(item):
            task.failed(field_of(event, "error") or "the item failed", attempt=attempt)

    async def on_task_start(self, event: Any) -> None:
        self._task(str(field_of(event, "item_id")), event).started(attempt=_int(field_of(event, "attempt")))

    async def on_task_complete(self, event: Any) -> None:
        stage = field_of(event, "stage")
        name = f"{stage}.{field_of(event, 'task_name')}" if stage is not None else str(field_of(event, "task_name"))
        self.reporter.step(name[:256], _duration_ms(event))

    async def on_task_retry(self, event: Any) -> None:
        attempt = _int(field_of(event, "attempt")) or 1
        task = self._task(str(field_of(event, "item_id")), event)
        task.retrying(attempt + 1, error=field_of(event, "error"), duration_ms=_duration_ms(event))

    async def on_task_fail(self, event: Any) -> None:
        item = str(field_of(event, "item_id"))
        with self._lock:
            self._failed.add(item)
        task = self._task(item, event)
        task.failed(
            field_of(event, "error") or "the task failed",
            attempt=_int(field_of(event, "attempt")),
            duration_ms=_duration_ms(event),
        )

    def _task(self, item: str, event: Any) -> TaskReporter:
        stage = field_of(event, "stage")
        worker = field_of(event, "worker")
        name = field_of(event, "task_name")
        return self.reporter.task(item, name=_text(name), stage=_text(stage), worker_id=_text(worker))

    def _already_failed(self, item: str) -> bool:
        with self._lock:
            return item in self._failed


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)[:256]


def _int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _duration_ms(event: Any) -> Optional[float]:
    seconds = field_of(event, "duration")
    return seconds * 1000 if isinstance(seconds, (int, float)) and seconds >= 0 else None
