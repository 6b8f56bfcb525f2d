"""What a search looks for, compiled to SQL: the same matches on PostgreSQL and SQLite.

Two syntaxes arrive as one tree (domain/lucene.py's ``Query``):

- CKAN's ``q`` and ``fq`` (``package_search``), parsed by domain/lucene.py as CKAN's Solr
  reads them, then checked by ``honoured``: every field the catalog can search, dates
  resolved against the moment of the search; anything else is a ``QuerySyntaxError`` naming
  the construct (a 400, never a silently different result);
- the REST search's words (``parse_words``): every word required, the last one also as a
  prefix (search as you type), ``"a phrase"``, ``-word`` to exclude, ``a OR b``.

Text is matched on stems and ranked on surface forms (domain/search_index.py holds both, at
the same positions). A word matches its stem (``libs.text.stem``), so every form of a word
meets; a prefix (``sant*``, the REST search's last word) matches the beginning of a surface
form; a phrase is a sequence of stems. Subtrees of text only become one full-text query:
a ``tsquery`` on ``dataset.search_document`` (GIN) on PostgreSQL, an FTS5 ``MATCH`` on
``dataset_fts`` on SQLite (which cannot say "not" without something positive beside it: there
the compiler falls back to SQL's NOT). Fields become column conditions or ``IN`` subqueries;
MUST is AND, MUST_NOT is NOT (a dataset without the field is kept), SHOULD is OR, "k of n"
is an OR that the index can answer and a sum of matches ``>= k``. Numbers of resources and
tags are compared as text, as CKAN's index stores them (``num_tags:[4 TO 10]`` is empty).

Ranking: ``2 × rank(surface forms) + rank(stems) + rank(exact phrase)``, over the words the
query asks for (not those it excludes), with the weights title ≫ tags > description: exact
forms, prefixes and phrases rank before the forms only stemming finds.
"""

from __future__ import annotations

import functools
import operator
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from itertools import combinations
from math import comb
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Mapped
from sqlmodel import col, select

from libs.fields import bounded_moment
from libs.text import search_tokens, stem
from services.catalog.domain.lucene import (
    FIELDS,
    Boolean,
    Bound,
    Clause,
    DateMath,
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
)
from services.catalog.domain.search_index import (
    DESCRIPTION,
    FTS,
    INDEXED_FIELDS,
    SURFACE_MARK,
    TITLE,
    IndexedField,
    quote_lexeme,
)
from services.catalog.models import (
    Dataset,
    DatasetTag,
    DatasetTheme,
    Institution,
    License,
    Resource,
)

# At most this many words of a REST query are searched (a longer query is cut, not refused).
MAX_QUERY_WORDS = 32
# "k of n" words as one text query of every combination up to this many (5 words: 10).
MAX_COMBINATIONS = 16

# --- the fields the catalog searches -------------------------------------------------------

# CKAN's text fields, as the parts of the index they search.
TEXT_FIELDS: dict[str, tuple[IndexedField, ...]] = {
    "text": INDEXED_FIELDS,
    "title": (TITLE,),
    "notes": (DESCRIPTION,),
}
# Fields every public search of CKAN holds one value of.
CONSTANT_FIELDS: dict[str, str] = {
    "state": "active",
    "capacity": "public",
    "dataset_type": "dataset",
    "type": "dataset",
    "entity_type": "package",
    "site_id": "default",
    "private": "false",
}
# Fields a value of is a UUID: terms and existence only.
ID_FIELDS = {"id", "owner_org"}
# The string fields compared with a column: term, prefix, range and existence.
ORDERED_STRING_FIELDS = {
    "name",
    "tags",
    "groups",
    "organization",
    "license_id",
    "license",
    "res_format",
    "version",
}
NUMBER_FIELDS = {"num_resources", "num_tags"}
DATE_FIELDS = {"metadata_created", "metadata_modified"}
SEARCHABLE = frozenset(
    {*TEXT_FIELDS, *CONSTANT_FIELDS, *ID_FIELDS, *ORDERED_STRING_FIELDS, "isopen"}
    | NUMBER_FIELDS
    | DATE_FIELDS
)
assert set(FIELDS) >= SEARCHABLE, "every searchable field is one of CKAN's"


