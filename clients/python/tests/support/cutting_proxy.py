"""A pass-through proxy that cuts the first ``cuts`` Server-Sent Events streams right after their
``cut_after``-th event, as a dropped connection would (the Python twin of test/support/cutting-proxy.ts)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional


@dataclass
class CuttingProxy:
    url: str
    #: The Last-Event-ID header of each stream request, in order.
    stream_requests: List[Optional[str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_cutting_proxy(target: str, cut_after: int, cuts: int) -> CuttingProxy:
    proxy = CuttingProxy("")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            is_stream = "/stream" in self.path
            with lock:
                if is_stream:
                    proxy.stream_requests.append(self.headers.get("Last-Event-ID"))
                cut = is_stream and len(proxy.stream_requests) <= cuts
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() in ("authorization", "last-event-id", "accept")
            }
            request = urllib.request.Request(f"{target}{self.path}", headers=headers)
            try:
                upstream = urllib.request.urlopen(request, timeout=60)
            except urllib.error.HTTPError as answer:
                upstream = answer
            with upstream:
                self.send_response(upstream.status)
                for name, value in upstream.headers.items():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                events = 0
                block = b""
                for line in iter(upstream.readline, b""):
                    block += line
                    if line not in (b"\n", b"\r\n"):
                        continue
                    self.wfile.write(block)
                    self.wfile.flush()
                    if block.startswith(b"id:") or b"\nid:" in block:
                        events += 1
                    block = b""
                    if cut and events == cut_after:
                        return  # Drop the connection mid-stream: the client sees the stream end early.
                self.wfile.write(block)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    proxy.server = server
    return proxy
