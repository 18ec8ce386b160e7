"""parse_bus_event, for Python observer Lambdas: no server."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from runledger import BusEventError
from runledger.observer import parse_bus_event


def bus_event(**overrides: Any) -> Dict[str, Any]:
    event: Dict[str, Any] = {
        "version": "0",
        "id": "b2a7c0de-0000-4000-8000-000000000001",
        "source": "runledger",
        "detail-type": "run.failed",
        "time": "2026-12-01T10:00:09Z",
        "region": "us-east-1",
        "detail": {
            "tenant": "acme",
            "eventId": "e-9",
            "runId": "nightly",
            "threadId": "pipeline-a",
            "type": "run.failed",
            "occurredAt": "2026-12-01T10:00:08Z",
            "seq": 9,
            "receivedAt": "2026-12-01T10:00:08.512Z",
            "payload": {"error": {"message": "disk full", "type": "OSError"}},
        },
    }
    event.update(overrides)
    return event


def test_turns_a_published_event_into_the_tenant_and_the_stored_event() -> None:
    published = parse_bus_event(bus_event())
    assert (published.id, published.detail_type, published.tenant, published.source) == (
        "b2a7c0de-0000-4000-8000-000000000001",
        "run.failed",
        "acme",
        "runledger",
    )
    event = published.event
    assert (event.run_id, event.thread_id, event.seq, event.type, event.event_id) == (
        "nightly",
        "pipeline-a",
        9,
        "run.failed",
        "e-9",
    )
    assert event.payload == {"error": {"message": "disk full", "type": "OSError"}}


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        ("not an object", "expected an object"),
        (bus_event(source="aws.s3"), "source is 'aws.s3'"),
        (bus_event(id=None), "'id'"),
        (bus_event(detail=None), "'detail' is not an object"),
        (bus_event(detail={**bus_event()["detail"], "tenant": None}), "detail.tenant"),
        (bus_event(detail={**bus_event()["detail"], "seq": "9"}), "detail.seq"),
        (bus_event(**{"detail-type": "run.completed"}), "is not the event's type"),
    ],
)
def test_raises_a_clear_error_on_anything_else(event: Any, complaint: str) -> None:
    with pytest.raises(BusEventError, match=complaint.replace("(", r"\(").replace(".", r"\.")):
        parse_bus_event(event)
