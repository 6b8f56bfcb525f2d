"""Who may do what on a review: every refusal is a precise 4xx and changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from libs.auth import Role, TokenCodec
from libs.events.schemas import ReviewDecided
from services.governance.models import Account, Institution, Review, ReviewEvent, messaging
from tests.governance.conftest import (
    GOOD_CSV,
    FileServer,
    GovernanceHarness,
    Served,
    bearer,
    login,
    make_account,
    make_institution,
    submitted,
    token_for,
    wait_for,
)


@dataclass
class World:
    a: Institution
    b: Institution
    admin: Account
    reviewer_a: Account
    reviewer_b: Account
    steward_a: Account
    steward_reviewer_a: Account  # both roles in A
    viewer_a: Account
    review: Review  # of A, submitted by steward_a
    own_review: Review  # of A, submitted by steward_reviewer_a
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


def open_review(
    governance: GovernanceHarness, institution: Institution, by: Account, url: str
) -> Review:
    """Opens a review as the DatasetSubmitted handler does, then waits for its report."""
    data = submitted(institution.id, by.id, [(url, "CSV")])
    governance.submit(data)
    return wait_for(
        lambda: (
            (review := governance.review_of(data.dataset_id))
            and review.checks_status == "done"
            and review
        ),
        what="the review's report",
    )


@pytest.fixture(scope="module")
def world(governance: GovernanceHarness, file_server: FileServer) -> World:
    engine = governance.engine
    a, b = make_institution(engine), make_institution(engine)
    people = {
        "admin": make_account(engine, is_admin=True),
        "reviewer_a": make_account(engine, ("reviewer", a.id)),
        "reviewer_b": make_account(engine, ("reviewer", b.id)),
        "steward_a": make_account(engine, ("steward", a.id)),
        "steward_reviewer_a": make_account(engine, ("steward", a.id), ("reviewer", a.id)),
        "viewer_a": make_account(engine, ("viewer", a.id)),
    }
    # Real logins: the tokens carry what governance granted.
    tokens = {name: login(governance.client, p.email)["access_token"] for name, p in people.items()}
    url = file_server.serve("/authz/data.csv", Served(GOOD_CSV))
    review = open_review(governance, a, people["steward_a"], url)
    own = open_review(governance, a, people["steward_reviewer_a"], url)
    world = World(a=a, b=b, review=review, own_review=own, tokens=tokens, **people)
    # Everything ready for approval except the decision: answer the checklist as reviewer A.
    for target in (review, own):
        detail = governance.client.get(
            f"/api/v1/reviews/{target.id}", headers=world.headers("reviewer_a")
        ).json()
        answers = [
            {"item_id": i["id"], "answer": "yes"} for s in detail["stages"] for i in s["checklist"]
        ]
        response = governance.client.put(
            f"/api/v1/reviews/{target.id}/checklist",
            json={"answers": answers},
            headers=world.headers("reviewer_a"),
        )
        assert response.status_code == 200, response.text
    return world


def state_of(governance: GovernanceHarness, review_id: uuid.UUID) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    with Session(governance.engine) as session:
        review = session.get(Review, review_id)
        assert review is not None
        history = session.exec(
            select(func.count())
            .select_from(ReviewEvent)
            .where(col(ReviewEvent.review_id) == review_id)
        ).one()
        outbox = messaging.outbox
        decisions = session.exec(
            select(func.count())
            .select_from(outbox)
            .where(
                outbox.c.event_type == ReviewDecided.event_type,
                outbox.c.key == str(review.dataset_id),
            )
        ).one()
        return {
            "state": review.state,
            "checklist": review.checklist,
            "generation": review.checks_generation,
            "history": history,
            "decisions": decisions,
        }


ACTIONS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "approve": ("post", "approve", {}),
    "request-changes": ("post", "request-changes", {"reasons": ["no"]}),
    "checklist": ("put", "checklist", {"answers": [{"item_id": "rights-held", "answer": "no"}]}),
    "checks": ("post", "checks", None),
    "comment": ("post", "comments", {"body": "hello"}),
}


def act(governance: GovernanceHarness, review: Review, action: str, headers: dict[str, str]):
    method, path, body = ACTIONS[action]
    return governance.client.request(
        method, f"/api/v1/reviews/{review.id}/{path}", json=body, headers=headers
    )


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_reviewer_of_another_institution_cannot_act(
    governance: GovernanceHarness, world: World, action: str
) -> None:
    before = state_of(governance, world.review.id)
    response = act(governance, world.review, action, world.headers("reviewer_b"))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert str(world.a.id) in response.json()["detail"]
    assert state_of(governance, world.review.id) == before


@pytest.mark.parametrize("action", ["approve", "request-changes", "checklist", "checks"])
def test_a_steward_cannot_decide(governance: GovernanceHarness, world: World, action: str) -> None:
    before = state_of(governance, world.review.id)
    response = act(governance, world.review, action, world.headers("steward_a"))
    assert response.status_code == 403, response.text
    assert "reviewer" in response.json()["detail"]
    assert state_of(governance, world.review.id) == before


def test_a_steward_reviewer_never_approves_her_own_submission(
    governance: GovernanceHarness, world: World
) -> None:
    before = state_of(governance, world.own_review.id)
    response = act(governance, world.own_review, "approve", world.headers("steward_reviewer_a"))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/own-submission")
    assert state_of(governance, world.own_review.id) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_viewer_reads_but_cannot_act(
    governance: GovernanceHarness, world: World, action: str
) -> None:
    read = governance.client.get(
        f"/api/v1/reviews/{world.review.id}", headers=world.headers("viewer_a")
    )
    assert read.status_code == 200
    before = state_of(governance, world.review.id)
    response = act(governance, world.review, action, world.headers("viewer_a"))
    assert response.status_code == 403, response.text
    assert state_of(governance, world.review.id) == before


def test_reads_are_limited_to_the_institutions_staff(
    governance: GovernanceHarness, world: World
) -> None:
    client = governance.client
    url = f"/api/v1/reviews/{world.review.id}"
    assert client.get(url, headers=world.headers("reviewer_b")).status_code == 403
    assert client.get(f"{url}/history", headers=world.headers("reviewer_b")).status_code == 403
    assert client.get(f"{url}/quality", headers=world.headers("reviewer_b")).status_code == 403
    assert client.get(url, headers=world.headers("steward_a")).status_code == 200
    assert client.get(url).status_code == 401

    queue_b = client.get("/api/v1/reviews", headers=world.headers("reviewer_b")).json()
    assert str(world.review.id) not in {r["id"] for r in queue_b["items"]}
    forbidden = client.get(
        f"/api/v1/reviews?institution_id={world.a.id}", headers=world.headers("reviewer_b")
    )
    assert forbidden.status_code == 403
    nobody = make_account(governance.engine)
    no_role = client.get("/api/v1/reviews", headers=bearer(token_for(governance.codec, nobody)))
    assert no_role.status_code == 403
    queue_admin = client.get(
        f"/api/v1/reviews?institution_id={world.a.id}&state=open", headers=world.headers("admin")
    ).json()
    assert {str(world.review.id), str(world.own_review.id)} <= {
        r["id"] for r in queue_admin["items"]
    }
    dashboard = f"/api/v1/institutions/{world.a.id}/dashboard"
    assert client.get(dashboard, headers=world.headers("reviewer_b")).status_code == 403
    assert client.get(dashboard, headers=world.headers("viewer_a")).status_code == 200
    assert client.get(dashboard).status_code == 401


def test_anonymous_expired_and_forged_tokens_are_refused(
    governance: GovernanceHarness, world: World
) -> None:
    expired = token_for(
        governance.codec,
        world.reviewer_a,
        (Role.REVIEWER, world.a.id),
        lifetime=timedelta(seconds=-1),
    )
    forged_codec = TokenCodec(governance.platform.model_copy(update={"jwt_secret": "f" * 48}))
    forged = token_for(forged_codec, world.admin, (Role.ADMIN, None))
    other_audience = TokenCodec(
        governance.platform.model_copy(update={"jwt_audience": "somewhere-else"})
    )
    wrong_audience = token_for(other_audience, world.admin, (Role.ADMIN, None))
    before = state_of(governance, world.review.id)
    for headers, code in (
        ({}, "unauthorized"),
        (bearer(expired), "token-expired"),
        (bearer(forged), "invalid-token"),
        (bearer(wrong_audience), "invalid-token"),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "unauthorized"),
    ):
        for action in ACTIONS:
            response = act(governance, world.review, action, headers)
            assert response.status_code == 401, (action, code, response.text)
            assert response.json()["type"].endswith(f"/{code}"), response.json()
    assert state_of(governance, world.review.id) == before


def test_unknown_reviews_are_404_and_bad_input_is_422(
    governance: GovernanceHarness, world: World
) -> None:
    headers = world.headers("reviewer_a")
    missing = governance.client.post(f"/api/v1/reviews/{uuid.uuid4()}/approve", headers=headers)
    assert missing.status_code == 404
    not_uuid = governance.client.get("/api/v1/reviews/not-a-uuid", headers=headers)
    assert not_uuid.status_code == 422
    before = state_of(governance, world.review.id)
    bad_answer = governance.client.put(
        f"/api/v1/reviews/{world.review.id}/checklist",
        json={"answers": [{"item_id": "rights-held", "answer": "maybe"}]},
        headers=headers,
    )
    assert bad_answer.status_code == 422
    assert bad_answer.json()["errors"][0]["field"] == "answers.0.answer"
    assert state_of(governance, world.review.id) == before


def test_the_institutions_reviewer_and_an_admin_may_decide(
    governance: GovernanceHarness, world: World
) -> None:
    approved = act(governance, world.review, "approve", world.headers("reviewer_a"))
    assert approved.status_code == 200, approved.text
    # A national admin may decide any institution's review, including one a steward-reviewer
    # of that institution submitted.
    approved_by_admin = act(governance, world.own_review, "approve", world.headers("admin"))
    assert approved_by_admin.status_code == 200, approved_by_admin.text
    assert state_of(governance, world.own_review.id)["decisions"] == 1
