"""What a search asks the database, built without one: moments and sorts; and a title in the
language a reader wants (its words and full-text queries: test_search_query.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from libs.http.problems import InvalidInput
from services.catalog.api.search import SORTS
from services.catalog.domain.search import (
    SearchQuery,
    SortKey,
    client_moment,
    parse_moment,
)
from services.catalog.domain.search_index import localized


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),
        ("2024-01-31T12:00:00", datetime(2024, 1, 31, 12, tzinfo=UTC)),
        ("2024-01-31T12:00:00Z", datetime(2024, 1, 31, 12, tzinfo=UTC)),
        ("2024-01-31T13:00:00+01:00", datetime(2024, 1, 31, 12, tzinfo=UTC)),
        ("2024-01-31T13:00:00 01:00", datetime(2024, 1, 31, 12, tzinfo=UTC)),  # '+' as a space
        ("", None),
        (None, None),
    ],
)
def test_a_moment_given_as_a_parameter_is_utc(value: str | None, moment: datetime | None) -> None:
    assert parse_moment("modified_since", value) == moment


@pytest.mark.parametrize("value", ["last week", "2024-13-01", "31/01/2024"])
def test_a_moment_that_cannot_be_read_is_refused_naming_the_parameter(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_moment("modified_since", value)
    assert refused.value.extra["field"] == "modified_since"


def test_a_search_reads_its_bounds_in_utc() -> None:
    casablanca = timezone(timedelta(hours=1))
    query = SearchQuery(
        modified_since=datetime(2024, 5, 1), modified_until=datetime(2024, 5, 31, tzinfo=casablanca)
    )
    assert query.modified_since == datetime(2024, 5, 1, tzinfo=UTC)
    assert query.modified_until == datetime(2024, 5, 30, 23, tzinfo=UTC)
    assert client_moment(datetime(2024, 1, 1)).tzinfo is UTC


def test_the_rest_sorts_name_the_slug_and_the_newest_first() -> None:
    assert [s.key for s in SORTS["slug"]] == [SortKey.SLUG]
    assert SORTS["-modified"][0].descending and not SORTS["modified"][0].descending


@pytest.mark.parametrize(
    ("values", "language", "text"),
    [
        ({"ar": "عنوان", "fr": "Titre", "en": "Title"}, "fr", "Titre"),
        ({"ar": "عنوان", "fr": "Titre"}, "ar", "عنوان"),
        ({"ar": "عنوان", "en": "Title"}, "fr", "عنوان"),
        ({"en": "Title"}, "fr", "Title"),
        ({}, "fr", None),
        (None, "fr", None),
    ],
)
def test_a_text_in_the_language_asked_else_french_arabic_english(
    values: dict[str, str] | None, language: str, text: str | None
) -> None:
    assert localized(values, language) == text
