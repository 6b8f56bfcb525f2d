"""Uploaded resources: streamed storage with size and SHA-256, served back with
Content-Length, ETag/If-None-Match, Range/If-Range; oversized uploads refused with nothing kept."""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import func, select

from libs.events.schemas import DatasetSubmitted
from libs.settings import PlatformSettings
from services.catalog.models import Resource, messaging
from tests.catalog.conftest import (
    CatalogHarness,
    ResourceSpec,
    TokenFactory,
    app_signer,
    catalog_events,
    create_draft_dataset,
    create_published_dataset,
    enrol_organization,
    isolated_platform,
    of_type,
    running_catalog,
)
from tests.support.infra import PostgresDatabases

LIMIT = 100_000
CONTENT = os.urandom(50_000)


@pytest.fixture(scope="module")
def catalog(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CatalogHarness]:
    """The catalog with a small upload limit (CATALOG_MAX_UPLOAD_BYTES)."""
    with running_catalog(
        postgres_databases.create("catalog_uploads"),
        tmp_path_factory.mktemp("uploads"),
        isolated_platform(kafka),
        max_upload_bytes=LIMIT,
    ) as harness:
        yield harness


@pytest.fixture(scope="module")
def institution_id(catalog: CatalogHarness) -> uuid.UUID:
    return enrol_organization(catalog.units).id


