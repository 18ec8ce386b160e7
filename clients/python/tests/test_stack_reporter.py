"""Against the local stack: every RunReporter method lands as its event type and payload, in call order."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

from runledger import Client, RunReporter

from .conftest import Stack, unique


def test_every_method_lands_as_the_right_event_type_and_payload(stack: Stack, client: Client) -> None:
    run_id, thread_id = unique("methods"), unique("thread")
    run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=run_id, thread_id=thread_id)
    task = run.task("fetch", name="fetch pages", stage="io", worker_id="w1")
    fields = {"taskId": "fetch", "name": "fetch pages", "stage": "io", "workerId": "w1"}
    usage = {"inputTokens": 12, "outputTokens": 3}
    calls: List[Tuple[Callable[[], bool], str, Dict[str, Any]]] = [
        (run.queued, "run.queued", {}),
        (run.started, "run.started", {}),
        (
            lambda: run.progress(0.25, "a quarter", "fetch"),
            "run.progress",
            {"progress": 0.25, "message": "a quarter", "step": "fetch"},
        ),
        (lambda: run.checkpoint("cursor", {"page": 4}), "run.checkpoint", {"name": "cursor", "state": {"page": 4}}),
        (run.heartbeat, "run.heartbeat", {}),
        (lambda: run.token("Hel", 0), "token", {"text": "Hel", "index": 0}),
        (lambda: run.step("summarize", 120), "step", {"name": "summarize", "durationMs": 120}),
        (
            lambda: run.custom("tool.call", {"tool": "search", "args": ["q"]}),
            "custom:tool.call",
            {"tool": "search", "args": ["q"]},
        ),
        (task.queued, "task.queued", fields),
        (lambda: task.started(attempt=1), "task.started", {**fields, "attempt": 1}),
        (
            lambda: task.retrying(2, 3, "timeout"),
            "task.retrying",
            {**fields, "attempt": 2, "maxAttempts": 3, "error": {"message": "timeout"}},
        ),
        (
            lambda: task.completed({"pages": 10}, duration_ms=900),
            "task.completed",
            {**fields, "durationMs": 900, "result": {"pages": 10}},
        ),
        (lambda: run.task("other").failed("bad input"), "task.failed", {"taskId": "other", "error": {"message": "bad input"}}),
        (lambda: run.task("c").cancelled("user"), "task.cancelled", {"taskId": "c", "reason": "user"}),
        (lambda: run.task("t").timed_out(30), "task.timed_out", {"taskId": "t", "timeoutSeconds": 30}),
        (lambda: run.message("hello"), "message.human", {"content": "hello"}),
        (lambda: run.thread_status("waiting"), "thread.status_updated", {"status": "waiting"}),
        (
            lambda: run.completed({"answer": 42}, usage, "the answer"),
            "run.completed",
            {"result": {"answer": 42}, "usage": usage, "title": "the answer"},
        ),
    ]
    for call, _, _ in calls:
        assert call() is True
    expected = [(kind, payload) for _, kind, payload in calls]
    report = run.close(timeout=60)

    assert report.unsent == []
    assert report.sent == len(expected)
    events = list(client.iter_events(run_id))
    assert [event.seq for event in events] == list(range(1, len(expected) + 1))
    assert [(event.type, event.payload) for event in events] == expected
    assert {event.thread_id for event in events} == {thread_id}
    summary = client.get_run(run_id)
    assert (summary.status, summary.result, summary.usage, summary.title, summary.missing_seqs) == (
        "completed",
        {"answer": 42},
        {"inputTokens": 12, "outputTokens": 3},
        "the answer",
        [],
    )
    assert summary.raw["sequencing"] == "producer"
    assert summary.tasks["completed"] == 1
    assert summary.tasks["failed"] == 1


def test_failed_cancelled_and_timed_out_end_a_run_with_their_outcome(stack: Stack, client: Client) -> None:
    outcomes = {}
    for kind in ("failed", "cancelled", "timed_out"):
        run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=unique(kind))
        run.started()
        if kind == "failed":
            try:
                raise ConnectionError("upstream went away")
            except ConnectionError as error:
                run.failed(error)
        elif kind == "cancelled":
            run.cancelled("user pressed stop")
        else:
            run.timed_out(90)
        assert run.close(timeout=60).unsent == []
        outcomes[kind] = (client.get_run(run.run_id), list(client.iter_events(run.run_id))[-1])
    failed, last = outcomes["failed"]
    assert failed.status == "failed"
    assert failed.error is not None
    assert (failed.error["message"], failed.error["type"]) == ("upstream went away", "ConnectionError")
    assert "ConnectionError: upstream went away" in last.payload["error"]["stack"]
    assert outcomes["cancelled"][0].status == "cancelled"
    assert outcomes["cancelled"][1].payload == {"reason": "user pressed stop"}
    assert outcomes["timed_out"][0].status == "timed_out"
    assert outcomes["timed_out"][1].payload == {"timeoutSeconds": 90}


def lookup(table: Dict[str, int]) -> int:
    return table["missing"]


def test_an_exception_in_the_with_block_lands_as_run_failed_with_its_traceback(stack: Stack, client: Client) -> None:
    run_id = unique("with")
    try:
        with RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=run_id, close_timeout=60) as run:
            run.started()
            lookup({})
    except KeyError:
        pass
    summary = client.get_run(run_id)
    assert summary.status == "failed"
    assert summary.error is not None
    assert summary.error["type"] == "KeyError"
    assert "Traceback (most recent call last)" in summary.error["stack"]
