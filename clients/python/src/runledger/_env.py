"""Where runledger is and which key to use, resolved the way the CLI resolves them (cli/connection.ts)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping, Optional, Tuple

from .errors import MissingApiKeyError

#: The local stack's default address.
DEFAULT_BASE_URL = "http://127.0.0.1:3000"


def resolve_connection(
    base_url: Optional[str], api_key: Optional[str], environ: Optional[Mapping[str, str]] = None
) -> Tuple[str, str]:
    """The arguments first, then ``RUNLEDGER_URL`` / ``RUNLEDGER_API_KEY``, then the running local stack.

    The local stack writes where it listens to ``<data dir>/stack.json`` and its development key to
    ``<data dir>/dev-api-key`` (data dir: ``RUNLEDGER_DATA_DIR``, else ``.runledger``), so on a laptop
    running ``npm start`` nothing has to be set.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(_non_empty(env.get("RUNLEDGER_DATA_DIR")) or ".runledger")
    url = base_url or _non_empty(env.get("RUNLEDGER_URL")) or _stack_url(data_dir) or DEFAULT_BASE_URL
    key = api_key or _non_empty(env.get("RUNLEDGER_API_KEY")) or _dev_key(data_dir)
    if not key:
        raise MissingApiKeyError
    return url.rstrip("/"), key


def _non_empty(value: Optional[str]) -> Optional[str]:
    return value if value else None


def _stack_url(data_dir: Path) -> Optional[str]:
    try:
        info = json.loads((data_dir / "stack.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # No stack file, or one half written: there is no running stack to find.
        return None
    url = info.get("url") if isinstance(info, dict) else None
    return url if isinstance(url, str) and url else None


def _dev_key(data_dir: Path) -> Optional[str]:
    try:
        return _non_empty((data_dir / "dev-api-key").read_text(encoding="utf-8").strip())
    except OSError:
        return None
