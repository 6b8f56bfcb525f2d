"""Indicators: their values, history and breakdowns (public); their definitions (admins)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from libs.auth import CurrentPrincipal
from libs.db import utcnow
from libs.fields import Day
from libs.http.openapi import problems
from libs.uow import UnitOfWorkDep
from services.metrics.api.deps import AsOf, Settings
from services.metrics.api.schemas import (
    IndicatorCreate,
    IndicatorUpdate,
    MeasureOut,
    PeriodCreate,
    PeriodUpdate,
)
from services.metrics.domain import indicators
from services.metrics.domain.measures import MEASURES
from services.metrics.domain.reports import BreakdownReport, HistoryReport, IndicatorReport
from services.metrics.domain.series import Granularity

router = APIRouter(tags=["indicators"])

Code = Annotated[str, Path(max_length=64, description="The indicator's code")]
Dimension = Annotated[str, Path(max_length=32, description="One of the indicator's dimensions")]


@router.get("/indicators", response_model=list[IndicatorReport])
def list_indicators(uow: UnitOfWorkDep, as_of: AsOf, settings: Settings) -> list[IndicatorReport]:
    """Every indicator at a date: value, baseline, target, progress and status for each of its
    periods (the one in force first-class)."""
    return indicators.indicator_reports(uow, as_of=as_of, margins=settings.margins)


@router.get("/indicators/{code}", response_model=IndicatorReport, responses=problems(404))
def get_indicator(
    code: Code, uow: UnitOfWorkDep, as_of: AsOf, settings: Settings
) -> IndicatorReport:
    return indicators.indicator_report(uow, code, as_of=as_of, margins=settings.margins)


@router.get("/indicators/{code}/history", response_model=HistoryReport, responses=problems(404))
def get_history(
    code: Code,
    uow: UnitOfWorkDep,
    settings: Settings,
    interval: Granularity = Granularity.MONTH,
    start: Annotated[Day | None, Query(description="First day (default: the baseline)")] = None,
    end: Annotated[Day | None, Query(description="Last day (default: today)")] = None,
) -> HistoryReport:
    """The indicator at the end of each day or month (UTC)."""
    return indicators.history(
        uow,
        code,
        interval=interval,
        start=start,
        end=end,
        max_points=settings.history_max_points,
    )


@router.get(
    "/indicators/{code}/breakdowns/{dimension}",
    response_model=BreakdownReport,
    responses=problems(404),
)
def get_breakdown(
    code: Code, dimension: Dimension, uow: UnitOfWorkDep, as_of: AsOf
) -> BreakdownReport:
    """What the indicator counts at a date, grouped by institution, theme, region, licence,
    format, openness stars, reuse type… (``dimensions`` of the indicator)."""
    return indicators.breakdown_report(uow, code, dimension, as_of=as_of)


@router.get("/measures", response_model=list[MeasureOut])
def list_measures() -> list[MeasureOut]:
    """What an indicator can measure (an admin picks one when defining an indicator)."""
    return [
        MeasureOut(
            code=m.code,
            object=m.aggregate.value,
            states=list(m.states),
            share_of=m.numerator,
            beside=list(m.companion),
            dimensions=m.dimensions,
            description=m.description,
        )
        for m in MEASURES.values()
    ]


# --- editing (national admins) ----------------------------------------------------------


def _rendered(uow: UnitOfWorkDep, code: str, settings: Settings) -> IndicatorReport:
    return indicators.indicator_report(uow, code, as_of=utcnow().date(), margins=settings.margins)


@router.post(
    "/indicators",
    response_model=IndicatorReport,
    status_code=201,
    responses=problems(403, 409),
)
def create_indicator(
    body: IndicatorCreate, uow: UnitOfWorkDep, actor: CurrentPrincipal, settings: Settings
) -> IndicatorReport:
    indicator = indicators.create_indicator(
        uow,
        actor,
        code=body.code,
        name=body.name.as_dict(),
        description=body.description.as_dict() if body.description else None,
        unit=body.unit.as_dict(),
        measure=body.measure,
        moved_by=body.moved_by,
        position=body.position,
    )
    out = _rendered(uow, indicator.code, settings)
    uow.commit()
    return out


@router.patch("/indicators/{code}", response_model=IndicatorReport, responses=problems(403, 404))
def update_indicator(
    code: Code,
    body: IndicatorUpdate,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    settings: Settings,
) -> IndicatorReport:
    indicators.update_indicator(uow, actor, code=code, changes=body.changes())
    out = _rendered(uow, code, settings)
    uow.commit()
    return out


@router.delete("/indicators/{code}", status_code=204, responses=problems(403, 404))
def delete_indicator(code: Code, uow: UnitOfWorkDep, actor: CurrentPrincipal) -> Response:
    indicators.delete_indicator(uow, actor, code=code)
    uow.commit()
    return Response(status_code=204)


@router.post(
    "/indicators/{code}/periods",
    response_model=IndicatorReport,
    status_code=201,
    responses=problems(403, 404),
)
def add_period(
    code: Code,
    body: PeriodCreate,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    settings: Settings,
) -> IndicatorReport:
    """A baseline and a target of one action plan, beside the indicator's other periods."""
    indicators.add_period(
        uow,
        actor,
        code=code,
        baseline=body.baseline,
        baseline_date=body.baseline_date,
        target=body.target,
        target_date=body.target_date,
        commitment=body.commitment,
        label=body.label.as_dict() if body.label else None,
    )
    out = _rendered(uow, code, settings)
    uow.commit()
    return out


@router.patch(
    "/indicators/{code}/periods/{period_id}",
    response_model=IndicatorReport,
    responses=problems(403, 404),
)
def update_period(
    code: Code,
    period_id: UUID,
    body: PeriodUpdate,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    settings: Settings,
) -> IndicatorReport:
    indicators.update_period(uow, actor, code=code, period_id=period_id, changes=body.changes())
    out = _rendered(uow, code, settings)
    uow.commit()
    return out


@router.delete(
    "/indicators/{code}/periods/{period_id}", status_code=204, responses=problems(403, 404)
)
def delete_period(
    code: Code, period_id: UUID, uow: UnitOfWorkDep, actor: CurrentPrincipal
) -> Response:
    indicators.delete_period(uow, actor, code=code, period_id=period_id)
    uow.commit()
    return Response(status_code=204)
