"""Hydra paging of the DCAT-AP catalogue (100 datasets a page) and ``modified_since``.

PostgreSQL, 230 published datasets modified one hour apart, and drafts that never count.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node
from sqlmodel import Session

from services.catalog.models import DatasetState
from tests.catalog.dcat_fixtures import (
    BASE_URL,
    Corpus,
    add_dataset,
    add_organization,
    app_state,
    at,
    running_catalog,
)

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
CATALOG = URIRef(f"{BASE_URL}/catalog")
PUBLISHED = 230
DRAFTS = 5
ORG = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
FIRST_MODIFIED = at("2024-01-01T00:00:00")


@pytest.fixture(scope="module")
def large_catalog(kafka, postgres_databases) -> Iterator[tuple[TestClient, Corpus]]:
    with running_catalog(postgres_databases.create("dcat_paging")) as client:
        corpus = Corpus()
        with Session(app_state(client).engine) as session:
            add_organization(session, ORG, "hcp", {"fr": "HCP", "ar": "المندوبية"})
            session.flush()
            for n in range(PUBLISHED):
                add_dataset(
                    session,
                    corpus,
                    name=f"jeu-{n:03d}",
                    title={"fr": f"Jeu de données {n}", "ar": f"مجموعة بيانات {n}"},
                    institution_id=ORG,
                    modified=FIRST_MODIFIED + timedelta(hours=n),
                    themes=("sante",),
                    resources=(
                        {"title": {"fr": "CSV"}, "url": f"https://x.ma/{n}.csv", "format": "CSV"},
                    ),
                )
            for n in range(DRAFTS):
                add_dataset(
                    session,
                    corpus,
                    name=f"brouillon-{n}",
                    title={"fr": f"Brouillon {n}"},
                    institution_id=ORG,
                    modified=FIRST_MODIFIED + timedelta(days=30),
                    state=DatasetState.DRAFT,
                )
            session.commit()
        yield client, corpus


def page(client: TestClient, suffix: str = "ttl", **params: object) -> Graph:
    response = client.get(f"/catalog.{suffix}", params=params)
    assert response.status_code == 200, response.text
    formats = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
    return Graph().parse(data=response.content, format=formats[suffix])


def view(graph: Graph) -> URIRef:
    node = graph.value(CATALOG, HYDRA.view)
    assert isinstance(node, URIRef)
    assert (node, RDF.type, HYDRA.PartialCollectionView) in graph
    assert (node, RDF.type, HYDRA.PagedCollection) in graph
    return node


def literal_value(graph: Graph, node: URIRef, predicate: URIRef) -> object:
    value = graph.value(node, predicate)
    assert isinstance(value, Literal)
    return value.toPython()


def page_number(url: Node | None) -> int | None:
    if url is None:
        return None
    return int(parse_qs(urlsplit(str(url)).query)["page"][0])


def datasets_on(graph: Graph) -> set[str]:
    return {str(node).rsplit("/", 1)[1] for node in graph.objects(CATALOG, DCAT.dataset)}


@pytest.mark.parametrize("suffix", ["ttl", "jsonld"])
def test_first_page_links_to_next_and_last(large_catalog, suffix: str) -> None:
    client, _ = large_catalog
    graph = page(client, suffix)
    node = view(graph)
    assert graph.value(node, HYDRA.totalItems) == Literal(
        PUBLISHED, datatype=XSD.nonNegativeInteger
    )
    assert literal_value(graph, node, HYDRA.itemsPerPage) == 100
    assert page_number(graph.value(node, HYDRA.first)) == 1
    assert page_number(graph.value(node, HYDRA.next)) == 2
    assert page_number(graph.value(node, HYDRA.last)) == 3
    assert graph.value(node, HYDRA.previous) is None
    # The older names DCAT harvesters read (ckanext-dcat) point to the same pages.
    assert graph.value(node, HYDRA.nextPage) == graph.value(node, HYDRA.next)
    assert graph.value(node, HYDRA.lastPage) == graph.value(node, HYDRA.last)
    assert str(graph.value(node, HYDRA.next)).startswith(f"{BASE_URL}/catalog.{suffix}?")
    assert len(datasets_on(graph)) == 100


def test_pages_cover_the_published_catalogue_once_newest_first(large_catalog) -> None:
    client, corpus = large_catalog
    seen: list[set[str]] = []
    for number in (1, 2, 3):
        graph = page(client, page=number)
        node = view(graph)
        assert page_number(graph.value(node, HYDRA.previous)) == (number - 1 or None)
        assert page_number(graph.value(node, HYDRA.next)) == (number + 1 if number < 3 else None)
        seen.append(datasets_on(graph))
    assert [len(s) for s in seen] == [100, 100, 30]
    published_ids = {str(corpus.ids[f"jeu-{n:03d}"]) for n in range(PUBLISHED)}
    assert set().union(*seen) == published_ids
    # Most recently modified first: page 2 holds datasets 129…30, page 3 datasets 29…0.
    assert seen[1] == {str(corpus.ids[f"jeu-{n:03d}"]) for n in range(30, 130)}
    assert all(str(corpus.ids[f"brouillon-{n}"]) not in set().union(*seen) for n in range(DRAFTS))


def test_modified_since_filters_and_pages(large_catalog) -> None:
    client, corpus = large_catalog
    since = (FIRST_MODIFIED + timedelta(hours=PUBLISHED - 120)).isoformat()
    graph = page(client, modified_since=since)
    node = view(graph)
    assert literal_value(graph, node, HYDRA.totalItems) == 120
    next_page = str(graph.value(node, HYDRA.next))
    assert page_number(URIRef(next_page)) == 2
    assert parse_qs(urlsplit(next_page).query)["modified_since"] == [since]
    second = page(client, page=2, modified_since=since)
    assert datasets_on(second) == {
        str(corpus.ids[f"jeu-{n:03d}"]) for n in range(PUBLISHED - 120, PUBLISHED - 100)
    }
    assert graph.value(view(second), HYDRA.next) is None

    # A plain date is its midnight; only datasets modified that day or later come back.
    day_graph = page(client, modified_since=(FIRST_MODIFIED + timedelta(days=9)).date().isoformat())
    assert view(day_graph) is not None
    assert len(datasets_on(day_graph)) == PUBLISHED - 9 * 24


def test_a_page_past_the_last_is_not_found(large_catalog) -> None:
    client, _ = large_catalog
    response = client.get("/catalog.ttl", params={"page": 4})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
