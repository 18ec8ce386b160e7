"""A Python observer Lambda's handler, as docs/python-client.md shows one. The vitest test subscribes it
to the local stack's bus (each matching event runs it in a fresh python3, as Lambda would invoke it),
and it writes what parse_bus_event made of the event where test_lambda_observer.py can read it."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from runledger.observer import parse_bus_event


def handler(event: Any, context: object) -> None:
    published = parse_bus_event(event)
    folder = Path(os.environ["RUNLEDGER_PY_OBSERVED_DIR"])
    (folder / f"{published.event.run_id}.{published.event.seq}.json").write_text(json.dumps(asdict(published)), encoding="utf-8")


if __name__ == "__main__":
    handler(json.load(sys.stdin), None)
