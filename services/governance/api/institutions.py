"""Institutions, their enrolment in the strategy, members, overdue datasets and dashboard."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from libs.db import utcnow
from libs.events.schemas import InstitutionKind
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWork, UnitOfWorkDep
from services.governance.api.deps import CurrentActor, InstitutionsAdmin, Settings
from services.governance.api.schemas import InstitutionOut, MemberOut, OverdueOut
from services.governance.domain import access, accounts, institutions
from services.governance.domain.common import SearchText
from services.governance.domain.dashboard import dashboard, overdue_datasets
from services.governance.models import Institution, InstitutionStatus

router = APIRouter(prefix="/institutions", tags=["institutions"])


def committed(uow: UnitOfWork, institution: Institution) -> InstitutionOut:
    """The institution's answer after a change, rendered, then the change committed."""
    out = InstitutionOut.model_validate(institution)
    uow.commit()
    return out


@router.post(
    "",
    status_code=201,
    response_model=InstitutionOut,
    responses=problems(403, s409="The slug is taken"),
)
def create_institution(
    body: institutions.InstitutionCreate, actor: InstitutionsAdmin, uow: UnitOfWorkDep
) -> InstitutionOut:
    institution = institutions.create_institution(
        uow,
        actor,
        slug=body.slug,
        name=body.name,
        acronym=body.acronym,
        kind=body.kind,
        website=body.website,
        logo_url=body.logo_url,
    )
    return committed(uow, institution)


@router.get("", response_model=Page[InstitutionOut])
def list_institutions(
    uow: UnitOfWorkDep,
    q: Annotated[SearchText | None, Query(description="Part of the name, slug or acronym")] = None,
    status: InstitutionStatus | None = None,
    kind: InstitutionKind | None = None,
    params: PageParams = Depends(page_params),
) -> Page[InstitutionOut]:
    page = institutions.list_institutions(uow, q=q, status=status, kind=kind, params=params)
    return page.map(InstitutionOut.model_validate)


@router.get("/{institution_id}", response_model=InstitutionOut, responses=problems(404))
def get_institution(institution_id: uuid.UUID, uow: UnitOfWorkDep) -> InstitutionOut:
    return InstitutionOut.model_validate(institutions.get_institution(uow, institution_id))


@router.patch(
    "/{institution_id}",
    response_model=InstitutionOut,
    responses=problems(403, 404, s409="The slug is taken"),
)
def update_institution(
    institution_id: uuid.UUID,
    body: institutions.InstitutionUpdate,
    actor: InstitutionsAdmin,
    uow: UnitOfWorkDep,
) -> InstitutionOut:
    institution = institutions.update_institution(
        uow, actor, institution_id=institution_id, changes=body
    )
    return committed(uow, institution)


@router.post(
    "/{institution_id}/enrol",
    response_model=InstitutionOut,
    responses=problems(403, 404, s409="Already enrolled"),
)
def enrol_institution(
    institution_id: uuid.UUID,
    body: institutions.Enrolment,
    actor: InstitutionsAdmin,
    uow: UnitOfWorkDep,
) -> InstitutionOut:
    """Enrols the institution in the open-data strategy (publishes institution enrolled)."""
    institution = institutions.enrol_institution(
        uow,
        actor,
        institution_id=institution_id,
        enrolled_on=body.enrolled_on,
        commitment_reference=body.commitment_reference,
    )
    return committed(uow, institution)


@router.post(
    "/{institution_id}/withdraw",
    response_model=InstitutionOut,
    responses=problems(403, 404, s409="Not enrolled"),
)
def withdraw_institution(
    institution_id: uuid.UUID,
    body: institutions.Withdrawal,
    actor: InstitutionsAdmin,
    uow: UnitOfWorkDep,
) -> InstitutionOut:
    """Withdraws the institution from the strategy (publishes institution withdrawn)."""
    institution = institutions.withdraw_institution(
        uow,
        actor,
        institution_id=institution_id,
        withdrawn_on=body.withdrawn_on,
        reason=body.reason,
    )
    return committed(uow, institution)


@router.get(
    "/{institution_id}/members", response_model=Page[MemberOut], responses=problems(403, 404)
)
def list_members(
    institution_id: uuid.UUID,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    params: PageParams = Depends(page_params),
) -> Page[MemberOut]:
    institutions.get_institution(uow, institution_id)
    access.require_staff(actor, institution_id)
    page = accounts.list_members(uow, institution_id=institution_id, params=params)
    roles = accounts.roles_by_account(uow, [a.id for a in page.items], institution_id)
    return page.map(
        lambda account: MemberOut(
            account_id=account.id,
            email=account.email,
            display_name=account.display_name,
            active=account.active,
            roles=sorted(str(assignment.role) for assignment in roles[account.id]),
        )
    )


@router.get("/{institution_id}/overdue", response_model=Page[OverdueOut], responses=problems(404))
def list_overdue(
    institution_id: uuid.UUID,
    settings: Settings,
    uow: UnitOfWorkDep,
    params: PageParams = Depends(page_params),
) -> Page[OverdueOut]:
    """The institution's published datasets whose update is overdue (public)."""
    institutions.get_institution(uow, institution_id)
    grace = timedelta(days=settings.overdue_grace_days)
    overdue = overdue_datasets(uow, institution_id=institution_id, grace=grace, now=utcnow())
    page = overdue[params.offset : params.offset + params.limit]
    return Page.of([OverdueOut(**entry) for entry in page], len(overdue), params)


@router.get("/{institution_id}/dashboard", responses=problems(403, 404))
def institution_dashboard(
    institution_id: uuid.UUID, actor: CurrentActor, settings: Settings, uow: UnitOfWorkDep
) -> dict[str, Any]:
    """Datasets per state, pending reviews and their age, overdue datasets, average score."""
    institution = institutions.get_institution(uow, institution_id)
    access.require_staff(actor, institution_id)
    grace = timedelta(days=settings.overdue_grace_days)
    return {
        "institution": InstitutionOut.model_validate(institution).model_dump(mode="json"),
        **dashboard(uow, institution_id=institution_id, grace=grace),
    }
