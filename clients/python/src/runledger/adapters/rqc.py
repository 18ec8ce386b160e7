"""RQC event listeners -> runledger: one run per request.

Before::

    client = RQCClient(listeners=[FileLoggingListener("logs/")])

After::

    from runledger.adapters.rqc import RunledgerListener
    client = RQCClient(listeners=[RunledgerListener()])

Hooks, and what each reports to the request's run:

=============================================  ============================================================
``on_before_execute(request)``                  ``run.started``, the request kept in the payload (``request``)
``on_status_change(request, old, new)``         ``run.checkpoint`` named ``status:<new>`` with ``{from, to}``
``on_create_execution_start(request)``          ``task.started``, task ``create_execution`` (stage ``create``)
``on_create_execution_end(request, resp, e)``   ``task.completed`` / ``task.failed`` with ``durationMs``
``on_get_result_start(request)``                ``task.started``, task ``get_result`` (stage ``get_result``)
``on_get_result_end(request, resp, e)``         ``task.completed`` / ``task.failed`` with ``durationMs``
``on_after_execute(request, response, e)``      ``run.completed`` with ``{"response": ...}``, or ``run.failed``
                                                with the error and the response kept (``response``)
=============================================  ============================================================

A request fails when an error is passed, or the response says so (``success``/``is_success``/``ok``
false, a ``status`` such as FAILED or ERROR, a ``status_code`` of 400 or more).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

from ..reporter import RunReporter, to_error_info
from ._shared import RunPool, field_of, to_jsonable

FAILED_STATUSES = frozenset(
    ("FAILED", "FAILURE", "ERROR", "ERRORED", "CANCELLED", "CANCELED", "TIMEOUT", "TIMED_OUT", "REJECTED")
)

_PHASES = {"create_execution": "create", "get_result": "get_result"}


def default_run_id(request: Any) -> Optional[str]:
    """The request's own id (``request_id``, ``id``, ``execution_id``) when it has one; else a fresh id is made."""
    value = field_of(request, "request_id", "id", "execution_id")
    return str(value) if value is not None else None


class RunledgerListener:
    """An RQC listener that reports each request as a runledger run (see the module's table).

    ``reporter``: report every request to that one run. Otherwise each request gets its own run (id from
    ``run_id_of(request)``, by default the request's id), all sharing one background sender built from
    ``base_url``/``api_key`` and the sender options. No hook waits for the network; ``close()`` delivers.
    """

    def __init__(
        self,
        reporter: Optional[RunReporter] = None,
        *,
        run_id_of: Callable[[Any], Optional[str]] = default_run_id,
        clock: Callable[[], float] = time.monotonic,
        **connection: Any,
    ) -> None:
        self._pool = RunPool(reporter, **connection)
        self._run_id_of = run_id_of
        self._clock = clock
        self._runs: Dict[int, RunReporter] = {}
        self._phase_starts: Dict[Tuple[int, str], float] = {}
        self._lock = threading.Lock()

    def on_before_execute(self, request: Any) -> None:
        self._run(request).report("run.started", {"request": to_jsonable(request)})

    def on_status_change(self, request: Any, old_status: Any = None, new_status: Any = None) -> None:
        to = to_jsonable(new_status)
        self._run(request).checkpoint(f"status:{to}", {"from": to_jsonable(old_status), "to": to})

    def on_after_execute(self, request: Any, response: Any = None, error: Optional[BaseException] = None) -> None:
        run = self._run(request)
        failure = _failure(response, error)
        if failure is None:
            run.completed({"response": to_jsonable(response)})
        else:
            run.report("run.failed", {"error": to_error_info(failure), "response": to_jsonable(response)})
        with self._lock:
            self._runs.pop(id(request), None)
        self._pool.forget(run.run_id)

    def on_create_execution_start(self, request: Any) -> None:
        self._phase_start(request, "create_execution")

    def on_create_execution_end(self, request: Any, response: Any = None, error: Optional[BaseException] = None) -> None:
        self._phase_end(request, "create_execution", response, error)

    def on_get_result_start(self, request: Any) -> None:
        self._phase_start(request, "get_result")

    def on_get_result_end(self, request: Any, response: Any = None, error: Optional[BaseException] = None) -> None:
        self._phase_end(request, "get_result", response, error)

    def flush(self, timeout: Optional[float] = None) -> bool:
        return self._pool.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> Any:
        """Delivers what is buffered; returns the CloseReport (``sent``, ``unsent``)."""
        return self._pool.close(timeout)

    def _run(self, request: Any) -> RunReporter:
        # Keyed by the request object itself: the hooks of one request find its run without an id.
        with self._lock:
            run = self._runs.get(id(request))
            if run is None:
                run = self._pool.get(self._run_id_of(request))
                self._runs[id(request)] = run
            return run

    def _phase_start(self, request: Any, phase: str) -> None:
        with self._lock:
            self._phase_starts[(id(request), phase)] = self._clock()
        self._run(request).task(phase, stage=_PHASES[phase]).started()

    def _phase_end(self, request: Any, phase: str, response: Any, error: Optional[BaseException]) -> None:
        with self._lock:
            started = self._phase_starts.pop((id(request), phase), None)
        duration_ms = None if started is None else max(0.0, (self._clock() - started) * 1000)
        task = self._run(request).task(phase, stage=_PHASES[phase])
        failure = _failure(response, error)
        if failure is None:
            task.completed(to_jsonable(response), duration_ms=duration_ms)
        else:
            task.failed(failure, duration_ms=duration_ms)


def _failure(response: Any, error: Optional[BaseException]) -> Optional[object]:
    """Why the request failed, or None when it succeeded."""
    if error is not None:
        return error
    if response is None:
        return None
    for flag in ("success", "is_success", "ok"):
        value = field_of(response, flag)
        if value is False:
            return _response_error(response, f"the response says {flag}=False")
    status = field_of(response, "status", "state")
    if status is not None and str(getattr(status, "value", status)).upper() in FAILED_STATUSES:
        return _response_error(response, f"the request ended {str(getattr(status, 'value', status)).upper()}")
    code = field_of(response, "status_code", "http_status")
    if isinstance(code, int) and code >= 400:
        return _response_error(response, f"HTTP {code}")
    return None


def _response_error(response: Any, fallback: str) -> object:
    error = field_of(response, "error", "error_message", "message")
    if isinstance(error, BaseException):
        return error
    return {"message": str(error) if error else fallback, "type": "RQCRequestFailed"}
