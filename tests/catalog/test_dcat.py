"""DCAT-AP 3 output: the catalogue and one dataset, three serialisations, SHACL-valid.

Runs on PostgreSQL and on SQLite, against a small catalogue written into the tables.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SH
from rdflib.term import Node

from tests.catalog.dcat_fixtures import (
    AIR_TITLE,
    BASE_URL,
    POPULATION_DESCRIPTION,
    POPULATION_TITLE,
    SHAPES_DIR,
    UPLOAD_BYTES,
    Corpus,
    app_state,
    running_catalog,
    sqlite_url,
    write_corpus,
)

DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # open: pytest probes module globals
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
RDFLIB_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
MEDIA_TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def catalog(
    request: pytest.FixtureRequest, kafka, postgres_databases, tmp_path_factory
) -> Iterator[tuple[TestClient, Corpus]]:
    if request.param == "postgresql":
        url = postgres_databases.create("dcat")
    else:
        url = sqlite_url(tmp_path_factory.mktemp("dcat"))
    with running_catalog(url) as client:
        corpus = write_corpus(app_state(client).engine)
        yield client, corpus


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    graph.parse(SHAPES_DIR / "shapes.ttl", format="turtle")
    graph.parse(SHAPES_DIR / "range.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def complete_shapes() -> Graph:
    """The release's complete shapes: cardinalities, datatypes and the classes of values."""
    return Graph().parse(SHAPES_DIR / "dcat-ap-SHACL.ttl", format="turtle")


@pytest.fixture(scope="module")
def recommended_shapes() -> Graph:
    return Graph().parse(SHAPES_DIR / "shapes_recommended.ttl", format="turtle")


def violations(data: Graph, shapes: Graph) -> tuple[list, str]:
    """The sh:Violation results of validating ``data`` against DCAT-AP, and the report."""
    _, results, report = validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=False
    )
    found = list(results.subjects(SH.resultSeverity, SH.Violation))
    return found, report


def fetch(client: TestClient, path: str, suffix: str, **kwargs) -> Graph:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPES[suffix])
    return Graph().parse(data=response.content, format=RDFLIB_FORMATS[suffix])


def dataset_uri(corpus: Corpus, name: str) -> URIRef:
    return URIRef(f"{BASE_URL}/api/v1/datasets/{corpus.ids[name]}")


def literals(graph: Graph, subject: Node | None, predicate: URIRef) -> dict[str | None, str]:
    """The language-tagged literals of ``subject``'s ``predicate``, by language."""
    found = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    assert len(found) == len(list(graph.objects(subject, predicate))), "only literals"
    return {o.language: str(o) for o in found}


@pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
def test_catalogue_parses_back_with_only_published_datasets(catalog, suffix: str) -> None:
    client, corpus = catalog
    graph = fetch(client, f"/catalog.{suffix}", suffix)
    catalog_node = URIRef(f"{BASE_URL}/catalog")
    assert (catalog_node, RDF.type, DCAT.Catalog) in graph
    listed = set(graph.objects(catalog_node, DCAT.dataset))
    assert listed == {dataset_uri(corpus, name) for name in corpus.published}
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == listed
    titles = literals(graph, catalog_node, DCTERMS.title)
    assert titles == {
        "fr": "Portail national des données ouvertes",
        "ar": "البوابة الوطنية للبيانات المفتوحة",
    }
    assert set(literals(graph, catalog_node, DCTERMS.description)) == {"ar", "fr"}
    publisher = graph.value(catalog_node, DCTERMS.publisher)
    assert set(literals(graph, publisher, FOAF.name)) == {"ar", "fr"}
    assert graph.value(catalog_node, FOAF.homepage) == URIRef(f"{BASE_URL}/")
    assert graph.value(catalog_node, DCTERMS.modified) == Literal(
        "2024-03-01T10:00:00+00:00", datatype=XSD.dateTime
    )
    assert graph.value(catalog_node, DCTERMS.license) is not None
    assert len(set(graph.objects(catalog_node, DCTERMS.language))) == 3


@pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
def test_catalogue_has_no_shacl_violation(catalog, shapes: Graph, suffix: str) -> None:
    client, _ = catalog
    graph = fetch(client, f"/catalog.{suffix}", suffix)
    found, report = violations(graph, shapes)
    assert not found, report


@pytest.mark.parametrize("name", ["population-legale", "qualite-air", "budget-etat"])
@pytest.mark.parametrize("suffix", ["ttl", "rdf", "jsonld"])
def test_each_dataset_has_no_shacl_violation(
    catalog, shapes: Graph, name: str, suffix: str
) -> None:
    client, corpus = catalog
    graph = fetch(client, f"/api/v1/datasets/{name}.{suffix}", suffix)
    assert (dataset_uri(corpus, name), RDF.type, DCAT.Dataset) in graph
    found, report = violations(graph, shapes)
    assert not found, report


