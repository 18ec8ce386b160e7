"""The Dockrion adapter: a Dockrion-style streaming handler, unchanged, reporting through the context."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from runledger import Client, RunReporter
from runledger.adapters.dockrion import RunledgerStreamContext

from .conftest import Stack, unique


async def handler(payload: Dict[str, Any], context: Any) -> str:
    """Written for Dockrion's StreamContext."""
    await context.emit_progress("retrieve", 0.3, "found 3 documents")
    await context.checkpoint("retrieved", {"documents": ["a", "b", "c"]})
    for word in ("The", " answer", " is", " 42"):
        await context.emit_token(word)
    await context.emit_step("generate", duration_ms=850)
    await context.emit("citation", {"source": "b", "score": 0.9})
    return "The answer is 42"


def sync_handler(context: Any) -> None:
    context.sync_emit_progress("finish", 1.0, "done")
    context.sync_emit_token("!")
    context.sync_emit_step("polish")
    context.sync_checkpoint("final", None)
    context.sync_emit("done", {})


def test_a_streaming_handler_reports_progress_checkpoints_tokens_steps_and_custom_events(stack: Stack, client: Client) -> None:
    run = RunReporter(base_url=stack.url, api_key=stack.api_key, run_id=unique("dockrion"))
    run.started()
    context = RunledgerStreamContext(run)
    answer = asyncio.run(handler({"question": "?"}, context))
    sync_handler(context)
    run.completed(answer)
    assert run.close(timeout=60).unsent == []

    history = [(event.type, event.payload) for event in client.iter_events(run.run_id)]
    assert history == [
        ("run.started", {}),
        ("run.progress", {"progress": 0.3, "message": "found 3 documents", "step": "retrieve"}),
        ("run.checkpoint", {"name": "retrieved", "state": {"documents": ["a", "b", "c"]}}),
        ("token", {"text": "The", "index": 0}),
        ("token", {"text": " answer", "index": 1}),
        ("token", {"text": " is", "index": 2}),
        ("token", {"text": " 42", "index": 3}),
        ("step", {"name": "generate", "durationMs": 850}),
        ("custom:citation", {"source": "b", "score": 0.9}),
        ("run.progress", {"progress": 1.0, "message": "done", "step": "finish"}),
        ("token", {"text": "!", "index": 4}),
        ("step", {"name": "polish"}),
        ("run.checkpoint", {"name": "final"}),
        ("custom:done", {}),
        ("run.completed", {"result": "The answer is 42"}),
    ]
    assert client.get_run(run.run_id).status == "completed"
