"""Nothing a client sends can break the catalog: text that no output could carry is refused
naming its field with nothing written, and every public output still answers; values stored
before that are still written out well-formed; every input is bounded (a 4xx naming the
limit, never a 500); the URLs the catalog emits come from its settings, whatever ``Host`` a
request claims; and the largest legal dataset's review event fits and is delivered."""

from __future__ import annotations

import csv
import io
import json
import uuid
import xml.dom.minidom
from typing import Any

import pytest
from rdflib import Graph
from sqlalchemy import update
from sqlmodel import col

from libs.events.schemas import DatasetSubmitted
from libs.settings import PlatformSettings
from services.catalog.domain.bounds import (
    DESCRIPTION_MAX,
    RESOURCE_URL_MAX,
    RESOURCES_MAX,
    SPATIAL_ENTRY_MAX,
    SPATIAL_MAX,
    TAG_MAX,
    TAGS_MAX,
    THEMES_MAX,
    TITLE_MAX,
    VERSION_MAX,
)
from services.catalog.domain.ckan import FQ_MAX, INTEGER_MAX, SORT_KEYS_MAX
from services.catalog.models import Dataset, Resource
from tests.catalog.conftest import (
    CatalogHarness,
    DatasetFixture,
    TokenFactory,
    catalog_events,
    create_draft_dataset,
    create_published_dataset,
    enrol_organization,
    of_type,
)
from tests.catalog.test_bad_input import assert_problem, snapshot

# The widest character in the events' JSON: 4 bytes of UTF-8, stable under NFC.
WIDE = "\U0001d538"
# Bounds the largest legal ``dataset submitted`` stays under (services/catalog/README.md).
LARGEST_DATASET_SUBMITTED = 1_100_000
BAD_TEXTS = {
    "lone surrogate": "Budget \ud800",
    "NUL": "Budget\x00",
    "escape": "Budget \x1b[31m",
    "vertical tab": "Budget\x0b2024",
}


@pytest.fixture(scope="module")
def institution_id(catalog: CatalogHarness) -> uuid.UUID:
    return enrol_organization(catalog.units, slug="hcp-hardening").id


@pytest.fixture(scope="module")
def steward(tokens: TokenFactory, institution_id: uuid.UUID) -> dict[str, str]:
    return tokens.as_steward(institution_id)


@pytest.fixture(scope="module")
def draft(catalog: CatalogHarness, institution_id: uuid.UUID) -> DatasetFixture:
    return create_draft_dataset(catalog.units, catalog.store, institution_id)


@pytest.fixture(scope="module")
def published(catalog: CatalogHarness, institution_id: uuid.UUID) -> DatasetFixture:
    return create_published_dataset(catalog.units, catalog.store, institution_id)


def public_outputs_answer(catalog: CatalogHarness, published: DatasetFixture) -> None:
    client = catalog.client
    for path in (
        f"/api/v1/datasets/{published.id}",
        "/api/3/action/package_search?q=budget",
        "/api/3/action/current_package_list_with_resources",
        "/api/v1/exports/resources.csv",
        "/api/v1/exports/datasets.csv",
        "/catalog.rdf",
        f"/api/v1/datasets/{published.id}.rdf",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])


def sent(text: str, where: str) -> tuple[dict[str, Any], str]:
    """A body carrying ``text`` at ``where`` (a dotted path), and the field a refusal names."""
    bodies: dict[str, tuple[dict[str, Any], str]] = {
        "title": ({"title": {"fr": text}}, "title.fr"),
        "description": ({"description": {"ar": text}}, "description.ar"),
        "version": ({"version": text}, "version"),
        "contact": ({"contact_point": {"name": text}}, "contact_point.name"),
        "spatial": ({"spatial": ["souss-massa", text]}, "spatial.1"),
        "tag": ({"tags": ["budget", text]}, "tags.1"),
    }
    return bodies[where]


