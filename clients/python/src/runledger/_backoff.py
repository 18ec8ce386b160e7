"""Backoff between retries: the same rules as the TypeScript client's client/backoff.ts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Callable, Optional


@dataclass(frozen=True)
class BackoffPolicy:
    """How long to wait before a retry, in seconds."""

    #: The first retry waits up to this long.
    base_delay: float = 0.2
    #: No wait computed by backoff is longer (a server's Retry-After may be).
    max_delay: float = 30.0


def full_jitter_delay(attempt: int, policy: BackoffPolicy, random: Callable[[], float]) -> float:
    """A uniform wait in [0, min(max, base * 2**attempt)): spreads many clients' retries apart.

    ``attempt`` is 0 for the first retry; ``random`` returns [0, 1) like ``random.random``.
    """
    # ldexp is base * 2**attempt as a float; past 2**60 every cap has long been reached.
    ceiling = min(policy.max_delay, math.ldexp(policy.base_delay, min(max(0, attempt), 60)))
    return random() * ceiling


def parse_retry_after(value: Optional[str], now: float) -> Optional[float]:
    """A ``Retry-After`` header in seconds from ``now`` (epoch seconds): delay-seconds or an HTTP date.

    A date in the past is 0; None when absent or unreadable.
    """
    text = (value or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+", text):
        return float(text)
    # Every HTTP-date form starts with a day name; anything else (e.g. '-1') is not a date.
    if not re.match(r"[A-Za-z]{3}", text):
        return None
    try:
        at = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, at.timestamp() - now)


def retry_delay(attempt: int, retry_after: Optional[float], policy: BackoffPolicy, random: Callable[[], float]) -> float:
    """The wait before the next attempt: the server's Retry-After when it gave one, at least the backoff."""
    return max(retry_after or 0.0, full_jitter_delay(attempt, policy, random))
