"""The read models: what the API answers, the exports write and the dashboard page shows.

They are plain pydantic models, independent of HTTP: the JSON API returns them, the CSV
exports flatten them, the Prometheus collector reads them, and a server-rendered page can
render them as they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.metrics.domain.progress import ActivityStatus, Schedule, Status
from services.metrics.domain.series import Granularity

Text = dict[str, str]


class PeriodReport(BaseModel):
    """One baseline and target of an indicator, and where the indicator stands against it."""

    id: UUID
    commitment: str | None
    label: Text | None
    baseline: float
    baseline_date: date
    target: float
    target_date: date
    elapsed: float = Field(description="Share of the period gone by at the date, 0–1")
    progress_from_baseline: float | None = Field(
        description="(value − baseline) / (target − baseline): 0 at the baseline, 1 at the target"
    )
    progress_to_target: float | None = Field(description="value / target")
    status: Status | None


class IndicatorReport(BaseModel):
    code: str
    name: Text
    description: Text | None
    unit: Text
    measure: str
    kind: Literal["count", "share"]
    moved_by: list[str]
    position: int
    dimensions: list[str] = Field(description="The breakdowns it has")
    as_of: date
    value: float | None = Field(description="A count, or a percentage for a share")
    count: int = Field(description="The objects counted (for a share: the published datasets)")
    numerator: int | None = Field(description="For a share: the objects it holds for")
    companion: int | None = Field(
        description="Counted beside the value: the declared reuses not verified yet"
    )
    period: PeriodReport | None = Field(description="The period in force at the date")
    periods: list[PeriodReport]
    status: Status | None


class Point(BaseModel):
    start: date
    end: date
    value: float | None
    count: int
    numerator: int | None = None
    companion: int | None = None


class HistoryReport(BaseModel):
    indicator: str
    interval: Granularity
    start: date
    end: date
    points: list[Point]


class BreakdownItem(BaseModel):
    key: str
    name: Text | None
    count: int
    share_of_total: float | None = Field(description="Percentage of all the objects counted")
    numerator: int | None = None
    value: float | None = Field(
        description="The indicator within the group: the count, or the group's share"
    )
    companion: int | None = None


class BreakdownReport(BaseModel):
    indicator: str
    dimension: str
    as_of: date
    total: int
    value: float | None
    multi_valued: bool = Field(
        description="An object may belong to several groups (themes, formats…): the groups "
        "then add up to more than the total"
    )
    items: list[BreakdownItem]


class ActivityReport(BaseModel):
    id: UUID
    position: int
    title: Text
    start: date
    end: date
    status: ActivityStatus
    progress: float
    weight: float
    completed_on: date | None
    schedule: Schedule
    expected_progress: float = Field(description="Percent of its duration gone by at the date")


class CommitmentReport(BaseModel):
    code: str
    title: Text
    description: Text | None
    action_plan: Text | None
    lead: Text | None
    start: date
    end: date
    as_of: date
    overall_progress: float | None = Field(
        description="The weighted mean of the activities' progress, percent"
    )
    elapsed: float
    status: Status | None
    activities_late: int
    activities: list[ActivityReport]
    indicators: list[str] = Field(description="Indicators with a period of this commitment")


class OpennessItem(BaseModel):
    stars: int
    name: Text | None
    count: int
    share: float | None


class FindingsReport(BaseModel):
    """The audit's four findings, measured, with the 0–5 openness distribution."""

    as_of: date
    published: int
    findings: list[IndicatorReport]
    openness: list[OpennessItem]


class ProjectionReport(BaseModel):
    state: str
    rebuild_started_at: datetime | None
    rebuilt_at: datetime | None
    rebuilt_events: int | None
    rebuilt_seconds: float | None
    facts: int
    last_fact_at: datetime | None