@pytest.mark.parametrize("kind", list(BAD_TEXTS))
def test_text_no_output_could_carry_is_refused_naming_the_field_and_nothing_is_written(
    catalog: CatalogHarness,
    steward: dict[str, str],
    draft: DatasetFixture,
    published: DatasetFixture,
    kind: str,
) -> None:
    text = BAD_TEXTS[kind]
    before = snapshot(catalog)
    client = catalog.client
    resource = f"/api/v1/datasets/{draft.id}/resources"
    for where in ("title", "description", "version", "contact", "spatial", "tag"):
        body, field = sent(text, where)
        create = {"title": {"fr": "Budget"}, **body} if where != "title" else body
        # json.dumps writes a lone surrogate as the escape "\ud800", as a client would.
        for method, path, payload in (
            ("POST", "/api/v1/datasets", create),
            ("PATCH", f"/api/v1/datasets/{draft.id}", body),
        ):
            response = client.request(
                method,
                path,
                content=json.dumps(payload),
                headers={**steward, "Content-Type": "application/json"},
            )
            assert_problem(response, 422, field)
    for method, path, payload, field in (
        ("POST", resource, {"url": "https://x.ma/a.csv", "title": {"fr": text}}, "title.fr"),
        ("POST", resource, {"url": f"https://x.ma/{text}.csv"}, "url"),
        (
            "PATCH",
            f"{resource}/{draft.resource_ids[0]}",
            {"description": {"fr": text}},
            "description.fr",
        ),
        (
            "POST",
            f"/api/v1/datasets/{published.id}/data-updates",
            {"resource": {"url": "https://x.ma/b.csv", "title": {"ar": text}}},
            "resource.title.ar",
        ),
    ):
        response = client.request(
            method,
            path,
            content=json.dumps(payload),
            headers={**steward, "Content-Type": "application/json"},
        )
        assert_problem(response, 422, field)
    assert snapshot(catalog) == before
    public_outputs_answer(catalog, published)


def test_values_stored_before_the_inputs_were_clean_are_written_out_well_formed(
    catalog: CatalogHarness, institution_id: uuid.UUID
) -> None:
    stored = create_published_dataset(
        catalog.units, catalog.store, institution_id, slug="valeurs-anciennes"
    )
    dirty = '=HYPERLINK("http://evil.example")\x00\x1b\x0b\x7f fin'
    with catalog.engine.begin() as connection:  # as an older version could have written
        connection.execute(
            update(Dataset)
            .where(col(Dataset.id) == stored.id)
            .values(
                title={"fr": dirty, "ar": "ميزانية\x1b"},
                description={"fr": "ligne\x0bsuite"},
                version="1\x1b",
                spatial=["Agadir\x1b"],
                contact_point={"name": "Service\x07", "email": "a@b.ma"},
            )
        )
        connection.execute(
            update(Resource)
            .where(col(Resource.dataset_id) == stored.id)
            .values(title={"fr": "+cmd|' /C calc'!A0\x1b"})
        )
    client = catalog.client
    for path in ("/catalog.rdf", f"/api/v1/datasets/{stored.id}.rdf"):
        body = client.get(path)
        assert body.status_code == 200
        xml.dom.minidom.parseString(body.content)  # well-formed XML
        Graph().parse(data=body.content, format="xml")
    for path, rdf_format in (
        ("/catalog.ttl", "turtle"),
        (f"/api/v1/datasets/{stored.id}.ttl", "turtle"),
        ("/catalog.jsonld", "json-ld"),
        (f"/api/v1/datasets/{stored.id}.jsonld", "json-ld"),
    ):
        body = client.get(path)
        assert body.status_code == 200
        assert "\x1b" not in body.text and "\x00" not in body.text
        Graph().parse(data=body.content, format=rdf_format)
    for path in ("/api/v1/exports/datasets.csv", "/api/v1/exports/resources.csv"):
        text = client.get(path).content.decode("utf-8-sig")
        assert not any(ord(c) < 32 and c not in "\r\n\t" for c in text), path
        rows = list(csv.DictReader(io.StringIO(text)))
        cells = [cell for row in rows for cell in row.values() if cell]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), path
        if path.endswith("datasets.csv"):
            [row] = [r for r in rows if r["slug"] == "valeurs-anciennes"]
            assert row["title_fr"] == '\'=HYPERLINK("http://evil.example") fin'
    assert client.get(f"/api/v1/datasets/{stored.id}").status_code == 200


