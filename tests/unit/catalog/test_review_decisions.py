"""A review's decision, consumed: an approval publishes a submitted dataset, a rejection sends it
back to draft with the reasons; any other decision changes nothing and publishes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from libs.events.schemas import DatasetPublished, ReviewDecided
from services.catalog.domain.datasets import apply_review_decision
from services.catalog.models import DatasetState
from tests.unit.catalog.conftest import Catalog, draft, enrol, published, submitted


def decision(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    verdict: Literal["approved", "rejected"],
    reasons: list[str] | None = None,
) -> ReviewDecided:
    return ReviewDecided(
        review_id=uuid.uuid4(),
        dataset_id=dataset_id,
        institution_id=institution_id,
        decision=verdict,
        reasons=reasons or [],
        decided_by=uuid.uuid4(),
        decided_at=datetime(2024, 6, 1, 12, tzinfo=UTC),
    )


def apply(catalog: Catalog, data: ReviewDecided) -> None:
    with catalog.unit() as uow:
        apply_review_decision(uow, data)
        uow.commit()


def test_an_approval_publishes_and_announces_the_dataset(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = submitted(catalog, hcp, frequency="ANNUAL")
    clears = catalog.cache.clears
    apply(catalog, decision(dataset_id, hcp, "approved"))
    dataset = catalog.dataset(dataset_id)
    assert dataset.state == DatasetState.PUBLISHED
    assert dataset.published_at is not None
    assert dataset.last_data_update == dataset.published_at
    announced = catalog.the_event(DatasetPublished)
    assert (announced.dataset_id, announced.slug, announced.institution_id) == (
        dataset_id,
        dataset.slug,
        hcp,
    )
    assert (announced.formats, announced.frequency, announced.license_is_open) == (
        ["CSV"],
        "ANNUAL",
        True,
    )
    assert catalog.cache.clears == clears + 1


def test_a_rejection_returns_the_dataset_to_draft_with_its_reasons(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = submitted(catalog, hcp)
    events = len(catalog.published())
    apply(catalog, decision(dataset_id, hcp, "rejected", ["Licence à confirmer", "  "]))
    dataset = catalog.dataset(dataset_id)
    assert dataset.state == DatasetState.DRAFT
    assert dataset.rejection_reasons == ["Licence à confirmer"]
    assert dataset.rejected_at == datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert len(catalog.published()) == events


def test_a_rejection_without_reasons_says_so(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = submitted(catalog, hcp)
    apply(catalog, decision(dataset_id, hcp, "rejected"))
    assert catalog.dataset(dataset_id).rejection_reasons == ["rejected without a stated reason"]


def test_a_second_approval_publishes_nothing_more(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    before = catalog.dataset(dataset_id)
    apply(catalog, decision(dataset_id, hcp, "approved"))
    assert catalog.dataset(dataset_id).published_at == before.published_at
    assert len(catalog.published(DatasetPublished.event_type)) == 1


def test_a_decision_on_a_draft_is_stale_and_ignored(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    apply(catalog, decision(dataset_id, hcp, "approved"))
    assert catalog.dataset(dataset_id).state == DatasetState.DRAFT
    assert catalog.published() == []


def test_a_decision_on_an_unknown_dataset_is_ignored(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    with catalog.unit() as uow:
        assert apply_review_decision(uow, decision(uuid.uuid4(), hcp, "approved")) is None
    assert catalog.published() == []


def test_a_decision_naming_another_institution_is_ignored(catalog: Catalog) -> None:
    hcp, mef = enrol(catalog, "hcp"), enrol(catalog, "mef")
    dataset_id = submitted(catalog, hcp)
    apply(catalog, decision(dataset_id, mef, "approved"))
    assert catalog.dataset(dataset_id).state == DatasetState.SUBMITTED
    assert catalog.published(DatasetPublished.event_type) == []
