"""Handlers of the events the metrics service consumes, by event type: every event the other
services publish (libs/events/asyncapi.py RECEIVES["metrics"]).

Each turns its event into a fact and records it on the unit of work (domain/facts.py); the
projector writes the facts of the unit in bulk just before the consumer commits it with the
events' ids (domain/projection.py). A handler writes nothing itself and never commits.
"""

from __future__ import annotations

from libs.events import CloudEvent
from libs.events.schemas import (
    DatasetOverdue,
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    InstitutionEnrolled,
    InstitutionWithdrawn,
    ReuseDeclared,
    ReuseRemoved,
    ReuseUpdated,
    ReuseVerified,
    ReviewDecided,
    ReviewOpened,
)
from libs.messaging.consumer import Handler
from libs.uow import UnitOfWork
from services.metrics.domain import facts
from services.metrics.domain.projection import Projector


def on_institution_enrolled(uow: UnitOfWork, event: CloudEvent, data: InstitutionEnrolled) -> None:
    Projector.of(uow).record(facts.institution_enrolled(event, data))


def on_institution_withdrawn(
    uow: UnitOfWork, event: CloudEvent, data: InstitutionWithdrawn
) -> None:
    Projector.of(uow).record(facts.institution_withdrawn(event, data))


def on_review_opened(uow: UnitOfWork, event: CloudEvent, data: ReviewOpened) -> None:
    Projector.of(uow).record(facts.review_opened(event, data))


def on_review_decided(uow: UnitOfWork, event: CloudEvent, data: ReviewDecided) -> None:
    Projector.of(uow).record(facts.review_decided(event, data))


def on_dataset_overdue(uow: UnitOfWork, event: CloudEvent, data: DatasetOverdue) -> None:
    Projector.of(uow).record(facts.dataset_overdue(event, data))


def on_dataset_submitted(uow: UnitOfWork, event: CloudEvent, data: DatasetSubmitted) -> None:
    Projector.of(uow).record(facts.dataset_submitted(event, data))


def on_dataset_published(uow: UnitOfWork, event: CloudEvent, data: DatasetPublished) -> None:
    Projector.of(uow).record(facts.dataset_published(event, data))


def on_dataset_updated(uow: UnitOfWork, event: CloudEvent, data: DatasetUpdated) -> None:
    Projector.of(uow).record(facts.dataset_updated(event, data))


def on_dataset_withdrawn(uow: UnitOfWork, event: CloudEvent, data: DatasetWithdrawn) -> None:
    Projector.of(uow).record(facts.dataset_withdrawn(event, data))


def on_reuse_declared(uow: UnitOfWork, event: CloudEvent, data: ReuseDeclared) -> None:
    Projector.of(uow).record(facts.reuse_declared(event, data))


def on_reuse_updated(uow: UnitOfWork, event: CloudEvent, data: ReuseUpdated) -> None:
    Projector.of(uow).record(facts.reuse_updated(event, data))


def on_reuse_verified(uow: UnitOfWork, event: CloudEvent, data: ReuseVerified) -> None:
    Projector.of(uow).record(facts.reuse_verified(event, data))


def on_reuse_removed(uow: UnitOfWork, event: CloudEvent, data: ReuseRemoved) -> None:
    Projector.of(uow).record(facts.reuse_removed(event, data))


HANDLERS: dict[str, Handler] = {
    InstitutionEnrolled.event_type: on_institution_enrolled,
    InstitutionWithdrawn.event_type: on_institution_withdrawn,
    ReviewOpened.event_type: on_review_opened,
    ReviewDecided.event_type: on_review_decided,
    DatasetOverdue.event_type: on_dataset_overdue,
    DatasetSubmitted.event_type: on_dataset_submitted,
    DatasetPublished.event_type: on_dataset_published,
    DatasetUpdated.event_type: on_dataset_updated,
    DatasetWithdrawn.event_type: on_dataset_withdrawn,
    ReuseDeclared.event_type: on_reuse_declared,
    ReuseUpdated.event_type: on_reuse_updated,
    ReuseVerified.event_type: on_reuse_verified,
    ReuseRemoved.event_type: on_reuse_removed,
}
