"""Batching, retries, the bounded buffer and close(), against a scripted transport: no server."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List

import pytest

from runledger import BackoffPolicy, DeliveryProblem, EventSender, RunReporter
from runledger._transport import HttpAnswer, NetworkError

from .support.fake_transport import FakeTransport, accept_all, answer

FAST = BackoffPolicy(base_delay=0.001, max_delay=0.005)


def reporter(transport: FakeTransport, **options: Any) -> RunReporter:
    return RunReporter(
        run_id="unit-run", base_url="http://runledger.invalid", api_key="k", transport=transport, backoff=FAST, **options
    )


def test_sends_100_events_a_request_and_the_rest_in_one_more() -> None:
    transport = FakeTransport()
    run = reporter(transport, flush_interval=5.0)
    for index in range(250):
        run.token(f"t{index}", index)
    report = run.close()
    assert [len(request["events"]) for request in transport.requests] == [100, 100, 50]
    assert report.sent == 250
    assert report.unsent == []
    assert sorted(event["seq"] for event in transport.events()) == list(range(1, 251))


def test_keeps_every_request_under_one_mib() -> None:
    transport = FakeTransport()
    run = reporter(transport, flush_interval=5.0)
    for index in range(40):
        run.custom("blob", {"data": "x" * 60_000, "index": index})
    assert run.close().sent == 40
    sizes = [len(str(request).encode()) for request in transport.requests]
    assert len(transport.requests) > 1
    assert max(sizes) <= 1_048_576


def test_sends_a_partial_batch_after_the_flush_interval_without_flush_or_close() -> None:
    transport = FakeTransport()
    run = reporter(transport, flush_interval=0.05)
    run.started()
    deadline = time.monotonic() + 5
    while not transport.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(transport.requests) == 1
    assert [event["type"] for event in transport.requests[0]["events"]] == ["run.started"]
    run.close()


def test_retries_network_errors_408_429_and_5xx_then_delivers() -> None:
    transport = FakeTransport(
        steps=[
            NetworkError("reset"),
            answer(408),
            answer(429, {"error": {"code": "throttled", "message": "x"}}),
            answer(503),
            answer(502, None),
        ]
    )
    run = reporter(transport)
    run.started()
    report = run.close()
    assert report.sent == 1
    assert len(transport.requests) == 6
    # Every attempt carried the same event: same eventId and seq, so the server can answer duplicate.
    assert len({(event["eventId"], event["seq"]) for event in transport.events()}) == 1


def test_waits_at_least_the_retry_after_of_a_429() -> None:
    waits: List[float] = []
    transport = FakeTransport(steps=[answer(429, None, {"Retry-After": "7"})])
    run = reporter(transport, sleep=lambda seconds, _abort: waits.append(seconds))
    run.started()
    assert run.close().sent == 1
    assert waits == [7.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 415])
def test_never_retries_another_4xx_and_reports_it_refused(status: int) -> None:
    problems: List[DeliveryProblem] = []
    transport = FakeTransport(steps=[answer(status, {"error": {"code": "nope", "message": "refused"}})])
    run = reporter(transport, on_error=problems.append)
    run.started()
    report = run.close()
    assert len(transport.requests) == 1
    assert [(unsent.reason, unsent.detail) for unsent in report.unsent] == [("refused", f"HTTP {status} nope: refused")]
    assert [(problem.status, problem.error) for problem in problems] == [(status, {"code": "nope", "message": "refused"})]


def test_reports_rejected_and_conflict_results_with_the_servers_words() -> None:
    def judged(body: dict[str, Any]) -> Any:
        first, second, third = body["events"]
        errors = [{"path": "events[1].payload.progress", "message": "must be at most 1"}]
        return answer(207, {"results": [
            {"status": "accepted", "eventId": first["eventId"], "runId": "unit-run", "seq": 1},
            {"status": "rejected", "eventId": second["eventId"], "runId": "unit-run", "errors": errors},
            {"status": "conflict", "eventId": third["eventId"], "runId": "unit-run", "seq": 3, "message": "seq 3 is taken"},
        ]})  # fmt: skip

    run = reporter(FakeTransport(steps=[judged]), flush_interval=5.0)
    run.started()
    run.progress(2.0)
    run.heartbeat()
    report = run.close()
    assert report.sent == 1
    assert [(unsent.event["seq"], unsent.reason, unsent.detail) for unsent in report.unsent] == [
        (2, "rejected", "events[1].payload.progress must be at most 1"),
        (3, "conflict", "seq 3 is taken"),
    ]


def test_gives_up_after_max_attempts_saying_why() -> None:
    transport = FakeTransport(then=answer(503))
    run = reporter(transport, max_attempts=3)
    run.heartbeat()
    report = run.close()
    assert len(transport.requests) == 3
    assert [(unsent.reason, unsent.detail) for unsent in report.unsent] == [("gave-up", "3 attempts; the last: HTTP 503")]


def test_a_full_buffer_refuses_new_events_without_taking_a_seq_but_always_takes_the_outcome() -> None:
    gate = threading.Event()
    transport = FakeTransport(gate=gate)
    problems: List[DeliveryProblem] = []
    run = reporter(transport, max_buffered_events=3, on_error=problems.append, flush_interval=5.0)
    assert [run.started(), run.token("a"), run.token("b"), run.token("c"), run.token("d")] == [True, True, True, False, False]
    assert run.completed({"ok": True}) is True
    gate.set()
    report = run.close()
    assert [event["seq"] for event in sorted(transport.events(), key=lambda event: event["seq"])] == [1, 2, 3, 4]
    assert sorted(transport.events(), key=lambda event: event["seq"])[-1]["type"] == "run.completed"
    assert [(unsent.event["payload"]["text"], unsent.reason, "seq" in unsent.event) for unsent in report.unsent] == [
        ("c", "buffer-full", False),
        ("d", "buffer-full", False),
    ]
    assert [problem.reason for problem in problems] == ["buffer-full", "buffer-full"]


def test_reporting_never_waits_for_a_slow_network() -> None:
    gate = threading.Event()
    transport = FakeTransport(gate=gate)
    run = reporter(transport, max_batch_size=1)
    began = time.monotonic()
    for index in range(200):
        run.token(str(index))
    spent = time.monotonic() - began
    gate.set()
    assert run.close().sent == 200
    assert spent < 1.0


def test_close_with_a_timeout_lists_what_is_waiting_and_what_is_in_flight_as_deadline() -> None:
    gate = threading.Event()
    transport = FakeTransport(gate=gate)
    run = reporter(transport, max_batch_size=1, concurrency=1)
    run.started()
    run.progress(0.5)
    run.completed()
    report = run.close(timeout=0.2)
    gate.set()
    assert report.sent == 0
    assert [(unsent.event["seq"], unsent.event["type"], unsent.reason) for unsent in report.unsent] == [
        (1, "run.started", "deadline"),
        (2, "run.progress", "deadline"),
        (3, "run.completed", "deadline"),
    ]


def test_events_after_close_are_refused_as_closed() -> None:
    run = reporter(FakeTransport())
    run.close()
    assert run.heartbeat() is False
    assert [unsent.reason for unsent in run.close().unsent] == ["closed"]


def test_an_event_too_large_or_not_json_is_refused_at_once() -> None:
    run = reporter(FakeTransport())
    assert run.custom("big", {"data": "x" * 70_000}) is False
    assert run.checkpoint("odd", {"value": float("nan")}) is False
    assert [unsent.reason for unsent in run.close().unsent] == ["too-large", "rejected"]


def test_a_throwing_error_callback_does_not_stop_delivery() -> None:
    def explode(problem: DeliveryProblem) -> None:
        raise RuntimeError("callback bug")

    transport = FakeTransport(steps=[answer(401, {"error": {"code": "unauthorized", "message": "no"}})], then=accept_all)
    run = reporter(transport, on_error=explode, max_batch_size=1, concurrency=1)
    run.started()
    run.heartbeat()
    report = run.close()
    assert report.sent == 1
    assert [unsent.reason for unsent in report.unsent] == ["refused"]


def test_options_out_of_range_are_refused_naming_the_option() -> None:
    with pytest.raises(ValueError, match="max_batch_size"):
        EventSender(base_url="http://x.invalid", api_key="k", max_batch_size=101)


def test_a_transport_that_raises_something_unexpected_gives_the_batch_up_instead_of_hanging_close() -> None:
    def broken(body: Dict[str, Any]) -> HttpAnswer:
        raise ValueError("unknown url type")

    run = reporter(FakeTransport(then=broken))
    run.started()
    report = run.close(timeout=10)
    assert [(unsent.reason, unsent.detail) for unsent in report.unsent] == [
        ("gave-up", "the delivery thread failed: ValueError: unknown url type")
    ]
