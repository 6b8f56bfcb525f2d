"""Handlers of the events the catalog service consumes, by event type.

Each runs inside the consumer's transaction: its effect and the event id commit together.
"""

from __future__ import annotations

from sqlmodel import Session

from libs.events import CloudEvent
from libs.events.schemas import (
    InstitutionEnrolled,
    InstitutionWithdrawn,
    ReuseDeclared,
    ReuseRemoved,
    ReviewDecided,
)
from libs.messaging.consumer import Handler
from services.catalog.domain.datasets import apply_review_decision
from services.catalog.domain.organizations import apply_enrolment, apply_withdrawal
from services.catalog.domain.reuses import apply_reuse_declared, apply_reuse_removed


def on_review_decided(session: Session, event: CloudEvent, data: ReviewDecided) -> None:
    """Approved: publish (DatasetPublished). Rejected: back to draft with the reasons."""
    apply_review_decision(session, data)


def on_institution_enrolled(session: Session, event: CloudEvent, data: InstitutionEnrolled) -> None:
    apply_enrolment(session, data)


def on_institution_withdrawn(
    session: Session, event: CloudEvent, data: InstitutionWithdrawn
) -> None:
    apply_withdrawal(session, data)


def on_reuse_declared(session: Session, event: CloudEvent, data: ReuseDeclared) -> None:
    apply_reuse_declared(session, data)


def on_reuse_removed(session: Session, event: CloudEvent, data: ReuseRemoved) -> None:
    apply_reuse_removed(session, data)


HANDLERS: dict[str, Handler] = {
    ReviewDecided.event_type: on_review_decided,
    InstitutionEnrolled.event_type: on_institution_enrolled,
    InstitutionWithdrawn.event_type: on_institution_withdrawn,
    ReuseDeclared.event_type: on_reuse_declared,
    ReuseRemoved.event_type: on_reuse_removed,
}
