"""Fixtures. Tests against the stack read RUNLEDGER_URL and RUNLEDGER_API_KEY, which
test/int/python-client.int.test.ts sets to the local stack it starts; the unit tests need neither."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest

from runledger import Client


@dataclass(frozen=True)
class Stack:
    url: str
    api_key: str


@pytest.fixture(scope="session")
def stack() -> Stack:
    url, key = os.environ.get("RUNLEDGER_URL"), os.environ.get("RUNLEDGER_API_KEY")
    if not url or not key:
        pytest.fail(
            "set RUNLEDGER_URL and RUNLEDGER_API_KEY to a running stack (npx vitest run test/int/python-client.int.test.ts does)"
        )
    return Stack(url, key)


@pytest.fixture(scope="session")
def client(stack: Stack) -> Client:
    return Client(stack.url, stack.api_key)


def unique(prefix: str) -> str:
    return f"py-{prefix}-{uuid.uuid4().hex[:12]}"
