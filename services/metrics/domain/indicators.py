"""Indicators: their definitions (edited by national admins) and their reports (public).

An indicator is a *measure* (measures.py: what is counted, from the events) with a name, a
unit, the events that move it, and any number of *periods* side by side — one per action plan:
a baseline (value and date) and a target (value and date). Its report says its value at a
date, where it stands against each period (progress.py), its history and its breakdowns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlmodel import col, select

from libs.auth import Principal
from libs.db import utcnow
from libs.events import EVENT_TYPES
from libs.http.problems import Conflict, InvalidInput, NotFound
from libs.uow import UnitOfWork
from services.metrics.domain import access, figures
from services.metrics.domain.figures import Figure
from services.metrics.domain.measures import DIMENSIONS, MEASURES, Measure
from services.metrics.domain.progress import (
    Margins,
    elapsed,
    progress_from_baseline,
    progress_to_target,
    status,
)
from services.metrics.domain.reports import (
    BreakdownItem,
    BreakdownReport,
    HistoryReport,
    IndicatorReport,
    PeriodReport,
    Point,
)
from services.metrics.domain.series import Granularity, bucket_count, buckets, end_of_day, share
from services.metrics.models import Commitment, Indicator, IndicatorPeriod

# --- reading ----------------------------------------------------------------------------


def get_indicator(uow: UnitOfWork, code: str) -> Indicator:
    indicator = uow.session.get(Indicator, code)
    if indicator is None:
        raise NotFound(f"no indicator {code!r}", code="indicator-not-found")
    return indicator


def measure_of(indicator: Indicator) -> Measure:
    return MEASURES[indicator.measure]


def list_indicators(uow: UnitOfWork, codes: Sequence[str] | None = None) -> list[Indicator]:
    statement = select(Indicator).order_by(col(Indicator.position), col(Indicator.code))
    if codes is not None:
        statement = statement.where(col(Indicator.code).in_(codes))
    return list(uow.session.exec(statement))


def periods_of(uow: UnitOfWork, codes: Sequence[str]) -> dict[str, list[IndicatorPeriod]]:
    periods: dict[str, list[IndicatorPeriod]] = {code: [] for code in codes}
    statement = (
        select(IndicatorPeriod)
        .where(col(IndicatorPeriod.indicator_code).in_(codes))
        .order_by(col(IndicatorPeriod.baseline_date), col(IndicatorPeriod.target_date))
    )
    for period in uow.session.exec(statement):
        periods[period.indicator_code].append(period)
    return periods


def period_report(
    period: IndicatorPeriod, value: float | None, as_of: date, margins: Margins
) -> PeriodReport:
    gone = elapsed(as_of, period.baseline_date, period.target_date)
    from_baseline = (
        progress_from_baseline(value, period.baseline_value, period.target_value)
        if value is not None
        else None
    )
    return PeriodReport(
        id=period.id,
        commitment=period.commitment_code,
        label=period.label,
        baseline=period.baseline_value,
        baseline_date=period.baseline_date,
        target=period.target_value,
        target_date=period.target_date,
        elapsed=round(gone, 4),
        progress_from_baseline=_round(from_baseline),
        progress_to_target=_round(
            progress_to_target(value, period.target_value) if value is not None else None
        ),
        status=status(from_baseline, gone, margins),
    )


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def in_force(periods: Sequence[PeriodReport], as_of: date) -> PeriodReport | None:
    """The period running at ``as_of``; else the last one begun; else the first to come."""
    running = [p for p in periods if p.baseline_date <= as_of <= p.target_date]
    if running:
        return running[-1]
    begun = [p for p in periods if p.baseline_date <= as_of]
    if begun:
        return begun[-1]
    return periods[0] if periods else None


def report(
    indicator: Indicator,
    figure: Figure,
    periods: Sequence[IndicatorPeriod],
    as_of: date,
    margins: Margins,
) -> IndicatorReport:
    measure = measure_of(indicator)
    reports = [period_report(p, figure.value, as_of, margins) for p in periods]
    current = in_force(reports, as_of)
    return IndicatorReport(
        code=indicator.code,
        name=indicator.name,
        description=indicator.description,
        unit=indicator.unit,
        measure=indicator.measure,
        kind="share" if measure.is_share else "count",
        moved_by=list(indicator.moved_by),
        position=indicator.position,
        dimensions=measure.dimensions,
        as_of=as_of,
        value=figure.value,
        count=figure.count,
        numerator=figure.numerator,
        companion=figure.companion,
        period=current,
        periods=reports,
        status=current.status if current else None,
    )


def indicator_reports(
    uow: UnitOfWork,
    *,
    as_of: date,
    margins: Margins,
    codes: Sequence[str] | None = None,
) -> list[IndicatorReport]:
    indicators = list_indicators(uow, codes)
    periods = periods_of(uow, [i.code for i in indicators])
    moment = end_of_day(as_of)
    cache: dict[str, Figure] = {}  # indicators on the same measure share its figure
    result = []
    for indicator in indicators:
        if indicator.measure not in cache:
            cache[indicator.measure] = figures.figure_at(uow.session, measure_of(indicator), moment)
        result.append(
            report(indicator, cache[indicator.measure], periods[indicator.code], as_of, margins)
        )
    return result


def indicator_report(
    uow: UnitOfWork, code: str, *, as_of: date, margins: Margins
) -> IndicatorReport:
    get_indicator(uow, code)
    return indicator_reports(uow, as_of=as_of, margins=margins, codes=[code])[0]


def history(
    uow: UnitOfWork,
    code: str,
    *,
    interval: Granularity,
    start: date | None,
    end: date | None,
    max_points: int,
) -> HistoryReport:
    """The indicator at the end of each day or month from ``start`` to ``end`` (by default
    from its earliest baseline, or its first object, to today)."""
    indicator = get_indicator(uow, code)
    measure = measure_of(indicator)
    today = utcnow().date()
    end = end or today
    if start is None:
        baselines = [p.baseline_date for p in periods_of(uow, [code])[code]]
        first = figures.first_moment(uow.session, measure.aggregate)
        candidates = [*baselines, *([first.date()] if first else [])]
        start = min([*candidates, end]) if candidates else end - timedelta(days=365)
    if start > end:
        raise InvalidInput("start", f"must not be after the end ({end})")
    if bucket_count(start, end, interval) > max_points:
        raise InvalidInput(
            "start",
            f"{interval.value}s from {start} to {end} exceed the {max_points} points a history "
            "may have: narrow the range or use interval=month",
            limit=max_points,
        )
    periods = buckets(start, end, interval)
    now = utcnow()
    points = figures.series(uow.session, measure, [min(b.moment, now) for b in periods])
    return HistoryReport(
        indicator=code,
        interval=interval,
        start=start,
        end=end,
        points=[
            Point(
                start=b.start,
                end=b.end,
                value=f.value,
                count=f.count,
                numerator=f.numerator,
                companion=f.companion,
            )
            for b, f in zip(periods, points, strict=True)
        ],
    )


def breakdown_report(uow: UnitOfWork, code: str, dimension: str, *, as_of: date) -> BreakdownReport:
    indicator = get_indicator(uow, code)
    measure = measure_of(indicator)
    if dimension not in measure.dimensions:
        raise NotFound(
            f"indicator {code!r} has no breakdown by {dimension!r}; it has: "
            + ", ".join(measure.dimensions),
            code="no-such-breakdown",
        )
    result = figures.breakdown(uow.session, measure, dimension, end_of_day(as_of))
    ordered = result.ordered()
    names = figures.label_names(uow.session, dimension, [key for key, _ in ordered])
    total = result.total
    column = DIMENSIONS[dimension].columns[measure.aggregate]
    return BreakdownReport(
        indicator=code,
        dimension=dimension,
        as_of=as_of,
        total=total.count,
        value=figures.figure(measure, total.count, total.numerator, total.companion).value,
        multi_valued=column in ("themes", "regions", "formats", "institutions", "datasets"),
        items=[
            BreakdownItem(
                key=key,
                name=names.get(key),
                count=group.count,
                share_of_total=share(group.count, total.count),
                numerator=group.numerator if measure.is_share else None,
                value=figures.figure(measure, group.count, group.numerator, group.companion).value,
                companion=group.companion if measure.companion else None,
            )
            for key, group in ordered
        ],
    )


# --- editing (national admins) ----------------------------------------------------------


def _check_moved_by(moved_by: Sequence[str]) -> list[str]:
    unknown = sorted(set(moved_by) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput("moved_by", f"unknown event types: {', '.join(unknown)}")
    return sorted(set(moved_by), key=list(moved_by).index)


def _check_measure(measure: str) -> str:
    if measure not in MEASURES:
        raise InvalidInput("measure", f"unknown measure; one of: {', '.join(MEASURES)}")
    return measure


def create_indicator(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    name: dict[str, str],
    unit: dict[str, str],
    measure: str,
    description: dict[str, str] | None = None,
    moved_by: Sequence[str] = (),
    position: int = 0,
) -> Indicator:
    access.ensure_can_edit_definitions(actor)
    if uow.session.get(Indicator, code) is not None:
        raise Conflict(f"indicator {code!r} exists already", code="indicator-exists")
    now = utcnow()
    indicator = Indicator(
        code=code,
        name=name,
        description=description,
        unit=unit,
        measure=_check_measure(measure),
        moved_by=_check_moved_by(moved_by),
        position=position,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(indicator)
    uow.flush()
    return indicator


def update_indicator(
    uow: UnitOfWork, actor: Principal, *, code: str, changes: Mapping[str, Any]
) -> Indicator:
    """Change the fields given (name, description, unit, measure, moved_by, position)."""
    access.ensure_can_edit_definitions(actor)
    indicator = get_indicator(uow, code)
    for field, value in changes.items():
        if field == "measure":
            value = _check_measure(value)
        elif field == "moved_by":
            value = _check_moved_by(value)
        setattr(indicator, field, value)
    indicator.updated_at = utcnow()
    uow.session.add(indicator)
    uow.flush()
    return indicator


def delete_indicator(uow: UnitOfWork, actor: Principal, *, code: str) -> None:
    access.ensure_can_edit_definitions(actor)
    indicator = get_indicator(uow, code)
    for period in periods_of(uow, [code])[code]:
        uow.session.delete(period)
    uow.session.delete(indicator)
    uow.flush()


def _check_period(period: IndicatorPeriod, uow: UnitOfWork) -> None:
    if period.target_date <= period.baseline_date:
        raise InvalidInput("target_date", "must be after the baseline date")
    if period.target_value == period.baseline_value:
        raise InvalidInput(
            "target", "must differ from the baseline (progress is measured between them)"
        )
    if period.commitment_code and uow.session.get(Commitment, period.commitment_code) is None:
        raise InvalidInput("commitment", f"no commitment {period.commitment_code!r}")


def add_period(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    baseline: float,
    baseline_date: date,
    target: float,
    target_date: date,
    commitment: str | None = None,
    label: dict[str, str] | None = None,
) -> IndicatorPeriod:
    access.ensure_can_edit_definitions(actor)
    get_indicator(uow, code)
    period = IndicatorPeriod(
        indicator_code=code,
        commitment_code=commitment,
        label=label,
        baseline_value=baseline,
        baseline_date=baseline_date,
        target_value=target,
        target_date=target_date,
    )
    _check_period(period, uow)
    uow.session.add(period)
    uow.flush()
    return period


def get_period(uow: UnitOfWork, code: str, period_id: UUID) -> IndicatorPeriod:
    period = uow.session.get(IndicatorPeriod, period_id)
    if period is None or period.indicator_code != code:
        raise NotFound(f"indicator {code!r} has no period {period_id}", code="period-not-found")
    return period


# The API's names of a period's fields, and the columns they are kept in.
PERIOD_FIELDS = {
    "baseline": "baseline_value",
    "baseline_date": "baseline_date",
    "target": "target_value",
    "target_date": "target_date",
    "commitment": "commitment_code",
    "label": "label",
}


def update_period(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    period_id: UUID,
    changes: Mapping[str, Any],
) -> IndicatorPeriod:
    access.ensure_can_edit_definitions(actor)
    period = get_period(uow, code, period_id)
    for field, value in changes.items():
        setattr(period, PERIOD_FIELDS[field], value)
    _check_period(period, uow)
    uow.session.add(period)
    uow.flush()
    return period


def delete_period(uow: UnitOfWork, actor: Principal, *, code: str, period_id: UUID) -> None:
    access.ensure_can_edit_definitions(actor)
    uow.session.delete(get_period(uow, code, period_id))
    uow.flush()
