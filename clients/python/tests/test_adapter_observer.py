"""The run-observer adapter inside a composite of observers, as the run-observer protocol dispatches."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from runledger import Client
from runledger.adapters.observer import ObserverDeliveryError, RunledgerObserver

from .conftest import Stack, unique


@dataclass
class RunLifecycleEvent:
    event_id: str
    event_type: str
    run_id: str
    thread_id: Optional[str]
    sequence: int
    occurred_at: datetime
    payload: Dict[str, Any] = field(default_factory=dict)


class NullObserver:
    async def on_event(self, event: RunLifecycleEvent) -> None:
        return None


class CallbackObserver:
    """A plain callback as an observer."""

    def __init__(self, callback: Callable[[RunLifecycleEvent], None]) -> None:
        self.callback = callback

    async def on_event(self, event: RunLifecycleEvent) -> None:
        self.callback(event)


class BrokenObserver:
    async def on_event(self, event: RunLifecycleEvent) -> None:
        raise RuntimeError("slack is down")


class CompositeObserver:
    """The protocol's composite: a required observer's failure is raised, an optional one's logged."""

    def __init__(self, observers: List[Tuple[Any, bool]]) -> None:
        self.observers = observers

    async def on_event(self, event: RunLifecycleEvent) -> None:
        for observer, required in self.observers:
            try:
                await observer.on_event(event)
            except Exception:
                if required:
                    raise
                logging.getLogger("composite").exception("optional observer failed")


def at(second: int) -> datetime:
    return datetime(2026, 12, 1, 12, 0, second, tzinfo=timezone.utc)


def test_a_composite_with_runledger_required_reports_each_event_with_its_own_sequence_and_id(
    stack: Stack, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    run_id, thread_id = unique("observed"), unique("chat")
    seen: List[str] = []
    runledger = RunledgerObserver(base_url=stack.url, api_key=stack.api_key, seq_offset=1)
    composite = CompositeObserver(
        [
            (NullObserver(), True),
            (CallbackObserver(lambda event: seen.append(event.event_type)), True),
            (BrokenObserver(), False),
            (runledger, True),
        ]
    )
    events = [
        RunLifecycleEvent("ev-0", "run_started", run_id, thread_id, 0, at(0)),
        RunLifecycleEvent("ev-1", "human_message", run_id, thread_id, 1, at(1), {"content": "What is 6 x 7?"}),
        RunLifecycleEvent("ev-2", "thread_status_updated", run_id, thread_id, 2, at(2), {"status": "busy"}),
        RunLifecycleEvent(
            "ev-3",
            "run_completed",
            run_id,
            thread_id,
            3,
            at(3),
            {"result": "42", "usage": {"input_tokens": 9, "output_tokens": 1}, "title": "Arithmetic"},
        ),
    ]

    async def dispatch() -> None:
        for event in events:
            await composite.on_event(event)
        await composite.on_event(events[1])  # a redelivery: same id and sequence

    asyncio.run(dispatch())
    report = runledger.close(timeout=60)
    assert (report.sent, report.unsent) == (5, [])
    assert seen == ["run_started", "human_message", "thread_status_updated", "run_completed", "human_message"]
    # The broken optional observer was logged each time, and dispatch went on to runledger.
    assert [record.getMessage() for record in caplog.records].count("optional observer failed") == 5

    stored = list(client.iter_events(run_id))
    assert [(event.seq, event.event_id, event.type) for event in stored] == [
        (1, "ev-0", "run.started"),
        (2, "ev-1", "message.human"),
        (3, "ev-2", "thread.status_updated"),
        (4, "ev-3", "run.completed"),
    ]
    assert stored[1].payload == {"content": "What is 6 x 7?"}
    assert stored[0].occurred_at == "2026-12-01T12:00:00.000Z"
    summary = client.get_run(run_id)
    assert (summary.status, summary.thread_id, summary.result, summary.title) == ("completed", thread_id, "42", "Arithmetic")
    assert summary.usage == {"input_tokens": 9, "output_tokens": 1}


def test_failed_and_cancelled_runs_keep_their_error_and_reason(stack: Stack, client: Client) -> None:
    observer = RunledgerObserver(base_url=stack.url, api_key=stack.api_key)
    failed, cancelled = unique("obs-failed"), unique("obs-cancelled")

    async def dispatch() -> None:
        await observer.on_event(RunLifecycleEvent("a1", "run_started", failed, None, 1, at(0)))
        await observer.on_event(RunLifecycleEvent("a2", "run_failed", failed, None, 2, at(5), {"error": "tool crashed"}))
        await observer.on_event(RunLifecycleEvent("b1", "run_started", cancelled, None, 1, at(0)))
        await observer.on_event(RunLifecycleEvent("b2", "run_cancelled", cancelled, None, 2, at(2), {"reason": "user left"}))

    asyncio.run(dispatch())
    assert observer.close(timeout=60).unsent == []
    assert client.get_run(failed).error == {"message": "tool crashed"}
    assert client.get_run(failed).duration_ms == 5000
    assert list(client.iter_events(cancelled))[-1].payload == {"reason": "user left"}


def test_a_required_runledger_observer_that_cannot_buffer_makes_the_composite_raise(stack: Stack) -> None:
    observer = RunledgerObserver(base_url=stack.url, api_key=stack.api_key)
    observer.close()
    composite = CompositeObserver([(observer, True)])
    event = RunLifecycleEvent("c1", "run_started", unique("closed"), None, 1, at(0))
    with pytest.raises(ObserverDeliveryError, match="closed"):
        asyncio.run(composite.on_event(event))
    assert asyncio.run(CompositeObserver([(observer, False)]).on_event(event)) is None
