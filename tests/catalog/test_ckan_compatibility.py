"""CKAN's query syntax means here what it means in CKAN: the counts of a stock CKAN 2.12
(tests/data/ckan_counts_10000.json, recorded by bench/ckan_counts.py) against the catalog
holding the same 10,000 datasets (bench/ckan_corpus.py), query by query, through
``/api/3/action/package_search``.

Each recorded query says what the catalog answers: ``same`` (CKAN's count), ``more: …`` (every
form of an Arabic word, which CKAN's analyser misses), ``fewer: …`` (CKAN's analyser matches
more than the words), ``refused: <construct>`` (a Search Query Error naming it). PostgreSQL
holds the 10,000; SQLite holds the first ``SQLITE_SAMPLE`` and must count exactly what
PostgreSQL counts on the same datasets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bench.ckan_corpus import DEFAULT_COUNT, NAME_FORMAT
from bench.ckan_counts import OUTPUT
from bench.ckan_load import load_corpus
from libs.settings import PlatformSettings
from services.catalog.app import create_app
from services.catalog.settings import CatalogSettings
from tests.catalog.search_fixtures import migrated_engine, sqlite_url
from tests.support.infra import PostgresDatabases

RECORDED: dict[str, Any] = json.loads(OUTPUT.read_text())
QUERIES: list[dict[str, Any]] = RECORDED["queries"]
SQLITE_SAMPLE = 1000
# The first SQLITE_SAMPLE datasets of the corpus, as an fq.
SAMPLE = f"name:[{NAME_FORMAT.format(1)} TO {NAME_FORMAT.format(SQLITE_SAMPLE)}]"


def _client(url: str, uploads: str) -> TestClient:
    # Reads only: no events to relay or consume.
    settings = CatalogSettings(
        database_url=url, upload_dir=uploads, relay_enabled=False, consumer_enabled=False
    )
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def postgres_catalog(
    postgres_databases: PostgresDatabases,
    kafka: PlatformSettings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    url = postgres_databases.create("catalog_ckan_corpus")
    engine = migrated_engine(url)
    load_corpus(engine, DEFAULT_COUNT)
    engine.dispose()
    with _client(url, str(tmp_path_factory.mktemp("uploads"))) as client:
        yield client


@pytest.fixture(scope="module")
def sqlite_catalog(
    kafka: PlatformSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    url = sqlite_url(tmp_path_factory.mktemp("ckan_corpus"))
    engine = migrated_engine(url)
    load_corpus(engine, SQLITE_SAMPLE)
    engine.dispose()
    with _client(url, str(tmp_path_factory.mktemp("uploads"))) as client:
        yield client


def search(client: TestClient, params: dict[str, Any]) -> Any:
    return client.post("/api/3/action/package_search", json={**params, "rows": 0})


def count(client: TestClient, params: dict[str, Any]) -> int:
    response = search(client, params)
    assert response.status_code == 200, response.text
    found: int = response.json()["result"]["count"]
    return found


def query_id(query: dict[str, Any]) -> str:
    return json.dumps(query["params"], ensure_ascii=False)


def test_the_corpus_is_loaded_whole(postgres_catalog: TestClient) -> None:
    assert count(postgres_catalog, {}) == DEFAULT_COUNT == RECORDED["corpus"]["count"]


@pytest.mark.parametrize("query", QUERIES, ids=query_id)
def test_each_count_is_ckans_or_follows_its_annotation(
    postgres_catalog: TestClient, query: dict[str, Any]
) -> None:
    expected = query["catalog"]
    if expected.startswith("refused: "):
        response = search(postgres_catalog, query["params"])
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["__type"] == "Search Query Error"
        assert error["construct"] == expected.removeprefix("refused: ")
        assert error["message"].startswith("Search Query is invalid: ")
        return
    found = count(postgres_catalog, query["params"])
    if expected == "same":
        assert found == query["count"]
    elif expected.startswith("more: "):
        assert found > query["count"]
    else:
        assert expected.startswith("fewer: ")
        assert found < query["count"]


def _in_the_sample(params: dict[str, Any]) -> dict[str, Any]:
    return {**params, "fq_list": [*params.get("fq_list", []), SAMPLE]}


def test_sqlite_counts_what_postgresql_counts(
    postgres_catalog: TestClient, sqlite_catalog: TestClient
) -> None:
    assert count(sqlite_catalog, {}) == count(postgres_catalog, {"fq": SAMPLE}) == SQLITE_SAMPLE
    answered = [q["params"] for q in QUERIES if not q["catalog"].startswith("refused: ")]
    on_sqlite = {query_id({"params": p}): count(sqlite_catalog, p) for p in answered}
    on_postgres = {
        query_id({"params": p}): count(postgres_catalog, _in_the_sample(p)) for p in answered
    }
    assert on_sqlite == on_postgres
    assert sum(on_sqlite.values()) > 0
