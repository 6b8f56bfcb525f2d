"""Institutions and their enrolment (with their events), and the procedures guide's versions."""

from __future__ import annotations

import copy
import importlib
import uuid

import pytest

from libs.auth import Role
from libs.events import Topic
from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn
from services.governance.models import Account
from tests.governance.conftest import (
    GovernanceHarness,
    bearer,
    make_account,
    make_institution,
    of_type,
    token_for,
    topic_events,
)

# The migration that seeds version 1 of the guide, with the content it writes out.
SEEDING_MIGRATION = importlib.import_module(
    "services.governance.migrations.versions.0002_institutions_accounts_reviews_guide_"
)


@pytest.fixture(scope="module")
def admin(governance: GovernanceHarness) -> Account:
    return make_account(governance.engine, is_admin=True)


@pytest.fixture(scope="module")
def admin_headers(governance: GovernanceHarness, admin: Account) -> dict[str, str]:
    return bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))


MINISTRY = {
    "slug": "ministere-economie-finances",
    "name": {"fr": "Ministère de l'Économie et des Finances", "ar": "وزارة الاقتصاد والمالية"},
    "acronym": "MEF",
    "kind": "ministry",
    "website": "https://www.finances.gov.ma",
    "logo_url": "https://www.finances.gov.ma/logo.png",
}


async def test_create_enrol_edit_and_withdraw_an_institution_with_its_events(
    governance: GovernanceHarness, admin_headers: dict[str, str]
) -> None:
    client = governance.client
    created = client.post("/api/v1/institutions", json=MINISTRY, headers=admin_headers)
    assert created.status_code == 201, created.text
    institution = created.json()
    assert institution["status"] == "registered" and institution["enrolled_on"] is None
    url = f"/api/v1/institutions/{institution['id']}"

    enrolled = client.post(
        f"{url}/enrol",
        json={"enrolled_on": "2019-12-10", "commitment_reference": "CNDO-2019-07"},
        headers=admin_headers,
    )
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json()["status"] == "enrolled"
    again = client.post(f"{url}/enrol", json={}, headers=admin_headers)
    assert again.status_code == 409 and again.json()["type"].endswith("/already-enrolled")

    edited = client.patch(
        url,
        json={"name": {"fr": "Ministère des Finances", "ar": "وزارة المالية"}},
        headers=admin_headers,
    )
    assert edited.status_code == 200 and edited.json()["name"]["fr"] == "Ministère des Finances"
    assert edited.json()["acronym"] == "MEF"  # untouched fields stay

    withdrawn = client.post(
        f"{url}/withdraw", json={"reason": "reorganisation"}, headers=admin_headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawal_reason"] == "reorganisation"
    not_enrolled = client.post(f"{url}/withdraw", json={}, headers=admin_headers)
    assert not_enrolled.status_code == 409

    events = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_INSTITUTIONS,
        until=3,
        where=lambda e: e.subject == institution["id"],
    )
    assert [e.type for e in events] == [
        InstitutionEnrolled.event_type,
        InstitutionEnrolled.event_type,  # the edit of an enrolled institution, announced again
        InstitutionWithdrawn.event_type,
    ]
    first = events[0].payload()
    assert isinstance(first, InstitutionEnrolled)
    assert first.slug == "ministere-economie-finances" and first.kind == "ministry"
    assert first.name.ar == "وزارة الاقتصاد والمالية" and first.acronym == "MEF"
    assert str(first.enrolled_on) == "2019-12-10"
    assert first.commitment_reference == "CNDO-2019-07"
    assert first.website == MINISTRY["website"] and first.logo_url == MINISTRY["logo_url"]
    assert events[1].payload().name.fr == "Ministère des Finances"  # type: ignore[attr-defined]
    assert events[2].payload().reason == "reorganisation"  # type: ignore[attr-defined]


async def test_bad_institution_input_is_refused_precisely_and_changes_nothing(
    governance: GovernanceHarness, admin_headers: dict[str, str]
) -> None:
    client = governance.client
    existing = make_institution(governance.engine)
    cases = [
        ({**MINISTRY, "slug": existing.slug}, 409, "slug"),
        ({**MINISTRY, "slug": "Not A Slug"}, 422, "slug"),
        ({**MINISTRY, "slug": "ok-slug", "kind": "company"}, 422, "kind"),
        ({**MINISTRY, "slug": "ok-slug", "website": "javascript:alert(1)"}, 422, "website"),
        ({**MINISTRY, "slug": "ok-slug", "name": {"en": "English only"}}, 422, "name"),
        ({**MINISTRY, "slug": "ok-slug", "colour": "blue"}, 422, "colour"),
    ]
    before = client.get("/api/v1/institutions?page_size=1").json()["total"]
    for body, status, field in cases:
        response = client.post("/api/v1/institutions", json=body, headers=admin_headers)
        assert response.status_code == status, (body, response.text)
        fields = [e["field"] for e in response.json().get("errors", [])] or [
            response.json().get("field")
        ]
        assert any(f == field or f.startswith(f"{field}") for f in fields), response.json()
    assert client.get("/api/v1/institutions?page_size=1").json()["total"] == before
    missing = client.patch(f"/api/v1/institutions/{uuid.uuid4()}", json={}, headers=admin_headers)
    assert missing.status_code == 404


