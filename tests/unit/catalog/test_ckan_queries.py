"""CKAN's parameters and Solr's field queries, read as the catalog's search filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.catalog.domain.ckan import (
    Params,
    SearchQueryError,
    ValidationError,
    ckan_time,
    parse_solr,
    parse_sort,
)
from services.catalog.domain.search import DEFAULT_SORT, Filter, FilterField, Sort, SortKey


def test_field_terms_become_filters_and_the_rest_of_q_is_text() -> None:
    parsed = parse_solr(
        'budget organization:mef tags:"santé publique"', source="q", text_allowed=True
    )
    assert parsed.text == ["budget"]
    assert parsed.filters == [
        Filter(FilterField.INSTITUTION, ("mef",)),
        Filter(FilterField.TAG, ("santé publique",)),
    ]


def test_ckan_names_map_to_the_catalogs_own() -> None:
    parsed = parse_solr(
        "owner_org:x groups:sante res_format:CSV license_id:cc-by isopen:true name:budget id:1",
        source="fq",
        text_allowed=False,
    )
    assert [f.field for f in parsed.filters] == [
        FilterField.INSTITUTION,
        FilterField.THEME,
        FilterField.FORMAT,
        FilterField.LICENSE,
        FilterField.OPEN,
        FilterField.SLUG,
        FilterField.ID,
    ]


def test_alternatives_and_exclusions() -> None:
    parsed = parse_solr(
        "tags:(air OR eau) -groups:sante NOT tags:bruit", source="fq", text_allowed=False
    )
    assert parsed.filters == [
        Filter(FilterField.TAG, ("air", "eau")),
        Filter(FilterField.THEME, ("sante",), exclude=True),
        Filter(FilterField.TAG, ("bruit",), exclude=True),
    ]


def test_a_modified_range_bounds_the_search() -> None:
    parsed = parse_solr(
        "metadata_modified:[2024-01-01T00:00:00Z TO *]", source="fq", text_allowed=False
    )
    assert parsed.modified_since == datetime(2024, 1, 1, tzinfo=UTC)
    assert parsed.modified_until is None


def test_constant_fields_hold_or_match_nothing() -> None:
    assert not parse_solr("dataset_type:dataset", source="fq", text_allowed=False).matches_nothing
    assert parse_solr("state:deleted", source="fq", text_allowed=False).matches_nothing
    assert parse_solr("-capacity:public", source="fq", text_allowed=False).matches_nothing


@pytest.mark.parametrize(
    "fq",
    [
        "budget",
        "colour:red",
        "tags:a OR tags:b",
        "title:budget",
        "metadata_modified:2024",
        "tags:(a AND b)",
    ],
)
def test_what_fq_cannot_say_is_a_search_query_error(fq: str) -> None:
    with pytest.raises(SearchQueryError):
        parse_solr(fq, source="fq", text_allowed=False)


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
