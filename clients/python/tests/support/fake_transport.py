"""A scripted transport for unit tests: answers from a list, records every request, no network."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from runledger._transport import HttpAnswer, NetworkError

Step = Union[HttpAnswer, NetworkError, Callable[[Dict[str, Any]], HttpAnswer]]


def accept_all(body: Dict[str, Any]) -> HttpAnswer:
    """What the server answers when it stores every event: 202, each accepted at its seq."""
    results = [
        {"status": "accepted", "eventId": event["eventId"], "runId": event["runId"], "seq": event.get("seq", 1)}
        for event in body["events"]
    ]
    return HttpAnswer(202, {}, json.dumps({"results": results}).encode())


def answer(status: int, body: Any = None, headers: Optional[Mapping[str, str]] = None) -> HttpAnswer:
    # Header names in lower case, as the real transport gives them.
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    return HttpAnswer(status, lowered, b"" if body is None else json.dumps(body).encode())


@dataclass
class FakeTransport:
    """Plays ``steps`` in order, then ``then`` for every further request."""

    steps: List[Step] = field(default_factory=list)
    then: Step = accept_all
    requests: List[Dict[str, Any]] = field(default_factory=list)
    timeouts: List[float] = field(default_factory=list)
    #: Set to hold every request until released (a slow network).
    gate: Optional[threading.Event] = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: Optional[bytes], timeout: float) -> HttpAnswer:
        parsed = json.loads(body or b"{}")
        with self.lock:
            self.requests.append(parsed)
            self.timeouts.append(timeout)
            step = self.steps.pop(0) if self.steps else self.then
        if self.gate is not None:
            self.gate.wait()
        if isinstance(step, NetworkError):
            raise step
        if isinstance(step, HttpAnswer):
            return step
        return step(parsed)

    def events(self) -> List[Dict[str, Any]]:
        with self.lock:
            return [event for request in self.requests for event in request["events"]]
