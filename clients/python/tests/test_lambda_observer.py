"""Against the local stack: a Python Lambda observer subscribed to the bus gets the published event and
parse_bus_event types it (the subscription is made by test/int/python-client.int.test.ts)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from runledger import RunReporter

from .conftest import Stack, unique


@pytest.fixture
def observed_dir() -> Path:
    folder = os.environ.get("RUNLEDGER_PY_OBSERVED_DIR")
    if not folder:
        pytest.fail(
            "set RUNLEDGER_PY_OBSERVED_DIR: test/int/python-client.int.test.ts subscribes "
            "tests/support/lambda_observer.py and sets it"
        )
    return Path(folder)


def test_a_python_lambda_observer_receives_a_failed_run_typed_with_its_tenant(stack: Stack, observed_dir: Path) -> None:
    # The subscription's pattern: run.failed of runs whose id starts with py-lambda-.
    run_id = unique("lambda")
    assert run_id.startswith("py-lambda-")
    with RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=run_id, close_timeout=60) as run:
        run.started()
        run.failed(OSError("disk full"))
    expected = observed_dir / f"{run_id}.2.json"
    deadline = time.monotonic() + 45
    while not expected.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert expected.exists(), (
        f"the observer did not get run.failed of {run_id} within 45 s: {sorted(path.name for path in observed_dir.iterdir())}"
    )
    published = json.loads(expected.read_text(encoding="utf-8"))
    assert (published["source"], published["detail_type"], published["tenant"]) == ("runledger", "run.failed", "acme")
    event = published["event"]
    assert (event["run_id"], event["seq"], event["type"]) == (run_id, 2, "run.failed")
    assert (event["payload"]["error"]["type"], event["payload"]["error"]["message"]) == ("OSError", "disk full")
    # Only what the pattern matches reached it: not the run.started at seq 1.
    assert not (observed_dir / f"{run_id}.1.json").exists()
