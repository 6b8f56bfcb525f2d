"""The institutions replica: governance's institutions, as their events describe them.

The catalog never creates an institution itself: it applies ``InstitutionEnrolled`` (insert
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
from services.catalog.domain import renditions
from services.catalog.models import Dataset, DatasetState, Institution

log = logging.getLogger("bayanat.catalog.institutions")


def _free_slug(session: Session, wanted: str, institution_id: uuid.UUID) -> str:
    """The institution's slug, unless another institution holds it already."""
    wanted = wanted[:100]
    holder = session.exec(select(Institution.id).where(col(Institution.slug) == wanted)).first()
    if holder is None or holder == institution_id:
        return wanted
    return f"{wanted[:90]}-{institution_id.hex[:8]}"


def apply_enrolment(uow: UnitOfWork, data: InstitutionEnrolled) -> Institution:
    """Insert or refresh the replica of an enrolled institution: a replay leaves the same one."""
    session = uow.session
    now = utcnow()
    slug = _free_slug(session, data.slug, data.institution_id)
    title = data.name.model_dump(exclude_none=True)
    institution = session.get(Institution, data.institution_id)
    if institution is None:
        institution = Institution(
            id=data.institution_id, slug=slug, title=title, created_at=now, modified_at=now
        )
    institution.slug = slug
    institution.title = title
    institution.acronym = data.acronym
    institution.kind = data.kind
    institution.website = data.website
    institution.logo_url = data.logo_url
    institution.enrolled_on = data.enrolled_on
    institution.withdrawn_on = None
    institution.active = True
    institution.modified_at = now
    session.add(institution)
    session.flush()
    renditions.stale_institution(uow, institution.id)  # each of its datasets shows it
    return institution


def apply_withdrawal(uow: UnitOfWork, data: InstitutionWithdrawn) -> Institution | None:
    """The replica of a withdrawn institution stays, inactive (its datasets stay too)."""
    session = uow.session
    institution = session.get(Institution, data.institution_id)
    if institution is None:
        log.warning(
            "withdrawal of an institution the catalog never saw enrolled; ignored",
            extra={"institution_id": str(data.institution_id)},
        )
        return None
    institution.active = False
    institution.withdrawn_on = data.withdrawn_on
    institution.modified_at = utcnow()
    session.add(institution)
    session.flush()
    renditions.stale_institution(uow, institution.id)  # each of its datasets shows it
    return institution


def find_institution(session: Session, ref: str) -> Institution | None:
    """By id or by slug."""
    institution: Institution | None = None
    with contextlib.suppress(ValueError):
        institution = session.get(Institution, uuid.UUID(ref))
    if institution is None:
        institution = session.exec(select(Institution).where(col(Institution.slug) == ref)).first()
    return institution


def get_institution(session: Session, ref: str) -> Institution:
    """By id or by slug; 404 otherwise."""
    institution = find_institution(session, ref)
    if institution is None:
        raise NotFound(f"no institution {ref!r}", code="institution-not-found")
    return institution


def require_enrolled_for_new_dataset(session: Session, institution_id: uuid.UUID) -> Institution:
    """422 naming ``institution_id`` when the institution has no active replica."""
    institution = session.get(Institution, institution_id)
    if institution is None or not institution.active:
        state = "has withdrawn from" if institution else "is not enrolled in"
        raise InvalidInput(
            "institution_id",
            f"institution {institution_id} {state} the open-data strategy; "
            "only enrolled institutions publish datasets",
            institution_id=str(institution_id),
        )
    return institution


def require_enrolled_for_write(session: Session, institution_id: uuid.UUID) -> Institution:
    """409 when an existing dataset's institution has withdrawn (or is unknown)."""
    institution = session.get(Institution, institution_id)
    if institution is None or not institution.active:
        raise Conflict(
            f"institution {institution_id} is not enrolled in the open-data strategy "
            "(withdrawn or unknown): its datasets cannot change",
            code="institution-not-enrolled",
            institution_id=str(institution_id),
        )
    return institution


def published_counts(session: Session, institution_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not institution_ids:
        return {}
    rows = session.exec(
        select(Dataset.institution_id, func.count())
        .where(
            col(Dataset.institution_id).in_(institution_ids),
            col(Dataset.state) == DatasetState.PUBLISHED,
        )
        .group_by(col(Dataset.institution_id))
    ).all()
    return {institution_id: int(count) for institution_id, count in rows}


@dataclass(frozen=True)
class InstitutionWithCount:
    institution: Institution
    dataset_count: int


def list_institutions(
    session: Session,
    params: PageParams,
    *,
    include_withdrawn: bool = False,
    query: str | None = None,
) -> Page[InstitutionWithCount]:
    """Institutions by slug with their published dataset counts, one page."""
    statement = select(Institution)
    if not include_withdrawn:
        statement = statement.where(col(Institution.active).is_(True))
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(col(Institution.slug)).like(pattern),
                func.lower(func.coalesce(col(Institution.acronym), "")).like(pattern),
            )
        )
    page = paginate(session, statement.order_by(col(Institution.slug)), params)
    counts = published_counts(session, [o.id for o in page.items])
    return page.map(lambda o: InstitutionWithCount(o, counts.get(o.id, 0)))
