"""Values at a moment, buckets of days and months, shares and breakdown arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.metrics.domain.series import (
    UNKNOWN,
    Counted,
    Granularity,
    bucket_count,
    buckets,
    count_at,
    counts_at,
    end_of_day,
    share,
    tally,
)


def t(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2019, month, day, hour, tzinfo=UTC)


def test_an_interval_holds_from_its_start_until_just_before_its_end() -> None:
    interval = [(t(3, 1), t(3, 10))]
    assert count_at(interval, t(2, 28)) == 0
    assert count_at(interval, t(3, 1)) == 1
    assert count_at(interval, t(3, 9, 23)) == 1
    assert count_at(interval, t(3, 10)) == 0


def test_open_intervals_and_many_moments_at_once() -> None:
    intervals = [(t(1, 1), None), (t(2, 1), t(4, 1)), (t(3, 1), None), (t(3, 1), t(3, 1))]
    moments = [t(1, 15), t(2, 15), t(3, 15), t(4, 15)]
    assert counts_at(intervals, moments) == [1, 2, 3, 2]


def test_a_day_means_its_last_instant() -> None:
    assert end_of_day(date(2019, 12, 31)) == datetime(2019, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def test_month_buckets_cover_whole_months_across_years() -> None:
    months = buckets(date(2019, 11, 20), date(2020, 2, 3), Granularity.MONTH)
    assert [(b.start, b.end) for b in months] == [
        (date(2019, 11, 1), date(2019, 11, 30)),
        (date(2019, 12, 1), date(2019, 12, 31)),
        (date(2020, 1, 1), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 2, 29)),
    ]
    assert bucket_count(date(2019, 11, 20), date(2020, 2, 3), Granularity.MONTH) == 4


def test_day_buckets_and_an_empty_range() -> None:
    days = buckets(date(2019, 2, 27), date(2019, 3, 1), Granularity.DAY)
    assert [b.start for b in days] == [date(2019, 2, 27), date(2019, 2, 28), date(2019, 3, 1)]
    assert days[0].moment == end_of_day(date(2019, 2, 27))
    assert buckets(date(2019, 3, 2), date(2019, 3, 1), Granularity.DAY) == []
    assert bucket_count(date(2019, 1, 1), date(2019, 12, 31), Granularity.DAY) == 365


def test_shares_are_percentages_and_none_without_a_denominator() -> None:
    assert share(2, 3) == 66.67
    assert share(0, 4) == 0.0
    assert share(0, 0) is None


def test_a_breakdown_counts_each_object_once_in_each_of_its_groups() -> None:
    result = tally(
        [
            Counted(keys=["sante", "transport"], counted=True, numerator=True),
            Counted(keys=["sante"], counted=True),
            Counted(keys=[], counted=True, numerator=True),
            Counted(keys=["sante"], counted=False, companion=True),
        ]
    )
    assert result.total.count == 3
    assert result.total.numerator == 2
    assert result.total.companion == 1
    assert {k: (g.count, g.numerator, g.companion) for k, g in result.groups.items()} == {
        "sante": (2, 1, 1),
        "transport": (1, 1, 0),
        UNKNOWN: (1, 1, 0),
    }
    assert [key for key, _ in result.ordered()] == ["sante", "transport", UNKNOWN]
