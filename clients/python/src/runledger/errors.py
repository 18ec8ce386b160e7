"""The client's exceptions: one type for what the server answered, one for a missing key."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class RunledgerError(Exception):
    """The server answered an error (the contract's ``{"error": {code, message, details}}``), or could not be reached.

    ``status`` is the HTTP status (None when there was no answer), ``code`` and ``message`` come from
    the error body, ``details`` is its list of ``{path, message}`` when it has one.
    """

    def __init__(self, status: Optional[int], code: str, message: str, details: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__(f"{status if status is not None else 'no answer'} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


class MissingApiKeyError(ValueError):
    """Neither ``api_key``, ``RUNLEDGER_API_KEY`` nor a local stack's development key was found."""

    def __init__(self) -> None:
        super().__init__(
            "no API key: pass api_key, set RUNLEDGER_API_KEY, or start the local stack (npm start), whose "
            "development key in .runledger/dev-api-key is used when nothing is set"
        )


class BusEventError(ValueError):
    """What a Python observer Lambda received is not a runledger EventBridge event."""
