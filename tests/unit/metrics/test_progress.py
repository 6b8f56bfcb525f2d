"""Progress against a target, status from progress and elapsed time, the commitment's
activities."""

from __future__ import annotations

from datetime import date

import pytest

from services.metrics.domain.progress import (
    ActivityStatus,
    Margins,
    Schedule,
    Status,
    Weighted,
    elapsed,
    overall_progress,
    progress_from_baseline,
    progress_to_target,
    schedule,
    status,
)

MARGINS = Margins(at_risk=0.10, late=0.25)


def test_progress_from_the_baseline_and_towards_the_target() -> None:
    assert progress_from_baseline(136, 136, 300) == 0
    assert progress_from_baseline(218, 136, 300) == 0.5
    assert progress_from_baseline(300, 136, 300) == 1
    assert progress_from_baseline(100, 136, 300) == pytest.approx(-36 / 164)
    assert progress_from_baseline(24, 16, 32) == 0.5
    assert progress_to_target(150, 300) == 0.5


def test_progress_works_for_an_indicator_meant_to_go_down() -> None:
    assert progress_from_baseline(30, 40, 20) == 0.5


def test_undefined_progress() -> None:
    assert progress_from_baseline(5, 10, 10) is None
    assert progress_to_target(5, 0) is None


def test_elapsed_share_of_a_period() -> None:
    start, end = date(2018, 8, 1), date(2020, 8, 31)
    assert elapsed(date(2018, 7, 1), start, end) == 0
    assert elapsed(end, start, end) == 1
    assert elapsed(date(2030, 1, 1), start, end) == 1
    assert elapsed(date(2019, 8, 15), start, end) == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    ("progress", "elapsed_share", "expected"),
    [
        (1.0, 0.3, Status.ACHIEVED),
        (1.2, 1.0, Status.ACHIEVED),
        (0.5, 0.55, Status.ON_TRACK),
        (0.5, 0.6, Status.ON_TRACK),
        (0.5, 0.61, Status.AT_RISK),
        (0.5, 0.75, Status.AT_RISK),
        (0.5, 0.76, Status.LATE),
        (0.99, 1.0, Status.LATE),
        (-0.2, 0.0, Status.AT_RISK),
        (0.0, 0.0, Status.ON_TRACK),
    ],
)
def test_status_from_progress_against_elapsed_time(
    progress: float, elapsed_share: float, expected: Status
) -> None:
    assert status(progress, elapsed_share, MARGINS) == expected


def test_no_status_without_progress() -> None:
    assert status(None, 0.5, MARGINS) is None


@pytest.mark.parametrize(
    ("reported", "completed_on", "as_of", "expected"),
    [
        (ActivityStatus.DONE, None, date(2021, 1, 1), Schedule.DONE),
        (ActivityStatus.DONE, date(2020, 1, 31), date(2021, 1, 1), Schedule.DONE),
        (ActivityStatus.DONE, date(2020, 3, 1), date(2021, 1, 1), Schedule.DONE_LATE),
        (ActivityStatus.IN_PROGRESS, None, date(2020, 2, 1), Schedule.LATE),
        (ActivityStatus.IN_PROGRESS, None, date(2020, 1, 31), Schedule.ON_TIME),
        (ActivityStatus.NOT_STARTED, None, date(2019, 10, 31), Schedule.UPCOMING),
        (ActivityStatus.NOT_STARTED, None, date(2019, 11, 1), Schedule.ON_TIME),
    ],
)
def test_an_activity_is_late_or_on_time_by_its_dates(
    reported: ActivityStatus, completed_on: date | None, as_of: date, expected: Schedule
) -> None:
    start, end = date(2019, 11, 1), date(2020, 1, 31)
    assert schedule(reported, start, end, completed_on, as_of) == expected


def test_the_commitments_overall_progress_is_the_weighted_mean_of_its_activities() -> None:
    reported = [100, 100, 90, 100, 90, 100, 90]  # the seven activities as last reported
    assert overall_progress(Weighted(p) for p in reported) == 95.71
    assert overall_progress([Weighted(100, 3), Weighted(0, 1)]) == 75.0
    assert overall_progress([Weighted(50, 0)]) is None
    assert overall_progress([]) is None
