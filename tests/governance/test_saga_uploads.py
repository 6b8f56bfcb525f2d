"""The publication saga with uploaded files, as under ``make run``: the catalog (its own
process) and governance on their default settings for the catalog's origin. The catalog's
public URL is its own address (CATALOG_PUBLIC_URL unset) and governance trusts exactly that
origin (GOVERNANCE_CATALOG_URL, whose default is the catalog's default address), with no
allowance for the loopback otherwise: governance reads a draft's file through the signed URL
the submission gives, on the loopback, and nowhere else.

Also across the two processes: a token governance revokes stops opening the catalog within
seconds (TokensRevoked, consumed by the catalog).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from libs.events import Topic
from libs.events.schemas import DatasetPublished, DatasetSubmitted
from libs.settings import PlatformSettings
from tests.governance.conftest import (
    BROKEN_CSV,
    GOOD_CSV,
    GovernanceHarness,
    bearer,
    login,
    make_account,
    of_type,
    running_governance,
    topic_events,
)
from tests.governance.test_saga import (
    Catalog,
    Team,
    answer_checklist,
    catalog,
    review_with_report,
    saga_platform,
    team,
)
from tests.support.infra import PostgresDatabases
from tests.support.revocation import CAUSES, Cause, Signed, refused_within

__all__ = ["catalog", "saga_platform", "team"]  # the saga's fixtures, for this module too

# The catalog reads the revocations it consumed every second: the event's trip through the
# broker and that second.
REVOKED_WITHIN_SECONDS = 10.0


@pytest.fixture(scope="module")
def governance(
    saga_platform: PlatformSettings, postgres_databases: PostgresDatabases, catalog: Catalog
) -> Iterator[GovernanceHarness]:
    """Governance with the defaults of ``make run`` for the catalog's origin: no address is
    allowed to the quality checks but the catalog's own origin, trusted by default."""
    with running_governance(
        postgres_databases.create("governance"),
        saga_platform,
        quality_url_allowlist=[],
        catalog_url=catalog.url,
    ) as harness:
        yield harness


def upload_and_submit(catalog: Catalog, team: Team, content: bytes, name: str) -> str:
    """A draft with one uploaded CSV, submitted, as the steward over HTTP."""
    with catalog.client(team.steward_token) as http:
        created = http.post(
            "/api/v1/datasets",
            json={
                "institution_id": str(team.institution_id),
                "title": {"fr": f"Population par région ({name})", "ar": "السكان حسب الجهة"},
                "description": {
                    "fr": "Population de chacune des régions, par année, issue des "
                    "recensements généraux de la population et de l'habitat.",
                    "ar": "عدد سكان كل جهة حسب السنة، من الإحصاءات العامة للسكان والسكنى "
                    "كما تنشرها المندوبية السامية للتخطيط.",
                },
                "tags": ["population"],
                "themes": ["population"],
                "license_id": "odc-odbl",
                "frequency": "ANNUAL",
                "contact_point": {"name": "Statistiques", "email": "stat@hcp.example"},
            },
        )
        assert created.status_code == 201, created.text
        dataset_id: str = created.json()["id"]
        uploaded = http.post(
            f"/api/v1/datasets/{dataset_id}/resources",
            files={"file": (f"{name}.csv", content, "text/csv")},
        )
        assert uploaded.status_code == 201, uploaded.text
        sent = http.post(f"/api/v1/datasets/{dataset_id}/submit")
        assert sent.status_code == 200, sent.text
    with catalog.client() as anonymous:  # the draft's file stays private
        path = f"/api/v1/datasets/{dataset_id}/resources/{uploaded.json()['id']}/download"
        assert anonymous.get(path).status_code == 404
    return dataset_id


async def test_an_uploaded_csv_is_checked_approved_and_published(
    governance: GovernanceHarness, catalog: Catalog, team: Team
) -> None:
    dataset_id = upload_and_submit(catalog, team, GOOD_CSV, "population")
    [submitted] = await topic_events(
        governance.platform,
        Topic.CATALOG_DATASETS,
        where=of_type(DatasetSubmitted, dataset_id=dataset_id),
    )
    [resource] = submitted.data["resources"]
    assert resource["uploaded"] and resource["url"].startswith(catalog.url + "/api/v1/")
    assert "signature=" in resource["url"] and resource["sha256"]

    review = review_with_report(governance, dataset_id)
    report = review.quality_report
    assert report["passed"] is True, report["blocking_failures"]
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["resources_reachable"]["passed"] is True
    assert checks["csv_valid"]["passed"] is True, checks["csv_valid"]
    assert report["resources"][0]["table"]["valid"] is True

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
    with catalog.client() as http:  # now public, the file too
        dataset = http.get(f"/api/v1/datasets/{dataset_id}").json()
        assert dataset["state"] == "published"
        [file] = dataset["resources"]
        download = http.get(file["download_url"].removeprefix(catalog.url))
        assert download.status_code == 200 and download.content == GOOD_CSV


async def test_an_uploaded_broken_csv_is_named_by_csv_valid(
    governance: GovernanceHarness, catalog: Catalog, team: Team
) -> None:
    dataset_id = upload_and_submit(catalog, team, BROKEN_CSV, "population-cassee")
    report = review_with_report(governance, dataset_id).quality_report
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["resources_reachable"]["passed"] is True  # read through its signed URL
    csv_valid = checks["csv_valid"]
    assert csv_valid["passed"] is False and "csv_valid" in report["blocking_failures"]
    [invalid] = csv_valid["details"]["invalid"]
    assert invalid["errors_by_type"] == {
        "duplicate-label": 1,
        "blank-row": 1,
        "type-error": 1,
        "extra-cell": 1,
    }
    assert any(e["type"] == "type-error" for e in invalid["first_errors"])


def signed_in(governance: GovernanceHarness, team: Team) -> tuple[Signed, str]:
    account = make_account(governance.engine, ("steward", team.institution_id))
    tokens = login(governance.client, account.email)
    signed = Signed(
        account_id=account.id,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        institution_id=team.institution_id,
        role="steward",
    )
    return signed, account.email


@pytest.mark.parametrize("cause", CAUSES, ids=[cause.name for cause in CAUSES])
def test_the_catalog_refuses_a_token_governance_revoked_within_seconds(
    governance: GovernanceHarness, catalog: Catalog, team: Team, cause: Cause
) -> None:
    admin = make_account(governance.engine, is_admin=True)
    admin_headers = bearer(login(governance.client, admin.email)["access_token"])
    signed, _ = signed_in(governance, team)
    draft: dict[str, Any] = {
        "institution_id": str(team.institution_id),
        "title": {"fr": f"Brouillon {uuid.uuid4().hex[:6]}"},
    }
    with catalog.client(signed.access_token) as http:
        assert http.post("/api/v1/datasets", json=draft).status_code == 201

        def create() -> httpx.Response:
            return http.post(
                "/api/v1/datasets",
                json={**draft, "title": {"fr": f"Brouillon {uuid.uuid4().hex[:6]}"}},
            )

        cause.act(governance.client, admin_headers, signed)
        took = refused_within(create, timeout=REVOKED_WITHIN_SECONDS, poll=0.2)
    assert took < REVOKED_WITHIN_SECONDS