def honoured(query: Query, now: datetime, *, source: str = "q") -> Query:
    """``query`` with its dates resolved at ``now``, if the catalog can answer it as CKAN
    does; else the ``QuerySyntaxError`` naming what it cannot."""
    match query:
        case Boolean(clauses=clauses):
            return replace(
                query,
                clauses=tuple(
                    Clause(c.occur, honoured(c.query, now, source=source)) for c in clauses
                ),
            )
        case MatchAll():
            return query
        case Term(field=name) | Phrase(field=name) | Exists(field=name):
            _searchable(name, source)
            return query
        case Prefix(field=name):
            _searchable(name, source)
            if name in ID_FIELDS or name == "isopen":
                raise QuerySyntaxError(
                    "wildcard", f"{name}: a prefix search needs a text or name field", source=source
                )
            return query
        case Range(field=name):
            _searchable(name, source)
            if name in ID_FIELDS or name == "isopen":
                raise QuerySyntaxError("range", f"{name}: ranges are not supported", source=source)
            low, high = (_resolved(name, bound, now, source) for bound in (query.low, query.high))
            return replace(query, low=low, high=high)
    raise AssertionError(f"unknown query node {query!r}")


def _searchable(name: str, source: str) -> None:
    if name not in SEARCHABLE:
        what = "a field the catalog does not search" if field_spec(name) else "an unknown field"
        raise QuerySyntaxError(
            "field",
            f"{name!r} is {what}; search one of {', '.join(sorted(SEARCHABLE))}",
            source=source,
        )


def _resolved(name: str, bound: Bound, now: datetime, source: str) -> Bound:
    """A date as the moment it stands for, within what every database holds."""
    if not isinstance(bound, DateMath):
        return bound
    try:
        return DateMath(bounded_moment(bound.resolve(now)))
    except (ValueError, OverflowError) as exc:
        raise QuerySyntaxError("date", f"{name}: the date {exc}", source=source) from None


# --- the REST search's words ---------------------------------------------------------------

_ITEM = re.compile(r'-?"[^"]*"?|\S+')


def parse_words(text: str | None) -> Query | None:
    """The REST search's ``q``: every word (and "phrase") required, the last word also as a
    prefix, ``-word`` or ``-"phrase"`` excluded, ``a OR b`` either; None: no words at all."""
    groups: list[list[Query]] = []  # required: one of each group
    excluded: list[Query] = []
    join_next = False
    words = 0
    last: tuple[int, int] | None = None  # where the last word is, if it is a plain word
    for item in _ITEM.findall(text or ""):
        last = None
        if item == "OR":
            join_next = bool(groups)
            continue
        negated = item.startswith("-") and len(item) > 1
        raw = item[1:] if negated else item
        if raw.startswith('"'):
            found: Query | None = _phrase(raw.strip('"'))
            plain = False
        else:
            found, plain = _words(raw), True
        if found is None or words >= MAX_QUERY_WORDS:
            join_next = False
            continue  # nothing to search in it (punctuation), or one word too many
        words += 1
        if negated:
            excluded.append(found)
        elif join_next and groups:
            groups[-1].append(found)
        else:
            groups.append([found])
        if plain and not negated:
            last = (len(groups) - 1, len(groups[-1]) - 1)
        join_next = False
    if last is not None:
        group, index = last
        groups[group][index] = _typing(groups[group][index])
    clauses = [Clause(Occur.MUST, _any_of(group)) for group in groups]
    if not clauses and excluded:
        clauses.append(Clause(Occur.MUST, MatchAll()))  # "-word" alone: everything but it
    clauses += [Clause(Occur.MUST_NOT, query) for query in excluded]
    return Boolean(tuple(clauses)) if clauses else None


def _phrase(text: str) -> Query | None:
    tokens = search_tokens(text)
    return Phrase("text", " ".join(tokens)) if tokens else None


