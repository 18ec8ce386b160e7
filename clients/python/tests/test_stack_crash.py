"""Against the local stack: a Python process killed mid-run loses nothing it had flushed, and nothing lands twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from runledger import Client

from .conftest import Stack, unique

CHILD = textwrap.dedent(
    """
    import sys
    from runledger import RunReporter

    run = RunReporter(run_id=sys.argv[1], max_batch_size=10, flush_interval=0.01)
    run.started()
    for index in range(1, 100_000):
        run.token(f"t{index}", index)
        if index == 50:
            run.flush()
            print("flushed", flush=True)
    """
)


def test_a_child_killed_mid_run_leaves_what_it_flushed_in_order_and_nothing_twice(stack: Stack, client: Client) -> None:
    run_id = unique("crash")
    source = Path(__file__).parent.parent / "src"
    env = {**os.environ, "RUNLEDGER_URL": stack.url, "RUNLEDGER_API_KEY": stack.api_key, "PYTHONPATH": str(source)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, run_id], env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "flushed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # The server goes on with the requests the child had in flight when it died: wait until the run
    # stops moving, so the history and the summary below are read from the same settled run.
    _wait_until_settled(client, run_id)
    events = list(client.iter_events(run_id))
    seqs = [event.seq for event in events]
    # Everything flushed before the kill is there; the process died while reporting more.
    assert seqs[:51] == list(range(1, 52))
    assert len(seqs) == len(set(seqs))
    assert events[0].type == "run.started"
    # Every stored event is the one the child reported at that seq (token index = seq - 1), whatever
    # landed of the batches in flight at the kill.
    assert all(
        (event.type, event.payload) == ("token", {"text": f"t{event.seq - 1}", "index": event.seq - 1}) for event in events[1:]
    )
    summary = client.get_run(run_id)
    assert summary.status == "running"
    assert summary.last_seq == seqs[-1]
    assert summary.missing_seqs == sorted(set(range(1, seqs[-1] + 1)) - set(seqs))


def _wait_until_settled(client: Client, run_id: str, quiet_seconds: float = 1.0, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = client.get_run(run_id).last_seq
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet_seconds:
        assert time.monotonic() < deadline, f"run {run_id} kept changing for {timeout} s after the kill"
        time.sleep(0.1)
        now = client.get_run(run_id).last_seq
        if now != last:
            last, quiet_since = now, time.monotonic()
