"""DCAT-AP without a database: content negotiation, the EU themes of the portal's themes, and
the literals and addresses of a graph."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from services.catalog.api.dcat import negotiate, prefers_rdf
from services.catalog.domain.dcat import EU_THEMES, THEME_TO_EU, _iri, _keyword
from services.catalog.domain.vocabularies import THEMES


@pytest.mark.parametrize(
    ("accept", "suffix"),
    [
        (None, "ttl"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/x-turtle", "ttl"),
        ("*/*", "ttl"),  # equal preference: Turtle first
        ("application/*", "jsonld"),
        ("text/turtle;q=0.2, application/rdf+xml;q=0.8", "rdf"),
        ("application/json", None),
        ("text/turtle;q=0", None),
    ],
)
def test_the_serialisation_follows_accept(accept: str | None, suffix: str | None) -> None:
    assert negotiate(accept) == suffix


@pytest.mark.parametrize(
    ("accept", "rdf"),
    [
        ("text/turtle", True),
        ("text/turtle;q=0.5, application/json", False),
        ("*/*", False),
        ("application/json", False),
        (None, False),
    ],
)
def test_only_a_client_preferring_rdf_to_json_gets_rdf_from_the_dataset_uri(
    accept: str | None, rdf: bool
) -> None:
    assert prefers_rdf(accept) is rdf


def test_every_portal_theme_falls_under_an_eu_data_theme() -> None:
    assert set(THEME_TO_EU) == set(THEMES)
    assert set(THEME_TO_EU.values()) <= set(EU_THEMES)


def test_an_address_with_characters_an_iri_cannot_hold_is_escaped() -> None:
    assert _iri(' https://x.ma/a b"c ') == URIRef("https://x.ma/a%20b%22c")


def test_an_arabic_keyword_is_tagged_arabic() -> None:
    assert _keyword("الصحة") == Literal("الصحة", lang="ar")
    assert _keyword("santé") == Literal("santé")
