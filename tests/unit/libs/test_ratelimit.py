"""Rate limits kept in the database: the sliding-window arithmetic and the counter table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, func, select
from sqlmodel import Session
from starlette.requests import Request

from libs.db import make_engine
from libs.http.problems import TooManyRequests
from libs.ratelimit import (
    RateLimit,
    RateLimiter,
    allowed_in_window,
    client_address,
    rate_limit_table,
    seconds_until_allowed,
)

TEN_A_MINUTE = RateLimit(limit=10, window_seconds=60)
# The start of a window of 60 s (a multiple of 60 s since the epoch).
WINDOW_START = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_the_previous_window_weighs_by_the_part_still_inside_the_sliding_window() -> None:
    assert allowed_in_window(TEN_A_MINUTE, previous=0, elapsed=0) == 10
    assert allowed_in_window(TEN_A_MINUTE, previous=10, elapsed=0) == 0
    assert allowed_in_window(TEN_A_MINUTE, previous=10, elapsed=30) == 5
    assert allowed_in_window(TEN_A_MINUTE, previous=10, elapsed=54) == 9
    assert allowed_in_window(TEN_A_MINUTE, previous=4, elapsed=15) == 7


@pytest.mark.parametrize(
    ("previous", "current", "elapsed", "expected"),
    [
        (0, 9, 10, 0.0),  # one more fits now
        (10, 0, 0, 6.0),  # the previous window must fade by one hit: a tenth of it
        (10, 5, 30, 6.0),  # half of the previous window still weighs: fade one more hit
        (0, 10, 30, 36.0),  # full: wait for this window to end, then for it to fade a tenth
        (0, 20, 0, 93.0),  # twice over (the limit was lowered): 33 s into the next window
        (4, 9, 0, 60.0),  # exactly at the limit: the next window
    ],
)
def test_retry_after_is_when_one_more_hit_fits(
    previous: int, current: int, elapsed: float, expected: float
) -> None:
    wait = seconds_until_allowed(TEN_A_MINUTE, previous, current, elapsed)
    assert wait == pytest.approx(expected)
    # And at that moment the arithmetic of the check agrees.
    if wait and elapsed + wait < 60:
        assert allowed_in_window(TEN_A_MINUTE, previous, elapsed + wait) > current
        assert allowed_in_window(TEN_A_MINUTE, previous, elapsed + wait - 1) <= current


def test_a_limit_allows_at_least_one_hit() -> None:
    with pytest.raises(ValueError):
        RateLimit(limit=0, window_seconds=60)


@pytest.fixture
def counters(tmp_path: Path) -> tuple[Engine, RateLimiter]:
    metadata = MetaData()
    table = rate_limit_table(metadata)
    engine = make_engine(f"sqlite:///{tmp_path / 'limits.db'}")
    metadata.create_all(engine)
    return engine, RateLimiter(table)


def hit(engine: Engine, limiter: RateLimiter, bucket: str, at: datetime) -> None:
    with Session(engine) as session:
        limiter.hit(session, bucket, TEN_A_MINUTE, what="this test", now=at)
        session.commit()


def test_hits_beyond_the_limit_are_refused_with_retry_after_and_not_counted(
    counters: tuple[Engine, RateLimiter],
) -> None:
    engine, limiter = counters
    at = WINDOW_START + timedelta(seconds=30)
    for _ in range(10):
        hit(engine, limiter, "key:a", at)
    for _ in range(3):
        with pytest.raises(TooManyRequests) as refused:
            hit(engine, limiter, "key:a", at)
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "36"}
    assert "10 per 60 s" in refused.value.detail
    with engine.connect() as connection:
        hits = connection.execute(select(limiter.table.c.hits)).scalar_one()
    assert hits == 10, "refused hits are not counted"

    hit(engine, limiter, "key:b", at)  # another bucket has its own count
    hit(engine, limiter, "key:a", at + timedelta(seconds=36))  # the retry fits


def test_windows_that_ended_are_pruned(counters: tuple[Engine, RateLimiter]) -> None:
    engine, limiter = counters
    hit(engine, limiter, "ip:1", WINDOW_START)
    limiter._pruned_at = -1e9  # due for pruning
    hit(engine, limiter, "ip:2", WINDOW_START + timedelta(minutes=10))
    with engine.connect() as connection:
        buckets = connection.execute(select(limiter.table.c.bucket)).scalars().all()
        assert buckets == ["ip:2"]
        assert connection.execute(select(func.count()).select_from(limiter.table)).scalar() == 1


def test_the_client_address_is_the_peer_unless_a_proxy_is_trusted() -> None:
    scope = {
        "type": "http",
        "headers": [(b"x-forwarded-for", b"203.0.113.7, 10.0.0.2")],
        "client": ("10.0.0.2", 5000),
    }
    request = Request(scope)
    assert client_address(request) == "10.0.0.2"
    assert client_address(request, trust_forwarded_for=True) == "203.0.113.7"
    assert client_address(Request({"type": "http", "headers": []})) == "unknown"