def test_counts_are_bounded_naming_the_limit(
    catalog: CatalogHarness, steward: dict[str, str], draft: DatasetFixture
) -> None:
    before = snapshot(catalog)
    client = catalog.client
    for field, values in (
        ("tags", [f"mot {n}" for n in range(TAGS_MAX + 1)]),
        ("themes", ["population"] * (THEMES_MAX + 1)),
        ("spatial", [f"commune {n}" for n in range(SPATIAL_MAX + 1)]),
    ):
        response = client.post(
            "/api/v1/datasets", json={"title": {"fr": "Budget"}, field: values}, headers=steward
        )
        problem = assert_problem(response, 422, field)
        assert "at most" in problem["detail"]
    for field, value in (
        ("version", WIDE * (VERSION_MAX + 1)),
        ("version", "\U0001d160" * (VERSION_MAX // 2)),  # three code points each, once NFC
        ("title", {"fr": WIDE * (TITLE_MAX + 1)}),
        ("temporal_start", "0001-01-01"),
        ("temporal_end", "9999-12-31"),
    ):
        response = client.patch(
            f"/api/v1/datasets/{draft.id}", json={field: value}, headers=steward
        )
        assert response.status_code == 422, (field, response.text)
    resources = f"/api/v1/datasets/{draft.id}/resources"
    for body, field in (
        ({"url": "https://x.ma/a.csv", "position": 2**70}, "position"),
        ({"url": "https://x.ma/a.csv", "size": 2**64}, "size"),
        ({"url": "https://x.ma/a.csv", "media_type": "text/csvé"}, "media_type"),
        ({"url": "https://x.ma/" + "a" * RESOURCE_URL_MAX}, "url"),
    ):
        assert_problem(client.post(resources, json=body, headers=steward), 422, field)
    assert snapshot(catalog) == before


def test_a_dataset_holds_at_most_its_number_of_resources(
    catalog: CatalogHarness, steward: dict[str, str], institution_id: uuid.UUID
) -> None:
    full = create_draft_dataset(catalog.units, catalog.store, institution_id, resources=[])
    path = f"/api/v1/datasets/{full.id}/resources"
    for n in range(RESOURCES_MAX):
        added = catalog.client.post(path, json={"url": f"https://x.ma/{n}.csv"}, headers=steward)
        assert added.status_code == 201, added.text
    before = snapshot(catalog)
    refused = catalog.client.post(path, json={"url": "https://x.ma/x.csv"}, headers=steward)
    problem = assert_problem(refused, 409)
    assert problem["type"].endswith("/too-many-resources") and problem["limit"] == RESOURCES_MAX
    upload = catalog.client.post(
        path, files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")}, headers=steward
    )
    assert_problem(upload, 409)
    assert snapshot(catalog) == before


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"rows": str(10**30)}, 200),  # capped at 1000, as CKAN does
        ({"start": str(10**30)}, 409),
        ({"start": str(INTEGER_MAX + 1)}, 409),
        ({"facet.limit": str(10**30)}, 409),
        ({"facet.mincount": "9" * 5000}, 409),
        ({"fq": [f"tags:t{n}" for n in range(FQ_MAX + 1)]}, 409),
        ({"sort": ", ".join(["name asc"] * (SORT_KEYS_MAX + 1))}, 400),
        ({"facet.field": json.dumps(["tags"] * 21)}, 409),
        ({"fq": "metadata_modified:[0001-01-01T00:00:00Z TO *]"}, 400),
        ({"fq": "metadata_modified:[* TO 9999-12-31T23:59:59Z]"}, 400),
    ],
)
def test_ckan_parameters_are_bounded_as_ckan_errors(
    catalog: CatalogHarness, query: dict[str, Any], status: int
) -> None:
    response = catalog.client.get("/api/3/action/package_search", params=query)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.json()["success"] is False


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/datasets?modified_since=0001-01-01", 422),
        ("/api/v1/datasets?modified_since=9999-12-31T23:59:59%2B14:00", 422),
        ("/api/v1/datasets?page=" + "9" * 30, 422),
        ("/api/v1/datasets?" + "&".join(f"tag=t{n}" for n in range(21)), 422),
        ("/catalog.ttl?page=" + "9" * 30, 422),
        ("/catalog.ttl?modified_since=0001-01-01", 422),
    ],
)
def test_search_and_catalogue_parameters_are_bounded(
    catalog: CatalogHarness, path: str, status: int
) -> None:
    response = catalog.client.get(path)
    assert_problem(response, status)


def test_a_huge_anonymous_ckan_post_is_refused_before_it_is_read(catalog: CatalogHarness) -> None:
    body = b'{"q": "' + b"a" * (30 * 1024 * 1024) + b'"}'
    response = catalog.client.post(
        "/api/3/action/package_search", content=body, headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 413)
    assert problem["limit"] == catalog.settings.max_body_bytes


