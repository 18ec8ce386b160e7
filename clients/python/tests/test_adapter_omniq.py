"""The OmniQ adapter: TaskEvents logged as OmniQ logs them, then processed back, against the local stack."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest

from runledger import Client, RunReporter
from runledger.adapters.omniq import AsyncRunledgerEventLogger, OmniqTaskEvent, RunledgerEventLogger, RunledgerEventProcessor

from .conftest import Stack, unique

START = datetime(2026, 12, 1, 9, 0, 0, tzinfo=timezone.utc)


class EventType(str, enum.Enum):
    ENQUEUED = "ENQUEUED"
    STARTED = "STARTED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    RETRIED = "RETRIED"
    CANCELLED = "CANCELLED"
    TIMEOUT = "TIMEOUT"


@dataclass
class TaskEvent:
    task_id: str
    event_type: EventType
    timestamp: datetime
    details: Dict[str, Any] = field(default_factory=dict)


def lifecycle() -> List[TaskEvent]:
    at = [START + timedelta(seconds=second) for second in range(20)]
    queue = {"queue_name": "emails"}
    return [
        TaskEvent("send-1", EventType.ENQUEUED, at[0], queue),
        TaskEvent("send-2", EventType.ENQUEUED, at[1], queue),
        TaskEvent("send-3", EventType.ENQUEUED, at[2], queue),
        TaskEvent("send-4", EventType.ENQUEUED, at[3], queue),
        TaskEvent("send-1", EventType.STARTED, at[4], {**queue, "worker_id": "w1", "attempt": 1}),
        TaskEvent("send-1", EventType.COMPLETED, at[5], {**queue, "worker_id": "w1", "result": {"delivered": True}}),
        TaskEvent("send-2", EventType.STARTED, at[6], {**queue, "worker_id": "w2", "attempt": 1}),
        TaskEvent("send-2", EventType.RETRIED, at[7], {**queue, "attempt": 2, "max_attempts": 3, "error": "SMTP 451"}),
        TaskEvent(
            "send-2", EventType.FAILED, at[8], {**queue, "error": "SMTP 550", "traceback": "Traceback ...\nSMTPError: 550"}
        ),
        TaskEvent("send-3", EventType.CANCELLED, at[9], {**queue, "cancel_reason": "unsubscribed"}),
        TaskEvent("send-4", EventType.TIMEOUT, at[10], {**queue, "timeout_seconds": 30}),
    ]


def test_task_events_become_tasks_with_their_details_and_the_processor_replays_them(stack: Stack, client: Client) -> None:
    run_id = unique("omniq")
    logger = RunledgerEventLogger(run_id=run_id, base_url=stack.url, api_key=stack.api_key)
    for event in lifecycle():
        logger.log_event(event)
    assert logger.close(timeout=60).unsent == []

    statuses = {task.task_id: task.status for task in client.list_tasks(run_id)}
    assert statuses == {"send-1": "completed", "send-2": "failed", "send-3": "cancelled", "send-4": "timed_out"}
    summary = client.get_run(run_id)
    assert (summary.status, summary.started_at) == ("running", "2026-12-01T09:00:00.000Z")
    send2 = client.get_task(run_id, "send-2").events
    assert [event.type for event in send2] == ["task.queued", "task.started", "task.retrying", "task.failed"]
    assert send2[2].payload == {
        "taskId": "send-2",
        "stage": "emails",
        "queueName": "emails",
        "attempt": 2,
        "maxAttempts": 3,
        "error": {"message": "SMTP 451"},
    }
    assert send2[3].payload["error"] == {"message": "SMTP 550", "stack": "Traceback ...\nSMTPError: 550"}
    assert send2[1].payload["workerId"] == "w2"

    seen: List[OmniqTaskEvent] = []
    processor = RunledgerEventProcessor(run_id, client=client)
    processor.register_handler(seen.append)
    assert processor.process_events_once() == 11
    assert processor.process_events_once() == 0  # each event once
    assert [(event.task_id, event.event_type) for event in seen[4:6]] == [("send-1", "STARTED"), ("send-1", "COMPLETED")]
    assert seen[5].result == {"delivered": True}
    assert (seen[8].error, seen[8].traceback) == ("SMTP 550", "Traceback ...\nSMTPError: 550")
    assert (seen[9].cancel_reason, seen[10].timeout_seconds) == ("unsubscribed", 30)
    assert seen[0].timestamp == START
    assert seen[0].queue_name == "emails"


def test_the_async_logger_and_the_live_processor_follow_one_run_to_its_end(stack: Stack, client: Client) -> None:
    run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=unique("omniq-live"))
    logger = AsyncRunledgerEventLogger(run)
    run.started()

    async def work() -> None:
        for event in lifecycle()[:6]:
            await logger.log_event(event)

    asyncio.run(work())
    run.completed()
    assert logger.close(timeout=60).unsent == []
    seen: List[str] = []
    processor = RunledgerEventProcessor(run.run_id, base_url=stack.url, api_key=stack.api_key)
    processor.register_handler(lambda event: seen.append(f"{event.task_id}:{event.event_type}"))
    assert processor.start() == 6
    assert seen[-2:] == ["send-1:STARTED", "send-1:COMPLETED"]


def test_the_logger_refuses_to_start_without_a_run_to_report_to() -> None:
    with pytest.raises(ValueError, match="needs a run"):
        RunledgerEventLogger(base_url="http://x.invalid", api_key="k")
