"""Dockrion's StreamContext -> runledger: a handler's streaming calls become the run's events.

Before::

    async def handler(payload, context: StreamContext):
        await context.emit_progress("fetch", 0.4, "fetched 40 of 100")
        await context.emit_token("Hello")

After (the handler is unchanged; only the context handed to it is)::

    from runledger.adapters.dockrion import RunledgerStreamContext
    with RunReporter(run_id=run_id) as run:
        run.started()
        await handler(payload, RunledgerStreamContext(run))
        run.completed()

=========================================  ==========================================
``emit_progress(step, progress, message)``  ``run.progress`` {progress 0..1, message, step}
``checkpoint(name, data)``                  ``run.checkpoint`` {name, state = data}
``emit_token(text)``                        ``token`` {text, index: 0, 1, 2... per context}
``emit_step(name, duration_ms)``            ``step`` {name, durationMs}
``emit(name, payload)``                     ``custom:NAME`` with the payload
``emit_heartbeat()``                        ``run.heartbeat``
=========================================  ==========================================

Each has a ``sync_`` form for synchronous handlers (``sync_emit_progress`` ...). None waits for the network.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Mapping, Optional

from ..reporter import RunReporter
from ._shared import to_jsonable


class RunledgerStreamContext:
    """A Dockrion StreamContext that reports to one run."""

    def __init__(self, reporter: RunReporter) -> None:
        self.reporter = reporter
        self.run_id = reporter.run_id
        self._token_index = itertools.count()
        self._lock = threading.Lock()

    def sync_emit_progress(self, step: Optional[str], progress: float, message: Optional[str] = None) -> bool:
        return self.reporter.progress(progress, message, step)

    def sync_checkpoint(self, name: str, data: Any = None) -> bool:
        return self.reporter.checkpoint(name, to_jsonable(data))

    def sync_emit_token(self, text: str) -> bool:
        with self._lock:
            index = next(self._token_index)
        return self.reporter.token(text, index)

    def sync_emit_step(self, name: str, duration_ms: Optional[float] = None) -> bool:
        return self.reporter.step(name, duration_ms)

    def sync_emit(self, name: str, payload: Optional[Mapping[str, Any]] = None) -> bool:
        return self.reporter.custom(name, to_jsonable(dict(payload or {})))

    def sync_emit_heartbeat(self) -> bool:
        return self.reporter.heartbeat()

    async def emit_progress(self, step: Optional[str], progress: float, message: Optional[str] = None) -> bool:
        return self.sync_emit_progress(step, progress, message)

    async def checkpoint(self, name: str, data: Any = None) -> bool:
        return self.sync_checkpoint(name, data)

    async def emit_token(self, text: str) -> bool:
        return self.sync_emit_token(text)

    async def emit_step(self, name: str, duration_ms: Optional[float] = None) -> bool:
        return self.sync_emit_step(name, duration_ms)

    async def emit(self, name: str, payload: Optional[Mapping[str, Any]] = None) -> bool:
        return self.sync_emit(name, payload)

    async def emit_heartbeat(self) -> bool:
        return self.sync_emit_heartbeat()
