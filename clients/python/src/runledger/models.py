"""What the read routes answer, as dataclasses, parsed at the boundary (docs/http-api.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

#: JSON as ``json.loads`` returns it: payloads and results are any JSON the producer sent.
Json = Any


class InvalidAnswerError(ValueError):
    """An answer did not have the shape the contract promises."""


def _obj(value: Json, where: str) -> Mapping[str, Json]:
    if not isinstance(value, dict):
        raise InvalidAnswerError(f"{where} is not an object")
    return value


def _str(obj: Mapping[str, Json], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise InvalidAnswerError(f"{where}.{key} is not a string")
    return value


def _opt_str(obj: Mapping[str, Json], key: str, where: str) -> Optional[str]:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidAnswerError(f"{where}.{key} is not a string")
    return value


def _int(obj: Mapping[str, Json], key: str, where: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswerError(f"{where}.{key} is not a whole number")
    return value


def _opt_num(obj: Mapping[str, Json], key: str, where: str) -> Optional[float]:
    value = obj.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise InvalidAnswerError(f"{where}.{key} is not a number")
    return value


def _counts(obj: Mapping[str, Json], key: str, where: str) -> Dict[str, int]:
    value = _obj(obj.get(key), f"{where}.{key}")
    return {name: _int(value, name, f"{where}.{key}") for name in value}


@dataclass(frozen=True)
class StoredEvent:
    """A stored event: the envelope plus its ``seq`` and the server's ``received_at``."""

    event_id: str
    run_id: str
    type: str
    occurred_at: str
    seq: int
    received_at: str
    payload: Dict[str, Json] = field(default_factory=dict)
    thread_id: Optional[str] = None

    @staticmethod
    def from_json(value: Json, where: str = "event") -> StoredEvent:
        obj = _obj(value, where)
        payload = obj.get("payload", {})
        return StoredEvent(
            event_id=_str(obj, "eventId", where),
            run_id=_str(obj, "runId", where),
            type=_str(obj, "type", where),
            occurred_at=_str(obj, "occurredAt", where),
            seq=_int(obj, "seq", where),
            received_at=_str(obj, "receivedAt", where),
            payload=dict(_obj(payload, f"{where}.payload")),
            thread_id=_opt_str(obj, "threadId", where),
        )


@dataclass(frozen=True)
class EventsPage:
    events: List[StoredEvent]
    #: The ``after_seq`` of the next page; None on the last one.
    next_after_seq: Optional[int]


@dataclass(frozen=True)
class RunSummary:
    """``GET /v1/runs/{runId}``; ``raw`` is the whole answer, for fields added to the contract later."""

    run_id: str
    status: str
    thread_id: Optional[str]
    last_seq: int
    event_count: int
    tasks: Dict[str, int]
    missing_seqs: List[int]
    created_at: Optional[str]
    updated_at: Optional[str]
    started_at: Optional[str]
    ended_at: Optional[str]
    duration_ms: Optional[float]
    last_event_at: Optional[str]
    result: Json
    error: Optional[Dict[str, Json]]
    usage: Optional[Dict[str, float]]
    title: Optional[str]
    raw: Dict[str, Json]

    @staticmethod
    def from_json(value: Json, where: str = "run") -> RunSummary:
        obj = _obj(value, where)
        missing = obj.get("missingSeqs", [])
        if not isinstance(missing, list) or not all(isinstance(seq, int) for seq in missing):
            raise InvalidAnswerError(f"{where}.missingSeqs is not a list of seqs")
        error = obj.get("error")
        usage = obj.get("usage")
        return RunSummary(
            run_id=_str(obj, "runId", where),
            status=_str(obj, "status", where),
            thread_id=_opt_str(obj, "threadId", where),
            last_seq=_int(obj, "lastSeq", where),
            event_count=_int(obj, "eventCount", where),
            tasks=_counts(obj, "tasks", where),
            missing_seqs=list(missing),
            created_at=_opt_str(obj, "createdAt", where),
            updated_at=_opt_str(obj, "updatedAt", where),
            started_at=_opt_str(obj, "startedAt", where),
            ended_at=_opt_str(obj, "endedAt", where),
            duration_ms=_opt_num(obj, "durationMs", where),
            last_event_at=_opt_str(obj, "lastEventAt", where),
            result=obj.get("result"),
            error=dict(_obj(error, f"{where}.error")) if error is not None else None,
            usage=dict(_obj(usage, f"{where}.usage")) if usage is not None else None,
            title=_opt_str(obj, "title", where),
            raw=dict(obj),
        )


@dataclass(frozen=True)
class RunsPage:
    runs: List[RunSummary]
    #: Pass as ``cursor`` for the next page; None on the last one.
    next_cursor: Optional[str]


@dataclass(frozen=True)
class Task:
    """A task of a run with its current status; ``raw`` is the whole answer."""

    task_id: str
    status: str
    name: Optional[str]
    stage: Optional[str]
    worker_id: Optional[str]
    attempt: Optional[float]
    first_event_at: Optional[str]
    last_event_at: Optional[str]
    duration_ms: Optional[float]
    raw: Dict[str, Json]

    @staticmethod
    def from_json(value: Json, where: str = "task") -> Task:
        obj = _obj(value, where)
        return Task(
            task_id=_str(obj, "taskId", where),
            status=_str(obj, "status", where),
            name=_opt_str(obj, "name", where),
            stage=_opt_str(obj, "stage", where),
            worker_id=_opt_str(obj, "workerId", where),
            attempt=_opt_num(obj, "attempt", where),
            first_event_at=_opt_str(obj, "firstEventAt", where),
            last_event_at=_opt_str(obj, "lastEventAt", where),
            duration_ms=_opt_num(obj, "durationMs", where),
            raw=dict(obj),
        )


@dataclass(frozen=True)
class TaskDetail:
    """``GET /v1/runs/{runId}/tasks/{taskId}``: the task and its events in seq order."""

    task: Task
    events: List[StoredEvent]
    next_after_seq: Optional[int]


def parse_events_page(value: Json) -> EventsPage:
    obj = _obj(value, "answer")
    events = obj.get("events")
    if not isinstance(events, list):
        raise InvalidAnswerError("answer.events is not a list")
    next_after = obj.get("nextAfterSeq")
    if next_after is not None and not isinstance(next_after, int):
        raise InvalidAnswerError("answer.nextAfterSeq is not a seq")
    return EventsPage([StoredEvent.from_json(event, f"events[{index}]") for index, event in enumerate(events)], next_after)


def parse_runs_page(value: Json) -> RunsPage:
    obj = _obj(value, "answer")
    runs = obj.get("runs")
    if not isinstance(runs, list):
        raise InvalidAnswerError("answer.runs is not a list")
    return RunsPage(
        [RunSummary.from_json(run, f"runs[{index}]") for index, run in enumerate(runs)], _opt_str(obj, "nextCursor", "answer")
    )


def parse_task_detail(value: Json) -> TaskDetail:
    obj = _obj(value, "answer")
    page = parse_events_page({"events": obj.get("events"), "nextAfterSeq": obj.get("nextAfterSeq")})
    return TaskDetail(Task.from_json(obj.get("task")), page.events, page.next_after_seq)


def parse_stats(value: Json) -> Dict[str, int]:
    return _counts(_obj(value, "answer"), "runs", "answer")
