"""Institutions and their enrolment in the open-data strategy."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn, LocalizedText
from libs.http.problems import Conflict
from services.governance.domain import audit
from services.governance.domain.audit import Actor, utcnow
from services.governance.domain.common import (
    SLUG_PATTERN,
    HttpUrl,
    Localized,
    as_json,
    changes_of,
    get_or_404,
    lock,
)
from services.governance.models import Institution, InstitutionStatus, outbox

InstitutionKind = Literal["ministry", "public_body", "local_authority", "other"]


class InstitutionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=2, max_length=100, pattern=SLUG_PATTERN)
    name: Localized
    acronym: str | None = Field(default=None, max_length=32)
    kind: InstitutionKind = "other"
    website: HttpUrl | None = None
    logo_url: HttpUrl | None = None


class InstitutionUpdate(BaseModel):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str | None = Field(default=None, min_length=2, max_length=100, pattern=SLUG_PATTERN)
    name: Localized | None = None
    acronym: str | None = Field(default=None, max_length=32)
    kind: InstitutionKind | None = None
    website: HttpUrl | None = None
    logo_url: HttpUrl | None = None


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    enrolled_on: date | None = None  # default: today
    commitment_reference: str | None = Field(default=None, max_length=200)


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    withdrawn_on: date | None = None  # default: today
    reason: str | None = Field(default=None, max_length=2000)


def _slug_free(session: Session, slug: str, except_id: uuid.UUID | None = None) -> None:
    taken = session.exec(select(Institution.id).where(Institution.slug == slug)).first()
    if taken is not None and taken != except_id:
        raise Conflict(
            f"slug: an institution already uses {slug!r}", code="slug-taken", field="slug"
        )


def create(session: Session, actor: Actor, command: InstitutionCreate) -> Institution:
    _slug_free(session, command.slug)
    now = utcnow()
    institution = Institution(
        slug=command.slug,
        name=command.name.as_dict(),
        acronym=command.acronym or None,
        kind=command.kind,
        website=command.website,
        logo_url=command.logo_url,
        created_at=now,
        modified_at=now,
    )
    session.add(institution)
    return _save(session, actor, "institution.create", institution, before=None)


def update(
    session: Session, actor: Actor, institution_id: uuid.UUID, command: InstitutionUpdate
) -> Institution:
    institution = lock(session, Institution, institution_id, "institution")
    before = as_json(institution)
    changes = changes_of(command, not_null=("slug", "name", "kind"))
    if "slug" in changes:
        _slug_free(session, changes["slug"], except_id=institution.id)
    if "name" in changes:
        changes["name"] = command.name.as_dict()  # type: ignore[union-attr]
    for field, value in changes.items():
        setattr(institution, field, value)
    institution.modified_at = utcnow()
    if institution.status == InstitutionStatus.ENROLLED:
        # There is no "institution updated" event: enrolled carries the whole description and
        # consumers upsert on it, so an edit of an enrolled institution is announced again.
        outbox.publish(session, _enrolled_event(institution))
    return _save(session, actor, "institution.update", institution, before)


def enrol(
    session: Session, actor: Actor, institution_id: uuid.UUID, command: Enrolment
) -> Institution:
    institution = lock(session, Institution, institution_id, "institution")
    if institution.status == InstitutionStatus.ENROLLED:
        raise Conflict(
            f"institution {institution.slug} is already enrolled (since {institution.enrolled_on})",
            code="already-enrolled",
        )
    before = as_json(institution)
    institution.status = InstitutionStatus.ENROLLED
    institution.enrolled_on = command.enrolled_on or utcnow().date()
    institution.commitment_reference = command.commitment_reference
    institution.withdrawn_on = None
    institution.withdrawal_reason = None
    institution.modified_at = utcnow()
    outbox.publish(session, _enrolled_event(institution))
    return _save(session, actor, "institution.enrol", institution, before)


def withdraw(
    session: Session, actor: Actor, institution_id: uuid.UUID, command: Withdrawal
) -> Institution:
    institution = lock(session, Institution, institution_id, "institution")
    if institution.status != InstitutionStatus.ENROLLED:
        raise Conflict(
            f"institution {institution.slug} is not enrolled (status {institution.status})",
            code="not-enrolled",
        )
    before = as_json(institution)
    institution.status = InstitutionStatus.WITHDRAWN
    institution.withdrawn_on = command.withdrawn_on or utcnow().date()
    institution.withdrawal_reason = command.reason
    institution.modified_at = utcnow()
    outbox.publish(
        session,
        InstitutionWithdrawn(
            institution_id=institution.id,
            withdrawn_on=institution.withdrawn_on,
            reason=command.reason,
        ),
    )
    return _save(session, actor, "institution.withdraw", institution, before)


def get(session: Session, institution_id: uuid.UUID) -> Institution:
    return get_or_404(session, Institution, institution_id, "institution")


def _enrolled_event(institution: Institution) -> InstitutionEnrolled:
    assert institution.enrolled_on is not None
    return InstitutionEnrolled(
        institution_id=institution.id,
        slug=institution.slug,
        name=LocalizedText(**institution.name),
        acronym=institution.acronym,
        kind=institution.kind,  # type: ignore[arg-type]
        website=institution.website,
        logo_url=institution.logo_url,
        enrolled_on=institution.enrolled_on,
        commitment_reference=institution.commitment_reference,
    )


def _save(
    session: Session,
    actor: Actor,
    action: str,
    institution: Institution,
    before: dict[str, Any] | None,
) -> Institution:
    """Audits the change (state before and after) and commits the unit of work."""
    audit.record(
        session,
        actor,
        action,
        "institution",
        institution.id,
        institution_id=institution.id,
        before=before,
        after=as_json(institution),
    )
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent create took the slug first
        session.rollback()
        raise Conflict("slug: already taken", code="slug-taken", field="slug") from exc
    return institution
