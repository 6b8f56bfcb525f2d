"""A trusted harvest source's datasets are approved by the source once no blocking check fails:
a decision like a reviewer's (history, audit, ``review.decided``), with no checklist; any other
submission, or a failing blocking check, leaves the review open for a human."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from libs.events.schemas import DatasetSubmitted, HarvestOrigin, ReviewDecided
from services.governance.domain import quality, reviews
from services.governance.domain.quality import Probe
from services.governance.models import AuditEntry, Review, ReviewState
from services.governance.settings import GovernanceSettings
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import submission
from tests.unit.governance.test_reviews import INVALID_TABLE, VALID_TABLE, history

INSTITUTION = uuid.uuid4()
SOURCE = uuid.uuid4()


def harvested(trusted: bool) -> DatasetSubmitted:
    origin = HarvestOrigin(
        source_id=SOURCE,
        source_name="Portail des communes",
        original_id="budget-2025",
        original_uri="https://communes.example/dataset/budget-2025",
        trusted=trusted,
    )
    return submission(INSTITUTION, SOURCE, harvest=origin)


def checked(
    units: SqliteUnits,
    data: DatasetSubmitted,
    settings: GovernanceSettings,
    table: dict[str, Any] | None,
) -> Review:
    """The submission's review once its checks ran (``table`` None: they could not run)."""
    with units() as uow:
        opened = reviews.apply_submission(uow, data)
        uow.commit()
    assert opened is not None
    report = (
        quality.evaluate(data, [Probe(True, status=200, table=table)], settings)
        if table is not None
        else None
    )
    with units() as uow:
        claim = reviews.claim_checks(uow, lease=15, now=datetime.now(UTC))
        assert claim is not None
        stored = reviews.record_checks(uow, claim=claim, report=report, error="no network")
        uow.commit()
    assert stored is not None
    return stored


def decisions(units: SqliteUnits) -> list[ReviewDecided]:
    payloads = [e.payload() for e in units.published(ReviewDecided.event_type)]
    return [p for p in payloads if isinstance(p, ReviewDecided)]


def test_a_trusted_source_s_dataset_is_approved_by_the_source_when_no_blocking_check_fails(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, harvested(trusted=True), settings, VALID_TABLE)
    assert review.state == ReviewState.APPROVED
    assert review.checklist == {}  # nobody had to answer it
    assert review.decided_by == SOURCE
    [decided] = decisions(units)
    assert (decided.decision, decided.decided_by, decided.dataset_id) == (
        "approved",
        SOURCE,
        review.dataset_id,
    )
    assert decided.submitted_at == review.submitted_at
    assert history(units, review)[-2:] == [(1, "checks_completed"), (1, "approved")]
    with units() as uow:
        entry = uow.session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "review.approve")
        ).one()
        assert (entry.actor_id, entry.actor_name) == (SOURCE, "harvest source Portail des communes")
        assert entry.after is not None
        assert entry.after["reasons"] == [
            "approved by harvest source Portail des communes: a trusted source, and no "
            "blocking check failed"
        ]


def test_a_failing_blocking_check_leaves_a_trusted_source_s_review_open(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, harvested(trusted=True), settings, INVALID_TABLE)
    assert (
        review.quality_report is not None
        and "csv_valid" in review.quality_report["blocking_failures"]
    )
    assert review.state == ReviewState.OPEN and decisions(units) == []


def test_checks_that_could_not_run_leave_a_trusted_source_s_review_open(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, harvested(trusted=True), settings, None)
    assert review.state == ReviewState.OPEN and decisions(units) == []


def test_a_source_under_review_and_a_steward_wait_for_a_reviewer(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, harvested(trusted=False), settings, VALID_TABLE)
    assert review.state == ReviewState.OPEN
    steward = submission(uuid.uuid4(), uuid.uuid4())
    with units() as uow:
        assert reviews.trusted_source(uow.session.get_one(Review, review.id)) is None
    other = checked(units, steward, settings, VALID_TABLE)
    assert other.state == ReviewState.OPEN and decisions(units) == []
