"""A review's decision, consumed: an approval publishes a submitted dataset, a rejection sends it
back to draft with the reasons; a decision the catalog cannot apply changes nothing and is
answered with DecisionNotApplied (its reason, a sentence, the dataset's state); a copy of an
applied decision changes and reports nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from libs.events.schemas import DatasetPublished, DecisionNotApplied, ReviewDecided
from services.catalog.domain.datasets import apply_review_decision, submit_dataset
from services.catalog.models import DatasetState
from tests.unit.catalog.conftest import (
    SIGNER,
    Catalog,
    draft,
    enrol,
    published,
    steward,
    submitted,
)


def decision(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    verdict: Literal["approved", "rejected"],
    reasons: list[str] | None = None,
    *,
    submitted_at: datetime | None = None,
) -> ReviewDecided:
    return ReviewDecided(
        review_id=uuid.uuid4(),
        dataset_id=dataset_id,
        institution_id=institution_id,
        decision=verdict,
        reasons=reasons or [],
        decided_by=uuid.uuid4(),
        decided_at=datetime(2024, 6, 1, 12, tzinfo=UTC),
        submitted_at=submitted_at,
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


def not_applied(catalog: Catalog) -> DecisionNotApplied:
    return catalog.the_event(DecisionNotApplied)


def test_a_decision_on_a_draft_is_not_applied_and_says_so(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    data = decision(dataset_id, hcp, "approved")
    apply(catalog, data)
    assert catalog.dataset(dataset_id).state == DatasetState.DRAFT
    told = not_applied(catalog)
    assert (told.dataset_id, told.review_id, told.institution_id, told.decision) == (
        dataset_id,
        data.review_id,
        hcp,
        "approved",
    )
    assert (told.reason, told.dataset_state) == ("not_submitted", "draft")
    assert "draft" in told.detail
    assert [e.type for e in catalog.published()] == [DecisionNotApplied.event_type]


def test_a_decision_on_an_unknown_dataset_is_not_applied_and_says_so(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    unknown = uuid.uuid4()
    with catalog.unit() as uow:
        assert apply_review_decision(uow, decision(unknown, hcp, "approved")) is None
        uow.commit()
    told = not_applied(catalog)
    assert (told.dataset_id, told.reason, told.dataset_state) == (unknown, "unknown_dataset", None)


def test_a_decision_naming_another_institution_is_not_applied_and_says_so(
    catalog: Catalog,
) -> None:
    hcp, mef = enrol(catalog, "hcp"), enrol(catalog, "mef")
    dataset_id = submitted(catalog, hcp)
    apply(catalog, decision(dataset_id, mef, "approved"))
    assert catalog.dataset(dataset_id).state == DatasetState.SUBMITTED
    assert catalog.published(DatasetPublished.event_type) == []
    told = not_applied(catalog)
    assert (told.reason, told.dataset_state, told.institution_id) == (
        "other_institution",
        "submitted",
        mef,
    )
    assert str(hcp) in told.detail


def test_a_decision_on_an_earlier_round_is_stale_and_says_so(catalog: Catalog) -> None:
    """Rejected, corrected and submitted again: a decision on the first submission arriving
    now must not publish the second one, which nobody has reviewed."""
    hcp = enrol(catalog)
    dataset_id = submitted(catalog, hcp)
    first_round = catalog.dataset(dataset_id).submitted_at
    apply(catalog, decision(dataset_id, hcp, "rejected", ["Licence"], submitted_at=first_round))
    with catalog.unit() as uow:
        submit_dataset(uow, steward(hcp), ref=dataset_id, signer=SIGNER)
        uow.commit()
    second_round = catalog.dataset(dataset_id).submitted_at
    assert second_round != first_round
    late = decision(dataset_id, hcp, "approved", submitted_at=first_round)
    apply(catalog, late)
    assert catalog.dataset(dataset_id).state == DatasetState.SUBMITTED
    assert catalog.published(DatasetPublished.event_type) == []
    told = not_applied(catalog)
    assert (told.reason, told.dataset_state, told.review_id) == (
        "stale_round",
        "submitted",
        late.review_id,
    )
    assert first_round is not None and second_round is not None
    assert first_round.isoformat() in told.detail and second_round.isoformat() in told.detail

    # The decision on the current round is applied.
    apply(catalog, decision(dataset_id, hcp, "approved", submitted_at=second_round))
    assert catalog.dataset(dataset_id).state == DatasetState.PUBLISHED


def test_a_copy_of_an_applied_decision_changes_and_reports_nothing(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    approved_id, rejected_id = submitted(catalog, hcp), submitted(catalog, hcp)
    verdicts: list[tuple[uuid.UUID, Literal["approved", "rejected"]]] = [
        (approved_id, "approved"),
        (rejected_id, "rejected"),
    ]
    for dataset_id, verdict in verdicts:
        data = decision(
            dataset_id, hcp, verdict, submitted_at=catalog.dataset(dataset_id).submitted_at
        )
        apply(catalog, data)
        events = len(catalog.published())
        apply(catalog, data)
        assert len(catalog.published()) == events
    assert catalog.published(DecisionNotApplied.event_type) == []
