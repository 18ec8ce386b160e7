"""What one ingest answer means for the batch it carried (docs/contract.md, "Answers"); as client/answer.ts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from ._backoff import parse_retry_after
from ._transport import HttpAnswer

JUDGED_STATUSES = (202, 207, 400, 409)


@dataclass(frozen=True)
class Judged:
    """The server judged each event: accepted/duplicate are delivered, rejected/conflict are final."""

    results: List[Dict[str, Any]]


@dataclass(frozen=True)
class Retry:
    """Nothing is known to be stored and trying again may work: the network, 408, 429, 5xx, an unreadable answer."""

    reason: str
    retry_after: Optional[float] = None


@dataclass(frozen=True)
class Refused:
    """The request itself was refused (401, 413, a malformed body...): sending it again cannot work."""

    status: int
    error: Dict[str, Any] = field(default_factory=dict)


Verdict = Union[Judged, Retry, Refused]


def read_answer(answer: HttpAnswer, now: float) -> Verdict:
    """202/207/400/409 with per-event results are judged; 408, 429 and 5xx are retried (429 after its
    Retry-After); any other 4xx is refused and never retried. A 2xx whose body cannot be read is
    retried: resending is safe, events already stored come back ``duplicate``."""
    body = parse_json(answer.body)
    results = body.get("results") if isinstance(body, dict) else None
    if answer.status in JUDGED_STATUSES and isinstance(results, list) and all(_is_result(item) for item in results):
        return Judged(results)
    if answer.status in (408, 429) or answer.status >= 500 or answer.status < 400:
        return Retry(f"HTTP {answer.status}", parse_retry_after(answer.headers.get("retry-after"), now))
    error = body.get("error") if isinstance(body, dict) else None
    return Refused(answer.status, error if isinstance(error, dict) else {})


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or None when it is not JSON (a proxy's HTML page, a cut-off answer)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _is_result(item: Any) -> bool:
    return isinstance(item, dict) and item.get("status") in ("accepted", "duplicate", "rejected", "conflict")
