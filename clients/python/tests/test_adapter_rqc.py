"""The RQC adapter, driven the way RQC drives its listeners, against the local stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from runledger import Client
from runledger.adapters.rqc import RunledgerListener

from .conftest import Stack, unique


@dataclass
class Request:
    request_id: str
    prompt: str
    params: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Response:
    status: str
    output: Optional[str] = None
    error: Optional[str] = None


def execute(listeners: List[Any], request: Request, outcome: Response) -> Response:
    """What RQC's client does with its listeners around one request: create, then poll for the result."""
    for listener in listeners:
        listener.on_before_execute(request)
    for listener in listeners:
        listener.on_create_execution_start(request)
    created = Response(status="PENDING")
    for listener in listeners:
        listener.on_create_execution_end(request, created)
        listener.on_status_change(request, None, "PENDING")
    for listener in listeners:
        listener.on_get_result_start(request)
        listener.on_status_change(request, "PENDING", "RUNNING")
    for listener in listeners:
        listener.on_get_result_end(request, outcome)
        listener.on_status_change(request, "RUNNING", outcome.status)
    for listener in listeners:
        listener.on_after_execute(request, outcome)
    return outcome


class CountingListener:
    """Another listener beside runledger's: many listeners at once, as RQC allows."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        def hook(*args: Any) -> None:
            self.calls += 1

        return hook


def test_one_run_per_request_with_both_phases_timed_and_the_request_and_response_kept(stack: Stack, client: Client) -> None:
    listener = RunledgerListener(base_url=stack.url, api_key=stack.api_key)
    counting = CountingListener()
    good = Request(unique("rqc-ok"), "summarize this", {"temperature": 0})
    bad = Request(unique("rqc-bad"), "and this")
    execute([listener, counting], good, Response("COMPLETED", output="a summary"))
    execute([listener, counting], bad, Response("FAILED", error="model overloaded"))
    report = listener.close(timeout=60)
    assert (report.sent, report.unsent) == (18, [])
    assert counting.calls == 18

    ok = client.get_run(good.request_id)
    assert ok.status == "completed"
    assert ok.result == {"response": {"status": "COMPLETED", "output": "a summary", "error": None}}
    assert ok.tasks["completed"] == 2
    history = list(client.iter_events(good.request_id))
    assert [event.type for event in history] == [
        "run.started",
        "task.started",
        "task.completed",
        "run.checkpoint",
        "task.started",
        "run.checkpoint",
        "task.completed",
        "run.checkpoint",
        "run.completed",
    ]
    assert history[0].payload == {
        "request": {"request_id": good.request_id, "prompt": "summarize this", "params": {"temperature": 0}}
    }
    assert [event.payload["name"] for event in history if event.type == "run.checkpoint"] == [
        "status:PENDING",
        "status:RUNNING",
        "status:COMPLETED",
    ]
    phases = {task.task_id: task for task in client.list_tasks(good.request_id)}
    assert set(phases) == {"create_execution", "get_result"}
    assert {phase: task.status for phase, task in phases.items()} == {"create_execution": "completed", "get_result": "completed"}
    assert [event.payload["stage"] for event in client.get_task(good.request_id, "create_execution").events] == [
        "create",
        "create",
    ]
    ends = [event for event in history if event.type == "task.completed"]
    assert all(isinstance(event.payload["durationMs"], (int, float)) for event in ends)

    failed = client.get_run(bad.request_id)
    assert failed.status == "failed"
    assert failed.error == {"message": "model overloaded", "type": "RQCRequestFailed"}
    last = list(client.iter_events(bad.request_id))[-1]
    assert last.payload["response"] == {"status": "FAILED", "output": None, "error": "model overloaded"}
    assert failed.tasks == {**failed.tasks, "completed": 1, "failed": 1}


def test_an_exception_passed_to_after_execute_fails_the_run_with_its_traceback(stack: Stack, client: Client) -> None:
    listener = RunledgerListener(base_url=stack.url, api_key=stack.api_key)
    request = Request(unique("rqc-raise"), "x")
    listener.on_before_execute(request)
    try:
        raise TimeoutError("no result after 300 s")
    except TimeoutError as error:
        listener.on_after_execute(request, None, error)
    assert listener.close(timeout=60).unsent == []
    summary = client.get_run(request.request_id)
    assert summary.status == "failed"
    assert summary.error is not None
    assert (summary.error["type"], summary.error["message"]) == ("TimeoutError", "no result after 300 s")
