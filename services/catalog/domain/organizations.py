"""The organisations replica: governance's institutions, as their events describe them.

The catalog never creates an organisation itself: it applies ``InstitutionEnrolled`` (insert
or refresh, re-enrolment reactivates) and ``InstitutionWithdrawn`` (``active=False``; its
datasets stay, but no new writes are accepted for it).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from libs.db import utcnow
from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, InvalidInput, NotFound
from libs.uow import UnitOfWork
from services.catalog.models import Dataset, DatasetState, Organization

log = logging.getLogger("bayanat.catalog.organizations")


def _free_name(session: Session, wanted: str, organization_id: uuid.UUID) -> str:
    """The institution's slug, unless another organisation holds it already."""
    wanted = wanted[:100]
    holder = session.exec(select(Organization.id).where(col(Organization.name) == wanted)).first()
    if holder is None or holder == organization_id:
        return wanted
    return f"{wanted[:90]}-{organization_id.hex[:8]}"


def apply_enrolment(uow: UnitOfWork, data: InstitutionEnrolled) -> Organization:
    """Insert or refresh the replica of an enrolled institution: a replay leaves the same one."""
    session = uow.session
    now = utcnow()
    organization = session.get(Organization, data.institution_id)
    if organization is None:
        organization = Organization(id=data.institution_id, created_at=now)
    organization.name = _free_name(session, data.slug, data.institution_id)
    organization.title = data.name.model_dump(exclude_none=True)
    organization.acronym = data.acronym
    organization.kind = data.kind
    organization.website = data.website
    organization.logo_url = data.logo_url
    organization.enrolled_on = data.enrolled_on
    organization.withdrawn_on = None
    organization.active = True
    organization.modified_at = now
    session.add(organization)
    session.flush()
    uow.invalidate_caches()
    return organization


def apply_withdrawal(uow: UnitOfWork, data: InstitutionWithdrawn) -> Organization | None:
    """The replica of a withdrawn institution stays, inactive (its datasets stay too)."""
    session = uow.session
    organization = session.get(Organization, data.institution_id)
    if organization is None:
        log.warning(
            "withdrawal of an institution the catalog never saw enrolled; ignored",
            extra={"institution_id": str(data.institution_id)},
        )
        return None
    organization.active = False
    organization.withdrawn_on = data.withdrawn_on
    organization.modified_at = utcnow()
    session.add(organization)
    session.flush()
    uow.invalidate_caches()
    return organization


def find_organization(session: Session, ref: str) -> Organization | None:
    """By id or by name."""
    organization: Organization | None = None
    with contextlib.suppress(ValueError):
        organization = session.get(Organization, uuid.UUID(ref))
    if organization is None:
        organization = session.exec(
            select(Organization).where(col(Organization.name) == ref)
        ).first()
    return organization


def get_organization(session: Session, ref: str) -> Organization:
    """By id or by name; 404 otherwise."""
    organization = find_organization(session, ref)
    if organization is None:
        raise NotFound(f"no organisation {ref!r}", code="organization-not-found")
    return organization


def require_enrolled_for_new_dataset(session: Session, organization_id: uuid.UUID) -> Organization:
    """422 naming ``organization_id`` when the institution has no active replica."""
    organization = session.get(Organization, organization_id)
    if organization is None or not organization.active:
        state = "has withdrawn from" if organization else "is not enrolled in"
        raise InvalidInput(
            "organization_id",
            f"institution {organization_id} {state} the open-data strategy; "
            "only enrolled institutions publish datasets",
            institution_id=str(organization_id),
        )
    return organization


def require_enrolled_for_write(session: Session, organization_id: uuid.UUID) -> Organization:
    """409 when an existing dataset's institution has withdrawn (or is unknown)."""
    organization = session.get(Organization, organization_id)
    if organization is None or not organization.active:
        raise Conflict(
            f"institution {organization_id} is not enrolled in the open-data strategy "
            "(withdrawn or unknown): its datasets cannot change",
            code="institution-not-enrolled",
            institution_id=str(organization_id),
        )
    return organization


def published_counts(session: Session, organization_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not organization_ids:
        return {}
    rows = session.exec(
        select(Dataset.organization_id, func.count())
        .where(
            col(Dataset.organization_id).in_(organization_ids),
            col(Dataset.state) == DatasetState.PUBLISHED,
        )
        .group_by(col(Dataset.organization_id))
    ).all()
    return {organization_id: int(count) for organization_id, count in rows}


@dataclass(frozen=True)
class OrganizationWithCount:
    organization: Organization
    dataset_count: int


def list_organizations(
    session: Session,
    params: PageParams,
    *,
    include_withdrawn: bool = False,
    query: str | None = None,
) -> Page[OrganizationWithCount]:
    """Organisations by name with their published dataset counts, one page."""
    statement = select(Organization)
    if not include_withdrawn:
        statement = statement.where(col(Organization.active).is_(True))
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(col(Organization.name)).like(pattern),
                func.lower(func.coalesce(col(Organization.acronym), "")).like(pattern),
            )
        )
    page = paginate(session, statement.order_by(col(Organization.name)), params)
    counts = published_counts(session, [o.id for o in page.items])
    return page.map(lambda o: OrganizationWithCount(o, counts.get(o.id, 0)))
