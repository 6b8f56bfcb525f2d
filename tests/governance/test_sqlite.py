"""The embedded default: the same service on SQLite (migrations, tokens, review, schedules)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from libs.auth import Role
from libs.events.schemas import DatasetPublished, LocalizedText
from libs.settings import PlatformSettings
from services.governance.domain import continuity
from tests.governance.conftest import (
    GOOD_CSV,
    FileServer,
    GovernanceHarness,
    Served,
    bearer,
    isolated_platform,
    login,
    make_account,
    make_institution,
    running_governance,
    submitted,
    token_for,
    wait_for,
)


@pytest.fixture(scope="module")
def governance(
    kafka: PlatformSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GovernanceHarness]:
    path: Path = tmp_path_factory.mktemp("sqlite") / "governance.db"
    with running_governance(
        f"sqlite:///{path}", isolated_platform(kafka), login_max_failures_per_account=2
    ) as harness:
        assert harness.engine.dialect.name == "sqlite"
        yield harness


def test_tokens_and_the_rate_limit_on_sqlite(governance: GovernanceHarness) -> None:
    account = make_account(governance.engine)
    tokens = login(governance.client, account.email)
    refreshed = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    for _ in range(2):
        governance.client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": "wrong password"}
        )
    limited = governance.client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": "wrong password"}
    )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_a_review_and_an_overdue_check_on_sqlite(
    governance: GovernanceHarness, file_server: FileServer
) -> None:
    institution = make_institution(governance.engine)
    steward = make_account(governance.engine, ("steward", institution.id))
    reviewer = make_account(governance.engine, ("reviewer", institution.id))
    headers = bearer(token_for(governance.codec, reviewer, (Role.REVIEWER, institution.id)))
    data = submitted(
        institution.id, steward.id, [(file_server.serve("/lite.csv", Served(GOOD_CSV)), "CSV")]
    )
    governance.submit(data)
    review = wait_for(
        lambda: (r := governance.review_of(data.dataset_id)) and r.checks_status == "done" and r,
        what="the review's report",
    )
    detail = governance.client.get(f"/api/v1/reviews/{review.id}", headers=headers).json()
    assert detail["opened_at"].endswith("Z") or detail["opened_at"].endswith("+00:00")
    answers = [
        {"item_id": i["id"], "answer": "yes"} for s in detail["stages"] for i in s["checklist"]
    ]
    assert (
        governance.client.put(
            f"/api/v1/reviews/{review.id}/checklist", json={"answers": answers}, headers=headers
        ).status_code
        == 200
    )
    approved = governance.client.post(f"/api/v1/reviews/{review.id}/approve", headers=headers)
    assert approved.status_code == 200, approved.text

    now = datetime.now(UTC)
    with governance.units() as uow:
        continuity.apply_publication(
            uow,
            DatasetPublished(
                dataset_id=data.dataset_id,
                slug=data.slug,
                institution_id=institution.id,
                title=LocalizedText(fr="x"),
                frequency="MONTHLY",
                published_at=now - timedelta(days=90),
                last_data_update=now - timedelta(days=90),
            ),
        )
        uow.commit()
    admin = make_account(governance.engine, is_admin=True)
    admin_headers = bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))
    flagged = governance.client.post("/api/v1/schedules/check", headers=admin_headers).json()
    assert [f["dataset_id"] for f in flagged["flagged"]] == [str(data.dataset_id)]
    dashboard = governance.client.get(
        f"/api/v1/institutions/{institution.id}/dashboard", headers=admin_headers
    ).json()
    assert dashboard["overdue"]["count"] == 1
    assert dashboard["reviews"]["by_state"]["approved"] == 1
    audit = governance.client.get(
        f"/api/v1/audit?institution_id={institution.id}", headers=admin_headers
    ).json()
    assert "review.approve" in {e["action"] for e in audit["items"]}
    assert (
        governance.client.get(f"/api/v1/reviews/{uuid.uuid4()}", headers=headers).status_code == 404
    )
