"""Bulk downloads: CSV of datasets, CSV of resources, JSON Lines; whole and per organisation.

Runs on PostgreSQL and on SQLite, against a small catalogue written into the tables.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.catalog.domain import exports
from services.catalog.domain.exports import EXPORTS, Links
from services.catalog.domain.search_index import remove_from_index
from services.catalog.models import Dataset
from tests.catalog.dcat_fixtures import (
    BASE_URL,
    EMPTY_ORG,
    HCP,
    POPULATION_DESCRIPTION,
    POPULATION_TITLE,
    UPLOAD_BYTES,
    Corpus,
    add_dataset,
    app_state,
    at,
    running_catalog,
    sqlite_url,
    write_corpus,
)

BOM = "\ufeff"


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def catalog(
    request: pytest.FixtureRequest, kafka, postgres_databases, tmp_path_factory
) -> Iterator[tuple[TestClient, Corpus]]:
    if request.param == "postgresql":
        url = postgres_databases.create("exports")
    else:
        url = sqlite_url(tmp_path_factory.mktemp("exports"))
    with running_catalog(url) as client:
        corpus = write_corpus(app_state(client).engine)
        yield client, corpus


def download(client: TestClient, path: str, media_type: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    # Streamed: no length known in advance, a file name to save it under, never cached stale.
    assert "content-length" not in response.headers
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.rstrip('"').endswith(path.rsplit(".", 1)[1])
    assert response.headers["cache-control"] == "no-cache"
    return response.content.decode("utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM), "CSV must start with a byte-order mark for spreadsheets"
    return list(csv.DictReader(io.StringIO(text[len(BOM) :])))


def test_datasets_csv_has_one_row_per_published_dataset(catalog) -> None:
    client, corpus = catalog
    text = download(client, "/api/v1/exports/datasets.csv", "text/csv")
    rows = csv_rows(text)
    assert list(rows[0]) == list(exports.DATASET_COLUMNS)
    assert sorted(row["slug"] for row in rows) == sorted(corpus.published)
    by_name = {row["slug"]: row for row in rows}

    population = by_name["population-legale"]
    assert population["id"] == str(corpus.ids["population-legale"])
    assert population["title_ar"] == POPULATION_TITLE["ar"]
    assert population["title_fr"] == POPULATION_TITLE["fr"]
    assert population["title_en"] == POPULATION_TITLE["en"]
    assert population["description_ar"] == POPULATION_DESCRIPTION["ar"]
    assert population["description_fr"] == POPULATION_DESCRIPTION["fr"]
    assert population["institution"] == "hcp"
    assert population["themes"] == "collectivites|population"
    assert population["tags"] == "recensement|سكان"
    assert (population["license"], population["is_open"]) == ("cc-by", "true")
    assert population["frequency"] == "ANNUAL"
    assert population["temporal"] == "2014-01-01/2024-12-31"
    assert population["spatial"] == "casablanca-settat|ain-sebaa"
    assert population["formats"] == "CSV|API|PDF|JSONL"
    assert population["num_resources"] == "4"
    assert population["modified"] == "2024-03-01T10:00:00+00:00"
    assert population["published"] == "2024-02-20T10:00:00+00:00"
    assert population["last_data_update"] == "2024-02-29T10:00:00+00:00"
    assert population["url"] == f"{BASE_URL}/api/v1/datasets/population-legale"

    budget = by_name["budget-etat"]
    assert (budget["license"], budget["is_open"]) == ("other-closed", "false")
    assert budget["tags"] == "budget|finances, publiques"  # a comma inside a cell survives
    assert budget["title_en"] == budget["description_fr"] == ""
    assert by_name["qualite-air"]["temporal"] == "2020-01-01/.."
    assert by_name["qualite-air"]["num_resources"] == "0"


def test_resources_csv_has_one_row_per_resource_of_published_datasets(catalog) -> None:
    client, corpus = catalog
    rows = csv_rows(download(client, "/api/v1/exports/resources.csv", "text/csv"))
    assert list(rows[0]) == list(exports.RESOURCE_COLUMNS)
    expected = {str(r) for name in corpus.published for r in corpus.resources[name]}
    assert {row["id"] for row in rows} == expected
    assert len(rows) == 5
    upload = next(row for row in rows if row["is_upload"] == "true")
    dataset_id = corpus.ids["population-legale"]
    assert upload["dataset_id"] == str(dataset_id)
    assert upload["dataset_title_ar"] == POPULATION_TITLE["ar"]
    assert upload["title_ar"] == "السكان حسب الجماعة"
    assert upload["url"] == (
        f"{BASE_URL}/api/v1/datasets/{dataset_id}/resources/{upload['id']}/download"
    )
    assert upload["size"] == str(len(UPLOAD_BYTES))
    assert upload["sha256"] == hashlib.sha256(UPLOAD_BYTES).hexdigest()
    assert (upload["format"], upload["media_type"], upload["license"]) == (
        "CSV",
        "text/csv",
        "cc-by",
    )
    budget = next(row for row in rows if row["dataset_slug"] == "budget-etat")
    assert budget["url"] == "https://www.finances.example.ma/budget-2024.xlsx"
    assert (budget["institution"], budget["size"]) == ("mef", "123456")


def test_datasets_jsonl_has_one_dataset_per_line_with_its_resources(catalog) -> None:
    client, corpus = catalog
    text = download(client, "/api/v1/exports/datasets.jsonl", "application/jsonl")
    assert not text.startswith(BOM)
    lines = text.splitlines()
    documents = [json.loads(line) for line in lines]
    assert sorted(d["slug"] for d in documents) == sorted(corpus.published)
    population = next(d for d in documents if d["slug"] == "population-legale")
    assert population["title"] == POPULATION_TITLE
    assert population["description"] == POPULATION_DESCRIPTION
    assert population["institution"]["slug"] == "hcp"
    assert population["institution"]["title"]["ar"] == "المندوبية السامية للتخطيط"
    assert population["license"] == {
        "id": "cc-by",
        "title": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "is_open": True,
    }
    assert population["temporal"] == {"start": "2014-01-01", "end": "2024-12-31"}
    assert population["contact_point"]["email"] == "stats@hcp.example.ma"
    assert [r["id"] for r in population["resources"]] == [
        str(r) for r in corpus.resources["population-legale"]
    ]
    assert population["resources"][0]["sha256"] == hashlib.sha256(UPLOAD_BYTES).hexdigest()
    # Arabic is written as text, not as \\u escapes.
    assert "المندوبية السامية للتخطيط" in text


@pytest.mark.parametrize("key", ["hcp", str(HCP)])
def test_per_organisation_exports(catalog, key: str) -> None:
    client, corpus = catalog
    rows = csv_rows(
        download(client, f"/api/v1/institutions/{key}/exports/datasets.csv", "text/csv")
    )
    assert sorted(row["slug"] for row in rows) == ["population-legale", "qualite-air"]
    resources = csv_rows(
        download(client, f"/api/v1/institutions/{key}/exports/resources.csv", "text/csv")
    )
    assert {row["id"] for row in resources} == {
        str(r) for r in corpus.resources["population-legale"]
    }
    lines = download(
        client, f"/api/v1/institutions/{key}/exports/datasets.jsonl", "application/jsonl"
    ).splitlines()
    assert sorted(json.loads(line)["slug"] for line in lines) == [
        "population-legale",
        "qualite-air",
    ]
    response = client.get(f"/api/v1/institutions/{key}/exports/datasets.csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="hcp-datasets-')


def test_an_organisation_without_published_datasets_exports_headers_only(catalog) -> None:
    client, _ = catalog
    text = download(client, f"/api/v1/institutions/{EMPTY_ORG}/exports/datasets.csv", "text/csv")
    assert csv_rows(text) == []
    assert text.splitlines()[0] == BOM + ",".join(exports.DATASET_COLUMNS)
    assert (
        download(client, "/api/v1/institutions/anrt/exports/datasets.jsonl", "application/jsonl")
        == ""
    )


def test_an_unknown_organisation_is_not_found(catalog) -> None:
    client, _ = catalog
    for path in (
        "/api/v1/institutions/inconnue/exports/datasets.csv",
        "/api/v1/institutions/00000000-0000-4000-8000-0000000000ff/exports/datasets.jsonl",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "inconnue" in response.json()["detail"] or "ff" in response.json()["detail"]


def test_exports_are_read_in_chunks(catalog) -> None:
    client, corpus = catalog
    engine = app_state(client).engine
    with Session(engine) as session:
        chunks = list(exports.iter_published_chunks(session, chunk_size=2))
    assert [len(chunk) for chunk in chunks] == [2, 1]
    assert [b.dataset.slug for chunk in chunks for b in chunk] == sorted(corpus.published)
    # The stream yields its header, then one piece per chunk: nothing waits for the whole.
    pieces = list(
        exports.stream_export(
            app_state(client).unit_of_work, EXPORTS["datasets.csv"], Links(BASE_URL), chunk_size=1
        )
    )
    assert len(pieces) == 1 + len(corpus.published)
    assert pieces[0].decode("utf-8").startswith(BOM + "id,slug,")


def test_exports_are_always_current(catalog) -> None:
    client, corpus = catalog
    path = "/api/v1/exports/datasets.csv"
    before = {row["slug"] for row in csv_rows(download(client, path, "text/csv"))}
    with Session(app_state(client).engine) as session:
        add_dataset(
            session,
            corpus,
            name="nouveau-jeu",
            title={"ar": "مجموعة جديدة"},
            institution_id=HCP,
            modified=at("2024-05-01T00:00:00"),
        )
        session.commit()
    try:
        after = {row["slug"] for row in csv_rows(download(client, path, "text/csv"))}
        assert after == before | {"nouveau-jeu"}
    finally:
        with Session(app_state(client).engine) as session:
            dataset_id = corpus.ids.pop("nouveau-jeu")
            session.delete(session.get(Dataset, dataset_id))
            remove_from_index(session, dataset_id)
            session.commit()


def test_exports_are_documented_in_openapi(catalog) -> None:
    client, _ = catalog
    paths = client.get("/openapi.json").json()["paths"]
    for name in EXPORTS:
        assert f"/api/v1/exports/{name}" in paths
        assert f"/api/v1/institutions/{{id_or_slug}}/exports/{name}" in paths
    assert "text/csv" in paths["/api/v1/exports/datasets.csv"]["get"]["responses"]["200"]["content"]
    for suffix in ("ttl", "rdf", "jsonld"):
        assert f"/catalog.{suffix}" in paths
        assert f"/api/v1/datasets/{{id_or_slug}}.{suffix}" in paths
