"""CKAN's q and fq, read as CKAN 2.12 and its Solr read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.catalog.domain.lucene import (
    FIELDS,
    Boolean,
    Clause,
    DateMath,
    DateStep,
    Exists,
    FieldKind,
    MatchAll,
    Occur,
    Phrase,
    Prefix,
    Query,
    QuerySyntaxError,
    Range,
    Term,
    field_spec,
    minimum_should_match,
    parse_date,
    parse_dismax,
    parse_fq,
    parse_lucene,
    parse_q,
)

MUST, SHOULD, MUST_NOT = Occur.MUST, Occur.SHOULD, Occur.MUST_NOT


def text(word: str) -> Term:
    return Term("text", word)


def boolean(*clauses: tuple[Occur, Query], mm: int = 0) -> Boolean:
    return Boolean(tuple(Clause(occur, query) for occur, query in clauses), mm)


# --- q without a colon: DisMax with CKAN's mm ----------------------------------------------


def test_an_empty_q_matches_everything() -> None:
    assert parse_q("") == parse_q(None) == parse_q("   ") == parse_q('""') == MatchAll()


def test_one_word() -> None:
    assert parse_q("santé") == boolean((SHOULD, text("santé")), mm=1)


def test_two_words_are_both_required() -> None:
    assert parse_q("santé paris") == boolean((SHOULD, text("santé")), (SHOULD, text("paris")), mm=2)


def test_or_between_two_words_still_requires_both() -> None:
    # mm=2<-1 counts optional clauses: OR leaves both optional, and two are both required.
    assert parse_q("santé OR paris") == parse_q("santé paris") == parse_q("santé || paris")


def test_and_makes_both_neighbours_required() -> None:
    expected = boolean((MUST, text("santé")), (MUST, text("paris")))
    assert parse_q("santé AND paris") == parse_q("santé && paris") == expected


def test_three_to_five_words_require_all_but_one() -> None:
    query = parse_q("santé tunis budget")
    assert isinstance(query, Boolean) and query.minimum_should_match == 2
    assert [c.occur for c in query.clauses] == [SHOULD] * 3


def test_six_words_require_eighty_percent() -> None:
    query = parse_q("a b c d e f")
    assert isinstance(query, Boolean) and query.minimum_should_match == 4


def test_minus_excludes_a_word() -> None:
    assert parse_q("santé -paris") == boolean(
        (SHOULD, text("santé")), (MUST_NOT, text("paris")), mm=1
    )


def test_not_excludes_a_word() -> None:
    assert parse_q("santé NOT paris") == parse_q("santé -paris")


def test_plus_requires_a_word() -> None:
    assert parse_q("santé +paris") == boolean((SHOULD, text("santé")), (MUST, text("paris")), mm=1)


def test_exclusions_only_match_nothing_in_dismax() -> None:
    assert parse_q("-paris") == boolean((MUST_NOT, text("paris")))


def test_a_quoted_phrase() -> None:
    assert parse_q('"centres de santé"') == boolean(
        (SHOULD, Phrase("text", "centres de santé")), mm=1
    )
    assert parse_q('paris -"centres de santé"') == boolean(
        (SHOULD, text("paris")), (MUST_NOT, Phrase("text", "centres de santé")), mm=1
    )


def test_unbalanced_quotes_are_dropped() -> None:
    assert parse_q('"centres de santé') == parse_q("centres de santé")


def test_escaped_characters_stay_in_the_word() -> None:
    # DisMax escapes ! ( ) [ ] { }: they are letters of the word, which the analyser drops.
    assert parse_q("santé !paris") == boolean(
        (SHOULD, text("santé")), (SHOULD, text("!paris")), mm=2
    )
    assert parse_q("(santé OR budget)") == boolean(
        (SHOULD, text("(santé")), (SHOULD, text("budget)")), mm=2
    )


def test_arabic_and_french_words() -> None:
    assert parse_q("الصحة العمومية") == boolean(
        (SHOULD, text("الصحة")), (SHOULD, text("العمومية")), mm=2
    )
    assert parse_q("qualité de l'eau") == boolean(
        (SHOULD, text("qualité")), (SHOULD, text("de")), (SHOULD, text("l'eau")), mm=2
    )


def test_dangling_and_repeated_operators_are_dropped() -> None:
    assert parse_q("santé -") == parse_q("santé")
    assert parse_q("santé + - paris") == parse_q("santé paris")


def test_a_word_of_punctuation_is_no_clause() -> None:
    assert parse_q("santé !") == parse_q("santé")


@pytest.mark.parametrize(
    ("q", "construct"),
    [
        ("sant*", "wildcard"),
        ("s?nté", "wildcard"),
        ("santé~", "fuzzy"),
        ('"centres santé"~2', "fuzzy"),
        ("santé^2", "boost"),
        ("a/b", "regex"),
        ("{!lucene}santé", "local parameters"),
    ],
)
def test_dismax_refuses_what_it_would_search_as_letters(q: str, construct: str) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        parse_q(q)
    assert error.value.construct == construct and error.value.source == "q"


# --- q with a colon: the Lucene parser, q.op=AND, df=text ----------------------------------


def test_a_field_term() -> None:
    assert parse_q("tags:santé") == boolean((MUST, Term("tags", "santé")))
    assert parse_q("title:santé") == boolean((MUST, Term("title", "santé")))
    assert parse_q("name:bench-ds-00042") == boolean((MUST, Term("name", "bench-ds-00042")))
    assert parse_q("notes:santé") == boolean((MUST, Term("notes", "santé")))


def test_words_without_operator_are_all_required() -> None:
    assert parse_q("text:santé paris") == boolean((MUST, text("santé")), (MUST, text("paris")))


def test_or_is_a_union() -> None:
    expected = boolean((SHOULD, text("santé")), (SHOULD, text("paris")))
    assert parse_q("text:santé OR text:paris") == expected
    assert parse_q("text:santé || text:paris") == expected


def test_or_next_to_a_required_word_leaves_its_neighbours_optional() -> None:
    # Lucene's classic rule under q.op=AND: a OR b c = (a, b optional) + c required.
    assert parse_q("text:a OR text:b text:c") == boolean(
        (SHOULD, text("a")), (SHOULD, text("b")), (MUST, text("c"))
    )


def test_and_not_minus_and_bang() -> None:
    expected = boolean((MUST, text("santé")), (MUST_NOT, text("paris")))
    assert parse_q("text:santé -text:paris") == expected
    assert parse_q("text:santé AND NOT text:paris") == expected
    assert parse_q("text:santé && !text:paris") == expected
    assert parse_q("text:santé NOT text:paris") == expected


def test_plus_is_required() -> None:
    assert parse_q("+text:santé") == boolean((MUST, text("santé")))


def test_a_top_level_exclusion_keeps_everything_else() -> None:
    assert parse_q("-text:paris") == boolean((MUST, MatchAll()), (MUST_NOT, text("paris")))


def test_a_nested_exclusion_alone_matches_nothing() -> None:
    assert parse_q("text:santé AND (-text:paris)") == boolean(
        (MUST, text("santé")), (MUST, boolean((MUST_NOT, text("paris"))))
    )


def test_parentheses_group() -> None:
    assert parse_q("(text:santé OR text:budget) -text:paris") == boolean(
        (MUST, boolean((SHOULD, text("santé")), (SHOULD, text("budget")))),
        (MUST_NOT, text("paris")),
    )


def test_a_field_applies_to_a_group() -> None:
    assert parse_q("tags:(santé OR tunis)") == boolean(
        (MUST, boolean((SHOULD, Term("tags", "santé")), (SHOULD, Term("tags", "tunis"))))
    )


def test_a_field_phrase() -> None:
    assert parse_q('title:"centres de santé"') == boolean(
        (MUST, Phrase("title", "centres de santé"))
    )
    assert parse_q('tags:"données ouvertes"') == boolean((MUST, Phrase("tags", "données ouvertes")))


def test_a_prefix() -> None:
    assert parse_q("title:sant*") == boolean((MUST, Prefix("title", "sant")))
    assert parse_q("name:bench-ds-0000*") == boolean((MUST, Prefix("name", "bench-ds-0000")))


def test_match_all_and_field_exists() -> None:
    assert parse_q("*:*") == boolean((MUST, MatchAll()))
    assert parse_q("license_id:*") == boolean((MUST, Exists("license_id")))
    assert parse_q("groups:[* TO *]") == boolean((MUST, Exists("groups")))


def test_escaped_characters() -> None:
    assert parse_q(r"text:santé\:paris") == boolean((MUST, text("santé:paris")))
    assert parse_q(r"tags:données\ ouvertes") == boolean((MUST, Term("tags", "données ouvertes")))
    assert parse_q(r'title:"le \"grand\" Tunis"') == boolean(
        (MUST, Phrase("title", 'le "grand" Tunis'))
    )


def test_arabic_field_values() -> None:
    assert parse_q("tags:الصحة AND text:تونس") == boolean(
        (MUST, Term("tags", "الصحة")), (MUST, text("تونس"))
    )


def test_numeric_ranges() -> None:
    assert parse_q("num_tags:[4 TO 5]") == boolean((MUST, Range("num_tags", 4, 5)))
    assert parse_q("num_resources:{1 TO *]") == boolean(
        (MUST, Range("num_resources", 1, None, include_low=False))
    )
    assert parse_q("num_tags:5") == boolean((MUST, Range("num_tags", 5, 5)))


def test_date_ranges() -> None:
    assert parse_q("metadata_modified:[2024-01-01T00:00:00Z TO NOW]") == boolean(
        (
            MUST,
            Range(
                "metadata_modified",
                DateMath(datetime(2024, 1, 1, tzinfo=UTC)),
                DateMath(None),
            ),
        )
    )
    assert parse_q("metadata_created:[NOW-1YEAR/DAY TO *}") == boolean(
        (
            MUST,
            Range(
                "metadata_created",
                DateMath(None, (DateStep("-", 1, "YEAR"), DateStep("/", 0, "DAY"))),
                None,
                include_high=False,
            ),
        )
    )


def test_string_ranges() -> None:
    assert parse_q("name:[a TO c]") == boolean((MUST, Range("name", "a", "c")))


def test_dynamic_fields() -> None:
    assert parse_q("extras_source:insee") == boolean((MUST, Term("extras_source", "insee")))
    assert parse_q("vocab_themes:eau") == boolean((MUST, Term("vocab_themes", "eau")))


# --- fq ------------------------------------------------------------------------------------


def test_an_fq_is_required_beside_ckans_own_clauses() -> None:
    assert parse_fq("tags:santé") == boolean((MUST, MatchAll()), (MUST, Term("tags", "santé")))


def test_fq_words_are_all_required() -> None:
    assert parse_fq("tags:santé tags:tunis") == boolean(
        (MUST, MatchAll()), (MUST, Term("tags", "santé")), (MUST, Term("tags", "tunis"))
    )


def test_a_top_level_or_in_fq_filters_nothing() -> None:
    # CKAN sends "+capacity:public tags:a OR tags:b +state:(active)": both become optional.
    assert parse_fq("tags:santé OR tags:tunis") == boolean(
        (MUST, MatchAll()), (SHOULD, Term("tags", "santé")), (SHOULD, Term("tags", "tunis"))
    )


def test_a_grouped_or_in_fq_is_a_union() -> None:
    assert parse_fq("(tags:santé OR tags:tunis)") == boolean(
        (MUST, MatchAll()),
        (MUST, boolean((SHOULD, Term("tags", "santé")), (SHOULD, Term("tags", "tunis")))),
    )


def test_an_fq_exclusion() -> None:
    assert parse_fq("-tags:santé") == boolean((MUST, MatchAll()), (MUST_NOT, Term("tags", "santé")))


def test_an_fq_bare_word_is_on_text() -> None:
    assert parse_fq("santé") == boolean((MUST, MatchAll()), (MUST, text("santé")))


@pytest.mark.parametrize(
    ("fq", "construct"),
    [("foo:bar", "field"), ("{!tag=x}tags:a", "local parameters"), ("tags:a^3", "boost")],
)
def test_fq_errors_name_the_construct(fq: str, construct: str) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        parse_fq(fq)
    assert error.value.construct == construct and error.value.source == "fq"


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "construct"),
    [
        ("text:santé~", "fuzzy"),
        ("text:santé~2", "fuzzy"),
        ('title:"centres santé"~3', "fuzzy"),
        ("title:santé^2", "boost"),
        ('title:"santé"^2', "boost"),
        ("text:/sant.*/", "regex"),
        ("{!lucene}text:santé", "local parameters"),
        ("text:santé {!func}x", "local parameters"),
        ("_query_:text\\:santé", "magic field"),
        ("_val_:1", "magic field"),
        ("foo:bar", "field"),
        ("text:s?nté", "wildcard"),
        ("text:s*nté", "wildcard"),
        ("num_tags:4*", "wildcard"),
        ("text:(santé", "parenthesis"),
        ("text:santé)", "parenthesis"),
        ('title:"santé', "phrase"),
        ("num_tags:[4 TO 5", "range"),
        ("num_tags:[4 5]", "range"),
        ("title:[a TO b]", "range"),
        ("num_tags:[x TO 3]", "number"),
        ("num_tags:cinq", "number"),
        ("metadata_modified:[2024-01-01 TO *]", "date"),
        ("metadata_modified:[2024-02-30T00:00:00Z TO *]", "date"),
        ("metadata_modified:[NOW-1FORTNIGHT TO *]", "date math"),
        ("text:santé AND", "syntax"),
        ("AND text:santé", "operator"),
        ("text:santé\\", "escape"),
        ("a*:b", "field"),
        ("*:santé", "field"),
    ],
)
def test_what_cannot_be_honoured_is_refused_by_name(q: str, construct: str) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        parse_q(q)
    assert error.value.construct == construct
    assert str(error.value).startswith("q: ")


# --- the pieces ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("optional", "required"),
    [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (10, 8)],
)
def test_ckans_minimum_should_match(optional: int, required: int) -> None:
    assert minimum_should_match(optional) == required


def test_other_minimum_should_match_specs() -> None:
    assert minimum_should_match(4, "75%") == 3
    assert minimum_should_match(6, "-20%") == 5
    assert minimum_should_match(3, "1") == 1


def test_date_math_resolves() -> None:
    now = datetime(2026, 3, 31, 15, 45, 12, 345678, tzinfo=UTC)
    assert parse_date("NOW").resolve(now) == now
    assert parse_date("NOW-1MONTH").resolve(now) == datetime(2026, 2, 28, 15, 45, 12, 345678, UTC)
    assert parse_date("NOW-1YEAR/DAY").resolve(now) == datetime(2025, 3, 31, tzinfo=UTC)
    assert parse_date("NOW/MONTH+2DAYS").resolve(now) == datetime(2026, 3, 3, tzinfo=UTC)
    assert parse_date("NOW/HOUR").resolve(now) == datetime(2026, 3, 31, 15, tzinfo=UTC)
    assert parse_date("NOW/YEAR").resolve(now) == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_date("2024-02-29T10:00:00.5Z+1YEAR").resolve(now) == datetime(
        2025, 2, 28, 10, 0, 0, 500000, UTC
    )


def test_the_field_list_covers_ckans_dataset_fields() -> None:
    wanted = {
        "name": FieldKind.STRING,
        "title": FieldKind.TEXT,
        "notes": FieldKind.TEXT,
        "text": FieldKind.TEXT,
        "tags": FieldKind.STRING,
        "groups": FieldKind.STRING,
        "organization": FieldKind.STRING,
        "owner_org": FieldKind.STRING,
        "license_id": FieldKind.STRING,
        "res_format": FieldKind.STRING,
        "res_name": FieldKind.TEXT,
        "res_description": FieldKind.TEXT,
        "num_resources": FieldKind.INT,
        "num_tags": FieldKind.INT,
        "metadata_created": FieldKind.DATE,
        "metadata_modified": FieldKind.DATE,
        "state": FieldKind.STRING,
        "capacity": FieldKind.STRING,
        "author": FieldKind.TEXT,
        "maintainer": FieldKind.TEXT,
        "url": FieldKind.STRING,
        "version": FieldKind.STRING,
    }
    assert {name: FIELDS[name].kind for name in wanted} == wanted
    assert FIELDS["num_tags"].ranges_as_text and FIELDS["tags"].multi_valued
    extras = field_spec("extras_source")
    assert extras is not None and extras.kind == FieldKind.TEXT
    custom_date = field_spec("release_date")
    assert custom_date is not None and custom_date.kind == FieldKind.DATE
    assert field_spec("extras_") is None and field_spec("foo") is None


def test_the_parsers_can_be_called_directly() -> None:
    assert parse_lucene("santé paris") == boolean((MUST, text("santé")), (MUST, text("paris")))
    assert parse_dismax("tags:santé") == boolean((SHOULD, text("tags:santé")), mm=1)
    assert parse_lucene("") == MatchAll()