def _words(text: str) -> Query | None:
    tokens = search_tokens(text)
    if not tokens:
        return None
    if len(tokens) == 1:
        return Term("text", tokens[0])
    return Boolean(tuple(Clause(Occur.MUST, Term("text", token)) for token in tokens))


def _typing(query: Query) -> Query:
    """The last word typed: its stem, or the beginning of a word (``stat``: statistiques)."""
    if isinstance(query, Term):
        return _any_of([query, Prefix(query.field, query.text)])
    if isinstance(query, Boolean) and query.clauses:
        *first, last = query.clauses
        return replace(query, clauses=(*first, Clause(last.occur, _typing(last.query))))
    return query


def _any_of(queries: list[Query]) -> Query:
    if len(queries) == 1:
        return queries[0]
    return Boolean(tuple(Clause(Occur.SHOULD, q) for q in queries))


# --- full-text queries ---------------------------------------------------------------------


class Form(StrEnum):
    STEMS = "stems"  # every form of the words
    SURFACE = "surface"  # the words as written (normalised)


@dataclass(frozen=True)
class Words:
    """Words to find in some fields of the index: each of them, or all in a row (``phrase``);
    the last one may be the beginning of a word (``prefix``, surface forms only)."""

    fields: tuple[IndexedField, ...]
    words: tuple[str, ...]  # search tokens
    form: Form = Form.STEMS
    phrase: bool = False
    prefix: bool = False

    def terms(self) -> list[str]:
        if self.form == Form.STEMS:
            return [stem(word) for word in self.words]
        return list(self.words)


