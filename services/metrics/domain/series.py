"""Figures from spans, as pure functions: values at a moment, time series, breakdowns.

A value **as of a moment** counts the spans that had begun and not yet ended then
(``valid_from <= t < valid_to``). A day means its end (the last instant of that day, UTC); a
series by day or by month gives each bucket's value at its end, or now for the bucket that is
still running. Days and months are UTC.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

Interval = tuple[datetime, datetime | None]


class Granularity(StrEnum):
    DAY = "day"
    MONTH = "month"


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1
    )


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def last_of_month(day: date) -> date:
    return next_month(day) - timedelta(days=1)


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date  # inclusive

    @property
    def moment(self) -> datetime:
        return end_of_day(self.end)


def buckets(start: date, end: date, granularity: Granularity) -> list[Bucket]:
    """The days, or the months, from the one holding ``start`` to the one holding ``end``."""
    if end < start:
        return []
    if granularity == Granularity.DAY:
        return [
            Bucket(start + timedelta(days=n), start + timedelta(days=n))
            for n in range((end - start).days + 1)
        ]
    result = []
    month = first_of_month(start)
    while month <= end:
        result.append(Bucket(month, last_of_month(month)))
        month = next_month(month)
    return result


def bucket_count(start: date, end: date, granularity: Granularity) -> int:
    if end < start:
        return 0
    if granularity == Granularity.DAY:
        return (end - start).days + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def counts_at(intervals: Iterable[Interval], moments: Sequence[datetime]) -> list[int]:
    """For each moment, how many intervals hold it (``start <= t < end``)."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in intervals:
        starts.append(start)
        if end is not None:
            ends.append(end)
    starts.sort()
    ends.sort()
    return [bisect_right(starts, t) - bisect_right(ends, t) for t in moments]


def count_at(intervals: Iterable[Interval], moment: datetime) -> int:
    return counts_at(intervals, [moment])[0]


def share(numerator: int, denominator: int) -> float | None:
    """A percentage, None when there is nothing to divide by."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 2)


# --- breakdowns -----------------------------------------------------------------------------


@dataclass
class Tally:
    """One group of a breakdown: the objects counted, those of the numerator (a finding's), and
    those counted beside (declared but unverified reuses)."""

    count: int = 0
    numerator: int = 0
    companion: int = 0


@dataclass
class Breakdown:
    groups: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)

    def ordered(self) -> list[tuple[str, Tally]]:
        """Largest group first; ties by key, so that the order is stable."""
        return sorted(self.groups.items(), key=lambda item: (-item[1].count, item[0]))


@dataclass(frozen=True)
class Counted:
    """An object as a breakdown sees it: its keys along the dimension (several for a dataset
    with several themes, none when unknown) and where it counts."""

    keys: Sequence[str]
    counted: bool
    numerator: bool = False
    companion: bool = False


UNKNOWN = "unknown"


def tally(objects: Iterable[Counted]) -> Breakdown:
    """Group objects by key. An object with several keys counts once in each of its groups
    and once in the total, so groups may add up to more than the total; one with none is
    grouped under ``unknown``."""
    result = Breakdown()
    for item in objects:
        for bucket in [result.total, *(_group(result, key) for key in item.keys or [UNKNOWN])]:
            bucket.count += item.counted
            bucket.numerator += item.counted and item.numerator
            bucket.companion += item.companion
    result.groups = {k: g for k, g in result.groups.items() if g.count or g.companion}
    return result


def _group(result: Breakdown, key: str) -> Tally:
    return result.groups.setdefault(key, Tally())
