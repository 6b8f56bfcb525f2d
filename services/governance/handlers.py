"""Handlers of the events the governance service consumes, by event type.

Each runs inside the consumer's transaction: its effect and the event id commit together, so
no handler commits, and none does network I/O (the automatic checks run afterwards, in the
checks runner: see domain/checks_runner.py).
"""

from sqlmodel import Session

from libs.events import CloudEvent
from libs.events.schemas import (
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
)
from libs.messaging.consumer import Handler
from services.governance.domain import continuity, reviews


def dataset_submitted(session: Session, event: CloudEvent, data: DatasetSubmitted) -> None:
    reviews.open_from_submission(session, data)


def dataset_published(session: Session, event: CloudEvent, data: DatasetPublished) -> None:
    continuity.on_published(session, data)


def dataset_updated(session: Session, event: CloudEvent, data: DatasetUpdated) -> None:
    continuity.on_updated(session, data)


def dataset_withdrawn(session: Session, event: CloudEvent, data: DatasetWithdrawn) -> None:
    continuity.on_withdrawn(session, data)


HANDLERS: dict[str, Handler] = {
    DatasetSubmitted.event_type: dataset_submitted,
    DatasetPublished.event_type: dataset_published,
    DatasetUpdated.event_type: dataset_updated,
    DatasetWithdrawn.event_type: dataset_withdrawn,
}
