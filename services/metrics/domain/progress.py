"""Progress and status, as pure functions: of an indicator against its target, of the
commitment from its activities.

**The value.** An indicator's value is what the platform counts from the events (a count of
spans, folds.py). The baseline is the situation measured before the platform, at the baseline
date; it is *not* added to the value: the institutions and datasets that existed before come
onto the platform through its own workflow (governance enrols the institutions, legacy
datasets are published through a review like any other), so they are counted once, by the
platform. Until they have been brought in, the value reads below the baseline, and the
progress is negative: that is the truth the steering committee needs.

**Progress** is reported two ways:

- *from the baseline*: ``(value − baseline) / (target − baseline)`` — the share of the promised
  change achieved: 0 at the baseline, 1 at the target (it works the same for an indicator
  meant to go down);
- *towards the target*: ``value / target`` — how the programme usually quotes it ("180 of
  300").

**Status**, from progress from the baseline against the share of the period elapsed (from the
baseline date to the target date):

- ``achieved``: the target is reached (progress ≥ 1);
- ``late``: the target date has passed without it, or progress trails the elapsed time by more
  than the *late* margin;
- ``at_risk``: progress trails the elapsed time by more than the *at risk* margin;
- ``on_track``: otherwise.

**The commitment's overall progress** is the programme's own figure: the mean of its
activities' reported progress, weighted by each activity's weight (1 unless an admin says
otherwise). An activity is late when its end date has passed and it is not done, on time while
it runs, upcoming before its start; a done activity is done on time or late when its
completion date is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"


@dataclass(frozen=True)
class Margins:
    """How far progress may trail the elapsed share of the period (fractions of the period)."""

    at_risk: float = 0.10
    late: float = 0.25


def progress_from_baseline(value: float, baseline: float, target: float) -> float | None:
    if target == baseline:
        return None
    return (value - baseline) / (target - baseline)


def progress_to_target(value: float, target: float) -> float | None:
    if target == 0:
        return None
    return value / target


def elapsed(as_of: date, start: date, end: date) -> float:
    """The share of the period from ``start`` to ``end`` gone by at the end of ``as_of``, in
    [0, 1]."""
    if end <= start:
        return 1.0 if as_of >= end else 0.0
    gone = (as_of - start).days + 1
    return min(1.0, max(0.0, gone / ((end - start).days + 1)))


def status(progress: float | None, elapsed_share: float, margins: Margins) -> Status | None:
    if progress is None:
        return None
    if progress >= 1:
        return Status.ACHIEVED
    behind = elapsed_share - progress
    if elapsed_share >= 1 or behind > margins.late:
        return Status.LATE
    if behind > margins.at_risk:
        return Status.AT_RISK
    return Status.ON_TRACK


# --- the commitment's activities --------------------------------------------------------------


class ActivityStatus(StrEnum):
    """As the programme reports it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Schedule(StrEnum):
    """Where an activity stands against its dates."""

    UPCOMING = "upcoming"
    ON_TIME = "on_time"
    LATE = "late"
    DONE = "done"
    DONE_LATE = "done_late"


def schedule(
    reported: ActivityStatus,
    start: date,
    end: date,
    completed_on: date | None,
    as_of: date,
) -> Schedule:
    if reported == ActivityStatus.DONE:
        late = completed_on is not None and completed_on > end
        return Schedule.DONE_LATE if late else Schedule.DONE
    if as_of > end:
        return Schedule.LATE
    if as_of < start:
        return Schedule.UPCOMING
    return Schedule.ON_TIME


@dataclass(frozen=True)
class Weighted:
    progress: float  # percent, 0–100
    weight: float = 1.0


def overall_progress(activities: Iterable[Weighted]) -> float | None:
    """The weighted mean of the activities' progress (percent); None without activities."""
    items = [a for a in activities if a.weight > 0]
    total = sum(a.weight for a in items)
    if not total:
        return None
    return round(sum(a.progress * a.weight for a in items) / total, 2)