def test_only_national_admins_write_institutions_and_anyone_reads_them(
    governance: GovernanceHarness,
) -> None:
    client = governance.client
    institution = make_institution(governance.engine)
    steward = make_account(governance.engine, ("steward", institution.id))
    steward_headers = bearer(token_for(governance.codec, steward, (Role.STEWARD, institution.id)))
    url = f"/api/v1/institutions/{institution.id}"
    for method, path, body in (
        ("post", "/api/v1/institutions", {**MINISTRY, "slug": "by-a-steward"}),
        ("patch", url, {"acronym": "X"}),
        ("post", f"{url}/withdraw", {}),
        ("post", f"{url}/enrol", {}),
    ):
        assert client.request(method, path, json=body, headers=steward_headers).status_code == 403
        assert client.request(method, path, json=body).status_code == 401
    public = client.get(url)
    assert public.status_code == 200 and public.json()["status"] == "enrolled"
    listing = client.get(f"/api/v1/institutions?q={institution.slug}&status=enrolled")
    assert [i["id"] for i in listing.json()["items"]] == [str(institution.id)]
    assert client.get(f"/api/v1/institutions/{uuid.uuid4()}").status_code == 404

    members = client.get(f"{url}/members", headers=steward_headers)
    assert members.status_code == 200
    assert members.json()["items"][0]["roles"] == ["steward"]
    outsider = make_account(governance.engine)
    assert (
        client.get(
            f"{url}/members", headers=bearer(token_for(governance.codec, outsider))
        ).status_code
        == 403
    )


def test_institutions_list_paginates(
    governance: GovernanceHarness, admin_headers: dict[str, str]
) -> None:
    for _ in range(3):
        make_institution(governance.engine, enrolled=False)
    first = governance.client.get("/api/v1/institutions?page_size=2&status=registered").json()
    second = governance.client.get(
        "/api/v1/institutions?page_size=2&page=2&status=registered"
    ).json()
    assert first["total"] >= 3 and len(first["items"]) == 2 and first["pages"] >= 2
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    too_big = governance.client.get("/api/v1/institutions?page_size=1000")
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "page_size"


# --- the procedures guide ---------------------------------------------------------------------


def test_the_guide_is_seeded_bilingual_and_public(governance: GovernanceHarness) -> None:
    response = governance.client.get("/api/v1/guide")
    assert response.status_code == 200
    guide = response.json()
    assert guide["version"] >= 1
    first = governance.client.get("/api/v1/guide/versions/1").json()
    assert first["content"] == SEEDING_MIGRATION.GUIDE_V1
    stages = [s["key"] for s in first["content"]["stages"]]
    assert stages == ["selection", "collection", "classification", "validation"]
    for stage in first["content"]["stages"]:
        for item in stage["checklist"]:
            assert item["label"]["ar"] and item["label"]["fr"]
    selection = first["content"]["stages"][0]["checklist"]
    assert {"no-personal-data", "no-security-sensitive-data"} <= {i["id"] for i in selection}
    assert guide["automatic_checks"]["collection"] == ["resources_present", "resources_reachable"]


def test_admins_publish_new_guide_versions_and_old_ones_stay(
    governance: GovernanceHarness, admin_headers: dict[str, str]
) -> None:
    client = governance.client
    current = client.get("/api/v1/guide").json()
    content = copy.deepcopy(current["content"])
    content["stages"][0]["checklist"].append(
        {
            "id": "open-by-default",
            "label": {"fr": "Ouvert par défaut", "ar": "مفتوح افتراضيا"},
            "required": False,
        }
    )
    published = client.put(
        "/api/v1/guide", json={"content": content, "note": "open by default"}, headers=admin_headers
    )
    assert published.status_code == 201, published.text
    new = published.json()
    assert new["version"] == current["version"] + 1 and new["note"] == "open by default"
    assert client.get("/api/v1/guide").json()["version"] == new["version"]
    old = client.get(f"/api/v1/guide/versions/{current['version']}").json()
    assert old["content"] == current["content"]
    versions = client.get("/api/v1/guide/versions?page_size=1").json()
    assert versions["total"] == new["version"] and versions["items"][0]["version"] == new["version"]
    assert client.get("/api/v1/guide/versions/999").status_code == 404


def test_a_bad_guide_is_refused_and_changes_nothing(
    governance: GovernanceHarness, admin_headers: dict[str, str], admin: Account
) -> None:
    client = governance.client
    current = client.get("/api/v1/guide").json()
    missing_stage = copy.deepcopy(current["content"])
    missing_stage["stages"].pop()
    duplicate = copy.deepcopy(current["content"])
    duplicate["stages"][1]["checklist"].append(duplicate["stages"][0]["checklist"][0])
    french_only = copy.deepcopy(current["content"])
    french_only["stages"][0]["checklist"][0]["label"] = {"fr": "Seulement en français"}
    for content in (missing_stage, duplicate, french_only):
        response = client.put("/api/v1/guide", json={"content": content}, headers=admin_headers)
        assert response.status_code == 422, response.text
    reviewer = make_account(governance.engine)
    as_reviewer = bearer(token_for(governance.codec, reviewer))
    assert (
        client.put(
            "/api/v1/guide", json={"content": current["content"]}, headers=as_reviewer
        ).status_code
        == 403
    )
    assert client.put("/api/v1/guide", json={"content": current["content"]}).status_code == 401
    assert client.get("/api/v1/guide").json()["version"] == current["version"]


async def test_institution_events_carry_the_slug_and_the_kind(
    governance: GovernanceHarness,
) -> None:
    institution = make_institution(governance.engine)
    events = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_INSTITUTIONS,
        where=of_type(InstitutionEnrolled, institution_id=institution.id),
    )
    data = events[0].payload()
    assert isinstance(data, InstitutionEnrolled)
    assert data.slug == institution.slug and data.kind == "public_body"
    assert events[0].source == "/bayanat/governance"
