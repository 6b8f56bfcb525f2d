"""The catalog says it could not apply a decision (dataset.decision_not_applied, on its real
topic): governance shows it on the review, so that the two services never disagree silently."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from libs.events.schemas import DecisionNotApplied
from tests.governance.conftest import (
    GovernanceHarness,
    bearer,
    login,
    make_account,
    make_institution,
    produce_event,
    submitted,
    wait_for,
)


def test_a_decision_the_catalog_could_not_apply_is_shown_on_the_review(
    governance: GovernanceHarness,
) -> None:
    institution = make_institution(governance.engine)
    reviewer = make_account(governance.engine, ("reviewer", institution.id))
    headers = bearer(login(governance.client, reviewer.email)["access_token"])
    data = submitted(institution.id, uuid.uuid4(), [])
    governance.submit(data)
    review = wait_for(
        lambda: (r := governance.review_of(data.dataset_id)) and r.checks_status == "done" and r,
        what="the review's checks",
    )
    decided = governance.client.post(
        f"/api/v1/reviews/{review.id}/request-changes",
        json={"reasons": ["describe the columns"]},
        headers=headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["publication"] is None

    # The steward submitted again meanwhile: in the catalog, this decision answers an old round.
    notice = DecisionNotApplied(
        dataset_id=data.dataset_id,
        review_id=review.id,
        institution_id=institution.id,
        decision="rejected",
        reason="stale_round",
        detail="the dataset was submitted again after the round this decision answers",
        dataset_state="submitted",
        noticed_at=datetime.now(UTC),
    )
    asyncio.run(produce_event(governance.platform, notice))

    def shown() -> dict[str, Any] | None:
        detail = governance.client.get(f"/api/v1/reviews/{review.id}", headers=headers).json()
        return detail if detail["publication"] else None

    detail = wait_for(shown, what="the notice on the review")
    assert detail["state"] == "rejected"
    assert detail["publication"] == {
        "applied": False,
        "decision": "rejected",
        "reason": "stale_round",
        "detail": notice.detail,
        "dataset_state": "submitted",
        "at": notice.noticed_at.isoformat(),
    }
    assert detail["history"][-1]["kind"] == "decision_not_applied"
    listed = governance.client.get(
        f"/api/v1/reviews?dataset_id={data.dataset_id}", headers=headers
    ).json()
    assert listed["items"][0]["publication"]["reason"] == "stale_round"
