"""A Server-Sent Events reader over a file-like byte stream (the WHATWG event-stream format)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Iterator, Optional


@dataclass(frozen=True)
class SseMessage:
    id: Optional[str]
    event: str
    data: str


@dataclass
class SseRetry:
    """A ``retry:`` field: the server's reconnection delay, in milliseconds."""

    milliseconds: int


def read_sse(stream: IO[bytes]) -> Iterator[object]:
    """Yields SseMessage for each dispatched event and SseRetry for each ``retry:``; ends at end of stream.

    An event cut off before its blank line is not dispatched (the standard's rule), so a dropped
    connection never yields half an event.
    """
    event_id: Optional[str] = None
    event_type = ""
    data: list[str] = []
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8").rstrip("\r\n")
        if not raw.endswith(b"\n"):
            return  # The connection ended mid-line.
        if line == "":
            if data:
                yield SseMessage(event_id, event_type or "message", "\n".join(data))
            event_type, data = "", []
            continue
        if line.startswith(":"):
            continue  # A comment: the server's heartbeat.
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id":
            event_id = value
        elif name == "retry" and value.isdigit():
            yield SseRetry(int(value))
