"""runledger: report runs from Python with nothing lost, read them back, follow them live.

Standard library only. ``RunReporter`` writes one run; ``Client`` reads; ``runledger.adapters`` has
drop-ins for RQC listeners, OmniQ event loggers, Dockrion stream contexts, AntFlow StatusTracker
callbacks and run observers; ``runledger.observer.parse_bus_event`` is for Python observer Lambdas.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._backoff import BackoffPolicy, full_jitter_delay, parse_retry_after
from ._env import DEFAULT_BASE_URL
from ._sender import CloseReport, DeliveryProblem, EventSender, SenderStats, UnsentEvent
from .client import Client, EventsPage, RunsPage, RunSummary, StoredEvent, Task, TaskDetail
from .errors import BusEventError, MissingApiKeyError, RunledgerError
from .reporter import RunReporter, TaskReporter, to_error_info

__all__ = [
    "DEFAULT_BASE_URL",
    "BackoffPolicy",
    "BusEventError",
    "Client",
    "CloseReport",
    "DeliveryProblem",
    "EventSender",
    "EventsPage",
    "MissingApiKeyError",
    "RunReporter",
    "RunSummary",
    "RunledgerError",
    "RunsPage",
    "SenderStats",
    "StoredEvent",
    "Task",
    "TaskDetail",
    "TaskReporter",
    "UnsentEvent",
    "__version__",
    "full_jitter_delay",
    "parse_retry_after",
    "to_error_info",
]
