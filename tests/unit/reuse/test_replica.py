"""The replica of published datasets follows the catalog's events, idempotently."""

from __future__ import annotations

import uuid
from datetime import timedelta

from libs.events.schemas import DatasetPublished, DatasetUpdated, DatasetWithdrawn, LocalizedText
from services.reuse.domain import replica
from services.reuse.models import DatasetReplica, ReplicaState
from tests.support.units import SqliteUnits
from tests.unit.reuse.conftest import PUBLISHED_AT, publish_dataset, withdraw_dataset


def state_of(units: SqliteUnits, dataset_id: uuid.UUID) -> dict[str, object] | None:
    with units() as uow:
        row = uow.session.get(DatasetReplica, dataset_id)
        return row.model_dump() if row else None


def apply(units: SqliteUnits, data: object) -> None:
    appliers = {
        DatasetPublished: replica.apply_dataset_published,
        DatasetUpdated: replica.apply_dataset_updated,
        DatasetWithdrawn: replica.apply_dataset_withdrawn,
    }
    with units() as uow:
        appliers[type(data)](uow, data)  # type: ignore[index, operator]
        uow.commit()


def test_publication_update_and_withdrawal_each_applied_twice_leave_one_state(
    units: SqliteUnits,
) -> None:
    institution, moved_to = uuid.uuid4(), uuid.uuid4()
    published = publish_dataset(
        units, "budget", institution_id=institution, title={"fr": "Budget", "ar": "الميزانية"}
    )
    apply(units, published)
    after_publication = state_of(units, published.dataset_id)
    assert after_publication is not None
    assert after_publication["title"] == {"fr": "Budget", "ar": "الميزانية"}
    assert after_publication["state"] == ReplicaState.PUBLISHED

    updated = DatasetUpdated(
        dataset_id=published.dataset_id,
        slug="budget-general",
        institution_id=moved_to,
        last_data_update=PUBLISHED_AT + timedelta(days=2),
        updated_at=PUBLISHED_AT + timedelta(days=2),
    )
    for _ in range(2):
        apply(units, updated)
    after_update = state_of(units, published.dataset_id)
    assert after_update is not None
    assert (after_update["slug"], after_update["institution_id"]) == ("budget-general", moved_to)

    withdrawn = DatasetWithdrawn(
        dataset_id=published.dataset_id,
        slug="budget-general",
        institution_id=moved_to,
        withdrawn_at=PUBLISHED_AT + timedelta(days=5),
    )
    for _ in range(2):
        apply(units, withdrawn)
    after_withdrawal = state_of(units, published.dataset_id)
    assert after_withdrawal is not None
    assert after_withdrawal["state"] == ReplicaState.WITHDRAWN
    assert after_withdrawal["title"] == {"fr": "Budget", "ar": "الميزانية"}, "kept for citations"

    # A replay from the start of the topic changes nothing any more.
    for data in (published, updated):
        apply(units, data)
    assert state_of(units, published.dataset_id) == after_withdrawal


def test_a_later_publication_brings_a_withdrawn_dataset_back(units: SqliteUnits) -> None:
    published = publish_dataset(units, "census")
    withdraw_dataset(units, published)
    again = published.model_copy(update={"published_at": PUBLISHED_AT + timedelta(days=30)})
    apply(units, again)
    after = state_of(units, published.dataset_id)
    assert after is not None
    assert after["state"] == ReplicaState.PUBLISHED and after["withdrawn_at"] is None


def test_events_of_a_dataset_never_seen_published(units: SqliteUnits) -> None:
    unseen = uuid.uuid4()
    apply(
        units,
        DatasetUpdated(
            dataset_id=unseen,
            slug="x",
            institution_id=uuid.uuid4(),
            last_data_update=PUBLISHED_AT,
            updated_at=PUBLISHED_AT,
        ),
    )
    assert state_of(units, unseen) is None, "an update alone cannot make it citable"
    apply(
        units,
        DatasetWithdrawn(
            dataset_id=unseen, slug="x", institution_id=uuid.uuid4(), withdrawn_at=PUBLISHED_AT
        ),
    )
    apply(
        units,
        DatasetPublished(
            dataset_id=unseen,
            slug="x",
            institution_id=uuid.uuid4(),
            title=LocalizedText(fr="X"),
            published_at=PUBLISHED_AT - timedelta(days=1),
        ),
    )
    kept = state_of(units, unseen)
    assert kept is not None and kept["state"] == ReplicaState.WITHDRAWN, "a late replay stays out"