COMPLETE_CHECKS = [
    ("/catalog.ttl", "ttl"),
    ("/catalog.jsonld", "jsonld"),
    ("/catalog.rdf", "rdf"),
    ("/api/v1/datasets/population-legale.ttl", "ttl"),
    ("/api/v1/datasets/qualite-air.jsonld", "jsonld"),
    ("/api/v1/datasets/budget-etat.rdf", "rdf"),
]


@pytest.mark.parametrize(("path", "suffix"), COMPLETE_CHECKS)
def test_no_violation_under_the_complete_shapes(
    catalog, complete_shapes: Graph, path: str, suffix: str
) -> None:
    """The release's complete shapes also check the class of every value (a checksum's
    algorithm must be an spdx:ChecksumAlgorithm, a licence a dcterms:LicenseDocument…)."""
    client, _ = catalog
    found, report = violations(fetch(client, path, suffix), complete_shapes)
    assert not found, report


def test_the_complete_shapes_catch_an_untyped_value(catalog, complete_shapes: Graph) -> None:
    client, _ = catalog
    graph = fetch(client, "/api/v1/datasets/population-legale.ttl", "ttl")
    algorithms = set(graph.objects(None, SPDX.algorithm))
    assert algorithms  # an uploaded resource's checksum
    for algorithm in algorithms:
        graph.remove((algorithm, RDF.type, None))
    found, _ = violations(graph, complete_shapes)
    assert found


def recommended_warnings(data: Graph, shapes: Graph) -> dict[str, int]:
    """The recommended-properties shapes' results (warnings), counted by message."""
    _, results, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    counts: dict[str, int] = {}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        assert results.value(result, SH.resultSeverity) != SH.Violation
        # "Less than 1 values on <node>->dcat:contactPoint": by property, whatever the node.
        message = re.sub(r" on .*->", " on …->", str(results.value(result, SH.resultMessage)))
        counts[message] = counts.get(message, 0) + 1
    return counts


def test_recommended_properties_warnings_are_known(catalog, recommended_shapes: Graph) -> None:
    client, _ = catalog
    graph = fetch(client, "/catalog.ttl", "ttl")
    graph += fetch(client, "/api/v1/datasets/population-legale.ttl", "ttl")
    warnings = recommended_warnings(graph, recommended_shapes)
    # What the catalog does not hold (yet): a contact point, a region or a period is left to
    # the steward, a licence's type and a publisher's type are not in its vocabularies.
    assert set(warnings) <= KNOWN_RECOMMENDED_WARNINGS, sorted(warnings)


def test_the_validation_does_catch_a_violation(catalog, shapes: Graph) -> None:
    # Without its mandatory description, a dataset must be reported: the check has teeth.
    client, corpus = catalog
    graph = fetch(client, "/api/v1/datasets/population-legale.ttl", "ttl")
    graph.remove((dataset_uri(corpus, "population-legale"), DCTERMS.description, None))
    found, _ = violations(graph, shapes)
    assert found


def test_dataset_literals_are_tagged_by_language(catalog) -> None:
    client, corpus = catalog
    graph = fetch(client, f"/api/v1/datasets/{corpus.ids['population-legale']}.ttl", "ttl")
    node = dataset_uri(corpus, "population-legale")
    assert literals(graph, node, DCTERMS.title) == POPULATION_TITLE
    assert literals(graph, node, DCTERMS.description) == POPULATION_DESCRIPTION
    publisher = graph.value(node, DCTERMS.publisher)
    assert publisher == URIRef(f"{BASE_URL}/api/v1/institutions/hcp")
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert literals(graph, publisher, FOAF.name) == {
        "fr": "Haut-Commissariat au Plan",
        "ar": "المندوبية السامية للتخطيط",
    }
    keywords = {
        (str(k), k.language) for k in graph.objects(node, DCAT.keyword) if isinstance(k, Literal)
    }
    assert keywords == {("recensement", None), ("سكان", "ar")}

    air = fetch(client, "/api/v1/datasets/qualite-air.jsonld", "jsonld")
    air_node = dataset_uri(corpus, "qualite-air")
    assert literals(air, air_node, DCTERMS.title) == AIR_TITLE
    # No description: the title stands in for it (dct:description is mandatory).
    budget = fetch(client, "/api/v1/datasets/budget-etat.rdf", "rdf")
    budget_node = dataset_uri(corpus, "budget-etat")
    assert literals(budget, budget_node, DCTERMS.description) == literals(
        budget, budget_node, DCTERMS.title
    )


