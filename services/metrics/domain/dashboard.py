"""The overview: the audit's findings, the projections' state, and the dashboard — everything
the public indicator page shows, in one read model."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from libs.db import utcnow
from libs.uow import UnitOfWork
from services.metrics.domain import figures, indicators
from services.metrics.domain.commitments import commitment_reports
from services.metrics.domain.facts import Aggregate
from services.metrics.domain.institutions import openness_distribution
from services.metrics.domain.measures import MEASURES
from services.metrics.domain.progress import Margins
from services.metrics.domain.reports import (
    BreakdownReport,
    CommitmentReport,
    FindingsReport,
    HistoryReport,
    IndicatorReport,
    ProjectionReport,
)
from services.metrics.domain.series import Granularity, end_of_day
from services.metrics.models import Fact, Projection

# The breakdowns the dashboard shows, by the kind of object an indicator counts.
DASHBOARD_BREAKDOWNS: dict[Aggregate, tuple[str, ...]] = {
    Aggregate.DATASET: ("institution", "theme"),
    Aggregate.REUSE: ("reuse_type",),
    Aggregate.INSTITUTION: ("institution_kind",),
}


def findings_report(uow: UnitOfWork, *, as_of: date, margins: Margins) -> FindingsReport:
    """The share indicators (the audit's findings) and the openness of the published datasets."""
    shares = [
        r
        for r in indicators.indicator_reports(uow, as_of=as_of, margins=margins)
        if r.kind == "share"
    ]
    stars = figures.breakdown(
        uow.session, MEASURES["datasets_published"], "openness", end_of_day(as_of)
    )
    distribution = openness_distribution(
        level
        for key, group in stars.groups.items()
        if key.isdigit()
        for level in [int(key)] * group.count
    )
    names = figures.label_names(uow.session, "openness", [str(i.stars) for i in distribution])
    for item in distribution:
        item.name = names.get(str(item.stars))
    return FindingsReport(
        as_of=as_of, published=stars.total.count, findings=shares, openness=distribution
    )


def projection_report(uow: UnitOfWork) -> ProjectionReport:
    control = uow.session.get(Projection, 1)
    facts, last = uow.session.exec(select(func.count(), func.max(col(Fact.recorded)))).one()
    return ProjectionReport(
        state=control.state if control else "ready",
        rebuild_started_at=control.rebuild_started_at if control else None,
        rebuilt_at=control.rebuilt_at if control else None,
        rebuilt_events=control.rebuilt_events if control else None,
        rebuilt_seconds=control.rebuilt_seconds if control else None,
        facts=int(facts),
        last_fact_at=last,
    )


class Dashboard(BaseModel):
    computed_at: datetime
    as_of: date
    indicators: list[IndicatorReport] = Field(description="Every indicator, findings included")
    commitments: list[CommitmentReport]
    findings: FindingsReport
    history: list[HistoryReport] = Field(description="Each indicator by month")
    breakdowns: list[BreakdownReport]
    projection: ProjectionReport


def dashboard(uow: UnitOfWork, *, as_of: date, margins: Margins, max_points: int) -> Dashboard:
    reports = indicators.indicator_reports(uow, as_of=as_of, margins=margins)
    history = [
        indicators.history(
            uow,
            report.code,
            interval=Granularity.MONTH,
            start=None,
            end=as_of,
            max_points=max_points,
        )
        for report in reports
    ]
    breakdowns = [
        indicators.breakdown_report(uow, report.code, dimension, as_of=as_of)
        for report in reports
        if report.kind == "count"
        for dimension in DASHBOARD_BREAKDOWNS[MEASURES[report.measure].aggregate]
    ]
    return Dashboard(
        computed_at=utcnow(),
        as_of=as_of,
        indicators=reports,
        commitments=commitment_reports(uow, as_of=as_of, margins=margins),
        findings=findings_report(uow, as_of=as_of, margins=margins),
        history=history,
        breakdowns=breakdowns,
        projection=projection_report(uow),
    )
