"""An HTTP proxy in front of the stack that misbehaves at random, as networks and gateways do (the Python
twin of test/support/fault-proxy.ts): drops requests before or after the server saw them, duplicates
them, delays them, answers 429 with Retry-After or 503. Seeded, so a failing run can be replayed."""

from __future__ import annotations

import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Tuple


@dataclass(frozen=True)
class FaultRates:
    drop_before_forward: float = 0.0
    drop_after_forward: float = 0.0
    duplicate: float = 0.0
    throttle: float = 0.0
    unavailable: float = 0.0
    delay: float = 0.0


@dataclass
class FaultProxy:
    url: str
    counts: Dict[str, int] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_fault_proxy(
    target: str, seed: int, rates: FaultRates, retry_after_seconds: int = 1, max_delay: float = 0.08
) -> FaultProxy:
    draws = random.Random(seed)
    lock = threading.Lock()
    counts = dict.fromkeys(
        (
            "requests",
            "forwarded",
            "clean",
            "drop_before_forward",
            "drop_after_forward",
            "duplicate",
            "throttle",
            "unavailable",
            "delay",
        ),
        0,
    )

    def forward(handler: BaseHTTPRequestHandler, body: bytes) -> Tuple[int, bytes, Dict[str, str]]:
        with lock:
            counts["forwarded"] += 1
        headers = {name: value for name, value in handler.headers.items() if name.lower() in ("authorization", "content-type")}
        request = urllib.request.Request(f"{target}{handler.path}", data=body or None, method=handler.command, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.read(), dict(answer.headers.items())
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, answer.read(), dict(answer.headers.items())

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return  # Quiet: pytest shows the output of failing tests only, and this would drown it.

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            # Every draw for this request is made at once, under the lock: the nth request gets the nth
            # outcome of the seeded sequence whatever the timing.
            with lock:
                counts["requests"] += 1
                delay = draws.random() * max_delay if draws.random() < rates.delay else 0.0
                draw = draws.random()
            outcome = "clean"
            for name in ("drop_before_forward", "drop_after_forward", "duplicate", "throttle", "unavailable"):
                rate = getattr(rates, name)
                if draw < rate:
                    outcome = name
                    break
                draw -= rate
            with lock:
                counts[outcome] += 1
                if delay > 0:
                    counts["delay"] += 1
            time.sleep(delay)
            if outcome == "drop_before_forward":
                self.close_connection = True
                self.connection.close()
                return
            if outcome == "throttle":
                self._reply(
                    429, b'{"error":{"code":"throttled","message":"slow down"}}', {"Retry-After": str(retry_after_seconds)}
                )
                return
            if outcome == "unavailable":
                self._reply(503, b'{"error":{"code":"unavailable","message":"try again"}}', {})
                return
            status, answer, headers = forward(self, body)
            if outcome == "duplicate":
                status, answer, headers = forward(self, body)
            if outcome == "drop_after_forward":
                self.close_connection = True
                self.connection.close()
                return
            self._reply(status, answer, {key: value for key, value in headers.items() if key.lower() == "retry-after"})

        def _reply(self, status: int, body: bytes, headers: Dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return FaultProxy(f"http://127.0.0.1:{server.server_address[1]}", counts, server)
