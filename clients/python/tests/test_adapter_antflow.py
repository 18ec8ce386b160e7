"""The AntFlow adapter: the callback sequence an AntFlow pipeline makes through its StatusTracker."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional

from runledger import Client, RunReporter
from runledger.adapters.antflow import RunledgerTrackerCallbacks

from .conftest import Stack, unique


@dataclass
class StatusEvent:
    item_id: Any
    stage: Optional[str]
    status: str
    worker: Optional[str]
    timestamp: float
    metadata: Dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskEvent:
    item_id: Any
    stage: str
    task_name: str
    worker: str
    event_type: str
    attempt: int
    timestamp: float
    error: Optional[Exception] = None
    duration: Optional[float] = None


class StatusTracker:
    """AntFlow's StatusTracker, cut to how it calls its callbacks."""

    def __init__(self, **callbacks: Callable[[Any], Awaitable[None]]) -> None:
        self.callbacks = callbacks

    async def status(self, item: int, stage: Optional[str], status: str, worker: Optional[str] = None, **metadata: Any) -> None:
        await self.callbacks["on_status_change"](StatusEvent(item, stage, status, worker, 0.0, metadata))

    async def task(
        self, kind: str, item: int, stage: str, attempt: int, error: Optional[Exception] = None, duration: Optional[float] = None
    ) -> None:
        name = {"start": "on_task_start", "complete": "on_task_complete", "retry": "on_task_retry", "fail": "on_task_fail"}[kind]
        await self.callbacks[name](
            TaskEvent(item, stage, f"{stage.lower()}_fn", f"{stage}-W0", kind, attempt, 0.0, error, duration)
        )


async def pipeline(tracker: StatusTracker) -> None:
    """Three items through the stages Fetch and Parse: one clean, one retried once, one failing for good."""
    for item in (1, 2, 3):
        await tracker.status(item, None, "queued")
    await tracker.status(1, "Fetch", "in_progress", "Fetch-W0")
    await tracker.task("start", 1, "Fetch", 1)
    await tracker.task("complete", 1, "Fetch", 1, duration=0.12)
    await tracker.status(1, "Parse", "in_progress", "Parse-W0")
    await tracker.task("start", 1, "Parse", 1)
    await tracker.task("complete", 1, "Parse", 1, duration=0.03)
    await tracker.status(1, "Parse", "completed", "Parse-W0")
    await tracker.status(2, "Fetch", "in_progress", "Fetch-W1")
    await tracker.task("start", 2, "Fetch", 1)
    await tracker.task("retry", 2, "Fetch", 1, ConnectionError("reset"), 0.5)
    await tracker.task("start", 2, "Fetch", 2)
    await tracker.task("complete", 2, "Fetch", 2, duration=0.2)
    await tracker.status(2, "Fetch", "completed", "Fetch-W1")
    await tracker.status(3, "Fetch", "in_progress", "Fetch-W0")
    await tracker.task("start", 3, "Fetch", 1)
    await tracker.task("fail", 3, "Fetch", 1, ValueError("bad url"), 0.01)
    await tracker.status(3, "Fetch", "failed", "Fetch-W0", error="bad url")


def test_a_pipelines_callbacks_report_each_item_as_a_task_with_its_stage_retries_and_failure(
    stack: Stack, client: Client
) -> None:
    run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=unique("antflow"))
    run.started()
    asyncio.run(pipeline(StatusTracker(**RunledgerTrackerCallbacks(run).callbacks())))
    run.completed({"items": 3})
    assert run.close(timeout=60).unsent == []

    tasks = {task.task_id: task for task in client.list_tasks(run.run_id)}
    assert {item: task.status for item, task in tasks.items()} == {"1": "completed", "2": "completed", "3": "failed"}
    summary = client.get_run(run.run_id)
    assert (summary.tasks["completed"], summary.tasks["failed"]) == (2, 1)
    item2 = client.get_task(run.run_id, "2").events
    assert [event.type for event in item2] == [
        "task.queued",
        "task.started",
        "task.started",
        "task.retrying",
        "task.started",
        "task.completed",
    ]
    retry = item2[3].payload
    assert (retry["attempt"], retry["stage"], retry["name"], retry["workerId"], retry["durationMs"]) == (
        2,
        "Fetch",
        "fetch_fn",
        "Fetch-W0",
        500,
    )
    assert (retry["error"]["type"], retry["error"]["message"]) == ("ConnectionError", "reset")
    item3 = client.get_task(run.run_id, "3").events
    assert [event.type for event in item3].count("task.failed") == 1
    assert item3[-1].payload["error"]["type"] == "ValueError"
    steps = [event.payload for event in client.iter_events(run.run_id, types=["step"])]
    assert [step["name"] for step in steps] == ["Fetch.fetch_fn", "Parse.parse_fn", "Fetch.fetch_fn"]
    assert steps[0]["durationMs"] == 120
