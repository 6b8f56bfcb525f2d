"""The publication saga across two processes: the catalog (``bayanat serve catalog``, its own
database and port) and governance (in this process), sharing the broker, the topic prefix and
the JWT secret.

submit in the catalog → governance opens the review with its quality report → a reviewer
decides → the catalog publishes (or returns the dataset to draft with the reasons).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.events import Topic
from libs.events.schemas import DatasetPublished, DatasetSubmitted, ReviewDecided, ReviewOpened
from libs.settings import PlatformSettings
from tests.governance.conftest import (
    GOOD_CSV,
    FileServer,
    GovernanceHarness,
    Served,
    bearer,
    create_topics,
    free_port,
    isolated_platform,
    login,
    make_account,
    of_type,
    running_governance,
    topic_events,
    wait_for,
)
from tests.support.infra import PostgresDatabases
from tests.support.platform import DATASET_FIELDS

REPO = Path(__file__).resolve().parents[2]
STEWARD_PASSWORD = "steward passphrase 2019"
REVIEWER_PASSWORD = "reviewer passphrase 2019"


@dataclass
class Catalog:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers=bearer(token) if token else {}, timeout=30, trust_env=False
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]


@pytest.fixture(scope="module")
def saga_platform(kafka: PlatformSettings) -> PlatformSettings:
    saga = isolated_platform(kafka, "saga")
    create_topics(saga)
    return saga


@pytest.fixture(scope="module")
def catalog(
    saga_platform: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Catalog]:
    port = free_port()
    directory = tmp_path_factory.mktemp("catalog")
    log = directory / "catalog.log"
    env = {
        **os.environ,
        "KAFKA_TOPIC_PREFIX": saga_platform.kafka_topic_prefix,
        "JWT_SECRET": saga_platform.resolved_jwt_secret(),
        "CATALOG_DATABASE_URL": postgres_databases.create("catalog"),
        "CATALOG_HOST": "127.0.0.1",
        "CATALOG_PORT": str(port),
        "CATALOG_UPLOAD_DIR": str(directory / "uploads"),
        "CATALOG_OUTBOX_POLL_SECONDS": "0.2",
        "BAYANAT_VAR": str(directory),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "bayanat"), "serve", "catalog"],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    catalog = Catalog(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the catalog exited: {catalog.output()}")
            try:
                if httpx.get(f"{catalog.url}/readyz", timeout=2, trust_env=False).is_success:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the catalog did not become ready: {catalog.output()}")
            time.sleep(0.3)
        yield catalog
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def governance(
    saga_platform: PlatformSettings, postgres_databases: PostgresDatabases
) -> Iterator[GovernanceHarness]:
    with running_governance(postgres_databases.create("governance"), saga_platform) as harness:
        yield harness


@dataclass
class Team:
    institution_id: uuid.UUID
    steward_token: str
    reviewer_token: str


@pytest.fixture(scope="module")
def team(governance: GovernanceHarness, catalog: Catalog) -> Team:
    """An institution enrolled, with a steward and a reviewer, all through governance's API."""
    client = governance.client
    admin = make_account(governance.engine, is_admin=True)
    admin_headers = bearer(login(client, admin.email)["access_token"])
    created = client.post(
        "/api/v1/institutions",
        json={
            "slug": f"hcp-{uuid.uuid4().hex[:6]}",
            "name": {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"},
            "acronym": "HCP",
            "kind": "public_body",
        },
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    institution_id = created.json()["id"]
    enrolled = client.post(
        f"/api/v1/institutions/{institution_id}/enrol",
        json={"commitment_reference": "CNDO-2019-12"},
        headers=admin_headers,
    )
    assert enrolled.status_code == 200, enrolled.text
    for email, password, role in (
        ("steward@hcp.example", STEWARD_PASSWORD, "steward"),
        ("reviewer@hcp.example", REVIEWER_PASSWORD, "reviewer"),
    ):
        response = client.post(
            "/api/v1/accounts",
            json={
                "email": email,
                "display_name": role.title(),
                "password": password,
                "roles": [{"institution_id": institution_id, "role": role}],
            },
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text

    # The catalog learns the institution from InstitutionEnrolled.
    with catalog.client() as http:
        wait_for(
            lambda: http.get(f"/api/v1/institutions/{institution_id}").status_code == 200,
            timeout=60,
            what="the catalog's replica of the enrolled institution",
        )
    return Team(
        institution_id=uuid.UUID(institution_id),
        steward_token=login(client, "steward@hcp.example", STEWARD_PASSWORD)["access_token"],
        reviewer_token=login(client, "reviewer@hcp.example", REVIEWER_PASSWORD)["access_token"],
    )


def submit_in_catalog(catalog: Catalog, team: Team, resource_url: str, **fields: Any) -> str:
    """Creates a draft with one resource and submits it, as the steward, over HTTP."""
    body: dict[str, Any] = {"institution_id": str(team.institution_id), **DATASET_FIELDS}
    body.update(fields)
    with catalog.client(team.steward_token) as http:
        created = http.post("/api/v1/datasets", json=body)
        assert created.status_code == 201, created.text
        dataset_id = created.json()["id"]
        resource = http.post(
            f"/api/v1/datasets/{dataset_id}/resources",
            json={"url": resource_url, "format": "CSV", "title": {"fr": "Fichier CSV"}},
        )
        assert resource.status_code == 201, resource.text
        sent = http.post(f"/api/v1/datasets/{dataset_id}/submit")
        assert sent.status_code == 200, sent.text
        assert sent.json()["state"] == "submitted"
    return dataset_id


def answer_checklist(governance: GovernanceHarness, review_id: str, headers: dict) -> None:
    detail = governance.client.get(f"/api/v1/reviews/{review_id}", headers=headers).json()
    answers = [
        {"item_id": item["id"], "answer": "yes"}
        for stage in detail["stages"]
        for item in stage["checklist"]
    ]
    response = governance.client.put(
        f"/api/v1/reviews/{review_id}/checklist", json={"answers": answers}, headers=headers
    )
    assert response.status_code == 200, response.text


def review_with_report(governance: GovernanceHarness, dataset_id: str) -> Any:
    return wait_for(
        lambda: (
            (review := governance.review_of(uuid.UUID(dataset_id)))
            and review.checks_status == "done"
            and review
        ),
        timeout=60,
        what="governance's review of the submitted dataset, with its report",
    )


async def test_approval_publishes_the_dataset_in_the_catalog(
    governance: GovernanceHarness, catalog: Catalog, team: Team, file_server: FileServer
) -> None:
    csv_url = file_server.serve("/saga/population.csv", Served(GOOD_CSV))
    dataset_id = submit_in_catalog(catalog, team, csv_url)

    submitted_events = await topic_events(
        governance.platform,
        Topic.CATALOG_DATASETS,
        where=of_type(DatasetSubmitted, dataset_id=dataset_id),
    )
    assert len(submitted_events) == 1, catalog.output()
    review = review_with_report(governance, dataset_id)
    assert review.institution_id == team.institution_id
    report = review.quality_report
    assert report["passed"] is True, report["blocking_failures"]
    assert report["resources"][0]["url"] == csv_url and report["resources"][0]["table"]["valid"]
    assert file_server.hits("/saga/population.csv") >= 1
    opened = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        where=of_type(ReviewOpened, dataset_id=dataset_id),
    )
    assert opened[0].payload().quality_score == review.quality_score  # type: ignore[attr-defined]

    reviewer = bearer(team.reviewer_token)
    answer_checklist(governance, str(review.id), reviewer)
    approved = governance.client.post(f"/api/v1/reviews/{review.id}/approve", headers=reviewer)
    assert approved.status_code == 200, approved.text

    published = await topic_events(
        governance.platform,
        Topic.CATALOG_DATASETS,
        where=of_type(DatasetPublished, dataset_id=dataset_id),
        timeout=60,
    )
    assert len(published) == 1, catalog.output()
    data = published[0].payload()
    assert isinstance(data, DatasetPublished)
    assert data.institution_id == team.institution_id and data.frequency == "ANNUAL"
    with catalog.client() as http:  # a published dataset is public
        dataset = http.get(f"/api/v1/datasets/{dataset_id}")
        assert dataset.status_code == 200, dataset.text
        assert dataset.json()["state"] == "published"

    # Governance follows the published dataset's updates from the catalog's event.
    schedules = wait_for(
        lambda: governance.client.get(
            f"/api/v1/schedules?institution_id={team.institution_id}"
        ).json()["items"],
        what="the published dataset's schedule",
    )
    assert [s["dataset_id"] for s in schedules] == [dataset_id]
    assert schedules[0]["frequency"] == "ANNUAL" and schedules[0]["overdue"] is False


async def test_a_rejection_returns_the_dataset_to_draft_with_the_reasons(
    governance: GovernanceHarness, catalog: Catalog, team: Team, file_server: FileServer
) -> None:
    csv_url = file_server.serve("/saga/budget.csv", Served(GOOD_CSV))
    dataset_id = submit_in_catalog(
        catalog,
        team,
        csv_url,
        title={"fr": "Budget des communes", "ar": "ميزانية الجماعات"},
        license_id="other-closed",
    )
    review = review_with_report(governance, dataset_id)
    assert review.quality_report["blocking_failures"] == ["open_license"]

    reason = "Choisir une licence ouverte (ODbL ou CC-BY)."
    rejected = governance.client.post(
        f"/api/v1/reviews/{review.id}/request-changes",
        json={"reasons": [reason]},
        headers=bearer(team.reviewer_token),
    )
    assert rejected.status_code == 200, rejected.text
    decided = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_REVIEWS,
        where=of_type(ReviewDecided, dataset_id=dataset_id),
    )
    assert decided[0].payload().decision == "rejected"  # type: ignore[attr-defined]

    with catalog.client(team.steward_token) as http:

        def back_in_draft() -> dict[str, Any] | None:
            body = http.get(f"/api/v1/datasets/{dataset_id}").json()
            return body if body.get("state") == "draft" else None

        dataset = wait_for(back_in_draft, timeout=60, what="the dataset back in draft")
    assert dataset["rejection_reasons"][0] == reason
    assert any(r.startswith("open_license: ") for r in dataset["rejection_reasons"])
    with catalog.client() as http:  # a draft is not public
        assert http.get(f"/api/v1/datasets/{dataset_id}").status_code == 404
