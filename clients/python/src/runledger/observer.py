"""For Python observer Lambdas: the EventBridge event runledger publishes, typed (as shared/bus/published-event.ts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import BusEventError
from .models import InvalidAnswerError, StoredEvent

#: The ``source`` of every event runledger publishes.
EVENT_SOURCE = "runledger"


@dataclass(frozen=True)
class BusEvent:
    """One published event: the EventBridge envelope, the tenant, and the stored event (``detail``)."""

    id: str
    detail_type: str
    time: str
    tenant: str
    event: StoredEvent
    source: str = EVENT_SOURCE


def parse_bus_event(event: Any) -> BusEvent:
    """The EventBridge event a Python Lambda observer receives, checked and typed.

    Raises BusEventError naming the field for anything that is not a runledger event (another source,
    a missing tenant, a detail that is not a stored event)::

        def handler(event, context):
            published = parse_bus_event(event)
            if published.event.type == "run.failed":
                page(published.tenant, published.event.run_id, published.event.payload["error"]["message"])
    """
    if not isinstance(event, dict):
        raise BusEventError("not an EventBridge event: expected an object")
    for key in ("id", "detail-type", "time"):
        if not isinstance(event.get(key), str):
            raise BusEventError(f"not an EventBridge event: '{key}' is missing or not a string")
    if event.get("source") != EVENT_SOURCE:
        raise BusEventError(f"not a runledger event: source is {event.get('source')!r}, expected {EVENT_SOURCE!r}")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise BusEventError("not a runledger event: 'detail' is not an object")
    tenant = detail.get("tenant")
    if not isinstance(tenant, str) or not tenant:
        raise BusEventError("not a runledger event: 'detail.tenant' is missing")
    stored = {key: value for key, value in detail.items() if key != "tenant"}
    try:
        parsed = StoredEvent.from_json(stored, "detail")
    except InvalidAnswerError as error:
        raise BusEventError(f"not a runledger event: {error}") from error
    if parsed.type != event["detail-type"]:
        raise BusEventError(
            f"not a runledger event: detail-type {event['detail-type']!r} is not the event's type {parsed.type!r}"
        )
    return BusEvent(id=event["id"], detail_type=event["detail-type"], time=event["time"], tenant=tenant, event=parsed)
