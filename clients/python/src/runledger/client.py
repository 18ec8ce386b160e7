"""Client: the read side of the HTTP API (docs/http-api.md), and following a run live over SSE."""

from __future__ import annotations

import http.client
import random as _random
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, TypeVar

from ._answer import parse_json
from ._backoff import BackoffPolicy, full_jitter_delay
from ._env import resolve_connection
from ._sse import SseMessage, SseRetry, read_sse
from ._transport import USER_AGENT, NetworkError, Transport, urllib_transport
from .errors import RunledgerError
from .models import (
    EventsPage,
    InvalidAnswerError,
    Json,
    RunsPage,
    RunSummary,
    StoredEvent,
    Task,
    TaskDetail,
    parse_events_page,
    parse_runs_page,
    parse_stats,
    parse_task_detail,
)
from .reporter import TERMINAL_TYPES

T = TypeVar("T")

__all__ = ["Client", "EventsPage", "RunSummary", "RunsPage", "StoredEvent", "Task", "TaskDetail"]


class Client:
    """Reads runs, events, tasks and counts, and follows a run live. Every error answer raises
    RunledgerError with the contract's ``status``, ``code`` and ``message``; no answer at all raises it
    with ``status`` None and code ``network_error``.

    ``base_url`` and ``api_key`` default as RunReporter's do (``RUNLEDGER_URL``, ``RUNLEDGER_API_KEY``,
    then the running local stack).
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: float = 30.0,
        transport: Optional[Transport] = None,
    ) -> None:
        self.base_url, self._api_key = resolve_connection(base_url, api_key)
        self._timeout = timeout
        self._transport = transport or urllib_transport

    def get_run(self, run_id: str) -> RunSummary:
        return self._parse(RunSummary.from_json, self._get(f"/v1/runs/{_quote(run_id)}"))

    def list_events(self, run_id: str, after_seq: int = 0, limit: int = 100, types: Optional[Iterable[str]] = None) -> EventsPage:
        """One page of the run's events in seq order; ``types`` filters (``custom:*`` matches every custom type)."""
        query: Dict[str, Any] = {"afterSeq": after_seq, "limit": limit}
        if types is not None:
            query["types"] = ",".join(types)
        return self._parse(parse_events_page, self._get(f"/v1/runs/{_quote(run_id)}/events", query))

    def iter_events(
        self, run_id: str, after_seq: int = 0, page_size: int = 1000, types: Optional[Iterable[str]] = None
    ) -> Iterator[StoredEvent]:
        """Every stored event of the run after ``after_seq``, all pages."""
        wanted = None if types is None else list(types)
        cursor: Optional[int] = after_seq
        while cursor is not None:
            page = self.list_events(run_id, cursor, page_size, wanted)
            yield from page.events
            cursor = page.next_after_seq

    def list_runs(
        self,
        status: Optional[str] = None,
        thread_id: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> RunsPage:
        """One page of the tenant's runs, most recently updated first."""
        query = {
            key: value
            for key, value in (("status", status), ("threadId", thread_id), ("limit", limit), ("cursor", cursor))
            if value is not None
        }
        return self._parse(parse_runs_page, self._get("/v1/runs", query))

    def iter_runs(
        self, status: Optional[str] = None, thread_id: Optional[str] = None, page_size: Optional[int] = None
    ) -> Iterator[RunSummary]:
        """Every run that matches, all pages."""
        cursor: Optional[str] = None
        while True:
            page = self.list_runs(status, thread_id, page_size, cursor)
            yield from page.runs
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def stats(self) -> Dict[str, int]:
        """The tenant's runs counted by status: ``{"queued": n, "running": n, ...}``."""
        return self._parse(parse_stats, self._get("/v1/stats"))

    def list_tasks(self, run_id: str) -> list[Task]:
        body = self._get(f"/v1/runs/{_quote(run_id)}/tasks")
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list):
            raise RunledgerError(200, "invalid_answer", "the answer has no tasks list")
        return [self._parse(Task.from_json, task) for task in tasks]

    def get_task(self, run_id: str, task_id: str, after_seq: int = 0, limit: int = 1000) -> TaskDetail:
        """One task and its events in order (one page: ``after_seq``, ``limit``)."""
        query = {"afterSeq": after_seq, "limit": limit}
        return self._parse(parse_task_detail, self._get(f"/v1/runs/{_quote(run_id)}/tasks/{_quote(task_id)}", query))

    def follow(
        self,
        run_id: str,
        after_seq: int = 0,
        *,
        reconnect_delay: Optional[float] = None,
        read_timeout: float = 45.0,
        max_failures: int = 10,
        random: Callable[[], float] = _random.random,
    ) -> Iterator[StoredEvent]:
        """The run's events from the live stream (``GET /v1/runs/{runId}/stream``), in seq order, each once.

        When a connection drops it reconnects after the last seq it yielded (``Last-Event-ID``), so nothing
        is repeated or skipped; it ends after the run's terminal event (or when a finished run is read to its
        end). It waits ``reconnect_delay`` seconds before reconnecting (default: the server's ``retry:``),
        longer with backoff while connections fail, and raises RunledgerError after ``max_failures`` failed
        connections in a row, or at once for an answer that retrying cannot fix (401, 404...).
        ``read_timeout`` must exceed the server's 15 s heartbeat.
        """
        last = after_seq
        failures = 0
        server_delay = 1.0
        while True:
            try:
                response = self._open_stream(run_id, last, read_timeout)
            except _RetryableStreamError as error:
                failures += 1
                if failures >= max_failures:
                    raise RunledgerError(
                        error.status, "stream_unavailable", f"{failures} connections failed in a row; the last: {error}"
                    ) from error
                time.sleep(max(error.retry_after, full_jitter_delay(failures - 1, BackoffPolicy(0.2, 10.0), random)))
                continue
            if response is None:
                return  # 204: the run ended and was read to its end.
            try:
                for message in read_sse(response):
                    if isinstance(message, SseRetry):
                        server_delay = message.milliseconds / 1000
                        continue
                    if not isinstance(message, SseMessage):
                        continue
                    event = self._parse(StoredEvent.from_json, parse_json(message.data.encode("utf-8")))
                    if event.seq <= last:
                        continue  # Already yielded before a reconnect.
                    last = event.seq
                    failures = 0
                    yield event
                    if event.type in TERMINAL_TYPES:
                        return
            except (OSError, http.client.HTTPException):
                # The connection dropped mid-stream: reconnect after the last seq yielded.
                pass
            finally:
                response.close()
            time.sleep(server_delay if reconnect_delay is None else reconnect_delay)

    def _open_stream(self, run_id: str, after_seq: int, read_timeout: float) -> Optional[http.client.HTTPResponse]:
        url = f"{self.base_url}/v1/runs/{_quote(run_id)}/stream?{urllib.parse.urlencode({'afterSeq': after_seq})}"
        headers = {**self._auth(), "Accept": "text/event-stream", "Last-Event-ID": str(after_seq), "User-Agent": USER_AGENT}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the caller's base URL)
        try:
            response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=read_timeout)  # noqa: S310
        except urllib.error.HTTPError as answer:
            with answer:
                body = answer.read()
            if answer.code in (408, 429) or answer.code >= 500:
                retry_after = answer.headers.get("retry-after", "")
                raise _RetryableStreamError(
                    answer.code, f"HTTP {answer.code}", float(retry_after) if retry_after.isdigit() else 0.0
                ) from answer
            raise _error_from(answer.code, body) from answer
        except (OSError, http.client.HTTPException) as error:
            raise _RetryableStreamError(None, f"{type(error).__name__}: {error}", 0.0) from error
        if response.status == 204:
            response.close()
            return None
        return response

    def _auth(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def _get(self, path: str, query: Optional[Dict[str, Any]] = None) -> Json:
        url = f"{self.base_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        try:
            answer = self._transport("GET", url, self._auth(), None, self._timeout)
        except NetworkError as error:
            raise RunledgerError(None, "network_error", str(error)) from error
        if answer.status != 200:
            raise _error_from(answer.status, answer.body)
        body = parse_json(answer.body)
        if body is None:
            raise RunledgerError(answer.status, "invalid_answer", "the answer is not JSON")
        return body

    @staticmethod
    def _parse(parse: Callable[[Json], T], body: Json) -> T:
        try:
            return parse(body)
        except InvalidAnswerError as error:
            raise RunledgerError(200, "invalid_answer", str(error)) from error


class _RetryableStreamError(Exception):
    def __init__(self, status: Optional[int], reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


def _error_from(status: int, raw: bytes) -> RunledgerError:
    body = parse_json(raw)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str):
        details = error.get("details")
        return RunledgerError(status, error["code"], error["message"], details if isinstance(details, list) else None)
    return RunledgerError(status, "http_error", f"HTTP {status}: {raw[:200].decode('utf-8', 'replace')}")


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")
