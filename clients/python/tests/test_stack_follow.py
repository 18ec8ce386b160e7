"""Against the local stack: follow() over the live stream, with connections cut mid-stream."""

from __future__ import annotations

import threading
import time
from typing import List

import pytest

from runledger import Client, RunledgerError, RunReporter

from .conftest import Stack, unique
from .support.cutting_proxy import start_cutting_proxy


def test_follow_survives_cut_connections_and_yields_every_seq_once_then_ends(stack: Stack, client: Client) -> None:
    run_id = unique("follow")
    proxy = start_cutting_proxy(stack.url, cut_after=7, cuts=3)
    writer = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=run_id, flush_interval=0.01, max_batch_size=5)
    writer.started()
    writer.flush()

    def write() -> None:
        for index in range(58):
            writer.token(f"t{index}", index)
            if index % 10 == 0:
                time.sleep(0.05)  # Some events land while the reader follows, some before it reconnects.
        writer.completed()

    producer = threading.Thread(target=write)
    producer.start()
    try:
        follower = Client(proxy.url, stack.api_key)
        seqs: List[int] = [event.seq for event in follower.follow(run_id, reconnect_delay=0.05)]
    finally:
        producer.join()
        writer.close(timeout=60)
        proxy.stop()
    assert seqs == list(range(1, 61))
    # Three cut streams, each resumed after the last seq it had yielded.
    assert len(proxy.stream_requests) >= 4
    assert proxy.stream_requests[0] == "0"
    assert [int(value or "0") for value in proxy.stream_requests[1:4]] == [7, 14, 21]


def test_follow_after_the_end_of_a_finished_run_ends_at_once(stack: Stack, client: Client) -> None:
    run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=unique("ended"))
    run.started()
    run.completed()
    assert run.close(timeout=60).unsent == []
    assert [event.seq for event in client.follow(run.run_id, after_seq=2)] == []
    assert [event.type for event in client.follow(run.run_id, after_seq=1)] == ["run.completed"]


def test_follow_raises_the_servers_error_for_a_bad_key(stack: Stack) -> None:
    with pytest.raises(RunledgerError) as raised:
        list(Client(stack.url, "not-a-key").follow("any-run"))
    assert (raised.value.status, raised.value.code) == (401, "unauthorized")
