"""The review workflow driven by DatasetSubmitted events produced to the catalog's topic."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from libs.auth import Role
from libs.events import Topic
from libs.events.schemas import ReviewDecided, ReviewOpened
from services.governance.models import Account, Institution, Review
from tests.governance.conftest import (
    BROKEN_CSV,
    GOOD_CSV,
    FileServer,
    GovernanceHarness,
    Served,
    bearer,
    login,
    make_account,
    make_institution,
    of_type,
    produce_event,
    submitted,
    token_for,
    topic_events,
    wait_for,
)


@pytest.fixture(scope="module")
def institution(governance: GovernanceHarness) -> Institution:
    return make_institution(governance.engine)


@pytest.fixture(scope="module")
def steward(governance: GovernanceHarness, institution: Institution) -> Account:
    return make_account(governance.engine, ("steward", institution.id))


@pytest.fixture(scope="module")
def reviewer_headers(governance: GovernanceHarness, institution: Institution) -> dict[str, str]:
    reviewer = make_account(governance.engine, ("reviewer", institution.id))
    return bearer(login(governance.client, reviewer.email)["access_token"])


def checked_review(governance: GovernanceHarness, dataset_id: uuid.UUID, round: int = 1) -> Review:
    """The dataset's review once the checks runner has stored its report for ``round``."""
    return wait_for(
        lambda: (
            (review := governance.review_of(dataset_id)) is not None
            and review.round == round
            and review.checks_status == "done"
            and review
        ),
        what=f"the review of {dataset_id} (round {round}) with its quality report",
    )


def required_items(detail: dict[str, Any]) -> list[str]:
    return [
        item["id"]
        for stage in detail["stages"]
        for item in stage["checklist"]
        if item.get("required", True)
    ]


