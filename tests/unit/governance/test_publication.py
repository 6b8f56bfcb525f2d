"""What the catalog said of a decision it could not apply (dataset.decision_not_applied): kept
on the review, in its history and in the audit log, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.events import new_event
from libs.events.schemas import DatasetSubmitted, DecisionNotApplied
from services.governance.domain import reviews
from services.governance.handlers import handlers
from services.governance.models import Review
from services.governance.settings import GovernanceSettings
from services.governance.workers import ChecksRunner
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import audit_actions, submission
from tests.unit.governance.test_reviews import (
    INSTITUTION,
    REVIEWER,
    STEWARD_ID,
    VALID_TABLE,
    answer_everything,
    approve,
    checked,
    history,
    opened,
    submit,
)


def notice(review: Review, **overrides: Any) -> DecisionNotApplied:
    values: dict[str, Any] = {
        "dataset_id": review.dataset_id,
        "review_id": review.id,
        "institution_id": review.institution_id,
        "decision": "approved",
        "reason": "stale_round",
        "detail": "the dataset was submitted again since: this decision answers an older round",
        "dataset_state": "submitted",
        "noticed_at": datetime.now(UTC),
    }
    values.update(overrides)
    return DecisionNotApplied(**values)


def approved(units: SqliteUnits, settings: GovernanceSettings) -> Review:
    review = checked(units, opened(units), settings, VALID_TABLE)
    answer_everything(units, review)
    return approve(units, review, settings, REVIEWER)


def apply(units: SqliteUnits, data: DecisionNotApplied) -> Review | None:
    with units() as uow:
        applied = reviews.apply_decision_not_applied(uow, data)
        uow.commit()
    return applied


def reread(units: SqliteUnits, review: Review) -> Review:
    with units() as uow:
        found = uow.session.get(Review, review.id)
        assert found is not None
        uow.session.expunge(found)  # read only: kept as loaded once the unit closes
    return found


def test_a_decision_not_applied_is_shown_on_the_review_in_its_history_and_audited(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = approved(units, settings)
    data = notice(review)
    assert apply(units, data) is not None

    stored = reread(units, review)
    assert stored.state == "approved", "the decision stands; its publication did not happen"
    assert stored.publication == {
        "applied": False,
        "decision": "approved",
        "reason": "stale_round",
        "detail": data.detail,
        "dataset_state": "submitted",
        "at": data.noticed_at.isoformat(),
    }
    assert history(units, review)[-1] == (1, "decision_not_applied")
    with units() as uow:
        assert audit_actions(uow)[-1] == "review.decision_not_applied"


def test_the_same_notice_twice_is_recorded_once(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = approved(units, settings)
    data = notice(review)
    apply(units, data)
    assert apply(units, data) is None
    kinds = [kind for _, kind in history(units, review)]
    assert kinds.count("decision_not_applied") == 1
    with units() as uow:
        assert audit_actions(uow).count("review.decision_not_applied") == 1


def test_a_notice_about_a_decision_the_review_no_longer_holds_is_history_only(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = approved(units, settings)
    again = submission(
        INSTITUTION,
        STEWARD_ID,
        dataset_id=review.dataset_id,
        submitted_at=review.submitted_at + timedelta(hours=1),
    )
    submit(units, again)  # round 2 opens
    apply(units, notice(review))
    stored = reread(units, review)
    assert (stored.state, stored.round, stored.publication) == ("open", 2, None)
    assert history(units, review)[-1] == (2, "decision_not_applied")


def test_a_new_round_or_a_new_decision_clears_what_was_said_of_the_last_one(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = approved(units, settings)
    apply(units, notice(review))
    submit(
        units,
        submission(
            INSTITUTION,
            STEWARD_ID,
            dataset_id=review.dataset_id,
            submitted_at=review.submitted_at + timedelta(hours=1),
        ),
    )
    assert reread(units, review).publication is None


def test_a_notice_about_an_unknown_review_changes_nothing(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    review = approved(units, settings)
    before = history(units, review)
    assert apply(units, notice(review, review_id=uuid.uuid4())) is None
    assert history(units, review) == before


def test_the_consumer_handles_the_event(units: SqliteUnits, settings: GovernanceSettings) -> None:
    review = approved(units, settings)
    data = notice(review, reason="unknown_dataset", decision="approved", dataset_state=None)
    handle = handlers(ChecksRunner(settings))[DecisionNotApplied.event_type]
    with units() as uow:
        handle(uow, new_event("catalog", data), data)
        uow.commit()
    publication = reread(units, review).publication
    assert publication is not None and publication["reason"] == "unknown_dataset"
    assert DatasetSubmitted.event_type in handlers(ChecksRunner(settings))
