"""Handlers of the events the reuse service consumes, by event type.

The catalog's dataset events keep the replica of the datasets a reuse may cite. Each handler
runs in the consumer's unit of work: its effect and the event's id commit together.
"""

from __future__ import annotations

from libs.events import CloudEvent
from libs.events.schemas import DatasetPublished, DatasetUpdated, DatasetWithdrawn
from libs.messaging.consumer import Handler
from libs.uow import UnitOfWork
from services.reuse.domain import replica


def on_dataset_published(uow: UnitOfWork, event: CloudEvent, data: DatasetPublished) -> None:
    replica.apply_dataset_published(uow, data)


def on_dataset_updated(uow: UnitOfWork, event: CloudEvent, data: DatasetUpdated) -> None:
    replica.apply_dataset_updated(uow, data)


def on_dataset_withdrawn(uow: UnitOfWork, event: CloudEvent, data: DatasetWithdrawn) -> None:
    """The reuses citing it keep the citation, shown as withdrawn."""
    replica.apply_dataset_withdrawn(uow, data)


HANDLERS: dict[str, Handler] = {
    DatasetPublished.event_type: on_dataset_published,
    DatasetUpdated.event_type: on_dataset_updated,
    DatasetWithdrawn.event_type: on_dataset_withdrawn,
}
