"""Rate limits that every replica of a service shares: the counters live in its database.

A limit is "``limit`` hits per ``window_seconds``" for a bucket (an API key, a client address,
anything the caller names). It is enforced as a sliding window, approximated from two fixed
windows: the previous window's count, weighted by the part of it still inside the sliding
window, plus the current window's count. Two rows per bucket at most, one statement to read
them and one upsert to count a hit.

A hit is counted only when it is allowed, and the upsert only counts it while the current
window is below what remains allowed (``ON CONFLICT … DO UPDATE … WHERE hits < cap``), so
concurrent replicas never let more through than the limit. A refused hit raises
``TooManyRequests`` with ``Retry-After``: the seconds until one more hit fits.

Each service keeps the table on its own metadata (:func:`rate_limit_table`) so that its
migrations own it; rows of windows that ended are pruned as the limiter goes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select
from starlette.requests import Request

from libs.db import UtcDateTime
from libs.http.problems import TooManyRequests

BUCKET_MAX = 200
# Expired rows are deleted at most this often by one limiter.
PRUNE_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_seconds < 1:
            raise ValueError("a rate limit allows at least one hit per window of a second or more")

    def describe(self) -> str:
        return f"{self.limit} per {self.window_seconds} s"


def rate_limit_table(metadata: MetaData) -> Table:
    return Table(
        "rate_limit",
        metadata,
        Column("bucket", String(BUCKET_MAX), primary_key=True),
        # The window's number: seconds since the epoch divided by the window's length.
        Column("window_index", BigInteger, primary_key=True, autoincrement=False),
        Column("hits", Integer, nullable=False),
        Column("expires_at", UtcDateTime(), nullable=False, index=True),
    )


def allowed_in_window(limit: RateLimit, previous: int, elapsed: float) -> int:
    """How many hits the current window may hold, ``elapsed`` seconds into it, given the
    previous window's count (weighted by the part of it the sliding window still covers)."""
    weight = 1.0 - elapsed / limit.window_seconds
    # The tolerance absorbs rounding, so that a hit at the moment Retry-After named fits.
    return math.floor(limit.limit - previous * weight + 1e-9)


def seconds_until_allowed(limit: RateLimit, previous: int, current: int, elapsed: float) -> float:
    """How long, from ``elapsed`` seconds into the current window, until one more hit fits
    (0 when it fits now), if no other hit is counted meanwhile."""
    window = limit.window_seconds
    room = limit.limit - 1 - current  # what the previous window may still weigh
    if room >= 0:
        if previous <= room:
            return 0.0
        fits_at = window * (1 - room / previous)
        if fits_at < window:
            return max(0.0, fits_at - elapsed)
    # Not in this window: at the next one, this window's hits are the previous window's.
    excess = current - (limit.limit - 1)
    fades = window * (1 - (limit.limit - 1) / current) if excess > 0 else 0.0
    return (window - elapsed) + fades


class RateLimiter:
    """Counts hits in a service's ``rate_limit`` table, inside the caller's transaction."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._pruned_at = 0.0

    def hit(
        self,
        session: Session,
        bucket: str,
        limit: RateLimit,
        *,
        what: str,
        now: datetime | None = None,
    ) -> None:
        """Count one hit on ``bucket``, or raise TooManyRequests (nothing counted) naming
        ``what`` is limited. The caller commits (a rollback takes the hit back)."""
        table = self.table
        moment = now or datetime.now(UTC)
        stamp = moment.timestamp()
        index = math.floor(stamp / limit.window_seconds)
        elapsed = stamp - index * limit.window_seconds
        self._prune(session, moment)
        counts: dict[int, int] = dict(
            session.exec(
                select(table.c.window_index, table.c.hits).where(
                    table.c.bucket == bucket, table.c.window_index.in_((index - 1, index))
                )
            ).all()
        )
        previous, current = counts.get(index - 1, 0), counts.get(index, 0)
        cap = allowed_in_window(limit, previous, elapsed)
        if current >= cap or not self._count(session, bucket, index, cap, limit, moment):
            wait = seconds_until_allowed(limit, previous, max(current, cap), elapsed)
            raise TooManyRequests(
                f"{what} is limited to {limit.describe()}; try again in {math.ceil(wait)} s",
                retry_after=math.ceil(wait),
                limit=limit.limit,
                window_seconds=limit.window_seconds,
            )

    def _count(
        self,
        session: Session,
        bucket: str,
        index: int,
        cap: int,
        limit: RateLimit,
        moment: datetime,
    ) -> bool:
        """Add the hit unless the window reached ``cap`` meanwhile (another replica)."""
        table = self.table
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        expires = datetime.fromtimestamp((index + 2) * limit.window_seconds, UTC)
        statement = dialect.insert(table).values(
            bucket=bucket, window_index=index, hits=1, expires_at=expires
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.bucket, table.c.window_index],
            set_={"hits": table.c.hits + 1},
            where=table.c.hits < cap,
        ).returning(table.c.hits)
        return session.exec(statement).first() is not None

    def _prune(self, session: Session, moment: datetime) -> None:
        clock = time.monotonic()
        if clock - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = clock
        session.exec(delete(self.table).where(self.table.c.expires_at < moment))


def client_address(request: Request, *, trust_forwarded_for: bool = False) -> str:
    """The address per-client limits count by: the peer, or behind a trusted reverse proxy the
    first address of ``X-Forwarded-For``."""
    forwarded = request.headers.get("x-forwarded-for", "") if trust_forwarded_for else ""
    first = forwarded.split(",")[0].strip()
    peer = request.client.host if request.client else "unknown"
    return (first or peer)[:64]


__all__ = [
    "RateLimit",
    "RateLimiter",
    "allowed_in_window",
    "client_address",
    "rate_limit_table",
    "seconds_until_allowed",
]
