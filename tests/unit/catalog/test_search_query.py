"""The search's query trees compiled without a database: the REST search's words, what CKAN's
fields the catalog answers, and the full-text queries each database is given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from services.catalog.domain.lucene import (
    Boolean,
    Clause,
    DateMath,
    DateStep,
    MatchAll,
    Occur,
    Phrase,
    Prefix,
    Query,
    QuerySyntaxError,
    Range,
    Term,
    parse_fq,
    parse_q,
)
from services.catalog.domain.search_index import DESCRIPTION, INDEXED_FIELDS, TITLE, IndexedField
from services.catalog.domain.search_query import (
    MAX_QUERY_WORDS,
    SEARCHABLE,
    AllOf,
    AnyOf,
    Compiler,
    Form,
    Sql,
    Unsayable,
    Words,
    fts5_query,
    honoured,
    parse_words,
    ranking,
    tsquery,
)

MUST, SHOULD, MUST_NOT = Occur.MUST, Occur.SHOULD, Occur.MUST_NOT
NOW = datetime(2026, 5, 17, 14, 30, tzinfo=UTC)
POSTGRES, SQLITE = Compiler("postgresql"), Compiler("sqlite")


def boolean(*clauses: tuple[Occur, Query], mm: int = 0) -> Boolean:
    return Boolean(tuple(Clause(occur, query) for occur, query in clauses), mm)


def text(word: str) -> Term:
    return Term("text", word)


def stems(*words: str, fields: tuple[IndexedField, ...] = INDEXED_FIELDS) -> Words:
    return Words(fields, words)


def compiled(q: str, compiler: Compiler = POSTGRES) -> object:
    return compiler.compile(honoured(parse_q(q), NOW))


def as_tsquery(q: str) -> str:
    result = compiled(q)
    assert isinstance(result, Words | AllOf | AnyOf), result
    return tsquery(result)


# --- the REST search's words ---------------------------------------------------------------


def test_every_word_is_required_and_the_last_also_as_a_prefix() -> None:
    typed = boolean((SHOULD, text("primaires")), (SHOULD, Prefix("text", "primaires")))
    assert parse_words("Écoles  PRIMAIRES") == boolean((MUST, text("ecoles")), (MUST, typed))


def test_a_word_of_several_tokens_needs_all_of_them() -> None:
    typed = boolean((SHOULD, text("2020")), (SHOULD, Prefix("text", "2020")))
    assert parse_words("budget 2019-2020") == boolean(
        (MUST, text("budget")),
        (MUST, boolean((MUST, text("2019")), (MUST, typed))),
    )


def test_phrases_exclusions_and_alternatives() -> None:
    assert parse_words('"qualité de l\'air" -paris budget OR dépenses') == boolean(
        (MUST, Phrase("text", "qualite de air")),
        (
            MUST,
            boolean(
                (SHOULD, text("budget")),
                (
                    SHOULD,
                    boolean((SHOULD, text("depenses")), (SHOULD, Prefix("text", "depenses"))),
                ),
            ),
        ),
        (MUST_NOT, text("paris")),
    )


def test_only_a_last_plain_word_is_typed_as_a_prefix() -> None:
    assert parse_words('sante "de base"') == boolean(
        (MUST, text("sante")), (MUST, Phrase("text", "de base"))
    )
    assert parse_words("sante -paris") == boolean((MUST, text("sante")), (MUST_NOT, text("paris")))


def test_exclusions_alone_keep_everything_else() -> None:
    assert parse_words("-paris") == boolean((MUST, MatchAll()), (MUST_NOT, text("paris")))


def test_no_words_is_no_query_and_long_queries_are_cut() -> None:
    assert parse_words(None) is None
    assert parse_words(" ؟ !! - OR ") is None
    long = parse_words(" ".join(f"mot{n}" for n in range(50)))
    assert isinstance(long, Boolean) and len(long.clauses) == MAX_QUERY_WORDS


# --- what the catalog answers --------------------------------------------------------------


def test_every_searchable_field_compiles_on_both_databases() -> None:
    values = {"metadata_created": "NOW", "metadata_modified": "NOW", "num_tags": "1"}
    for name in sorted(SEARCHABLE):
        value = values.get(name, "1" if name == "num_resources" else "x")
        for query in (parse_q(f"{name}:{value}"), parse_q(f"{name}:*")):
            for compiler in (POSTGRES, SQLITE):
                assert compiler.compile(honoured(query, NOW)) is not None, (name, query)


@pytest.mark.parametrize(
    ("q", "construct"),
    [
        ("res_name:fichier", "field"),
        ("author:hcp", "field"),
        ("extras_frequency:annual", "field"),
        ("title_string:Budget", "field"),
        ("id:abc*", "wildcard"),
        ("owner_org:[a TO b]", "range"),
    ],
)
def test_fields_the_catalog_cannot_search_are_refused(q: str, construct: str) -> None:
    with pytest.raises(QuerySyntaxError) as refused:
        honoured(parse_q(q), NOW)
    assert refused.value.construct == construct
    assert refused.value.source == "q"


def test_dates_are_resolved_at_the_moment_of_the_search() -> None:
    query = honoured(parse_fq("metadata_modified:[NOW-1DAY/DAY TO *]"), NOW, source="fq")
    assert isinstance(query, Boolean)
    found = query.clauses[1].query
    assert found == Range("metadata_modified", DateMath(datetime(2026, 5, 16, tzinfo=UTC)), None)
    assert DateMath(None, (DateStep("-", 1, "DAY"),)).resolve(NOW) == datetime(
        2026, 5, 16, 14, 30, tzinfo=UTC
    )


# --- text: one full-text query per subtree of words ----------------------------------------


def test_words_match_their_stems_with_ckans_operators() -> None:
    assert as_tsquery("santé -paris") == "('sant' & !'pari')"
    assert as_tsquery("text:santé OR text:paris") == "('sant' | 'pari')"
    assert (
        as_tsquery("(text:santé OR text:budget) -text:paris") == "(('sant' | 'budget') & !'pari')"
    )
    assert as_tsquery("écoles") == "'ecol'"
    assert as_tsquery("الإحصاءات") == "'احصا'"


def test_fields_of_text_are_weights_of_the_index() -> None:
    assert as_tsquery("title:santé") == "'sant':A"
    assert as_tsquery("notes:santé") == "'sant':C"
    assert as_tsquery("title:sant*") == "'=sant':*A"  # a prefix of a surface form


def test_a_phrase_is_a_sequence_of_stems() -> None:
    assert as_tsquery('"qualité de l\'eau potable"') == "('qualit' <-> 'de' <-> 'eau' <-> 'potabl')"


def test_k_of_n_words_is_every_combination() -> None:
    assert as_tsquery("santé tunis budget") == (
        "(('sant' & 'tun') | ('sant' & 'budget') | ('tun' & 'budget'))"
    )


def test_many_optional_words_are_counted_in_sql() -> None:
    q = "a1 a2 a3 a4 a5 a6 a7 a8 a9 a10"  # 8 of 10: 45 combinations
    result = compiled(q)
    assert isinstance(result, Sql)
    sql = str(result.condition.compile(dialect=postgresql.dialect()))
    assert sql.count("@@") == 11 and ">=" in sql  # any of them, then each counted


def test_fts5_says_the_same_with_one_column_filter() -> None:
    result = compiled("santé -paris", SQLITE)
    assert isinstance(result, AllOf)
    assert fts5_query(result) == (
        '{title_stems tags_stems description_stems} : ((("sant")) NOT (("pari")))'
    )
    phrase = stems("centr", "de", "sant")
    assert fts5_query(Words(INDEXED_FIELDS, ("centres", "de", "sante"), phrase=True)) == (
        '{title_stems tags_stems description_stems} : ("centr de sant")'
    )
    mixed = AllOf(
        (Words((TITLE,), ("sant",), Form.SURFACE, prefix=True), stems("eau", fields=(DESCRIPTION,)))
    )
    assert fts5_query(mixed) == '({title} : "sant"*) AND ({description_stems} : "eau")'
    assert phrase.terms() == ["centr", "de", "sant"]


def test_fts5_cannot_say_a_not_alone_and_sql_says_it() -> None:
    alone = AllOf((), (stems("paris"),))
    with pytest.raises(Unsayable):
        fts5_query(alone)
    sql = str(SQLITE.sql(alone).compile(dialect=sqlite.dialect()))
    assert sql.startswith("(dataset.id NOT IN")


# --- boolean rules -------------------------------------------------------------------------


def test_exclusions_only_match_nothing_unless_at_the_top() -> None:
    assert compiled("text:santé AND (-text:paris)") is False
    top = compiled("-text:paris")
    assert isinstance(top, AllOf) and top.required == () and top.excluded == (stems("paris"),)


def test_constants_settle_what_they_can() -> None:
    assert POSTGRES.compile(honoured(parse_fq("state:active"), NOW)) is True
    assert POSTGRES.compile(honoured(parse_fq("state:deleted"), NOW)) is False
    assert POSTGRES.compile(honoured(parse_fq("-capacity:public"), NOW)) is False
    assert POSTGRES.compile(honoured(parse_fq("tags:a OR tags:b"), NOW)) is True  # CKAN's fq
    assert POSTGRES.compile(honoured(parse_fq("site_id:[a TO e]"), NOW)) is True


def test_a_query_of_punctuation_has_nothing_to_search() -> None:
    assert POSTGRES.compile(Term("text", "«»")) is None
    assert POSTGRES.condition(Term("text", "«»")) is not None  # matches nothing
    assert POSTGRES.condition(MatchAll()) is None  # no condition at all


def test_mixed_fields_and_words_become_sql() -> None:
    result = compiled("title:eau -tags:eau")
    assert isinstance(result, Sql)
    sql = str(result.condition.compile(dialect=postgresql.dialect()))
    assert "@@" in sql and "NOT IN" in sql and "dataset_tag.tag" in sql


def test_numbers_compare_as_text_and_strings_character_by_character() -> None:
    result = compiled("num_tags:[4 TO 10]")
    assert isinstance(result, Sql)
    sql = str(
        result.condition.compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    assert "CAST(" in sql and 'COLLATE "C"' in sql and "'4'" in sql and "'10'" in sql


# --- ranking -------------------------------------------------------------------------------


def test_ranking_weighs_surface_forms_stems_and_the_phrase_of_the_words_asked_for() -> None:
    rank = ranking([q for q in (parse_words("-privees ecoles prim"),) if q is not None])
    assert rank is not None
    (surface_weight, surface, _), (stem_weight, stemmed, _), (_, phrase, only_matched) = rank.parts
    assert (surface_weight, stem_weight) == (2.0, 1.0)
    assert tsquery(surface) == "('=ecoles' | '=prim' | '=prim':*)"
    assert tsquery(stemmed) == "('ecol' | 'prim' | '=prim':*)"
    assert tsquery(phrase) == "('=ecoles' <-> '=prim':*)" and only_matched
    assert ranking([MatchAll()]) is None