def answer_all(
    governance: GovernanceHarness, review_id: uuid.UUID, headers: dict[str, str]
) -> dict[str, Any]:
    detail = governance.client.get(f"/api/v1/reviews/{review_id}", headers=headers).json()
    answers = [{"item_id": item, "answer": "yes"} for item in required_items(detail)]
    response = governance.client.put(
        f"/api/v1/reviews/{review_id}/checklist", json={"answers": answers}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_submission_opens_a_review_with_its_report_and_an_approval_decides_it(
    governance: GovernanceHarness,
    file_server: FileServer,
    institution: Institution,
    steward: Account,
    reviewer_headers: dict[str, str],
) -> None:
    client = governance.client
    data = submitted(
        institution.id,
        steward.id,
        [
            (file_server.serve("/wf/population.csv", Served(GOOD_CSV)), "CSV"),
            (file_server.serve("/wf/population.json", Served(b"[]", "application/json")), None),
        ],
    )
    await produce_event(governance.platform, data)

    review = checked_review(governance, data.dataset_id)
    assert review.institution_id == institution.id and review.state == "open"
    assert review.quality_report and review.quality_report["passed"] is True
    opened = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        where=of_type(ReviewOpened, dataset_id=data.dataset_id),
    )
    assert len(opened) == 1 and opened[0].subject == str(data.dataset_id)
    payload = opened[0].payload()
    assert isinstance(payload, ReviewOpened)
    assert payload.review_id == review.id and payload.institution_id == institution.id
    assert payload.quality_score == review.quality_score and payload.reopened is False

    queue = client.get("/api/v1/reviews?state=open", headers=reviewer_headers)
    assert queue.status_code == 200
    entry = next(r for r in queue.json()["items"] if r["id"] == str(review.id))
    assert entry["age_seconds"] >= 0 and entry["quality_score"] == review.quality_score
    assert entry["title"]["fr"] == "Population légale des régions"

    detail = client.get(f"/api/v1/reviews/{review.id}", headers=reviewer_headers).json()
    assert detail["snapshot"]["dataset_id"] == str(data.dataset_id)
    assert len(detail["snapshot"]["resources"]) == 2
    assert detail["quality_report"]["score"] == review.quality_score
    assert [h["kind"] for h in detail["history"]] == ["opened", "checks_completed"]
    statuses = {s["key"]: s["status"] for s in detail["stages"]}
    assert statuses == {
        "selection": "incomplete",
        "collection": "incomplete",
        "classification": "incomplete",
        "validation": "incomplete",
    }

    not_yet = client.post(f"/api/v1/reviews/{review.id}/approve", headers=reviewer_headers)
    assert not_yet.status_code == 409
    assert not_yet.json()["type"].endswith("/checklist-incomplete")
    assert set(not_yet.json()["items"]) == set(required_items(detail))

    unknown = client.put(
        f"/api/v1/reviews/{review.id}/checklist",
        json={"answers": [{"item_id": "made-up", "answer": "yes"}]},
        headers=reviewer_headers,
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "answers.0.item_id"
    answered = answer_all(governance, review.id, reviewer_headers)
    assert {s["key"]: s["status"] for s in answered["stages"]} == {
        "selection": "complete",
        "collection": "complete",
        "classification": "complete",
        "validation": "incomplete",  # until a reviewer approves
    }
    comment = client.post(
        f"/api/v1/reviews/{review.id}/comments",
        json={"body": "Vérifié sur un échantillon de 5 régions."},
        headers=reviewer_headers,
    )
    assert comment.status_code == 201 and comment.json()["kind"] == "comment"

    approved = client.post(
        f"/api/v1/reviews/{review.id}/approve",
        json={"comment": "Conforme au guide."},
        headers=reviewer_headers,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["stages"][-1]["status"] == "complete"
    decided = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        where=of_type(ReviewDecided, dataset_id=data.dataset_id),
    )
    decision = decided[0].payload()
    assert isinstance(decision, ReviewDecided)
    assert decision.decision == "approved" and decision.reasons == []
    assert decision.review_id == review.id
    assert (
        decision.decided_by
        == governance.codec.principal(reviewer_headers["Authorization"].split()[1]).subject
    )
    twice = client.post(f"/api/v1/reviews/{review.id}/approve", headers=reviewer_headers)
    assert twice.status_code == 409 and twice.json()["type"].endswith("/review-not-open")

    dashboard = client.get(
        f"/api/v1/institutions/{institution.id}/dashboard", headers=reviewer_headers
    ).json()
    assert dashboard["reviews"]["by_state"]["approved"] >= 1
    assert dashboard["datasets"]["by_state"]["submitted"] >= 1
    assert dashboard["quality"]["average_score"] is not None


async def test_blocking_checks_stop_approval_changes_are_requested_and_a_resubmission_reopens(
    governance: GovernanceHarness,
    file_server: FileServer,
    institution: Institution,
    steward: Account,
    reviewer_headers: dict[str, str],
) -> None:
    client = governance.client
    csv_url = file_server.serve("/wf/budget.csv", Served(BROKEN_CSV))
    first = submitted(
        institution.id,
        steward.id,
        [(csv_url, "CSV")],
        license_id="other-closed",
        license_is_open=False,
        submitted_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    await produce_event(governance.platform, first)
    review = checked_review(governance, first.dataset_id)
    answer_all(governance, review.id, reviewer_headers)

    blocked = client.post(f"/api/v1/reviews/{review.id}/approve", headers=reviewer_headers)
    assert blocked.status_code == 409
    problem = blocked.json()
    assert problem["type"].endswith("/blocking-checks-failed")
    assert set(problem["failing_checks"]) == {"open_license", "csv_valid"}
    assert "open_license" in problem["detail"] and "csv_valid" in problem["detail"]
    assert governance.review_of(first.dataset_id).state == "open"  # type: ignore[union-attr]

    empty = client.post(
        f"/api/v1/reviews/{review.id}/request-changes",
        json={"reasons": []},
        headers=reviewer_headers,
    )
    assert empty.status_code == 422
    rejected = client.post(
        f"/api/v1/reviews/{review.id}/request-changes",
        json={"reasons": ["Choisir une licence ouverte (ODbL ou CC-BY)."]},
        headers=reviewer_headers,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    decided = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        where=of_type(ReviewDecided, dataset_id=first.dataset_id),
    )
    decision = decided[0].payload()
    assert isinstance(decision, ReviewDecided) and decision.decision == "rejected"
    assert decision.reasons[0] == "Choisir une licence ouverte (ODbL ou CC-BY)."
    assert any(r.startswith("open_license: ") for r in decision.reasons)
    assert any(r.startswith("csv_valid: ") for r in decision.reasons)
    closed = client.put(
        f"/api/v1/reviews/{review.id}/checklist",
        json={"answers": [{"item_id": "rights-held", "answer": "yes"}]},
        headers=reviewer_headers,
    )
    assert closed.status_code == 409 and closed.json()["type"].endswith("/review-not-open")

    # The steward fixes the file and the licence, and submits again: the review reopens.
    file_server.serve("/wf/budget.csv", Served(GOOD_CSV))
    again = submitted(
        institution.id,
        steward.id,
        [(csv_url, "CSV")],
        dataset_id=first.dataset_id,
        slug=first.slug,
    )
    await produce_event(governance.platform, again)
    reopened = checked_review(governance, first.dataset_id, round=2)
    assert reopened.id == review.id and reopened.state == "open"
    assert reopened.checklist == {} and reopened.quality_report["passed"] is True  # type: ignore[index]
    announcements = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        until=2,
        where=of_type(ReviewOpened, dataset_id=first.dataset_id),
    )
    assert [e.payload().reopened for e in announcements] == [False, True]  # type: ignore[attr-defined]

    history = client.get(
        f"/api/v1/reviews/{review.id}/history?page_size=100", headers=reviewer_headers
    ).json()
    kinds = [(h["round"], h["kind"]) for h in history["items"]]
    assert kinds[:4] == [
        (1, "opened"),
        (1, "checks_completed"),
        (1, "checklist_answered"),
        (1, "changes_requested"),
    ]
    assert kinds[4:] == [(2, "reopened"), (2, "checks_completed")]
    answer_all(governance, review.id, reviewer_headers)
    approved = client.post(f"/api/v1/reviews/{review.id}/approve", headers=reviewer_headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["round"] == 2


async def test_checks_run_again_on_demand(
    governance: GovernanceHarness,
    file_server: FileServer,
    institution: Institution,
    steward: Account,
    reviewer_headers: dict[str, str],
) -> None:
    csv_url = file_server.serve("/wf/schools.csv", Served(b"", status=404))
    data = submitted(institution.id, steward.id, [(csv_url, "CSV")])
    await produce_event(governance.platform, data)
    review = checked_review(governance, data.dataset_id)
    assert review.quality_report["blocking_failures"] == ["resources_reachable"]  # type: ignore[index]

    file_server.serve("/wf/schools.csv", Served(GOOD_CSV))
    rerun = governance.client.post(f"/api/v1/reviews/{review.id}/checks", headers=reviewer_headers)
    assert rerun.status_code == 200, rerun.text
    body = rerun.json()
    assert body["checks_status"] == "done" and body["blocking_failures"] == []
    assert body["quality_report"]["resources"][0]["table"]["valid"] is True
    assert [h["kind"] for h in body["history"]][-2:] == ["checks_requested", "checks_completed"]
    quality = governance.client.get(
        f"/api/v1/reviews/{review.id}/quality", headers=reviewer_headers
    ).json()
    assert quality["report"]["score"] == body["quality_score"]
    # Only one ReviewOpened for the round, although the checks ran twice.
    opened = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        where=of_type(ReviewOpened, dataset_id=data.dataset_id),
        timeout=3,
    )
    assert len(opened) == 1


async def test_a_review_keeps_the_guide_version_it_was_opened_with(
    governance: GovernanceHarness,
    file_server: FileServer,
    institution: Institution,
    steward: Account,
    reviewer_headers: dict[str, str],
) -> None:
    client = governance.client
    admin = make_account(governance.engine, is_admin=True)
    admin_headers = bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))
    url = file_server.serve("/wf/roads.csv", Served(GOOD_CSV))
    before = submitted(institution.id, steward.id, [(url, "CSV")])
    await produce_event(governance.platform, before)
    old_review = checked_review(governance, before.dataset_id)

    guide = client.get("/api/v1/guide").json()
    content = copy.deepcopy(guide["content"])
    content["stages"][3]["checklist"].append(
        {"id": "dpo-consulted", "label": {"fr": "DPO consulté", "ar": "تمت استشارة المسؤول"}}
    )
    published = client.put("/api/v1/guide", json={"content": content}, headers=admin_headers)
    assert published.status_code == 201

    after = submitted(institution.id, steward.id, [(url, "CSV")])
    await produce_event(governance.platform, after)
    new_review = checked_review(governance, after.dataset_id)
    assert old_review.guide_version == guide["version"]
    assert new_review.guide_version == published.json()["version"]

    answer_all(governance, old_review.id, reviewer_headers)
    assert (
        client.post(
            f"/api/v1/reviews/{old_review.id}/approve", headers=reviewer_headers
        ).status_code
        == 200
    )
    detail = answer_all(governance, new_review.id, reviewer_headers)
    assert "dpo-consulted" in detail["checklist"]
    assert (
        client.post(
            f"/api/v1/reviews/{new_review.id}/approve", headers=reviewer_headers
        ).status_code
        == 200
    )
