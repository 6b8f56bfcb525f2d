"""Public and private reads: who sees which dataset, the steward's own list, organisations
with their datasets, and the reference lists (themes, licences, tags) with their counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from services.catalog.domain.datasets import withdraw_dataset
from services.catalog.models import Dataset, Resource
from tests.catalog.conftest import (
    CatalogHarness,
    DatasetFixture,
    ResourceSpec,
    TokenFactory,
    admin_principal,
    create_draft_dataset,
    create_published_dataset,
    enrol_organization,
    steward_principal,
)


@dataclass
class World:
    ours: uuid.UUID
    theirs: uuid.UUID
    published: DatasetFixture
    draft: DatasetFixture
    submitted: DatasetFixture
    withdrawn: DatasetFixture
    theirs_published: DatasetFixture


@pytest.fixture(scope="module")
def world(catalog: CatalogHarness, tokens: TokenFactory) -> World:
    ours = enrol_organization(catalog.units, slug="hcp", acronym="HCP").id
    theirs = enrol_organization(
        catalog.units,
        slug="mef",
        acronym="MEF",
        name_fr="Ministère de l'Économie et des Finances",
        name_ar="وزارة الاقتصاد والمالية",
    ).id
    units, store = catalog.units, catalog.store
    published = create_published_dataset(
        units,
        store,
        ours,
        title={"fr": "Recensement 2024", "ar": "الإحصاء العام 2024"},
        tags=["Recensement", "population", "ménages"],
        themes=["population", "collectivites"],
        license_id="cc-by",
    )
    draft = create_draft_dataset(units, store, ours, title={"fr": "Brouillon HCP"})
    submitted = create_draft_dataset(units, store, ours, title={"fr": "Soumis HCP"})
    catalog.client.post(
        f"/api/v1/datasets/{submitted.id}/submit", headers=tokens.as_steward(ours)
    ).raise_for_status()
    withdrawn = create_published_dataset(units, store, ours, title={"fr": "Retiré HCP"})
    with units() as uow:
        withdraw_dataset(uow, steward_principal(ours), ref=withdrawn.id, reason="obsolète")
        uow.commit()
    theirs_published = create_published_dataset(
        units,
        store,
        theirs,
        title={"fr": "Loi de finances", "ar": "قانون المالية"},
        tags=["budget", "population"],
        themes=["economie-finances"],
        license_id="other-closed",
        resources=[ResourceSpec(url="https://finances.gov.ma/lf.pdf")],
    )
    return World(ours, theirs, published, draft, submitted, withdrawn, theirs_published)


def test_who_sees_what(catalog: CatalogHarness, tokens: TokenFactory, world: World) -> None:
    client = catalog.client
    viewers = {
        "anonymous": {},
        "our steward": tokens.as_steward(world.ours),
        "our reviewer": tokens.as_reviewer(world.ours),
        "their steward": tokens.as_steward(world.theirs),
        "admin": tokens.as_admin(),
    }
    expected = {
        "published": {"anonymous", "our steward", "our reviewer", "their steward", "admin"},
        "draft": {"our steward", "our reviewer", "admin"},
        "submitted": {"our steward", "our reviewer", "admin"},
        "withdrawn": {"our steward", "our reviewer", "admin"},
    }
    for which, allowed in expected.items():
        dataset: DatasetFixture = getattr(world, which)
        for viewer, headers in viewers.items():
            by_id = client.get(f"/api/v1/datasets/{dataset.id}", headers=headers)
            by_name = client.get(f"/api/v1/datasets/{dataset.slug}", headers=headers)
            status = 200 if viewer in allowed else 404
            assert (by_id.status_code, by_name.status_code) == (status, status), (which, viewer)
            resource = client.get(
                f"/api/v1/datasets/{dataset.id}/resources/{dataset.resource_ids[0]}",
                headers=headers,
            )
            assert resource.status_code == status, (which, viewer)
    assert (
        client.get("/api/v1/datasets/no-such-dataset").json()["type"].endswith("/dataset-not-found")
    )


def test_a_published_dataset_in_full(catalog: CatalogHarness, world: World) -> None:
    body = catalog.client.get(f"/api/v1/datasets/{world.published.slug}").json()
    assert body["title"] == {"fr": "Recensement 2024", "ar": "الإحصاء العام 2024"}
    assert body["tags"] == ["ménages", "population", "recensement"]
    assert [t["name"] for t in body["themes"]] == ["collectivites", "population"]
    assert body["themes"][1]["title"]["ar"] == "السكان والمجتمع"
    assert body["license"] == {
        "id": "cc-by",
        "title": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "is_open": True,
    }
    assert body["openness_stars"] == 3
    assert body["formats"] == ["CSV", "JSON"]
    assert body["num_resources"] == 2
    assert body["reuse_count"] == 0
    assert body["institution"]["slug"] == "hcp"
    uploaded, linked = body["resources"]
    assert uploaded["uploaded"] and uploaded["download_url"].endswith("/download")
    assert linked["download_url"] == linked["url"]


def test_my_datasets_lists_every_state_of_my_institutions(
    catalog: CatalogHarness, tokens: TokenFactory, world: World
) -> None:
    client = catalog.client
    mine = client.get("/api/v1/me/datasets", headers=tokens.as_steward(world.ours)).json()
    ids = {item["id"] for item in mine["items"]}
    assert ids == {
        str(d.id) for d in (world.published, world.draft, world.submitted, world.withdrawn)
    }
    assert {item["state"] for item in mine["items"]} == {
        "draft",
        "submitted",
        "published",
        "withdrawn",
    }
    drafts = client.get(
        "/api/v1/me/datasets",
        headers=tokens.as_steward(world.ours),
        params={"state": "draft", "page_size": 1},
    ).json()
    assert (drafts["total"], drafts["pages"], len(drafts["items"])) == (1, 1, 1)
    assert drafts["items"][0]["id"] == str(world.draft.id)
    theirs = client.get("/api/v1/me/datasets", headers=tokens.as_steward(world.theirs)).json()
    assert [i["id"] for i in theirs["items"]] == [str(world.theirs_published.id)]
    everything = client.get("/api/v1/me/datasets", headers=tokens.as_admin()).json()
    assert everything["total"] >= 5
    assert client.get("/api/v1/me/datasets").status_code == 401
    viewer = tokens.headers(tokens.token())
    assert client.get("/api/v1/me/datasets", headers=viewer).status_code == 403


def test_organisations_with_counts_and_datasets(catalog: CatalogHarness, world: World) -> None:
    client = catalog.client
    listing = client.get("/api/v1/institutions").json()
    counts = {o["slug"]: o["dataset_count"] for o in listing["items"]}
    assert counts["hcp"] == 1  # published only: not the draft, submitted or withdrawn ones
    assert counts["mef"] == 1
    assert client.get("/api/v1/institutions", params={"q": "mef"}).json()["total"] == 1
    one = client.get("/api/v1/institutions/hcp").json()
    assert one["id"] == str(world.ours) and one["dataset_count"] == 1
    datasets = client.get("/api/v1/institutions/hcp/datasets").json()
    assert [d["id"] for d in datasets["items"]] == [str(world.published.id)]
    assert datasets["items"][0]["institution"]["acronym"] == "HCP"
    paged = client.get("/api/v1/institutions", params={"page_size": 1, "page": 2}).json()
    assert (paged["page"], len(paged["items"])) == (2, 1)
    missing = client.get("/api/v1/institutions/nobody")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_reference_lists_count_published_datasets(catalog: CatalogHarness, world: World) -> None:
    client = catalog.client
    themes = client.get("/api/v1/themes", params={"page_size": 100}).json()
    assert themes["total"] == 15
    theme_counts = {t["name"]: t["dataset_count"] for t in themes["items"]}
    assert theme_counts["population"] == 1
    assert theme_counts["economie-finances"] == 1
    assert theme_counts["sante"] == 0
    assert themes["items"][0]["title"] == {"fr": "Économie et finances", "ar": "الاقتصاد والمالية"}

    licenses = client.get("/api/v1/licenses", params={"page_size": 100}).json()
    by_id = {lic["id"]: lic for lic in licenses["items"]}
    assert by_id["cc-by"]["dataset_count"] == 1
    assert by_id["other-closed"] == {
        "id": "other-closed",
        "title": "Other (not open)",
        "url": "https://data.gov.ma/licence/other-closed",
        "is_open": False,
        "dataset_count": 1,
    }
    assert {"cc-by", "cc-by-sa", "cc-zero", "odc-odbl", "other-open"} <= set(by_id)
    closed = client.get("/api/v1/licenses", params={"is_open": False}).json()
    assert [lic["id"] for lic in closed["items"]] == ["other-closed"]

    tags = client.get("/api/v1/tags").json()
    assert tags["items"][0] == {"name": "population", "dataset_count": 2}
    assert {t["name"] for t in tags["items"]} == {"population", "recensement", "ménages", "budget"}
    prefixed = client.get("/api/v1/tags", params={"prefix": "RE"}).json()
    assert prefixed["items"] == [{"name": "recensement", "dataset_count": 1}]
    page = client.get("/api/v1/tags", params={"page_size": 2, "page": 2}).json()
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)


def test_a_draft_and_its_files_are_deleted(
    catalog: CatalogHarness, tokens: TokenFactory, world: World
) -> None:
    draft = create_draft_dataset(catalog.units, catalog.store, world.ours, actor=admin_principal())
    with Session(catalog.engine) as session:
        keys = session.exec(
            select(Resource.storage_key).where(
                col(Resource.dataset_id) == draft.id, col(Resource.storage_key).is_not(None)
            )
        ).all()
    assert keys and all(k is not None and catalog.store.exists(k) for k in keys)
    response = catalog.client.delete(
        f"/api/v1/datasets/{draft.id}", headers=tokens.as_steward(world.ours)
    )
    assert response.status_code == 204
    with Session(catalog.engine) as session:
        assert session.get(Dataset, draft.id) is None
        assert not session.exec(select(Resource).where(col(Resource.dataset_id) == draft.id)).all()
    assert not any(k is not None and catalog.store.exists(k) for k in keys)


def test_a_drafts_resources_are_edited_and_removed(
    catalog: CatalogHarness, tokens: TokenFactory, world: World
) -> None:
    client = catalog.client
    steward = tokens.as_steward(world.ours)
    draft = create_draft_dataset(catalog.units, catalog.store, world.ours)
    upload_id, link_id = draft.resource_ids
    base = f"/api/v1/datasets/{draft.id}/resources"
    edited = client.patch(
        f"{base}/{link_id}",
        headers=steward,
        json={"url": "https://data.example.ma/api/v2/population.xml", "position": 0},
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["format"], edited.json()["media_type"]) == ("JSON", "application/json")
    reformatted = client.patch(
        f"{base}/{link_id}", headers=steward, json={"format": ".xml", "title": {"ar": "واجهة"}}
    )
    assert reformatted.json()["format"] == "XML"
    assert reformatted.json()["title"] == {"ar": "واجهة"}
    removed = client.delete(f"{base}/{upload_id}", headers=steward)
    assert removed.status_code == 204
    body = client.get(f"/api/v1/datasets/{draft.id}", headers=steward).json()
    assert [r["id"] for r in body["resources"]] == [str(link_id)]
    assert body["formats"] == ["XML"]