def test_dataset_properties_follow_dcat_ap(catalog) -> None:
    client, corpus = catalog
    graph = fetch(client, "/api/v1/datasets/population-legale.ttl", "ttl")
    node = dataset_uri(corpus, "population-legale")
    assert graph.value(node, DCTERMS.identifier) == Literal(str(corpus.ids["population-legale"]))
    themes = set(graph.objects(node, DCAT.theme))
    assert {URIRef(EU_THEME + "SOCI"), URIRef(EU_THEME + "REGI")} <= themes
    assert URIRef(f"{BASE_URL}/api/v1/themes/population") in themes
    for theme in themes:
        assert graph.value(theme, Namespace("http://www.w3.org/2004/02/skos/core#").prefLabel)
    frequency = graph.value(node, DCTERMS.accrualPeriodicity)
    assert frequency == URIRef("http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    assert (frequency, RDF.type, DCTERMS.Frequency) in graph
    period = graph.value(node, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate) == Literal("2014-01-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2024-12-31", datatype=XSD.date)
    places = set(graph.objects(node, DCTERMS.spatial))
    assert URIRef(f"{BASE_URL}/api/v1/regions/casablanca-settat") in places
    assert all((place, RDF.type, DCTERMS.Location) in graph for place in places)
    contact = graph.value(node, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert str(graph.value(contact, VCARD.fn)) == "Service des statistiques"
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:stats@hcp.example.ma")
    issued = graph.value(node, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.dateTime
    assert graph.value(node, DCTERMS.modified) == Literal(
        "2024-03-01T10:00:00+00:00", datatype=XSD.dateTime
    )
    assert str(graph.value(node, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))) == "2.1"
    assert graph.value(node, DCAT.landingPage) == URIRef(
        f"{BASE_URL}/api/v1/datasets/population-legale"
    )
    assert len(set(graph.objects(node, DCAT.distribution))) == 4


def test_distributions_carry_access_format_size_checksum_and_licence(catalog) -> None:
    client, corpus = catalog
    graph = fetch(client, "/api/v1/datasets/population-legale.jsonld", "jsonld")
    dataset_id = corpus.ids["population-legale"]
    upload_id, api_id, pdf_id, jsonl_id = corpus.resources["population-legale"]
    base = f"{BASE_URL}/api/v1/datasets/{dataset_id}/resources"

    upload = URIRef(f"{base}/{upload_id}")
    download = URIRef(f"{base}/{upload_id}/download")
    assert (upload, RDF.type, DCAT.Distribution) in graph
    assert graph.value(upload, DCAT.accessURL) == download
    assert graph.value(upload, DCAT.downloadURL) == download
    csv_type = URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")
    assert graph.value(upload, DCTERMS.format) == csv_type
    assert (csv_type, RDF.type, DCTERMS.MediaTypeOrExtent) in graph
    media_type = URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert graph.value(upload, DCAT.mediaType) == media_type
    assert (media_type, RDF.type, DCTERMS.MediaType) in graph
    assert graph.value(upload, DCAT.byteSize) == Literal(
        str(len(UPLOAD_BYTES)), datatype=XSD.nonNegativeInteger
    )
    checksum = graph.value(upload, SPDX.checksum)
    assert (checksum, RDF.type, SPDX.Checksum) in graph
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    value = graph.value(checksum, SPDX.checksumValue)
    assert isinstance(value, Literal) and value.datatype == XSD.hexBinary
    assert str(value) == hashlib.sha256(UPLOAD_BYTES).hexdigest()
    licence = graph.value(upload, DCTERMS.license)
    assert licence == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
    assert literals(graph, upload, DCTERMS.title) == {
        "fr": "Population par commune",
        "ar": "السكان حسب الجماعة",
    }

    api = URIRef(f"{base}/{api_id}")
    assert graph.value(api, DCAT.accessURL) == URIRef("https://api.hcp.example.ma/population")
    assert graph.value(api, DCAT.downloadURL) is None
    pdf = URIRef(f"{base}/{pdf_id}")
    # A stored URL with a space is escaped into a valid IRI.
    assert graph.value(pdf, DCAT.accessURL) == URIRef(
        "https://www.hcp.example.ma/note%20m%C3%A9thodologique.pdf"
    )
    jsonl_format = graph.value(URIRef(f"{base}/{jsonl_id}"), DCTERMS.format)
    assert (jsonl_format, RDF.type, DCTERMS.MediaTypeOrExtent) in graph


@pytest.mark.parametrize(
    ("accept", "suffix"),
    [
        ("text/turtle", "ttl"),
        ("application/rdf+xml", "rdf"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml;q=0.5, application/ld+json;q=0.9", "jsonld"),
        ("text/html, application/xhtml+xml, */*;q=0.1", "ttl"),
        ("*/*", "ttl"),
        ("application/*", "jsonld"),
    ],
)
def test_catalogue_by_accept(catalog, accept: str, suffix: str) -> None:
    client, corpus = catalog
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPES[suffix])
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.content, format=RDFLIB_FORMATS[suffix])
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == len(corpus.published)


@pytest.mark.parametrize("accept", ["image/png", "text/html", "application/json;q=1, */*;q=0"])
def test_an_accept_that_cannot_be_served_is_406(catalog, accept: str) -> None:
    client, corpus = catalog
    for path in ("/catalog", f"/api/v1/datasets/{corpus.ids['qualite-air']}/dcat"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 406, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == 406
        assert "text/turtle" in body["available"]


@pytest.mark.parametrize(
    ("accept", "suffix"), [("text/turtle", "ttl"), ("application/ld+json", "jsonld")]
)
def test_one_dataset_by_accept(catalog, accept: str, suffix: str) -> None:
    client, corpus = catalog
    node = dataset_uri(corpus, "budget-etat")
    for path in (
        "/api/v1/datasets/budget-etat/dcat",
        f"/api/v1/datasets/{corpus.ids['budget-etat']}",
    ):
        graph = fetch(client, path, suffix, headers={"Accept": accept})
        assert (node, RDF.type, DCAT.Dataset) in graph


def test_the_dataset_uri_still_answers_json_to_json_clients(catalog) -> None:
    client, corpus = catalog
    for accept in ("application/json", "*/*", "text/turtle;q=0.5, application/json"):
        response = client.get(
            f"/api/v1/datasets/{corpus.ids['budget-etat']}", headers={"Accept": accept}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["slug"] == "budget-etat"
    # Writes to the dataset URI are not taken over by the RDF route, whatever the Accept.
    response = client.patch(
        f"/api/v1/datasets/{corpus.ids['budget-etat']}",
        headers={"Accept": "text/turtle"},
        json={"version": "2"},
    )
    assert response.status_code == 401


def test_unknown_and_unpublished_datasets_are_not_found(catalog) -> None:
    client, corpus = catalog
    paths = ["/api/v1/datasets/inconnu.ttl", "/api/v1/datasets/inconnu/dcat"]
    for name in corpus.hidden:
        for key in (name, str(corpus.ids[name])):
            paths += [f"/api/v1/datasets/{key}.{s}" for s in RDFLIB_FORMATS]
            paths.append(f"/api/v1/datasets/{key}/dcat")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 404
    for name in corpus.hidden:
        response = client.get(
            f"/api/v1/datasets/{corpus.ids[name]}", headers={"Accept": "text/turtle"}
        )
        assert response.status_code == 404
    catalogue = client.get("/catalog.ttl").text
    for name in corpus.hidden:
        assert str(corpus.ids[name]) not in catalogue


def test_catalogue_query_errors_are_problems(catalog) -> None:
    client, _ = catalog
    response = client.get("/catalog.ttl", params={"modified_since": "last tuesday"})
    assert response.status_code == 422
    assert response.json()["field"] == "modified_since"
    response = client.get("/catalog.ttl", params={"page": 0})
    assert response.status_code == 422
    response = client.get("/catalog.ttl", params={"page": 7})
    assert response.status_code == 404
    assert "last page" in response.json()["detail"]


def test_catalogue_modified_since_on_a_small_catalogue(catalog) -> None:
    client, corpus = catalog
    catalog_node = URIRef(f"{BASE_URL}/catalog")
    graph = fetch(client, "/catalog.ttl", "ttl", params={"modified_since": "2024-02-01T08:30:00Z"})
    assert set(graph.objects(catalog_node, DCAT.dataset)) == {
        dataset_uri(corpus, "population-legale"),
        dataset_uri(corpus, "qualite-air"),
    }
    graph = fetch(client, "/catalog.ttl", "ttl", params={"modified_since": "2030-01-01"})
    assert set(graph.objects(catalog_node, DCAT.dataset)) == set()


KNOWN_RECOMMENDED_WARNINGS = {
    f"Less than 1 values on …->{prop}"
    for prop in (
        "dcat:contactPoint",
        "dcat:distribution",
        "dct:spatial",
        "dct:temporal",
        "dct:type",
        "dcat:bbox",
        "dcat:centroid",
        "dct:description",
        "dcatap:availability",
        "dcat:endDate",
        "dct:issued",
    )
}
