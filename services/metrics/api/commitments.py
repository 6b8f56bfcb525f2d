"""Commitments and their activities: public reports, edited by national admins."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from libs.auth import CurrentPrincipal
from libs.db import utcnow
from libs.http.openapi import problems
from libs.uow import UnitOfWorkDep
from services.metrics.api.deps import AsOf, Settings
from services.metrics.api.schemas import (
    ActivityCreate,
    ActivityUpdate,
    CommitmentCreate,
    CommitmentUpdate,
)
from services.metrics.domain import commitments
from services.metrics.domain.reports import CommitmentReport

router = APIRouter(tags=["commitments"])

Code = Annotated[str, Path(max_length=64, description="The commitment's code")]


@router.get("/commitments", response_model=list[CommitmentReport])
def list_commitments(uow: UnitOfWorkDep, as_of: AsOf, settings: Settings) -> list[CommitmentReport]:
    """Each commitment with its activities (dates, status, progress, late or on time) and its
    overall progress, derived from its activities."""
    return commitments.commitment_reports(uow, as_of=as_of, margins=settings.margins)


@router.get("/commitments/{code}", response_model=CommitmentReport, responses=problems(404))
def get_commitment(
    code: Code, uow: UnitOfWorkDep, as_of: AsOf, settings: Settings
) -> CommitmentReport:
    return commitments.commitment_report(uow, code, as_of=as_of, margins=settings.margins)


def _rendered(uow: UnitOfWorkDep, code: str, settings: Settings) -> CommitmentReport:
    return commitments.commitment_report(uow, code, as_of=utcnow().date(), margins=settings.margins)


@router.post(
    "/commitments",
    response_model=CommitmentReport,
    status_code=201,
    responses=problems(403, 409),
)
def create_commitment(
    body: CommitmentCreate, uow: UnitOfWorkDep, actor: CurrentPrincipal, settings: Settings
) -> CommitmentReport:
    fields = body.changes()
    commitment = commitments.create_commitment(uow, actor, **fields)
    out = _rendered(uow, commitment.code, settings)
    uow.commit()
    return out


@router.patch("/commitments/{code}", response_model=CommitmentReport, responses=problems(403, 404))
def update_commitment(
    code: Code,
    body: CommitmentUpdate,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    settings: Settings,
) -> CommitmentReport:
    commitments.update_commitment(uow, actor, code=code, changes=body.changes())
    out = _rendered(uow, code, settings)
    uow.commit()
    return out


@router.post(
    "/commitments/{code}/activities",
    response_model=CommitmentReport,
    status_code=201,
    responses=problems(403, 404),
)
def add_activity(
    code: Code,
    body: ActivityCreate,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    settings: Settings,
) -> CommitmentReport:
    commitments.add_activity(uow, actor, commitment=code, **body.changes())
    out = _rendered(uow, code, settings)
    uow.commit()
    return out


@router.patch(
    "/commitments/{code}/activities/{activity_id}",
    response_model=CommitmentReport,
    responses=problems(403, 404),
)
def update_activity(
    code: Code,
    activity_id: UUID,
    body: ActivityUpdate,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    settings: Settings,
) -> CommitmentReport:
    """Report an activity's progress, status or dates."""
    commitments.update_activity(
        uow, actor, commitment=code, activity_id=activity_id, changes=body.changes()
    )
    out = _rendered(uow, code, settings)
    uow.commit()
    return out


@router.delete(
    "/commitments/{code}/activities/{activity_id}",
    status_code=204,
    responses=problems(403, 404),
)
def delete_activity(
    code: Code, activity_id: UUID, uow: UnitOfWorkDep, actor: CurrentPrincipal
) -> Response:
    commitments.delete_activity(uow, actor, commitment=code, activity_id=activity_id)
    uow.commit()
    return Response(status_code=204)
