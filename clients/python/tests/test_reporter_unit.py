"""RunReporter without a server: numbering, errors as the contract's shape, the context manager, defaults."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from runledger import MissingApiKeyError, RunReporter, to_error_info
from runledger._env import resolve_connection

from .support.fake_transport import FakeTransport


class QuotaExceededError(Exception):
    pass


def reporter(transport: FakeTransport) -> RunReporter:
    return RunReporter(
        run_id="unit-run", thread_id="thread-1", base_url="http://runledger.invalid/", api_key="k", transport=transport
    )


def test_numbers_events_from_1_with_fresh_event_ids_in_call_order() -> None:
    transport = FakeTransport()
    run = reporter(transport)
    run.queued()
    run.started()
    run.task("t").started()
    run.completed()
    run.close()
    events = sorted(transport.events(), key=lambda event: event["seq"])
    assert [(event["seq"], event["type"]) for event in events] == [
        (1, "run.queued"),
        (2, "run.started"),
        (3, "task.started"),
        (4, "run.completed"),
    ]
    assert len({event["eventId"] for event in events}) == 4
    assert {(event["runId"], event["threadId"]) for event in events} == {("unit-run", "thread-1")}
    assert all(event["occurredAt"].endswith("Z") for event in events)


def test_an_exception_becomes_message_type_and_traceback() -> None:
    try:
        raise QuotaExceededError("over the limit")
    except QuotaExceededError as error:
        info = to_error_info(error)
    assert info["message"] == "over the limit"
    assert info["type"] == "tests.test_reporter_unit.QuotaExceededError"
    assert "Traceback (most recent call last)" in info["stack"]
    assert 'raise QuotaExceededError("over the limit")' in info["stack"]
    assert to_error_info(ValueError("x"))["type"] == "ValueError"
    assert to_error_info("plain text") == {"message": "plain text"}
    assert to_error_info({"message": "m", "type": "T"}) == {"message": "m", "type": "T"}
    assert len(to_error_info(ValueError("y" * 10_000))["message"]) == 8192


def test_the_context_manager_marks_the_run_failed_with_the_exception_and_closes() -> None:
    transport = FakeTransport()
    with pytest.raises(QuotaExceededError), reporter(transport) as run:
        run.started()
        raise QuotaExceededError("boom")
    events = sorted(transport.events(), key=lambda event: event["seq"])
    assert [event["type"] for event in events] == ["run.started", "run.failed"]
    error = events[1]["payload"]["error"]
    assert (error["message"], error["type"]) == ("boom", "tests.test_reporter_unit.QuotaExceededError")
    assert "QuotaExceededError: boom" in error["stack"]
    assert run.heartbeat() is False  # closed


def test_the_context_manager_leaves_an_ended_run_alone_and_reports_nothing_on_success() -> None:
    transport = FakeTransport()
    with reporter(transport) as run:
        run.started()
    with pytest.raises(RuntimeError), reporter(transport) as other:
        other.completed()
        raise RuntimeError("after the end")
    assert [event["type"] for event in transport.events()] == ["run.started", "run.completed"]


def test_task_events_carry_the_task_fields_and_their_own() -> None:
    transport = FakeTransport()
    run = reporter(transport)
    task = run.task("fetch", name="fetch pages", stage="io", worker_id="w1")
    task.queued()
    task.started(attempt=1)
    task.retrying(2, 3, TimeoutError("slow"))
    task.completed({"pages": 3}, attempt=2, duration_ms=1500)
    task.failed("bad")
    task.cancelled("user")
    task.timed_out(30)
    run.close()
    payloads = [event["payload"] for event in sorted(transport.events(), key=lambda event: event["seq"])]
    base = {"taskId": "fetch", "name": "fetch pages", "stage": "io", "workerId": "w1"}
    assert payloads[0] == base
    assert payloads[1] == {**base, "attempt": 1}
    assert payloads[2]["attempt"] == 2
    assert payloads[2]["maxAttempts"] == 3
    assert payloads[2]["error"]["type"] == "TimeoutError"
    assert payloads[3] == {**base, "attempt": 2, "durationMs": 1500, "result": {"pages": 3}}
    assert payloads[4] == {**base, "error": {"message": "bad"}}
    assert payloads[5] == {**base, "reason": "user"}
    assert payloads[6] == {**base, "timeoutSeconds": 30}


def test_heartbeats_while_running_and_stops_at_the_end() -> None:
    transport = FakeTransport()
    run = RunReporter(
        run_id="hb", base_url="http://x.invalid", api_key="k", transport=transport, heartbeat_interval=0.02, flush_interval=0.01
    )
    run.started()
    run.flush()
    # Wait for two beats (a loaded machine may starve the thread for a while), then end the run.
    deadline = time.monotonic() + 10
    while sum(event["type"] == "run.heartbeat" for event in transport.events()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    run.completed()
    time.sleep(0.1)  # five more intervals: a beat now would land after run.completed
    assert run.close().unsent == []
    types = [event["type"] for event in sorted(transport.events(), key=lambda event: event["seq"])]
    assert types[0] == "run.started"
    assert types[-1] == "run.completed"
    assert types.count("run.heartbeat") >= 2
    assert set(types[1:-1]) == {"run.heartbeat"}


def test_connection_defaults_come_from_the_environment_then_the_local_stacks_files(tmp_path: Path) -> None:
    assert resolve_connection(None, None, {"RUNLEDGER_URL": "http://a:1/", "RUNLEDGER_API_KEY": "env-key"}) == (
        "http://a:1",
        "env-key",
    )
    (tmp_path / "stack.json").write_text(json.dumps({"pid": 1, "url": "http://127.0.0.1:4555"}))
    (tmp_path / "dev-api-key").write_text("rl_dev_abc\n")
    assert resolve_connection(None, None, {"RUNLEDGER_DATA_DIR": str(tmp_path)}) == ("http://127.0.0.1:4555", "rl_dev_abc")
    assert resolve_connection("http://given", "given-key", {"RUNLEDGER_DATA_DIR": str(tmp_path)}) == ("http://given", "given-key")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MissingApiKeyError):
        resolve_connection(None, None, {"RUNLEDGER_DATA_DIR": str(empty)})
    assert resolve_connection(None, "k", {"RUNLEDGER_DATA_DIR": str(empty)})[0] == "http://127.0.0.1:3000"
