"""Backoff and Retry-After, no server."""

from __future__ import annotations

from email.utils import formatdate

from runledger import BackoffPolicy, full_jitter_delay, parse_retry_after
from runledger._backoff import retry_delay

POLICY = BackoffPolicy(base_delay=0.2, max_delay=30.0)


def test_full_jitter_spans_zero_to_the_doubling_ceiling() -> None:
    assert full_jitter_delay(0, POLICY, lambda: 0.0) == 0.0
    assert full_jitter_delay(0, POLICY, lambda: 0.5) == 0.1
    assert full_jitter_delay(3, POLICY, lambda: 0.5) == 0.8  # 0.2 * 2**3 * 0.5


def test_full_jitter_never_exceeds_the_cap_even_after_many_attempts() -> None:
    assert full_jitter_delay(10_000, POLICY, lambda: 0.999) < 30.0


def test_retry_after_reads_seconds_and_http_dates_and_ignores_junk() -> None:
    assert parse_retry_after("3", 1000.0) == 3.0
    assert parse_retry_after(formatdate(1010.0, usegmt=True), 1000.0) == 10.0
    assert parse_retry_after(formatdate(900.0, usegmt=True), 1000.0) == 0.0
    assert parse_retry_after("-1", 1000.0) is None
    assert parse_retry_after("soon", 1000.0) is None
    assert parse_retry_after(None, 1000.0) is None


def test_a_servers_retry_after_wins_over_a_shorter_backoff() -> None:
    assert retry_delay(0, 2.0, POLICY, lambda: 0.5) == 2.0
    assert retry_delay(6, 0.5, POLICY, lambda: 0.5) == 6.4