async def test_a_forged_host_changes_no_url_the_catalog_emits(
    catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID
) -> None:
    forged = {"Host": "forged.invalid"}
    base = catalog.settings.base_url
    draft = create_draft_dataset(
        catalog.units, catalog.store, institution_id, slug="hote-contrefait"
    )
    submitted = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/submit",
        headers={**tokens.as_steward(institution_id), **forged},
    )
    assert submitted.status_code == 200 and submitted.json()["url"].startswith(base)
    [event] = of_type(
        await catalog_events(catalog.platform, until=1, subject=draft.id), DatasetSubmitted
    )
    assert all(
        r["url"].startswith(base) or r["url"].startswith("https://data.example.ma/")
        for r in event.data["resources"]
    )
    published = create_published_dataset(
        catalog.units, catalog.store, institution_id, slug="hote-contrefait-publie"
    )
    for path in (
        f"/api/v1/datasets/{published.id}",
        "/api/v1/datasets?q=population",
        "/api/3/action/package_search",
        f"/api/3/action/package_show?id={published.id}",
        "/catalog.ttl",
        f"/api/v1/datasets/{published.id}.jsonld",
        "/api/v1/exports/resources.csv",
        "/api/v1/exports/datasets.jsonl",
    ):
        response = catalog.client.get(path, headers=forged)
        assert response.status_code == 200, path
        assert "forged.invalid" not in response.text, path
        assert base in response.text, path
    created = catalog.client.post(
        "/api/v1/datasets",
        json={"title": {"fr": "Hôte"}},
        headers={**tokens.as_steward(institution_id), **forged},
    )
    assert created.headers["location"].startswith(base)


async def test_the_largest_legal_dataset_is_submitted_and_its_event_delivered(
    catalog: CatalogHarness,
    steward: dict[str, str],
    kafka: PlatformSettings,
) -> None:
    """Every text at its maximum in 4-byte characters, every count at its maximum, every
    resource a link with the longest title and URL: the event is below the stated bound, far
    below the broker's limit, and delivered on the real topic."""

    def unique(n: int, length: int) -> str:
        return WIDE * (length - 2) + f"{n:02d}"

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = catalog.client.post(
            path,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={**steward, "Content-Type": "application/json"},
        )
        assert response.status_code == 201, response.text[:500]
        return dict(response.json())

    themes = [t["name"] for t in catalog.client.get("/api/v1/themes?page_size=100").json()["items"]]
    dataset = post(
        "/api/v1/datasets",
        {
            "title": {lang: WIDE * TITLE_MAX for lang in ("ar", "fr", "en")},
            "description": {lang: WIDE * DESCRIPTION_MAX for lang in ("ar", "fr", "en")},
            "tags": [unique(n, TAG_MAX) for n in range(TAGS_MAX)],
            "themes": themes[:THEMES_MAX],
            "spatial": [unique(n, SPATIAL_ENTRY_MAX) for n in range(SPATIAL_MAX)],
            "contact_point": {"name": WIDE * 200, "email": WIDE * 240 + "@x.ma"},
            "version": WIDE * VERSION_MAX,
            "license_id": "odc-odbl",
            "frequency": "IRREG",
        },
    )
    prefix = "https://data.example.ma/"
    for n in range(RESOURCES_MAX):
        post(
            f"/api/v1/datasets/{dataset['id']}/resources",
            {
                "title": {lang: WIDE * TITLE_MAX for lang in ("ar", "fr", "en")},
                "url": prefix + unique(n, RESOURCE_URL_MAX - len(prefix)),
                "format": "CSV",
                "media_type": "application/" + "x" * 243,
            },
        )
    submitted = catalog.client.post(f"/api/v1/datasets/{dataset['id']}/submit", headers=steward)
    assert submitted.status_code == 200, submitted.text[:500]
    [event] = of_type(
        await catalog_events(catalog.platform, until=1, subject=dataset["id"], timeout=60),
        DatasetSubmitted,
    )
    size = len(event.to_bytes())
    assert len(event.data["resources"]) == RESOURCES_MAX
    assert 0.9 * LARGEST_DATASET_SUBMITTED < size < LARGEST_DATASET_SUBMITTED, size
    assert kafka.kafka_max_message_bytes // 1.8 > LARGEST_DATASET_SUBMITTED
