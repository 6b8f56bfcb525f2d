"""CKAN's parameters, and its q and fq read as one query tree (or refused, naming why)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.catalog.domain.ckan import (
    Params,
    SearchQueryError,
    ValidationError,
    parse_search,
    parse_sort,
)
from services.catalog.domain.ckan_dicts import ckan_time
from services.catalog.domain.lucene import Boolean, DateMath, Range, must, parse_fq, parse_q
from services.catalog.domain.search import DEFAULT_SORT, Sort, SortKey

NOW = datetime(2026, 5, 17, 14, 30, tzinfo=UTC)


def test_q_and_every_fq_are_all_required() -> None:
    assert parse_search("budget", [], NOW) == parse_q("budget")
    assert parse_search("budget", ["tags:santé", "organization:mef"], NOW) == must(
        parse_q("budget"), parse_fq("tags:santé"), parse_fq("organization:mef")
    )


def test_dates_are_resolved_when_the_search_is_made() -> None:
    found = parse_search(None, ["metadata_modified:[NOW/DAY TO *]"], NOW)
    assert isinstance(found, Boolean)
    fq = found.clauses[1].query
    assert isinstance(fq, Boolean)
    today = DateMath(datetime(2026, 5, 17, tzinfo=UTC))
    assert Range("metadata_modified", today, None) in [clause.query for clause in fq.clauses]


@pytest.mark.parametrize(
    ("q", "fq", "construct", "source"),
    [
        ("text:santé~", None, "fuzzy", "q"),
        ("title:santé^2", None, "boost", "q"),
        ("{!lucene}santé", None, "local parameters", "q"),
        ("sant*", None, "wildcard", "q"),
        (None, "colour:red", "field", "fq"),
        (None, "author:someone", "field", "fq"),
        (None, "metadata_modified:2024", "date", "fq"),
        (None, "tags:(a", "parenthesis", "fq"),
    ],
)
def test_what_the_catalog_cannot_answer_is_a_search_query_error_naming_it(
    q: str | None, fq: str | None, construct: str, source: str
) -> None:
    with pytest.raises(SearchQueryError) as refused:
        parse_search(q, [fq] if fq else [], NOW)
    assert refused.value.construct == construct
    error = refused.value.error()
    assert error["__type"] == "Search Query Error" and error["construct"] == construct
    assert error["message"].startswith(f"Search Query is invalid: {source}: ")


def test_sorts() -> None:
    assert parse_sort("metadata_modified desc, name asc") == (
        Sort(SortKey.MODIFIED, True),
        Sort(SortKey.SLUG, False),
    )
    assert parse_sort("") == DEFAULT_SORT
    with pytest.raises(SearchQueryError):
        parse_sort("popularity desc")


def test_parameters_from_a_query_string_or_a_body() -> None:
    params = Params({"rows": "20", "facet": "false", "fl": ["a", "b"], "facet.field": '["tags"]'})
    assert params.integer("rows", 10) == 20
    assert params.boolean("facet", True) is False
    assert params.strings("facet.field") == ["tags"]
    assert params.text("missing", "default") == "default"
    with pytest.raises(ValidationError):
        Params({"rows": "-1"}).integer("rows", 10)
    with pytest.raises(ValidationError):
        Params({"facet": "perhaps"}).boolean("facet", True)
    assert Params({"rows": "5000"}).integer("rows", 10, maximum=1000) == 1000


def test_ckan_times_are_utc_without_a_zone() -> None:
    assert ckan_time(datetime(2024, 3, 1, 11, 0, tzinfo=UTC)) == "2024-03-01T11:00:00"
    assert ckan_time(None) is None
