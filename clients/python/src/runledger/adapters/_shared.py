"""What the adapters share: reading fields off foreign objects, making them JSON, one reporter per run."""

from __future__ import annotations

import dataclasses
import enum
import math
import threading
import uuid
from datetime import date, datetime, timezone
from typing import Any, Callable, Dict, Mapping, Optional

from .._sender import CloseReport, EventSender
from ..reporter import RunReporter

_MAX_DEPTH = 8


def field_of(source: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``source`` has, as an attribute or a mapping key, then in its ``details``
    or ``metadata`` mapping: the original libraries keep some fields on the event and some in a dict."""
    for name in names:
        value = source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)
        if value is not None:
            return value
    for holder in ("details", "metadata"):
        nested = source.get(holder) if isinstance(source, Mapping) else getattr(source, holder, None)
        if isinstance(nested, Mapping):
            for name in names:
                if nested.get(name) is not None:
                    return nested[name]
    return default


def enum_name(value: Any) -> str:
    """An enum member or a string as upper-case text: ``EventType.FAILED``, ``"failed"`` -> ``"FAILED"``."""
    if isinstance(value, enum.Enum):
        value = value.value if isinstance(value.value, str) else value.name
    return str(value).upper()


def to_jsonable(value: Any, depth: int = 0) -> Any:  # noqa: PLR0911 (one return per kind of value reads best)
    """``value`` as JSON-ready data, the way a file-logging listener would save it: dataclasses and plain
    objects by their fields, dates as ISO text, enums by value; anything else by ``repr``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if depth >= _MAX_DEPTH:
        return repr(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value, depth + 1)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item, depth + 1) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: to_jsonable(getattr(value, item.name), depth + 1) for item in dataclasses.fields(value)}
    if isinstance(value, BaseException):
        return repr(value)
    fields = getattr(value, "__dict__", None)
    if isinstance(fields, dict):
        return {key: to_jsonable(item, depth + 1) for key, item in fields.items() if not key.startswith("_")}
    return repr(value)


def epoch_seconds(value: Any) -> Optional[float]:
    """A timestamp (datetime, epoch seconds, or ISO text) as epoch seconds; None when there is none."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return epoch_seconds(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


class RunPool:
    """One RunReporter per run id over one shared sender, for adapters whose original spans many runs.

    ``reporter`` given: every run id maps to it (the adapter reports one run). Otherwise runs are made on
    first use and share one EventSender (two delivery threads in all, however many runs).
    """

    def __init__(self, reporter: Optional[RunReporter] = None, *, thread_id: Optional[str] = None, **sender_options: Any) -> None:
        self._reporter = reporter
        self._sender: Optional[EventSender] = None
        if reporter is not None:
            self._flush: Callable[[Optional[float]], bool] = reporter.flush
            self._close: Callable[[Optional[float]], CloseReport] = reporter.close
        else:
            self._sender = EventSender(**sender_options)
            self._flush, self._close = self._sender.flush, self._sender.close
        self._thread_id = thread_id
        self._runs: Dict[str, RunReporter] = {}
        self._lock = threading.Lock()

    def get(self, run_id: Optional[str]) -> RunReporter:
        if self._reporter is not None:
            return self._reporter
        key = run_id or str(uuid.uuid4())
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                run = RunReporter(run_id=key, thread_id=self._thread_id, sender=self._sender)
                self._runs[key] = run
            return run

    def forget(self, run_id: str) -> None:
        """The run has ended: its reporter is not needed any more (its events are in the shared buffer)."""
        with self._lock:
            self._runs.pop(run_id, None)

    def flush(self, timeout: Optional[float] = None) -> bool:
        return self._flush(timeout)

    def close(self, timeout: Optional[float] = None) -> CloseReport:
        """Delivers what is buffered and lists what was not delivered (closes the given reporter too)."""
        return self._close(timeout)
