"""Handlers of the events the catalog service consumes, by event type.

Each applies its event in the consumer runner's unit of work, which commits the effect and the
event's id together (a handler never commits).
"""

from __future__ import annotations

from libs.events import CloudEvent
from libs.events.schemas import (
    InstitutionEnrolled,
    InstitutionWithdrawn,
    ReuseDeclared,
    ReuseRemoved,
    ReuseUpdated,
    ReviewDecided,
)
from libs.messaging.consumer import Handler
from libs.uow import UnitOfWork
from services.catalog.domain.datasets import apply_review_decision
from services.catalog.domain.harvest.records import apply_pending_decision
from services.catalog.domain.institutions import apply_enrolment, apply_withdrawal
from services.catalog.domain.reuses import (
    apply_reuse_declared,
    apply_reuse_removed,
    apply_reuse_updated,
)


def on_review_decided(uow: UnitOfWork, event: CloudEvent, data: ReviewDecided) -> None:
    """Approved: publish (DatasetPublished). Rejected: back to draft with the reasons. A
    decision on a harvested change of a published dataset applies or drops that change."""
    if apply_pending_decision(uow, data):
        return
    apply_review_decision(uow, data)


def on_institution_enrolled(uow: UnitOfWork, event: CloudEvent, data: InstitutionEnrolled) -> None:
    apply_enrolment(uow, data)


def on_institution_withdrawn(
    uow: UnitOfWork, event: CloudEvent, data: InstitutionWithdrawn
) -> None:
    apply_withdrawal(uow, data)


def on_reuse_declared(uow: UnitOfWork, event: CloudEvent, data: ReuseDeclared) -> None:
    apply_reuse_declared(uow, data)


def on_reuse_updated(uow: UnitOfWork, event: CloudEvent, data: ReuseUpdated) -> None:
    apply_reuse_updated(uow, data)


def on_reuse_removed(uow: UnitOfWork, event: CloudEvent, data: ReuseRemoved) -> None:
    apply_reuse_removed(uow, data)


HANDLERS: dict[str, Handler] = {
    ReviewDecided.event_type: on_review_decided,
    InstitutionEnrolled.event_type: on_institution_enrolled,
    InstitutionWithdrawn.event_type: on_institution_withdrawn,
    ReuseDeclared.event_type: on_reuse_declared,
    ReuseUpdated.event_type: on_reuse_updated,
    ReuseRemoved.event_type: on_reuse_removed,
}
