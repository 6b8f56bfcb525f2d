"""The dashboard's data in one answer, the audit's findings, the projections' state, labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from libs.auth import CurrentPrincipal
from libs.http.openapi import problems
from libs.uow import UnitOfWorkDep
from services.metrics.api.deps import AsOf, Settings
from services.metrics.api.schemas import LabelOut, LabelSet
from services.metrics.domain import dashboard, labels
from services.metrics.domain.dashboard import Dashboard
from services.metrics.domain.reports import FindingsReport, ProjectionReport

router = APIRouter(tags=["overview"])

DimensionPath = Annotated[str, Path(max_length=32)]
KeyPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("/dashboard", response_model=Dashboard)
def get_dashboard(uow: UnitOfWorkDep, as_of: AsOf, settings: Settings) -> Dashboard:
    """Everything the public indicator page shows: the indicators against their targets, the
    commitment and its activities, the audit's findings, each indicator's history by month,
    the breakdowns by institution, theme and reuse type, and when it was computed."""
    return dashboard.dashboard(
        uow, as_of=as_of, margins=settings.margins, max_points=settings.history_max_points
    )


@router.get("/findings", response_model=FindingsReport)
def get_findings(uow: UnitOfWorkDep, as_of: AsOf, settings: Settings) -> FindingsReport:
    """The audit's four findings measured (open licence, machine-readable, bulk download, up
    to date) and the 0–5 openness distribution of the published datasets."""
    return dashboard.findings_report(uow, as_of=as_of, margins=settings.margins)


@router.get("/projection", response_model=ProjectionReport)
def get_projection(uow: UnitOfWorkDep) -> ProjectionReport:
    """How fresh the figures are: facts kept, the last event, the last rebuild."""
    return dashboard.projection_report(uow)


@router.get("/labels/{dimension}", response_model=list[LabelOut], responses=problems(404))
def list_labels(dimension: DimensionPath, uow: UnitOfWorkDep) -> list[LabelOut]:
    return [
        LabelOut(dimension=label.dimension, key=label.key, name=label.name)
        for label in labels.list_labels(uow, dimension)
    ]


@router.put("/labels/{dimension}/{key}", response_model=LabelOut, responses=problems(403, 404))
def set_label(
    dimension: DimensionPath,
    key: KeyPath,
    body: LabelSet,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
) -> LabelOut:
    label = labels.set_label(uow, actor, dimension=dimension, key=key, name=body.name.as_dict())
    out = LabelOut(dimension=label.dimension, key=label.key, name=label.name)
    uow.commit()
    return out
