"""The harvest API: national admins only, precise refusals for bad input (nothing written),
jobs queued on demand, a source deleted only once it has no live dataset."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, func, select

from libs.db import utcnow
from libs.settings import PlatformSettings
from services.catalog.models import HarvestJob, HarvestRecord, HarvestSource
from tests.catalog.conftest import (
    CatalogHarness,
    TokenFactory,
    create_published_dataset,
    enrol_organization,
    isolated_platform,
    running_catalog,
)
from tests.support.infra import PostgresDatabases


@pytest.fixture(scope="module")
def catalog(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CatalogHarness]:
    # No runner: the jobs these tests queue stay queued.
    with running_catalog(
        postgres_databases.create("harvest_api"),
        tmp_path_factory.mktemp("uploads"),
        isolated_platform(kafka),
        harvest_worker_enabled=False,
    ) as harness:
        yield harness


@pytest.fixture(scope="module")
def institution(catalog: CatalogHarness) -> uuid.UUID:
    return enrol_organization(catalog.units).id


def source_body(institution: uuid.UUID, **fields: Any) -> dict[str, Any]:
    return {
        "slug": f"src-{uuid.uuid4().hex[:8]}",
        "name": "Portail des communes",
        "institution_id": str(institution),
        "kind": "ckan",
        "url": "https://ckan.communes.example",
        **fields,
    }


def rows(catalog: CatalogHarness) -> tuple[int, int]:
    with catalog.session() as session:
        sources = session.exec(select(func.count()).select_from(HarvestSource)).one()
        jobs = session.exec(select(func.count()).select_from(HarvestJob)).one()
    return sources, jobs


def test_only_national_admins_manage_sources(
    catalog: CatalogHarness, tokens: TokenFactory, institution: uuid.UUID
) -> None:
    client = catalog.client
    body = source_body(institution)
    assert client.post("/api/v1/harvest/sources", json=body).status_code == 401
    steward = tokens.as_steward(institution)
    refused = client.post("/api/v1/harvest/sources", json=body, headers=steward)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/national-admin-required")
    assert client.get("/api/v1/harvest/sources", headers=steward).status_code == 403


def test_a_source_is_created_read_and_changed(
    catalog: CatalogHarness, tokens: TokenFactory, institution: uuid.UUID
) -> None:
    admin = tokens.as_admin()
    body = source_body(
        institution,
        schedule={"daily_at": "03:30"},
        filters={"organizations": ["commune-agadir"], "tags": ["budget", "budget"]},
        mappings={
            "licenses": {"License Ouverte": "other-open"},
            "themes": {"finances": "economie-finances"},
            "formats": {"tableur": "xlsx"},
        },
        review_policy="trusted",
        rate_limit=0.5,
    )
    created = catalog.client.post("/api/v1/harvest/sources", json=body, headers=admin)
    assert created.status_code == 201, created.text
    source = created.json()
    assert created.headers["Location"] == f"/api/v1/harvest/sources/{source['id']}"
    assert source["schedule"] == {"every_minutes": None, "daily_at": "03:30"}
    assert source["filters"] == {"organizations": ["commune-agadir"], "tags": ["budget"]}
    assert source["mappings"]["formats"] == {"tableur": "XLSX"}
    assert source["next_run_at"] is not None and source["last_job"] is None
    by_slug = catalog.client.get(f"/api/v1/harvest/sources/{body['slug']}", headers=admin)
    assert by_slug.json()["id"] == source["id"]
    # What the next job maps changes: it reads everything again.
    with catalog.units() as uow:
        stored = uow.session.get_one(HarvestSource, uuid.UUID(source["id"]))
        stored.high_water_mark = datetime(2025, 1, 1, tzinfo=UTC)
        uow.commit()
    changed = catalog.client.patch(
        f"/api/v1/harvest/sources/{source['id']}",
        json={"mappings": {"themes": {"sante-publique": "sante"}}, "schedule": None},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["high_water_mark"] is None
    assert (changed.json()["schedule"], changed.json()["next_run_at"]) == (None, None)
    renamed = catalog.client.patch(
        f"/api/v1/harvest/sources/{source['id']}", json={"name": "Communes"}, headers=admin
    )
    assert renamed.json()["name"] == "Communes"


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"mappings": {"licenses": {"lo": "licence-inconnue"}}}, 422, "mappings.licenses.lo"),
        ({"mappings": {"themes": {"eau": "hydraulique"}}}, 422, "mappings.themes.eau"),
        ({"mappings": {"formats": {"tableur": "tablette"}}}, 422, "mappings.formats.tableur"),
        ({"kind": "dcat", "filters": {"tags": ["budget"]}}, 422, "filters"),
        ({"schedule": {"every_minutes": 60, "daily_at": "03:00"}}, 422, "schedule"),
        ({"schedule": {"daily_at": "25:00"}}, 422, "schedule.daily_at"),
        ({"schedule": {"every_minutes": 1}}, 422, "schedule.every_minutes"),
        ({"rate_limit": 0}, 422, "rate_limit"),
        ({"url": "ftp://ckan.communes.example"}, 422, "url"),
        ({"slug": "Pas Un Slug"}, 422, "slug"),
        ({"institution_id": str(uuid.uuid4())}, 422, "institution_id"),
        ({"review_policy": "sometimes"}, 422, "review_policy"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    catalog: CatalogHarness,
    tokens: TokenFactory,
    institution: uuid.UUID,
    fields: dict[str, Any],
    status: int,
    field: str,
) -> None:
    before = rows(catalog)
    answer = catalog.client.post(
        "/api/v1/harvest/sources",
        json=source_body(institution, **fields),
        headers=tokens.as_admin(),
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in {error["field"] for error in answer.json()["errors"]}
    assert rows(catalog) == before


def test_a_taken_slug_is_a_conflict(
    catalog: CatalogHarness, tokens: TokenFactory, institution: uuid.UUID
) -> None:
    body = source_body(institution)
    admin = tokens.as_admin()
    assert (
        catalog.client.post("/api/v1/harvest/sources", json=body, headers=admin).status_code == 201
    )
    again = catalog.client.post("/api/v1/harvest/sources", json=body, headers=admin)
    assert again.status_code == 409 and again.json()["type"].endswith("/slug-taken")


def test_a_job_asked_for_is_queued_once_and_shown(
    catalog: CatalogHarness, tokens: TokenFactory, institution: uuid.UUID
) -> None:
    admin = tokens.as_admin()
    source = catalog.client.post(
        "/api/v1/harvest/sources", json=source_body(institution), headers=admin
    ).json()
    path = f"/api/v1/harvest/sources/{source['id']}/jobs"
    job = catalog.client.post(path, headers=admin)
    assert job.status_code == 202, job.text
    assert (job.json()["status"], job.json()["trigger"], job.json()["full"]) == (
        "queued",
        "api",
        False,
    )
    again = catalog.client.post(path, json={"full": True}, headers=admin)
    assert (again.json()["id"], again.json()["full"]) == (job.json()["id"], True)
    listed = catalog.client.get(path, headers=admin).json()
    assert [item["id"] for item in listed["items"]] == [job.json()["id"]]
    detail = catalog.client.get(f"/api/v1/harvest/jobs/{job.json()['id']}", headers=admin)
    assert detail.status_code == 200 and detail.json()["errors"] == []
    assert detail.json()["counts"] == dict(
        seen=0, new=0, updated=0, unchanged=0, withdrawn=0, failed=0
    )
    read = catalog.client.get(f"/api/v1/harvest/sources/{source['id']}", headers=admin)
    assert read.json()["last_job"]["id"] == job.json()["id"]
    unknown = catalog.client.get(f"/api/v1/harvest/jobs/{uuid.uuid4()}", headers=admin)
    assert unknown.status_code == 404
    catalog.client.patch(
        f"/api/v1/harvest/sources/{source['id']}", json={"enabled": False}, headers=admin
    )
    disabled = catalog.client.post(path, headers=admin)
    assert disabled.status_code == 409
    assert disabled.json()["type"].endswith("/harvest-source-disabled")


def test_a_source_is_deleted_only_once_its_datasets_are_withdrawn(
    catalog: CatalogHarness, tokens: TokenFactory, institution: uuid.UUID
) -> None:
    admin = tokens.as_admin()
    source = catalog.client.post(
        "/api/v1/harvest/sources", json=source_body(institution), headers=admin
    ).json()
    dataset = create_published_dataset(catalog.units, catalog.store, institution)
    now = utcnow()
    with catalog.units() as uow:
        uow.session.add(
            HarvestRecord(
                dataset_id=dataset.id,
                source_id=uuid.UUID(source["id"]),
                original_id="budget-2025",
                content_hash="0" * 64,
                first_harvested_at=now,
                harvested_at=now,
            )
        )
        uow.commit()
    path = f"/api/v1/harvest/sources/{source['id']}"
    refused = catalog.client.delete(path, headers=admin)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/harvest-source-has-datasets")
    withdrawn = catalog.client.post(
        f"/api/v1/datasets/{dataset.id}/withdraw", headers=tokens.as_steward(institution)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert catalog.client.delete(path, headers=admin).status_code == 204
    assert catalog.client.get(path, headers=admin).status_code == 404
    with catalog.session() as session:
        assert (
            session.exec(
                select(HarvestRecord).where(col(HarvestRecord.dataset_id) == dataset.id)
            ).first()
            is None
        )
    # The dataset itself stays, withdrawn, without provenance.
    shown = catalog.client.get(f"/api/v1/datasets/{dataset.id}", headers=admin).json()
    assert (shown["state"], shown["provenance"]) == ("withdrawn", None)
