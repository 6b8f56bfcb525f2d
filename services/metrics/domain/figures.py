"""Reading figures from the live spans: a measure's value at a moment, its series, a breakdown.

The arithmetic is in series.py (pure); this module only fetches the spans concerned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, func, select

from services.metrics.domain.facts import Aggregate
from services.metrics.domain.measures import DIMENSIONS, Measure
from services.metrics.domain.series import Breakdown, Counted, counts_at, share, tally
from services.metrics.models import Entity, Label, Span


@dataclass(frozen=True)
class Figure:
    """A measure at a moment: its value (a count, or a percentage for a share), the objects
    counted, those of the numerator (shares), those counted beside (companion)."""

    value: float | None
    count: int
    numerator: int | None = None
    companion: int | None = None


def _active(at: datetime) -> list[ColumnElement[bool]]:
    return [col(Span.valid_from) <= at, or_(col(Span.valid_to).is_(None), col(Span.valid_to) > at)]


def _of(measure: Measure) -> list[ColumnElement[bool]]:
    return [col(Span.aggregate) == measure.aggregate.value, col(Span.state).in_(measure.all_states)]


def _numerator(measure: Measure) -> Any:
    return getattr(Span, measure.numerator) if measure.numerator else None


def figure(measure: Measure, count: int, numerator: int, companion: int) -> Figure:
    if measure.is_share:
        return Figure(share(numerator, count), count, numerator, None)
    return Figure(float(count), count, None, companion if measure.companion else None)


def figure_at(session: Session, measure: Measure, at: datetime) -> Figure:
    flag = _numerator(measure)
    statement = (
        select(col(Span.state), func.count())
        .where(*_of(measure), *_active(at))
        .group_by(col(Span.state))
    )
    counted = {state: int(n) for state, n in session.exec(statement)}
    numerator = 0
    if flag is not None:
        numerator = int(
            session.exec(
                select(func.count()).where(*_of(measure), *_active(at), col(flag).is_(True))
            ).one()
        )
    count = sum(counted.get(s, 0) for s in measure.states)
    companion = sum(counted.get(s, 0) for s in measure.companion)
    return figure(measure, count, numerator, companion)


def series(session: Session, measure: Measure, moments: Sequence[datetime]) -> list[Figure]:
    """The measure at each of ``moments`` (in order)."""
    if not moments:
        return []
    flag = _numerator(measure)
    statement = select(
        col(Span.valid_from),
        col(Span.valid_to),
        col(Span.state),
        col(flag) if flag is not None else col(Span.state),
    ).where(
        *_of(measure),
        col(Span.valid_from) <= max(moments),
        or_(col(Span.valid_to).is_(None), col(Span.valid_to) > min(moments)),
    )
    counted, numerator, companion = [], [], []
    for start, end, state, flagged in session.exec(statement):
        interval = (start, end)
        if state in measure.states:
            counted.append(interval)
            if flag is not None and flagged is True:
                numerator.append(interval)
        else:
            companion.append(interval)
    return [
        figure(measure, c, n, k)
        for c, n, k in zip(
            counts_at(counted, moments),
            counts_at(numerator, moments),
            counts_at(companion, moments),
            strict=True,
        )
    ]


def breakdown(session: Session, measure: Measure, dimension: str, at: datetime) -> Breakdown:
    """The objects the measure counts at ``at``, grouped along ``dimension`` (one the
    measure's kind of object has: see measures.DIMENSIONS)."""
    column = getattr(Span, DIMENSIONS[dimension].columns[measure.aggregate])
    flag = _numerator(measure)
    statement = select(
        col(Span.state), col(column), col(flag) if flag is not None else col(Span.state)
    ).where(*_of(measure), *_active(at))
    keys = DIMENSIONS[dimension].keys
    return tally(
        Counted(
            keys=keys(measure.aggregate, value),
            counted=state in measure.states,
            numerator=flagged is True,
            companion=state in measure.companion,
        )
        for state, value, flagged in session.exec(statement)
    )


def label_names(session: Session, dimension: str, keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """The names of breakdown keys: an institution's or a dataset's own title, else the
    label admins keep for the dimension."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    entity = DIMENSIONS[dimension].entity if dimension in DIMENSIONS else None
    if entity is not None:
        rows = session.exec(
            select(col(Entity.entity_id), col(Entity.title)).where(
                col(Entity.aggregate) == entity.value, col(Entity.entity_id).in_(wanted)
            )
        )
        return {key: dict(title or {}) for key, title in rows}
    labels = session.exec(
        select(Label).where(col(Label.dimension) == dimension, col(Label.key).in_(wanted))
    )
    return {label.key: dict(label.name) for label in labels}


def first_moment(session: Session, aggregate: Aggregate) -> datetime | None:
    """When the first object of this kind began to count."""
    return session.exec(
        select(func.min(Span.valid_from)).where(col(Span.aggregate) == aggregate.value)
    ).one()
