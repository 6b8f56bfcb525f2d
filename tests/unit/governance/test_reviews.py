"""The review workflow's commands on a unit of work: one rule a test, state and events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from libs.auth import Role
from libs.events.schemas import DatasetSubmitted, ReviewDecided, ReviewOpened
from libs.http.problems import Conflict, Forbidden, InvalidInput, Problem
from services.governance.domain import guide, quality, reviews
from services.governance.domain.audit import Actor
from services.governance.domain.quality import Probe
from services.governance.models import ChecksStatus, Review, ReviewEvent, TrackedDataset
from services.governance.settings import GovernanceSettings
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import actor, admin, audit_actions, submission

INSTITUTION = uuid.uuid4()
STEWARD_ID = uuid.uuid4()
STEWARD = actor((Role.STEWARD, INSTITUTION), name="steward", subject=STEWARD_ID)
REVIEWER = actor((Role.REVIEWER, INSTITUTION), name="reviewer")
VALID_TABLE = {"validated": True, "valid": True}
INVALID_TABLE = {"validated": True, "valid": False, "errors_by_type": {}, "first_errors": []}


def submit(units: SqliteUnits, data: DatasetSubmitted) -> Review | None:
    with units() as uow:
        review = reviews.apply_submission(uow, data)
        uow.commit()
    return review


def opened(units: SqliteUnits, **overrides: Any) -> Review:
    review = submit(units, submission(INSTITUTION, STEWARD_ID, **overrides))
    assert review is not None
    return review


def checked(
    units: SqliteUnits, review: Review, settings: GovernanceSettings, table: dict[str, Any]
) -> Review:
    """The review once its checks ran, the one resource reached with this table summary."""
    data = DatasetSubmitted.model_validate(review.snapshot)
    report = quality.evaluate(data, [Probe(True, status=200, table=table)], settings)
    with units() as uow:
        claim = reviews.claim_checks(uow, lease=15, now=datetime.now(UTC))
        assert claim is not None and claim.review_id == review.id
        stored = reviews.record_checks(uow, claim=claim, report=report)
        uow.commit()
    assert stored is not None
    return stored


def answer_everything(units: SqliteUnits, review: Review) -> None:
    with units() as uow:
        items = guide.checklist_items(guide.current(uow).content)
        answers = [reviews.Answer(item_id=item_id, answer="yes") for item_id in items]
        reviews.answer_checklist(uow, REVIEWER, review_id=review.id, answers=answers)
        uow.commit()


def approve(units: SqliteUnits, review: Review, settings: GovernanceSettings, by: Actor) -> Review:
    with units() as uow:
        approved = reviews.approve_review(
            uow, by, review_id=review.id, comment=None, blocking_checks=settings.blocking_checks
        )
        uow.commit()
    return approved


def history(units: SqliteUnits, review: Review) -> list[tuple[int, str]]:
    with units() as uow:
        return [(e.round, e.kind) for e in reviews.history(uow, review.id)]


def refused(units: SqliteUnits, command: Any, problem: type[Problem], code: str) -> None:
    """``command(uow)`` is refused with this problem, and leaves nothing behind."""
    before = len(units.published())
    with pytest.raises(problem) as raised, units() as uow:
        command(uow)
        uow.commit()
    assert raised.value.code == code
    assert len(units.published()) == before


# --- opening ------------------------------------------------------------------------------------


def test_a_submission_opens_a_review_with_pending_checks(units: SqliteUnits) -> None:
    review = opened(units)
    assert (review.round, review.state, review.checks_status) == (1, "open", ChecksStatus.PENDING)
    assert history(units, review) == [(1, "opened")]
    assert units.published() == [], "ReviewOpened waits for the first report"
    with units() as uow:
        tracked = uow.session.get(TrackedDataset, review.dataset_id)
        assert tracked is not None and tracked.state == "submitted"
        assert audit_actions(uow) == ["review.open"]


def test_a_new_submission_reopens_the_review_for_a_new_round(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    first = checked(units, opened(units), settings, VALID_TABLE)
    again = submission(
        INSTITUTION,
        STEWARD_ID,
        dataset_id=first.dataset_id,
        submitted_at=first.submitted_at + timedelta(hours=1),
    )
    review = submit(units, again)
    assert review is not None and review.id == first.id
    assert (review.round, review.checks_status, review.quality_report) == (2, "pending", None)
    assert review.checks_generation == first.checks_generation + 1
    assert history(units, review)[-1] == (2, "reopened")


def test_a_stale_or_repeated_submission_is_ignored(units: SqliteUnits) -> None:
    review = opened(units)
    for submitted_at in (review.submitted_at, review.submitted_at - timedelta(days=1)):
        stale = submission(
            INSTITUTION,
            STEWARD_ID,
            dataset_id=review.dataset_id,
            submitted_at=submitted_at,
        )
        assert submit(units, stale) is None
    assert history(units, review) == [(1, "opened")]


# --- the checks ---------------------------------------------------------------------------------


def test_the_first_report_of_a_round_announces_the_review_once(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, opened(units), settings, VALID_TABLE)
    assert review.checks_status == ChecksStatus.DONE and review.quality_score == 100
    with units() as uow:
        claim = reviews.request_checks(uow, REVIEWER, review_id=review.id, lease=15)
        reviews.record_checks(uow, claim=claim, report=review.quality_report)
        uow.commit()
    announced = units.published(ReviewOpened.event_type)
    assert [e.data["quality_score"] for e in announced] == [100]
    assert history(units, review)[-2:] == [(1, "checks_requested"), (1, "checks_completed")]


def test_a_superseded_run_is_dropped(units: SqliteUnits, settings: GovernanceSettings) -> None:
    review = opened(units)
    with units() as uow:
        claim = reviews.claim_checks(uow, lease=15, now=datetime.now(UTC))
        uow.commit()
    assert claim is not None
    with units() as uow:
        reviews.request_checks(uow, REVIEWER, review_id=review.id, lease=15)
        assert reviews.record_checks(uow, claim=claim, report={"score": 1}) is None
        uow.commit()
    assert units.published(ReviewOpened.event_type) == []


def test_checks_that_could_not_run_are_recorded_as_failed(units: SqliteUnits) -> None:
    opened(units)
    with units() as uow:
        claim = reviews.claim_checks(uow, lease=15, now=datetime.now(UTC))
        assert claim is not None
        review = reviews.record_checks(uow, claim=claim, report=None, error="TimeoutError: slow")
        uow.commit()
    assert review is not None and review.checks_status == ChecksStatus.FAILED
    assert review.quality_report == {"error": "TimeoutError: slow"}
    assert [e.data["quality_score"] for e in units.published(ReviewOpened.event_type)] == [None]


# --- approval -----------------------------------------------------------------------------------


def test_the_submitter_cannot_approve_their_own_dataset(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    both = uuid.uuid4()
    steward_reviewer = actor(
        (Role.STEWARD, INSTITUTION), (Role.REVIEWER, INSTITUTION), subject=both
    )
    review = submit(units, submission(INSTITUTION, both))
    assert review is not None
    review = checked(units, review, settings, VALID_TABLE)
    answer_everything(units, review)
    refused(
        units,
        lambda uow: reviews.approve_review(
            uow, steward_reviewer, review_id=review.id, comment=None, blocking_checks=[]
        ),
        Forbidden,
        "own-submission",
    )


def test_approval_waits_for_the_checks(units: SqliteUnits, settings: GovernanceSettings) -> None:
    review = opened(units)
    refused(
        units,
        lambda uow: reviews.approve_review(
            uow, REVIEWER, review_id=review.id, comment=None, blocking_checks=[]
        ),
        Conflict,
        "checks-pending",
    )


def test_checks_that_failed_to_run_block_approval(units: SqliteUnits) -> None:
    review = opened(units)
    with units() as uow:
        claim = reviews.claim_checks(uow, lease=15, now=datetime.now(UTC))
        assert claim is not None
        reviews.record_checks(uow, claim=claim, report=None, error="boom")
        uow.commit()
    refused(
        units,
        lambda uow: reviews.approve_review(
            uow, REVIEWER, review_id=review.id, comment=None, blocking_checks=[]
        ),
        Conflict,
        "checks-failed",
    )


def test_blocking_failures_prevent_approval(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, opened(units), settings, INVALID_TABLE)
    answer_everything(units, review)
    with pytest.raises(Conflict) as raised, units() as uow:
        reviews.approve_review(
            uow, REVIEWER, review_id=review.id, comment=None, blocking_checks=["csv_valid"]
        )
    assert raised.value.code == "blocking-checks-failed"
    assert raised.value.extra["failing_checks"] == ["csv_valid"]
    # The same failure does not block when the check is not a blocking one.
    approved = approve(units, review, settings.model_copy(update={"blocking_checks": []}), REVIEWER)
    assert approved.state == "approved"


def test_required_checklist_items_must_be_answered_yes(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, opened(units), settings, VALID_TABLE)
    with pytest.raises(Conflict) as raised, units() as uow:
        reviews.approve_review(uow, REVIEWER, review_id=review.id, comment=None, blocking_checks=[])
    assert raised.value.code == "checklist-incomplete"
    assert "no-personal-data" in raised.value.extra["items"]


def test_an_approval_decides_the_review_and_announces_it(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, opened(units), settings, VALID_TABLE)
    answer_everything(units, review)
    approved = approve(units, review, settings, REVIEWER)
    assert (approved.state, approved.decided_by) == ("approved", REVIEWER.id)
    [decided] = units.published(ReviewDecided.event_type)
    assert decided.data["decision"] == "approved" and decided.data["reasons"] == []
    assert decided.subject == str(review.dataset_id)
    # The round it answers, so that the catalog can tell a decision on an older submission.
    assert ReviewDecided.model_validate(decided.data).submitted_at == review.submitted_at
    with units() as uow:
        assert audit_actions(uow)[-1] == "review.approve"
    refused(
        units,
        lambda uow: reviews.approve_review(
            uow, REVIEWER, review_id=review.id, comment=None, blocking_checks=[]
        ),
        Conflict,
        "review-not-open",
    )


# --- changes requested, checklist, comments ----------------------------------------------------


def test_requesting_changes_adds_the_failing_blocking_checks_to_the_reasons(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = checked(units, opened(units), settings, INVALID_TABLE)
    with units() as uow:
        rejected = reviews.request_changes(
            uow,
            REVIEWER,
            review_id=review.id,
            reasons=["the title is unclear", ""],
            include_failed_checks=True,
            blocking_checks=settings.blocking_checks,
        )
        uow.commit()
    assert rejected.state == "rejected"
    assert rejected.reasons is not None and rejected.reasons[0] == "the title is unclear"
    assert rejected.reasons[1].startswith("csv_valid: ")
    [decided] = units.published(ReviewDecided.event_type)
    assert decided.data["decision"] == "rejected" and decided.data["reasons"] == rejected.reasons
    with units() as uow:
        tracked = uow.session.get(TrackedDataset, review.dataset_id)
        assert tracked is not None and tracked.state == "draft"


def test_changes_are_requested_with_a_reason(units: SqliteUnits) -> None:
    review = opened(units)
    with pytest.raises(InvalidInput, match="at least one reason"), units() as uow:
        reviews.request_changes(
            uow,
            REVIEWER,
            review_id=review.id,
            reasons=[""],
            include_failed_checks=False,
            blocking_checks=[],
        )


def test_only_the_items_of_the_reviews_guide_version_can_be_answered(units: SqliteUnits) -> None:
    review = opened(units)
    answers = [reviews.Answer(item_id="no-such-item", answer="yes")]
    with pytest.raises(InvalidInput, match="not an item of guide version 1"), units() as uow:
        reviews.answer_checklist(uow, REVIEWER, review_id=review.id, answers=answers)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (REVIEWER, True),
        (STEWARD, True),
        (admin(), True),
        (actor((Role.VIEWER, INSTITUTION)), False),
        (actor((Role.REVIEWER, uuid.uuid4())), False),
    ],
)
def test_reviewers_stewards_and_admins_comment(
    units: SqliteUnits, who: Actor, allowed: bool
) -> None:
    review = opened(units)
    with units() as uow:
        if not allowed:
            with pytest.raises(Forbidden):
                reviews.add_comment(uow, who, review_id=review.id, text="a question")
            return
        entry = reviews.add_comment(uow, who, review_id=review.id, text="a question")
        uow.commit()
    assert entry.id is not None and entry.body == {"text": "a question"}
    with units() as uow:
        comments = uow.session.exec(
            select(ReviewEvent).where(col(ReviewEvent.kind) == "comment")
        ).all()
        assert [c.actor_id for c in comments] == [who.id]
