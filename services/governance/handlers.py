"""Handlers of the events the governance service consumes, by event type.

Each applies its event in the consumer runner's unit of work, which the runner commits with the
event's id: no handler commits, and none does network I/O (the automatic checks run
afterwards, in the checks runner: see workers.py).
"""

from __future__ import annotations

from libs.events import CloudEvent
from libs.events.schemas import (
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    DecisionNotApplied,
)
from libs.messaging.consumer import Handler
from libs.uow import UnitOfWork
from services.governance.domain import continuity, reviews
from services.governance.workers import ChecksRunner


def on_dataset_published(uow: UnitOfWork, event: CloudEvent, data: DatasetPublished) -> None:
    continuity.apply_publication(uow, data)


def on_dataset_updated(uow: UnitOfWork, event: CloudEvent, data: DatasetUpdated) -> None:
    continuity.apply_update(uow, data)


def on_dataset_withdrawn(uow: UnitOfWork, event: CloudEvent, data: DatasetWithdrawn) -> None:
    continuity.apply_withdrawal(uow, data)


def on_decision_not_applied(uow: UnitOfWork, event: CloudEvent, data: DecisionNotApplied) -> None:
    reviews.apply_decision_not_applied(uow, data)


def handlers(runner: ChecksRunner) -> dict[str, Handler]:
    """The handlers, by event type; a submission wakes ``runner`` once it is committed."""

    def on_dataset_submitted(uow: UnitOfWork, event: CloudEvent, data: DatasetSubmitted) -> None:
        if reviews.apply_submission(uow, data) is not None:
            # The new round's checks are pending: run them now rather than at the next poll.
            uow.after_commit(runner.wake)

    return {
        DatasetSubmitted.event_type: on_dataset_submitted,
        DatasetPublished.event_type: on_dataset_published,
        DatasetUpdated.event_type: on_dataset_updated,
        DatasetWithdrawn.event_type: on_dataset_withdrawn,
        DecisionNotApplied.event_type: on_decision_not_applied,
    }
