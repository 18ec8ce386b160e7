"""Against the local stack: the read side, pages and errors."""

from __future__ import annotations

import pytest

from runledger import Client, RunledgerError, RunReporter

from .conftest import Stack, unique


def test_reads_runs_by_thread_and_status_all_pages_and_counts(stack: Stack, client: Client) -> None:
    thread_id = unique("thread")
    run_ids = [unique("list") for _ in range(5)]
    for index, run_id in enumerate(run_ids):
        run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=run_id, thread_id=thread_id)
        run.started()
        if index % 2 == 0:
            run.completed()
        assert run.close(timeout=60).unsent == []
    assert {run.run_id for run in client.iter_runs(thread_id=thread_id, page_size=2)} == set(run_ids)
    assert {run.run_id for run in client.iter_runs(status="running", thread_id=thread_id)} == {run_ids[1], run_ids[3]}
    first = client.list_runs(thread_id=thread_id, limit=2)
    assert len(first.runs) == 2
    assert first.next_cursor is not None
    counts = client.stats()
    assert set(counts) == {"queued", "running", "completed", "failed", "cancelled", "timed_out"}
    assert counts["completed"] >= 3


def test_reads_events_by_page_and_type_and_a_task_with_its_events(stack: Stack, client: Client) -> None:
    run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=unique("pages"))
    run.started()
    task = run.task("fetch", name="fetch")
    task.started()
    for index in range(30):
        run.token(str(index), index)
    task.completed({"ok": True})
    run.completed()
    assert run.close(timeout=60).unsent == []
    page = client.list_events(run.run_id, after_seq=2, limit=10)
    assert [event.seq for event in page.events] == list(range(3, 13))
    assert page.next_after_seq == 12
    assert [event.seq for event in client.iter_events(run.run_id, page_size=7)] == list(range(1, 35))
    assert [event.type for event in client.list_events(run.run_id, types=["run.started", "run.completed"]).events] == [
        "run.started",
        "run.completed",
    ]
    detail = client.get_task(run.run_id, "fetch")
    assert (detail.task.status, detail.task.name) == ("completed", "fetch")
    assert [event.type for event in detail.events] == ["task.started", "task.completed"]
    assert [task.task_id for task in client.list_tasks(run.run_id)] == ["fetch"]


def test_errors_carry_the_contracts_status_code_and_message(stack: Stack, client: Client) -> None:
    with pytest.raises(RunledgerError) as missing:
        client.get_run("py-no-such-run")
    assert (missing.value.status, missing.value.code, missing.value.message) == (
        404,
        "not_found",
        "run 'py-no-such-run' was not found",
    )
    with pytest.raises(RunledgerError) as bad:
        client.list_events("any", limit=5000)
    assert (bad.value.status, bad.value.code) == (400, "invalid_parameter")
    assert bad.value.details == [{"path": "limit", "message": "must be at most 1000"}]
    with pytest.raises(RunledgerError) as refused:
        Client(stack.url, "wrong-key").stats()
    assert (refused.value.status, refused.value.code) == (401, "unauthorized")
    with pytest.raises(RunledgerError) as down:
        Client("http://127.0.0.1:9", "k", timeout=2).stats()
    assert (down.value.status, down.value.code) == (None, "network_error")
