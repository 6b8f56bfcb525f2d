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
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn
from libs.http.pagination import PageParams
from libs.http.problems import Conflict, InvalidInput, NotFound
from services.catalog.models import Dataset, DatasetState, Organization

log = logging.getLogger("bayanat.catalog.organizations")


def _free_name(session: Session, wanted: str, organization_id: uuid.UUID) -> str:
    """The institution's slug, unless another organisation holds it already."""
    wanted = wanted[:100]
    holder = session.scalar(select(Organization.id).where(Organization.name == wanted))
    if holder is None or holder == organization_id:
        return wanted
    return f"{wanted[:90]}-{organization_id.hex[:8]}"


def apply_enrolment(session: Session, data: InstitutionEnrolled) -> Organization:
    """Insert or refresh the replica of an enrolled institution (no commit: caller's unit)."""
    now = datetime.now(UTC)
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
    return organization


def apply_withdrawal(session: Session, data: InstitutionWithdrawn) -> Organization | None:
    organization = session.get(Organization, data.institution_id)
    if organization is None:
        log.warning(
            "withdrawal of an institution the catalog never saw enrolled; ignored",
            extra={"institution_id": str(data.institution_id)},
        )
        return None
    organization.active = False
    organization.withdrawn_on = data.withdrawn_on
    organization.modified_at = datetime.now(UTC)
    session.add(organization)
    session.flush()
    return organization


def get_organization(session: Session, ref: str) -> Organization:
    """By id or by name; 404 otherwise."""
    organization: Organization | None = None
    with contextlib.suppress(ValueError):
        organization = session.get(Organization, uuid.UUID(ref))
    if organization is None:
        organization = session.scalar(select(Organization).where(Organization.name == ref))
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
    rows = session.execute(
        select(Dataset.organization_id, func.count())
        .where(
            Dataset.organization_id.in_(organization_ids),  # type: ignore[attr-defined]
            Dataset.state == DatasetState.PUBLISHED,
        )
        .group_by(Dataset.organization_id)
    ).all()
    return {row[0]: int(row[1]) for row in rows}


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
) -> tuple[list[OrganizationWithCount], int]:
    """Organisations by name with their published dataset counts, one page, and the total."""
    statement = select(Organization)
    if not include_withdrawn:
        statement = statement.where(Organization.active.is_(True))  # type: ignore[attr-defined]
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(Organization.name).like(pattern),
                func.lower(func.coalesce(Organization.acronym, "")).like(pattern),
            )
        )
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    organizations = list(
        session.scalars(
            statement.order_by(Organization.name).offset(params.offset).limit(params.limit)
        )
    )
    counts = published_counts(session, [o.id for o in organizations])
    return [OrganizationWithCount(o, counts.get(o.id, 0)) for o in organizations], total