@dataclass(frozen=True)
class AllOf:
    required: tuple[TextQuery, ...]
    excluded: tuple[TextQuery, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    options: tuple[TextQuery, ...]


TextQuery = Words | AllOf | AnyOf


class Unsayable(Exception):
    """FTS5 cannot say this query in one MATCH (a NOT without anything positive beside it)."""


def tsquery(query: TextQuery) -> str:
    """PostgreSQL's tsquery literal over search_index's tsvector."""
    match query:
        case Words():
            weights = (
                "" if query.fields == INDEXED_FIELDS else "".join(f.weight for f in query.fields)
            )
            mark = SURFACE_MARK if query.form == Form.SURFACE else ""
            terms = query.terms()
            lexemes = []
            for position, term in enumerate(terms):
                is_prefix = query.prefix and position == len(terms) - 1
                label = ("*" if is_prefix else "") + weights
                lexemes.append(quote_lexeme(mark + term) + (f":{label}" if label else ""))
            joined = (" <-> " if query.phrase else " & ").join(lexemes)
            return f"({joined})" if len(lexemes) > 1 else joined
        case AllOf():
            parts = [tsquery(part) for part in query.required]
            parts += [f"!{tsquery(part)}" for part in query.excluded]
            return f"({' & '.join(parts)})" if len(parts) > 1 else parts[0]
        case AnyOf():
            parts = [tsquery(part) for part in query.options]
            return f"({' | '.join(parts)})" if len(parts) > 1 else parts[0]
    raise AssertionError(f"unknown text query {query!r}")


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_query(query: TextQuery) -> str:
    """SQLite's FTS5 query over search_index's ``dataset_fts``; ``Unsayable`` if it has no
    positive part beside a NOT. One column filter when all its words look in the same
    columns, else one per group of words."""
    columns = {_fts_columns(words) for words in _leaves(query)}
    if len(columns) == 1:
        return f"{{{columns.pop()}}} : ({_fts5_body(query, filtered=False)})"
    return _fts5_body(query, filtered=True)


def _fts_columns(words: Words) -> str:
    return " ".join(
        field.stems_column if words.form == Form.STEMS else field.name for field in words.fields
    )


def _leaves(query: TextQuery) -> Iterator[Words]:
    match query:
        case Words():
            yield query
        case AllOf():
            for part in (*query.required, *query.excluded):
                yield from _leaves(part)
        case AnyOf():
            for part in query.options:
                yield from _leaves(part)


def _fts5_body(query: TextQuery, *, filtered: bool) -> str:
    match query:
        case Words():
            terms = query.terms()
            if query.phrase and len(terms) > 1:
                body = _fts_string(" ".join(terms)) + ("*" if query.prefix else "")
            else:
                parts = [_fts_string(term) for term in terms]
                if query.prefix:
                    parts[-1] += "*"
                body = parts[0] if len(parts) == 1 else f"({' AND '.join(parts)})"
            return f"{{{_fts_columns(query)}}} : {body}" if filtered else body
        case AllOf():
            if not query.required:
                raise Unsayable()
            positive = " AND ".join(
                f"({_fts5_body(part, filtered=filtered)})" for part in query.required
            )
            if not query.excluded:
                return positive
            negative = " OR ".join(
                f"({_fts5_body(part, filtered=filtered)})" for part in query.excluded
            )
            return f"({positive}) NOT ({negative})"
        case AnyOf():
            return " OR ".join(f"({_fts5_body(part, filtered=filtered)})" for part in query.options)
    raise AssertionError(f"unknown text query {query!r}")


# --- compiling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sql:
    condition: ColumnElement[bool]


# What a node compiles to: always or never true, a text query, or a condition.
Compiled = bool | Words | AllOf | AnyOf | Sql


@dataclass(frozen=True)
class Compiler:
    """Compiles a query's tree for one database (``postgresql`` or ``sqlite``)."""

    dialect: str

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    def condition(self, query: Query) -> ColumnElement[bool] | None:
        """What a dataset must satisfy to match ``query`` (None: every dataset matches)."""
        compiled = self.compile(query)
        if compiled is None:  # nothing to search: Lucene's empty query matches nothing
            return false()
        if compiled is True:
            return None
        return self.sql(compiled)

    def sql(self, compiled: Compiled) -> ColumnElement[bool]:
        match compiled:
            case bool():
                return true() if compiled else false()
            case Sql():
                return compiled.condition
        return self.text_condition(compiled)

    def text_condition(self, query: TextQuery) -> ColumnElement[bool]:
        if self.postgres:
            return document_matches(query)
        try:
            return col(Dataset.id).in_(select(FTS.c.dataset_id).where(fts_match(fts5_query(query))))
        except Unsayable:
            pass
        match query:
            case AllOf():
                return and_(
                    *(self.text_condition(part) for part in query.required),
                    *(not_(self.text_condition(part)) for part in query.excluded),
                )
            case AnyOf():
                return or_(*(self.text_condition(part) for part in query.options))
        raise AssertionError(f"a query of words is always sayable: {query!r}")

    def compile(self, query: Query) -> Compiled | None:
        """None: the query has nothing to search (its words are all punctuation)."""
        match query:
            case MatchAll():
                return True
            case Boolean():
                return self._boolean(query)
            case Term(field=name) | Phrase(field=name) | Prefix(field=name) if name in TEXT_FIELDS:
                return _words_of(query)
            case Exists(field=name) if name in TEXT_FIELDS:
                return True if name != "notes" else Sql(self._has_description())
            case Term(field=name) | Phrase(field=name) | Prefix(field=name):
                return self._field(name, query)
            case Range(field=name) | Exists(field=name):
                return self._field(name, query)
        raise AssertionError(f"unknown query node {query!r}")

    # -- boolean ----------------------------------------------------------------------------

    def _boolean(self, query: Boolean) -> Compiled | None:
        musts: list[Compiled] = []
        shoulds: list[Compiled] = []
        nots: list[Compiled] = []
        sorted_into = {Occur.MUST: musts, Occur.SHOULD: shoulds, Occur.MUST_NOT: nots}
        for clause in query.clauses:
            compiled = self.compile(clause.query)
            if compiled is not None:  # a clause without words is no clause (Lucene)
                sorted_into[clause.occur].append(compiled)
        if not musts and not shoulds:
            return False if nots else None  # only exclusions: nothing (Lucene)
        # Without a minimum, SHOULD clauses only filter where nothing is required (Lucene).
        needed = query.minimum_should_match or (0 if musts else 1)
        # Constants settle what they can.
        if any(c is False for c in musts) or any(c is True for c in nots):
            return False
        musts = [c for c in musts if c is not True]
        nots = [c for c in nots if c is not False]
        needed -= sum(c is True for c in shoulds)
        shoulds = [c for c in shoulds if not isinstance(c, bool)]
        if needed > len(shoulds):
            return False
        if needed <= 0:
            shoulds = []
        elif needed == len(shoulds):
            musts, shoulds = musts + shoulds, []
        elif needed == 1:
            musts, shoulds = [*musts, self._any(shoulds)], []
        if shoulds:
            musts.append(self._at_least(needed, shoulds))
        return self._all(musts, nots)

    def _any(self, options: list[Compiled]) -> Compiled:
        if len(options) == 1:
            return options[0]
        if all(_is_text(option) for option in options):
            return AnyOf(tuple(_text(option) for option in options))
        return Sql(or_(*(self.sql(option) for option in options)))

    def _all(self, required: list[Compiled], excluded: list[Compiled]) -> Compiled:
        if not required and not excluded:
            return True
        if len(required) == 1 and not excluded:
            return required[0]
        if all(_is_text(part) for part in (*required, *excluded)):
            return AllOf(tuple(map(_text, required)), tuple(map(_text, excluded)))
        conditions = [self.sql(part) for part in required]
        conditions += [not_(self.sql(part)) for part in excluded]
        return Sql(and_(*conditions))

    def _at_least(self, needed: int, options: list[Compiled]) -> Compiled:
        """At least ``needed`` of ``options``: for a few words, one text query of every
        combination; else any of them (which the index answers) and a count of matches."""
        if all(map(_is_text, options)) and comb(len(options), needed) <= MAX_COMBINATIONS:
            return AnyOf(
                tuple(AllOf(tuple(map(_text, chosen))) for chosen in combinations(options, needed))
            )
        matched = [case((self.sql(option), 1), else_=0) for option in options]
        count = functools.reduce(operator.add, matched)
        return Sql(and_(self.sql(self._any(options)), count >= needed))

    # -- fields -----------------------------------------------------------------------------

    def _field(self, name: str, query: Query) -> Compiled:
        spec = field_spec(name)
        if spec is None or name not in SEARCHABLE:
            raise QuerySyntaxError("field", f"{name!r} cannot be searched")
        if name in CONSTANT_FIELDS:
            return _constant(query, CONSTANT_FIELDS[name])
        if spec.kind == FieldKind.INT:
            return self._number(query)
        if spec.kind == FieldKind.DATE:
            return self._date(query)
        if name in ID_FIELDS:
            return _identifier(col(Dataset.id if name == "id" else Dataset.institution_id), query)
        if name == "isopen":
            return _openness(query)
        return Sql(STRING_FIELDS[name](self._predicate(query)))

    def _ordered(self, column: ColumnLike) -> ColumnElement[Any]:
        """``column`` compared character by character, as CKAN's index compares strings."""
        return column.collate("C" if self.postgres else "BINARY")

    def _predicate(self, query: Query) -> Predicate:
        match query:
            case Term(text=value) | Phrase(text=value):
                return lambda column: column == value
            case Prefix(text=value):
                return lambda column: func.substr(column, 1, len(value)) == value
            case Exists():
                return lambda column: and_(column.is_not(None), column != "")
            case Range():
                return lambda column: self._in_range(self._ordered(column), query)
        raise AssertionError(f"no predicate for {query!r}")

    def _in_range(self, value: ColumnElement[Any], query: Range) -> ColumnElement[bool]:
        conditions = []
        if query.low is not None:
            low = _bound_value(query.low)
            conditions.append(value >= low if query.include_low else value > low)
        if query.high is not None:
            high = _bound_value(query.high)
            conditions.append(value <= high if query.include_high else value < high)
        return and_(true(), *conditions)

    def _number(self, query: Query) -> Compiled:
        if isinstance(query, Exists):
            return True  # CKAN indexes the count of every dataset, 0 included
        if not isinstance(query, Range):
            raise AssertionError(f"a number is a range: {query!r}")
        counted = NUMBERS[query.field]()
        as_text = self._ordered(cast(counted, String))
        if (
            query.low is not None
            and query.low == query.high
            and query.include_low
            and query.include_high
        ):
            return Sql(as_text == _bound_value(query.low))  # a term: num_tags:5
        return Sql(self._in_range(as_text, query))

    def _date(self, query: Query) -> Compiled:
        if isinstance(query, Exists):
            return True
        if not isinstance(query, Range):
            raise AssertionError(f"a date is a range: {query!r}")
        column = DATES[query.field]
        conditions = []
        if isinstance(query.low, DateMath):
            low = _moment(query.low)
            conditions.append(column >= low if query.include_low else column > low)
        if isinstance(query.high, DateMath):
            high = _moment(query.high)
            conditions.append(column <= high if query.include_high else column < high)
        return Sql(and_(true(), *conditions))

    def _has_description(self) -> ColumnElement[bool]:
        if self.postgres:
            described = func.ts_filter(col(Dataset.search_document), literal_column("'{c}'"))
            return func.length(described) > 0
        return col(Dataset.id).in_(select(FTS.c.dataset_id).where(FTS.c.description != ""))


def fts_match(query: str) -> ColumnElement[bool]:
    return literal_column("dataset_fts").op("MATCH")(query)


def as_tsquery(query: TextQuery) -> ColumnElement[Any]:
    return cast(literal(tsquery(query)), TSQUERY)


def document_matches(query: TextQuery) -> ColumnElement[bool]:
    result: ColumnElement[bool] = col(Dataset.search_document).bool_op("@@")(as_tsquery(query))
    return result


def _is_text(compiled: Compiled) -> bool:
    return isinstance(compiled, Words | AllOf | AnyOf)


def _text(compiled: Compiled) -> TextQuery:
    assert isinstance(compiled, Words | AllOf | AnyOf)
    return compiled


def _words_of(query: Term | Phrase | Prefix) -> Words | AllOf | None:
    tokens = tuple(search_tokens(query.text))
    if not tokens:
        return None
    fields = TEXT_FIELDS[query.field]
    if isinstance(query, Prefix):
        return Words(fields, tokens, Form.SURFACE, phrase=True, prefix=True)
    return Words(fields, tokens, phrase=isinstance(query, Phrase))


def _bound_value(bound: Bound) -> str:
    if isinstance(bound, DateMath):
        raise AssertionError("dates are compared as moments")
    return str(bound)


def _moment(bound: DateMath) -> datetime:
    if bound.anchor is None or bound.steps:
        raise AssertionError("dates are resolved by honoured() before they are compiled")
    return bound.anchor


def _constant(query: Query, value: str) -> bool:
    match query:
        case Term(text=wanted) | Phrase(text=wanted):
            return wanted == value
        case Prefix(text=start):
            return value.startswith(start)
        case Exists():
            return True
        case Range(low=low, high=high, include_low=include_low, include_high=include_high):
            above = low is None or (value >= str(low) if include_low else value > str(low))
            below = high is None or (value <= str(high) if include_high else value < str(high))
            return above and below
    raise AssertionError(f"no constant answer to {query!r}")


def _identifier(column: ColumnLike, query: Query) -> Compiled:
    if isinstance(query, Exists):
        return True
    if not isinstance(query, Term | Phrase):
        raise AssertionError(f"an id is a term: {query!r}")
    try:
        wanted = uuid.UUID(query.text)
    except ValueError:
        return False
    return Sql(column == wanted)


def _openness(query: Query) -> Compiled:
    if isinstance(query, Exists):
        return True
    if not isinstance(query, Term | Phrase) or query.text not in {"true", "false"}:
        return False  # CKAN's index holds "true" or "false"
    open_licences = select(License.id).where(col(License.is_open).is_(True))
    is_open = col(Dataset.license_id).in_(open_licences)
    if query.text == "true":
        return Sql(is_open)
    return Sql(or_(col(Dataset.license_id).is_(None), not_(is_open)))


# A column of a table, or an expression over one.
ColumnLike = ColumnElement[Any] | Mapped[Any]
Predicate = Callable[[ColumnLike], ColumnElement[bool]]


def _of_dataset(column: Any) -> Callable[[Predicate], ColumnElement[bool]]:
    return lambda predicate: predicate(col(column))


def _of_rows(dataset_id: Any, column: Any) -> Callable[[Predicate], ColumnElement[bool]]:
    return lambda predicate: col(Dataset.id).in_(
        select(col(dataset_id)).where(predicate(col(column)))
    )


STRING_FIELDS: dict[str, Callable[[Predicate], ColumnElement[bool]]] = {
    "name": _of_dataset(Dataset.slug),
    "license_id": _of_dataset(Dataset.license_id),
    "version": _of_dataset(Dataset.version),
    "tags": _of_rows(DatasetTag.dataset_id, DatasetTag.tag),
    "groups": _of_rows(DatasetTheme.dataset_id, DatasetTheme.theme_name),
    "res_format": _of_rows(Resource.dataset_id, Resource.format),
    "organization": lambda predicate: col(Dataset.institution_id).in_(
        select(Institution.id).where(predicate(col(Institution.slug)))
    ),
    "license": lambda predicate: col(Dataset.license_id).in_(
        select(License.id).where(predicate(col(License.title)))
    ),
}
assert set(STRING_FIELDS) == ORDERED_STRING_FIELDS


def _count_of(dataset_id: Any) -> Callable[[], ColumnElement[int]]:
    return lambda: (
        select(func.count())
        .where(col(dataset_id) == col(Dataset.id))
        .correlate(Dataset)
        .scalar_subquery()
    )


NUMBERS: dict[str, Callable[[], ColumnElement[int]]] = {
    "num_resources": _count_of(Resource.dataset_id),
    "num_tags": _count_of(DatasetTag.dataset_id),
}
DATES: dict[str, ColumnLike] = {
    "metadata_created": col(Dataset.created_at),
    "metadata_modified": col(Dataset.modified_at),
}


# --- ranking -------------------------------------------------------------------------------

SURFACE_WEIGHT = 2.0


@dataclass(frozen=True)
class Ranking:
    """What ranks a match: (weight, text query, counted only where the query matches)."""

    parts: tuple[tuple[float, TextQuery, bool], ...]


def ranking(queries: list[Query]) -> Ranking | None:
    """The words ``queries`` ask for, as the parts of a score; None: no words."""
    found = [leaf for query in queries for leaf in _wanted(query)]
    if not found:
        return None
    stems = AnyOf(tuple(found))
    surface = AnyOf(tuple(replace(words, form=Form.SURFACE) for words in found))
    parts: list[tuple[float, TextQuery, bool]] = [
        (SURFACE_WEIGHT, surface, False),
        (1.0, stems, False),
    ]
    sequence = _in_a_row(found)
    if sequence is not None:
        parts.append((1.0, sequence, True))
    return Ranking(tuple(parts))


def _wanted(query: Query) -> Iterator[Words]:
    """The words of ``query`` that are not excluded, in order."""
    match query:
        case Boolean(clauses=clauses):
            for clause in clauses:
                if clause.occur != Occur.MUST_NOT:
                    yield from _wanted(clause.query)
        case Term(field=name) | Phrase(field=name) | Prefix(field=name) if name in TEXT_FIELDS:
            words = _words_of(query)
            if isinstance(words, Words):
                yield words


def _in_a_row(found: list[Words]) -> Words | None:
    """The words asked for, as a phrase (a word typed as a prefix keeps its prefix)."""
    words: list[str] = []
    prefix = False
    for leaf in found:
        if leaf.prefix and words and leaf.words == (words[-1],):
            prefix = True  # the same word as a prefix (the REST search's last word)
            continue
        words.extend(leaf.words)
        prefix = leaf.prefix
    if len(words) < 2:
        return None
    return Words(INDEXED_FIELDS, tuple(words), Form.SURFACE, phrase=True, prefix=prefix)
