"""Institutions and their enrolment in the open-data strategy."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, cast
from sqlmodel import col, func, select

from libs.db import utcnow
from libs.events.schemas import (
    InstitutionEnrolled,
    InstitutionKind,
    InstitutionWithdrawn,
    LocalizedText,
)
from libs.fields import Day, HttpUrl, Line, Localized, ShortLine, Slug, Text, changes_of
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict
from libs.uow import UnitOfWork
from services.governance.domain import audit
from services.governance.domain.audit import Actor
from services.governance.domain.common import (
    as_json,
    contains,
    flush_or,
    get_or_404,
    lock,
)
from services.governance.models import Institution, InstitutionStatus

# The widths of the institution's columns.
Acronym = Annotated[ShortLine, Field(max_length=32)]
WebAddress = Annotated[HttpUrl, Field(max_length=500)]


class InstitutionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: Slug
    name: Localized
    acronym: Acronym | None = None
    kind: InstitutionKind = "other"
    website: WebAddress | None = None
    logo_url: WebAddress | None = None


class InstitutionUpdate(BaseModel):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: Slug | None = None
    name: Localized | None = None
    acronym: Acronym | None = None
    kind: InstitutionKind | None = None
    website: WebAddress | None = None
    logo_url: WebAddress | None = None


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    enrolled_on: Day | None = None  # default: today
    commitment_reference: Annotated[Line, Field(max_length=200)] | None = None


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    withdrawn_on: Day | None = None  # default: today
    reason: Annotated[Text, Field(max_length=2000)] | None = None


def _slug_free(uow: UnitOfWork, slug: str, except_id: uuid.UUID | None = None) -> None:
    taken = uow.session.exec(select(Institution.id).where(col(Institution.slug) == slug)).first()
    if taken is not None and taken != except_id:
        raise Conflict(
            f"slug: an institution already uses {slug!r}", code="slug-taken", field="slug"
        )


def create_institution(
    uow: UnitOfWork,
    actor: Actor,
    *,
    slug: str,
    name: Localized,
    acronym: str | None = None,
    kind: InstitutionKind = "other",
    website: str | None = None,
    logo_url: str | None = None,
) -> Institution:
    _slug_free(uow, slug)
    now = utcnow()
    institution = Institution(
        slug=slug,
        name=name.as_dict(),
        acronym=acronym or None,
        kind=kind,
        website=website,
        logo_url=logo_url,
        created_at=now,
        modified_at=now,
    )
    uow.session.add(institution)
    return _recorded(uow, actor, "institution.create", institution, before=None)


def update_institution(
    uow: UnitOfWork, actor: Actor, *, institution_id: uuid.UUID, changes: InstitutionUpdate
) -> Institution:
    """Changes the fields ``changes`` sends; an enrolled institution is announced again."""
    institution = lock(uow.session, Institution, institution_id, "institution")
    before = as_json(institution)
    sent = changes_of(changes, not_null=("slug", "name", "kind"))
    if "slug" in sent:
        _slug_free(uow, sent["slug"], except_id=institution.id)
    if changes.name is not None:
        sent["name"] = changes.name.as_dict()
    for field, value in sent.items():
        setattr(institution, field, value)
    institution.modified_at = utcnow()
    if institution.status == InstitutionStatus.ENROLLED:
        # There is no "institution updated" event: enrolled carries the whole description and
        # consumers upsert on it, so an edit of an enrolled institution is announced again.
        uow.publish(_enrolled_event(institution))
    return _recorded(uow, actor, "institution.update", institution, before)


def enrol_institution(
    uow: UnitOfWork,
    actor: Actor,
    *,
    institution_id: uuid.UUID,
    enrolled_on: date | None = None,
    commitment_reference: str | None = None,
) -> Institution:
    """Enrols the institution in the strategy (from ``enrolled_on``, by default today)."""
    institution = lock(uow.session, Institution, institution_id, "institution")
    if institution.status == InstitutionStatus.ENROLLED:
        raise Conflict(
            f"institution {institution.slug} is already enrolled (since {institution.enrolled_on})",
            code="already-enrolled",
        )
    before = as_json(institution)
    institution.status = InstitutionStatus.ENROLLED
    institution.enrolled_on = enrolled_on or utcnow().date()
    institution.commitment_reference = commitment_reference
    institution.withdrawn_on = None
    institution.withdrawal_reason = None
    institution.modified_at = utcnow()
    uow.publish(_enrolled_event(institution))
    return _recorded(uow, actor, "institution.enrol", institution, before)


def withdraw_institution(
    uow: UnitOfWork,
    actor: Actor,
    *,
    institution_id: uuid.UUID,
    withdrawn_on: date | None = None,
    reason: str | None = None,
) -> Institution:
    """Withdraws an enrolled institution from the strategy (``withdrawn_on``, by default
    today)."""
    institution = lock(uow.session, Institution, institution_id, "institution")
    if institution.status != InstitutionStatus.ENROLLED:
        raise Conflict(
            f"institution {institution.slug} is not enrolled (status {institution.status})",
            code="not-enrolled",
        )
    before = as_json(institution)
    institution.status = InstitutionStatus.WITHDRAWN
    institution.withdrawn_on = withdrawn_on or utcnow().date()
    institution.withdrawal_reason = reason
    institution.modified_at = utcnow()
    uow.publish(
        InstitutionWithdrawn(
            institution_id=institution.id,
            withdrawn_on=institution.withdrawn_on,
            reason=reason,
        )
    )
    return _recorded(uow, actor, "institution.withdraw", institution, before)


def get_institution(uow: UnitOfWork, institution_id: uuid.UUID) -> Institution:
    return get_or_404(uow.session, Institution, institution_id, "institution")


def list_institutions(
    uow: UnitOfWork,
    *,
    q: str | None,
    status: InstitutionStatus | None,
    kind: InstitutionKind | None,
    params: PageParams,
) -> Page[Institution]:
    """Institutions by slug, those whose name, slug or acronym contains ``q`` if given."""
    statement = select(Institution)
    if status is not None:
        statement = statement.where(col(Institution.status) == status)
    if kind is not None:
        statement = statement.where(col(Institution.kind) == kind)
    if q:  # slugs are lower-case
        statement = statement.where(
            contains(
                q,
                col(Institution.slug),
                func.lower(col(Institution.acronym)),
                func.lower(cast(col(Institution.name), String)),
            )
        )
    return paginate(uow.session, statement.order_by(col(Institution.slug)), params)


def _enrolled_event(institution: Institution) -> InstitutionEnrolled:
    if institution.enrolled_on is None:
        raise ValueError(f"institution {institution.id} has no enrolment date")
    return InstitutionEnrolled(
        institution_id=institution.id,
        slug=institution.slug,
        name=LocalizedText(**institution.name),
        acronym=institution.acronym,
        kind=institution.kind,
        website=institution.website,
        logo_url=institution.logo_url,
        enrolled_on=institution.enrolled_on,
        commitment_reference=institution.commitment_reference,
    )


def _recorded(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    institution: Institution,
    before: dict[str, Any] | None,
) -> Institution:
    """Writes the change (a slug taken concurrently is a conflict) and audits it, with the
    state before and after."""
    flush_or(uow, Conflict("slug: already taken", code="slug-taken", field="slug"))
    audit.record_action(
        uow,
        actor,
        action=action,
        target_type="institution",
        target_id=institution.id,
        institution_id=institution.id,
        before=before,
        after=as_json(institution),
    )
    return institution
