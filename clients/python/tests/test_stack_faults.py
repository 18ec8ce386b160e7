"""Against the local stack through a faulty network: nothing lost, nothing twice, in report order."""

from __future__ import annotations

import socket
import time
from typing import Any, List, Tuple

import pytest

from runledger import BackoffPolicy, Client, DeliveryProblem, EventSender, RunReporter

from .conftest import Stack, unique
from .support.fault_proxy import FaultProxy, FaultRates, start_fault_proxy

RATES = FaultRates(drop_before_forward=0.08, drop_after_forward=0.08, duplicate=0.08, throttle=0.04, unavailable=0.08, delay=0.25)


@pytest.fixture
def proxy(stack: Stack) -> Any:
    started = start_fault_proxy(stack.url, seed=20261201, rates=RATES, retry_after_seconds=1)
    yield started
    started.stop()


def test_1000_events_through_drops_duplicates_delays_and_throttling_arrive_once_in_order(
    stack: Stack, client: Client, proxy: FaultProxy
) -> None:
    run_id = unique("faults")
    problems: List[DeliveryProblem] = []
    run = RunReporter(
        base_url=proxy.url,
        api_key=stack.api_key,
        run_id=run_id,
        max_batch_size=25,
        concurrency=2,
        flush_interval=0.02,
        max_attempts=30,
        backoff=BackoffPolicy(base_delay=0.02, max_delay=0.25),
        on_error=problems.append,
    )
    expected: List[Tuple[str, Any]] = [("run.started", {})]
    began = time.monotonic()
    run.started()
    for index in range(1, 999):
        if index % 100 == 0:
            run.progress(index / 1000, f"at {index}")
            expected.append(("run.progress", {"progress": index / 1000, "message": f"at {index}"}))
        elif index % 50 == 0:
            run.task(f"chunk-{index}").completed({"index": index})
            expected.append(("task.completed", {"taskId": f"chunk-{index}", "result": {"index": index}}))
        else:
            run.token(f"t{index}", index)
            expected.append(("token", {"text": f"t{index}", "index": index}))
    run.completed({"events": 1000}, {"outputTokens": 998})
    expected.append(("run.completed", {"result": {"events": 1000}, "usage": {"outputTokens": 998}}))
    report = run.close(timeout=180)
    took = time.monotonic() - began

    print(
        f"python client: {run.stats.requests} HTTP requests for 1000 events (batches of 25, 2 in flight) "
        f"in {took:.1f} s; proxy: {proxy.counts}"
    )
    assert problems == []
    assert (report.sent, report.unsent) == (1000, [])
    assert proxy.counts["requests"] == run.stats.requests
    for fault in ("drop_before_forward", "drop_after_forward", "duplicate", "throttle", "unavailable", "delay"):
        assert proxy.counts[fault] > 0, fault

    page = client.list_events(run_id, limit=1000)
    assert page.next_after_seq is None
    assert [event.seq for event in page.events] == list(range(1, 1001))
    assert [(event.type, event.payload) for event in page.events] == expected
    summary = client.get_run(run_id)
    assert (summary.status, summary.event_count, summary.last_seq, summary.missing_seqs) == ("completed", 1000, 1000, [])


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_close_with_the_server_down_lists_every_unsent_event_in_report_order() -> None:
    problems: List[DeliveryProblem] = []
    run = RunReporter(
        base_url=dead_url(),
        api_key="any",
        run_id="run-down",
        flush_interval=0.005,
        max_attempts=1000,
        backoff=BackoffPolicy(0.005, 0.02),
        on_error=problems.append,
    )
    run.started()
    run.progress(0.5)
    run.completed()
    report = run.close(timeout=0.5)
    assert report.sent == 0
    assert [(unsent.event["seq"], unsent.event["type"], unsent.reason) for unsent in report.unsent] == [
        (1, "run.started", "deadline"),
        (2, "run.progress", "deadline"),
        (3, "run.completed", "deadline"),
    ]
    assert len({unsent.event["eventId"] for unsent in report.unsent}) == 3
    assert [problem.event["eventId"] for problem in problems] == [unsent.event["eventId"] for unsent in report.unsent]
    assert run.stats.requests > 1


def test_unsent_events_resent_later_land_once_at_their_seqs(stack: Stack, client: Client) -> None:
    down = RunReporter(
        base_url=dead_url(), api_key="any", run_id=unique("resend"), max_attempts=2, backoff=BackoffPolicy(0.001, 0.002)
    )
    down.started()
    down.token("kept")
    down.completed()
    unsent = down.close().unsent
    assert [item.reason for item in unsent] == ["gave-up"] * 3
    # The same events (same eventIds and seqs) sent again when the server is back, twice over.
    for _ in range(2):
        again = EventSender(base_url=stack.url, api_key=stack.api_key)
        for item in unsent:
            again.enqueue(item.event)
        assert again.close(timeout=60).unsent == []
    assert [(event.seq, event.type) for event in client.iter_events(down.run_id)] == [
        (1, "run.started"),
        (2, "token"),
        (3, "run.completed"),
    ]
