"""The rules of a dataset's metadata that need no database: slugs, tags, regions, frequencies,
periods and contact points."""

from __future__ import annotations

from datetime import date

import pytest

from libs.http.problems import InvalidInput
from services.catalog.domain import validation


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Budget de l'État 2024", "budget-de-l-etat-2024"),
        ("  Capacité litière — hôpitaux ", "capacite-litiere-hopitaux"),
        ("ميزانية الدولة", "mizania-aldoula"),
        ("الإحصاء ٢٠٢٤", "alahsa-2024"),  # hamzas fold to alef; Arabic-Indic digits
        ("!!!", ""),
    ],
)
def test_slugify_folds_accents_and_transliterates_arabic(title: str, slug: str) -> None:
    assert validation.slugify(title) == slug


def test_a_slug_is_at_most_90_characters_and_never_ends_with_a_dash() -> None:
    slug = validation.slugify("mot " * 40)
    assert len(slug) <= 90 and not slug.endswith("-")


@pytest.mark.parametrize(
    ("title", "source"),
    [
        ({"ar": "عنوان", "fr": "Titre", "en": "Title"}, "Titre"),
        ({"ar": "عنوان", "en": "Title"}, "Title"),
        ({"ar": "عنوان"}, "عنوان"),
        ({}, ""),
    ],
)
def test_the_slug_comes_from_french_then_english_then_arabic(
    title: dict[str, str], source: str
) -> None:
    assert validation.slug_source(title) == source


@pytest.mark.parametrize("slug", ["budget-2024", "ab", "a_b", "x" * 100])
def test_a_slug_given_is_kept(slug: str) -> None:
    assert validation.check_slug(f" {slug} ") == slug


@pytest.mark.parametrize("slug", ["b", "Budget", "budget état", "x" * 101, "a/b"])
def test_a_slug_outside_the_rule_is_refused_naming_slug(slug: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validation.check_slug(slug)
    assert refused.value.extra["field"] == "slug"


def test_tags_are_trimmed_collapsed_lower_cased_and_unique() -> None:
    assert validation.tags(["Santé ", "hôpitaux", "santé", "lits  hospitaliers", " "]) == [
        "santé",
        "hôpitaux",
        "lits hospitaliers",
    ]


def test_a_tag_with_other_characters_is_refused_naming_its_position() -> None:
    with pytest.raises(InvalidInput) as refused:
        validation.tags(["ok", "<script>"])
    assert refused.value.extra["field"] == "tags[1]"
    assert "<script>" in refused.value.detail


def test_there_are_at_most_100_tags() -> None:
    with pytest.raises(InvalidInput) as refused:
        validation.tags([f"tag {n}" for n in range(101)])
    assert refused.value.extra["field"] == "tags"


def test_regions_are_named_by_code_whatever_the_language_communes_stay() -> None:
    assert validation.spatial(["Souss-Massa", "Agadir", "سوس ماسة", "fes-meknes", "  "]) == [
        "souss-massa",
        "Agadir",
        "fes-meknes",
    ]


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("monthly", "MONTHLY"),
        (" ANNUAL ", "ANNUAL"),
        ("http://publications.europa.eu/resource/authority/frequency/WEEKLY", "WEEKLY"),
        ("1min", "1MIN"),
        ("http://publications.europa.eu/resource/authority/frequency/12HRS", "12HRS"),
        ("", None),
        (None, None),
    ],
)
def test_frequencies_are_eu_codes(given: str | None, code: str | None) -> None:
    assert validation.frequency(given) == code


def test_an_unknown_frequency_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        validation.frequency("sometimes")
    assert refused.value.extra["field"] == "frequency"
    assert "sometimes" in refused.value.detail


def test_a_period_ends_after_it_starts() -> None:
    validation.temporal(date(2024, 1, 1), date(2024, 1, 1))
    validation.temporal(None, date(2024, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        validation.temporal(date(2024, 12, 31), date(2024, 1, 1))
    assert refused.value.extra["field"] == "temporal_end"


def test_a_contact_point_has_a_name_or_an_address() -> None:
    assert validation.contact_point({"name": "Cellule", "email": None}) == {"name": "Cellule"}
    assert validation.contact_point(None) is None
    with pytest.raises(InvalidInput) as refused:
        validation.contact_point({"name": None, "email": None})
    assert refused.value.extra["field"] == "contact_point"