@pytest.fixture(scope="module")
def published(catalog: CatalogHarness, institution_id: uuid.UUID):
    return create_published_dataset(
        catalog.units,
        catalog.store,
        institution_id,
        resources=[
            ResourceSpec(content=CONTENT, filename="mesures 2024.parquet"),
            ResourceSpec(url="https://example.ma/stations.geojson"),
        ],
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def counts(catalog: CatalogHarness) -> tuple[int, int]:
    with catalog.session() as session:
        resources = session.exec(select(func.count()).select_from(Resource)).one()
        outbox = session.exec(select(func.count()).select_from(messaging.outbox)).one()
    return resources, outbox


def test_an_upload_is_measured_hashed_and_stored(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID
) -> None:
    draft = create_draft_dataset(catalog.units, catalog.store, institution_id, resources=[])
    response = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/resources",
        headers=tokens.as_steward(institution_id),
        files={"file": ("relevés.csv", CONTENT, "application/octet-stream")},
        data={"metadata": json.dumps({"description": {"fr": "Relevés bruts"}})},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["size"] == len(CONTENT)
    assert body["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert body["format"] == "CSV"  # from the file name
    assert body["media_type"] == "text/csv"  # octet-stream says nothing: the format's type
    assert body["filename"] == "relevés.csv"
    assert body["title"] == {"fr": "relevés.csv"}
    assert body["description"] == {"fr": "Relevés bruts"}
    assert body["uploaded"] is True and body["url"] is None
    with catalog.session() as session:
        resource = session.get(Resource, uuid.UUID(body["id"]))
        assert resource is not None and resource.storage_key
        assert catalog.store.path(resource.storage_key).read_bytes() == CONTENT


def test_download_serves_the_file_with_length_and_etag(catalog: CatalogHarness, published) -> None:
    url = f"/api/v1/datasets/{published.slug}/resources/{published.resource_ids[0]}/download"
    response = catalog.client.get(url)
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.headers["etag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"].startswith("application/vnd.apache.parquet")
    assert "mesures%202024.parquet" in response.headers["content-disposition"]

    head = catalog.client.head(url)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(CONTENT))
    assert head.content == b""


def test_if_none_match_gives_304(catalog: CatalogHarness, published) -> None:
    url = f"/api/v1/datasets/{published.id}/resources/{published.resource_ids[0]}/download"
    etag = catalog.client.get(url).headers["etag"]
    response = catalog.client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    other = catalog.client.get(url, headers={"If-None-Match": '"0000"'})
    assert other.status_code == 200


def test_ranges_give_206_with_content_range(catalog: CatalogHarness, published) -> None:
    url = f"/api/v1/datasets/{published.id}/resources/{published.resource_ids[0]}/download"
    size = len(CONTENT)
    first = catalog.client.get(url, headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.content == CONTENT[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{size}"
    assert first.headers["content-length"] == "100"

    middle = catalog.client.get(url, headers={"Range": "bytes=1000-"})
    assert middle.status_code == 206
    assert middle.content == CONTENT[1000:]
    assert middle.headers["content-range"] == f"bytes 1000-{size - 1}/{size}"

    suffix = catalog.client.get(url, headers={"Range": "bytes=-10"})
    assert suffix.status_code == 206
    assert suffix.content == CONTENT[-10:]

    beyond = catalog.client.get(url, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    assert beyond.headers["content-type"] == "application/problem+json"

    # If-Range with another version's validator: the whole (current) file.
    stale = catalog.client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200
    assert stale.content == CONTENT
    etag = first.headers["etag"]
    fresh = catalog.client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206


def test_a_link_is_not_downloaded_through_the_catalog(catalog: CatalogHarness, published) -> None:
    url = f"/api/v1/datasets/{published.id}/resources/{published.resource_ids[1]}/download"
    response = catalog.client.get(url)
    assert response.status_code == 404
    problem = response.json()
    assert problem["type"].endswith("/not-uploaded")
    assert problem["url"] == "https://example.ma/stations.geojson"


def test_a_draft_upload_is_only_served_to_its_stewards(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID
) -> None:
    draft = create_draft_dataset(
        catalog.units,
        catalog.store,
        institution_id,
        resources=[ResourceSpec(content=b"a,b\n1,2\n", filename="x.csv")],
    )
    url = f"/api/v1/datasets/{draft.id}/resources/{draft.resource_ids[0]}/download"
    assert catalog.client.get(url).status_code == 404
    assert catalog.client.get(url, headers=tokens.as_steward(uuid.uuid4())).status_code == 404
    allowed = catalog.client.get(url, headers=tokens.as_steward(institution_id))
    assert allowed.status_code == 200
    assert allowed.content == b"a,b\n1,2\n"


async def test_the_review_reads_a_submitted_file_through_its_signed_url_only(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID
) -> None:
    content = b"region,population\nsouss-massa,2676847\n"
    draft = create_draft_dataset(
        catalog.units,
        catalog.store,
        institution_id,
        resources=[ResourceSpec(content=content, filename="population.csv")],
    )
    submitted = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/submit", headers=tokens.as_steward(institution_id)
    )
    assert submitted.status_code == 200, submitted.text
    events = of_type(
        await catalog_events(catalog.platform, until=1, subject=draft.id), DatasetSubmitted
    )
    [resource] = DatasetSubmitted.model_validate(events[0].data).resources
    assert resource.uploaded and resource.sha256 == hashlib.sha256(content).hexdigest()
    parts = urlsplit(resource.url)
    assert f"{parts.scheme}://{parts.netloc}" == catalog.settings.base_url
    signed = f"{parts.path}?{parts.query}"

    anonymous = catalog.client.get(signed)  # while the dataset is under review
    assert anonymous.status_code == 200, anonymous.text
    assert anonymous.content == content
    assert anonymous.headers["cache-control"] == "private, no-store"
    assert catalog.client.get(parts.path).status_code == 404  # without the signature

    query = parse_qs(parts.query)
    expires, signature = query["expires"][0], query["signature"][0]
    altered = {
        "signature": f"{parts.path}?expires={expires}&signature={signature[::-1]}",
        "expiry": f"{parts.path}?expires={int(expires) + 1}&signature={signature}",
        "resource": signed.replace(str(resource.id), str(uuid.uuid4())),
    }
    for what, url in altered.items():
        refused = catalog.client.get(url)
        expected = 404 if what == "resource" else 403  # no such resource in that dataset
        assert refused.status_code == expected, (what, refused.text)
        if expected == 403:
            assert refused.json()["type"].endswith("/signature-invalid"), refused.text

    past = int(time.time()) - 60
    key = app_signer().signature(resource.id, past)
    expired = catalog.client.get(f"{parts.path}?expires={past}&signature={key}")
    assert expired.status_code == 403
    assert expired.json()["type"].endswith("/signature-expired")


@pytest.mark.parametrize(
    "size", [LIMIT + 1, 3 * LIMIT + 300_000], ids=["streamed-past-limit", "declared-too-big"]
)
def test_an_oversized_upload_is_refused_and_nothing_is_kept(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID, size: int
) -> None:
    draft = create_draft_dataset(catalog.units, catalog.store, institution_id, resources=[])
    files_before = stored_files(catalog.upload_dir)
    rows_before = counts(catalog)
    response = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/resources",
        headers=tokens.as_steward(institution_id),
        files={"file": ("big.csv", b"x" * size, "text/csv")},
    )
    assert response.status_code == 413, response.text
    problem = response.json()
    assert problem["field"] == "file"
    assert problem["limit"] == LIMIT
    assert stored_files(catalog.upload_dir) == files_before
    assert counts(catalog) == rows_before


def test_a_refused_upload_leaves_no_file(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID
) -> None:
    draft = create_draft_dataset(catalog.units, catalog.store, institution_id, resources=[])
    files_before = stored_files(catalog.upload_dir)
    rows_before = counts(catalog)
    response = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/resources",
        headers=tokens.as_steward(institution_id),
        files={"file": ("data.bin", b"\x00\x01", "application/octet-stream")},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "format"
    unknown = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/resources",
        headers=tokens.as_steward(institution_id),
        files={"file": ("data.csv", b"a\n", "text/csv")},
        data={"format": "foo"},
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "format"
    assert stored_files(catalog.upload_dir) == files_before
    assert counts(catalog) == rows_before


def test_new_data_replaces_an_uploaded_file(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID
) -> None:
    dataset = create_published_dataset(
        catalog.units,
        catalog.store,
        institution_id,
        resources=[ResourceSpec(content=b"annee,valeur\n2023,1\n", filename="serie.csv")],
    )
    [resource_id] = dataset.resource_ids
    with catalog.session() as session:
        old = session.get(Resource, resource_id)
        assert old is not None and old.storage_key
        old_path = catalog.store.path(old.storage_key)
    new_content = b"annee,valeur\n2023,1\n2024,2\n"
    response = catalog.client.post(
        f"/api/v1/datasets/{dataset.id}/data-updates",
        headers=tokens.as_steward(institution_id),
        files={"file": ("serie-2024.csv", new_content, "text/csv")},
        data={"replace_resource_id": str(resource_id)},
    )
    assert response.status_code == 200, response.text
    [resource] = response.json()["resources"]
    assert resource["id"] == str(resource_id)
    assert resource["sha256"] == hashlib.sha256(new_content).hexdigest()
    assert resource["size"] == len(new_content)
    assert not old_path.exists()
    served = catalog.client.get(resource["download_url"].removeprefix("http://testserver"))
    assert served.content == new_content
