"""CKAN's search syntax (``q`` and ``fq`` of ``package_search``), parsed into a small typed tree.

Pure: no database, no I/O. What a CKAN client sends is read the way CKAN 2.12 and its Solr
read it, and whatever cannot be given that meaning raises ``QuerySyntaxError`` naming the
construct: never a silently different result.

How CKAN reads a query (``ckan/logic/action/get.py`` and ``ckan/lib/search/query.py``)
----------------------------------------------------------------------------------------

* ``q`` **without a colon** goes to Solr's DisMax parser (``parse_dismax``): words are looked
  up in ``name^4 title^4 tags^2 groups^2 text`` (all of them copied into ``text``), quotes make
  phrases, ``+word`` is required, ``-word`` / ``NOT word`` excluded, ``AND`` / ``&&`` make both
  neighbours required and ``OR`` / ``||`` leaves them optional. Every other special character
  (``\\ ! ( ) : ^ [ ] / { } ~ * ?``) is escaped, so it is part of a word and the analyser drops
  it: parentheses group nothing, ``!`` is not an operator, ``sant*`` is the word ``sant``. The
  parser keeps the first two (the same meaning follows) and refuses ``~ ^ / * ?`` in a word,
  whose letters-only reading no client means.
  Then the minimum-should-match ``mm=2<-1 5<80%`` applies to the optional words: with one or
  two all are required, with three to five all but one, with six or more 80 % (rounded down).
  So ``santé paris`` = ``santé AND paris`` = ``santé OR paris`` (39 datasets of the comparison
  corpus), ``santé -paris`` keeps the 675 datasets with santé and without paris, and
  ``santé tunis budget`` finds the datasets with any two of the three words. A query of
  exclusions only (``-paris``) finds nothing.
* ``q`` **with a colon anywhere** goes to the standard Lucene parser (``parse_lucene``) with
  ``q.op=AND`` and ``df=text``: words without an operator are all required, ``OR`` makes its
  neighbours optional (``text:santé OR text:paris`` is the union, 1274), ``AND``, ``NOT``,
  ``!``, ``&&``, ``||``, ``+``, ``-``, parentheses, ``field:value``, ``field:"phrase"``,
  ``field:prefix*``, ``field:*``, ``*:*`` and ranges ``[a TO b]``, ``{a TO b}`` (mixed
  brackets allowed) are read as Lucene does. A top-level query of exclusions only matches
  everything but them (Solr adds ``*:*``); a nested one, ``x AND (-y)``, matches nothing.
* each ``fq`` is read by the same standard parser, but CKAN wraps it as
  ``+capacity:public <fq> +state:(active)`` (``parse_fq``): the two required clauses are
  siblings of the client's, so a top-level ``OR`` in an ``fq`` makes its clauses optional and
  filters nothing (``fq=tags:a OR tags:b`` matches every dataset; ``fq=(tags:a OR tags:b)`` or
  ``fq=tags:(a OR b)`` is the union). ``fq`` and ``fq_list`` items are all required.
* refused, as CKAN or Solr refuse them or because they cannot be honoured: local parameters
  ``{!…}``, ``_query_:`` / ``_val_:``, fuzzy and proximity ``~``, boosts ``^``, regular
  expressions ``/…/``, wildcards other than a trailing ``*``, unknown fields, ranges on text
  fields, malformed numbers and dates, unbalanced quotes, brackets or parentheses (lucene).

The tree
--------

``Term(field, text)``, ``Phrase(field, text)``, ``Prefix(field, text)``, ``Range(field, low,
high, include_low, include_high)``, ``Exists(field)``, ``MatchAll()`` and
``Boolean(clauses, minimum_should_match)`` of ``Clause(occur, query)`` with ``occur`` MUST,
SHOULD or MUST_NOT. Fields are resolved: a bare word is on ``text`` (``DEFAULT_FIELD``). A
``Boolean`` matches a dataset when every MUST clause matches, no MUST_NOT clause matches, and
at least ``minimum_should_match`` SHOULD clauses match; with 0, SHOULD clauses filter only when
there is no MUST clause (then one of them must match); a ``Boolean`` of MUST_NOT clauses only
matches nothing (Lucene's rule; the parser adds ``MatchAll`` where Solr does).

How the catalog answers the tree
--------------------------------

domain/search_query.py: ``honoured`` checks the fields the catalog searches (a text field of
resources, authors, maintainers or extras is refused) and resolves dates; ``Compiler`` turns the
tree into SQL. Text nodes match stems (a prefix, the surface forms; a phrase, a sequence of
stems; a word the analyser cuts in several, all of its parts; elided articles are dropped), and
subtrees of text become one tsquery / FTS5 MATCH; ``title`` / ``notes`` restrict the index to
the title (weight A) or description (C). String fields are exact, case included (``CSV``, not
``csv``), a prefix compares the beginning, a range compares character by character;
``num_resources`` and ``num_tags`` compare a count **as text**, as CKAN's schema indexes them
(``num_tags:[4 TO 10]`` is empty there because "4" > "10"). MUST is AND, MUST_NOT is NOT (a
dataset without the field is kept), SHOULD is OR, and k ≥ 2 of n is every combination for a
few words, else any of them and a count of matches ``>= k``. Only the text nodes rank.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

# --- errors --------------------------------------------------------------------------------


class QuerySyntaxError(ValueError):
    """A query the catalog cannot read as CKAN reads it; ``construct`` names what."""

    def __init__(self, construct: str, message: str, *, source: str = "q") -> None:
        super().__init__(f"{source}: {message}")
        self.construct = construct
        self.source = source
        self.message = message


# --- the fields ----------------------------------------------------------------------------


class FieldKind(StrEnum):
    TEXT = "text"  # analysed words (CKAN: stemmed; the catalog: libs.text)
    STRING = "string"  # one exact value (or several, for multi-valued fields)
    INT = "int"
    DATE = "date"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    multi_valued: bool = False
    # CKAN's schema indexes the field as a string (dynamic field "*"): ranges compare as text.
    ranges_as_text: bool = False
    about: str = ""


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in specs}


_TEXT, _STRING, _INT, _DATE = FieldKind.TEXT, FieldKind.STRING, FieldKind.INT, FieldKind.DATE

# The fields of CKAN 2.12's schema.xml that a dataset fills, and those the package dict adds
# through the catch-all dynamic field (owner_org, num_resources, …).
FIELDS: Mapping[str, FieldSpec] = _fields(
    FieldSpec("id", _STRING, about="the dataset's id"),
    FieldSpec("name", _STRING, about="the dataset's URL name"),
    FieldSpec("title", _TEXT),
    FieldSpec("notes", _TEXT, about="the description"),
    FieldSpec("text", _TEXT, multi_valued=True, about="everything: the default field"),
    FieldSpec("tags", _STRING, multi_valued=True),
    FieldSpec("groups", _STRING, multi_valued=True, about="group (theme) names"),
    FieldSpec("organization", _STRING, about="the organisation's name"),
    FieldSpec("owner_org", _STRING, about="the organisation's id"),
    FieldSpec("license_id", _STRING),
    FieldSpec("license", _STRING, about="the licence's title"),
    FieldSpec("res_format", _STRING, multi_valued=True, about="resource formats, e.g. CSV"),
    FieldSpec("res_name", _TEXT, multi_valued=True),
    FieldSpec("res_description", _TEXT, multi_valued=True),
    FieldSpec("res_url", _STRING, multi_valued=True),
    FieldSpec("res_type", _STRING, multi_valued=True),
    FieldSpec("url", _STRING, about="the source URL"),
    FieldSpec("urls", _TEXT, multi_valued=True, about="url, resource URLs"),
    FieldSpec("version", _STRING),
    FieldSpec("author", _TEXT),
    FieldSpec("author_email", _TEXT),
    FieldSpec("maintainer", _TEXT),
    FieldSpec("maintainer_email", _TEXT),
    FieldSpec("state", _STRING, about="active in a public search"),
    FieldSpec("capacity", _STRING, about="public in a public search"),
    FieldSpec("dataset_type", _STRING, about="dataset"),
    FieldSpec("type", _STRING, about="dataset"),
    FieldSpec("entity_type", _STRING, about="package"),
    FieldSpec("site_id", _STRING, about="one site"),
    FieldSpec("private", _STRING, about="false in a public search"),
    FieldSpec("isopen", _STRING, about="true or false"),
    FieldSpec("title_string", _STRING, about="the whole title, for sorting"),
    FieldSpec("num_resources", _INT, ranges_as_text=True),
    FieldSpec("num_tags", _INT, ranges_as_text=True),
    FieldSpec("metadata_created", _DATE),
    FieldSpec("metadata_modified", _DATE),
)
# Dynamic fields: extras_<key> (text), res_extras_<key> (text), vocab_<name> (string),
# <anything>_date (date).
DYNAMIC_PREFIXES: Mapping[str, FieldKind] = {
    "extras_": _TEXT,
    "res_extras_": _TEXT,
    "vocab_": _STRING,
}
DYNAMIC_SUFFIXES: Mapping[str, FieldKind] = {"_date": _DATE}
DEFAULT_FIELD = "text"
# DisMax's qf: where a bare word of a q without a colon is looked up (all copied into text).
DISMAX_FIELDS = ("name", "title", "tags", "groups", "text")
CKAN_MM = "2<-1 5<80%"


def field_spec(name: str) -> FieldSpec | None:
    """What CKAN's schema indexes under ``name``, None if it is not a dataset field."""
    if name in FIELDS:
        return FIELDS[name]
    for prefix, kind in DYNAMIC_PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return FieldSpec(name, kind, multi_valued=prefix == "res_extras_")
    for suffix, kind in DYNAMIC_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return FieldSpec(name, kind)
    return None


# --- dates ---------------------------------------------------------------------------------

_DATE_UNITS = {
    "YEAR": "YEAR",
    "YEARS": "YEAR",
    "MONTH": "MONTH",
    "MONTHS": "MONTH",
    "DAY": "DAY",
    "DAYS": "DAY",
    "DATE": "DAY",
    "HOUR": "HOUR",
    "HOURS": "HOUR",
    "MINUTE": "MINUTE",
    "MINUTES": "MINUTE",
    "SECOND": "SECOND",
    "SECONDS": "SECOND",
    "MILLI": "MILLISECOND",
    "MILLIS": "MILLISECOND",
    "MILLISECOND": "MILLISECOND",
    "MILLISECONDS": "MILLISECOND",
}
_SOLR_DATE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?P<fraction>\.\d{1,9})?Z",
)
_DATE_STEP = re.compile(r"(?:(?P<op>[+-])(?P<amount>\d+)|/)(?P<unit>[A-Z]+)")


@dataclass(frozen=True)
class DateStep:
    op: str  # "+", "-" or "/" (round down to the unit)
    amount: int
    unit: str  # YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, MILLISECOND


@dataclass(frozen=True)
class DateMath:
    """A Solr date: an anchor (None: NOW) and date-math steps, e.g. NOW-1YEAR/DAY."""

    anchor: datetime | None
    steps: tuple[DateStep, ...] = ()

    def resolve(self, now: datetime) -> datetime:
        moment = (self.anchor or now).astimezone(UTC)
        for step in self.steps:
            moment = _apply_step(moment, step)
        return moment


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _round_down(moment: datetime, unit: str) -> datetime:
    if unit == "MILLISECOND":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    moment = moment.replace(microsecond=0)
    if unit != "SECOND":
        moment = moment.replace(second=0)
    if unit not in {"SECOND", "MINUTE"}:
        moment = moment.replace(minute=0)
    if unit in {"DAY", "MONTH", "YEAR"}:
        moment = moment.replace(hour=0)
    if unit in {"MONTH", "YEAR"}:
        moment = moment.replace(day=1)
    if unit == "YEAR":
        moment = moment.replace(month=1)
    return moment


def _apply_step(moment: datetime, step: DateStep) -> datetime:
    if step.op == "/":
        return _round_down(moment, step.unit)
    amount = step.amount if step.op == "+" else -step.amount
    if step.unit == "YEAR":
        return _add_months(moment, 12 * amount)
    if step.unit == "MONTH":
        return _add_months(moment, amount)
    units = {
        "DAY": timedelta(days=1),
        "HOUR": timedelta(hours=1),
        "MINUTE": timedelta(minutes=1),
        "SECOND": timedelta(seconds=1),
        "MILLISECOND": timedelta(milliseconds=1),
    }
    return moment + amount * units[step.unit]


def parse_date(text: str, *, source: str = "q") -> DateMath:
    """A Solr date value: ``2024-01-31T00:00:00Z``, ``NOW``, either followed by date math."""
    if text.startswith("NOW"):
        anchor, rest = None, text[3:]
    else:
        match = _SOLR_DATE.match(text)
        if match is None:
            raise QuerySyntaxError(
                "date",
                f"cannot read the date {text!r}: write 2024-01-31T00:00:00Z or NOW, "
                "optionally with date math such as NOW-1YEAR/DAY",
                source=source,
            )
        try:
            anchor = datetime.fromisoformat(match.group("date")).replace(tzinfo=UTC)
        except ValueError:
            raise QuerySyntaxError("date", f"no such date: {text!r}", source=source) from None
        fraction = match.group("fraction")
        if fraction:
            anchor = anchor.replace(microsecond=int(fraction[1:7].ljust(6, "0")))
        rest = text[match.end() :]
    steps = []
    position = 0
    while position < len(rest):
        step = _DATE_STEP.match(rest, position)
        if step is None or step.group("unit") not in _DATE_UNITS:
            raise QuerySyntaxError(
                "date math",
                f"cannot read the date math {rest[position:]!r} in {text!r}: use +N, -N or / "
                f"with a unit among {', '.join(sorted(set(_DATE_UNITS.values())))}",
                source=source,
            )
        op = "/" if step.group("op") is None else step.group("op")
        steps.append(DateStep(op, int(step.group("amount") or 0), _DATE_UNITS[step.group("unit")]))
        position = step.end()
    return DateMath(anchor, tuple(steps))


# --- the tree ------------------------------------------------------------------------------


class Occur(StrEnum):
    MUST = "must"
    SHOULD = "should"
    MUST_NOT = "must_not"


@dataclass(frozen=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    field: str
    text: str


@dataclass(frozen=True)
class Prefix:
    field: str
    text: str


Bound = int | DateMath | str | None  # None: open (*)


@dataclass(frozen=True)
class Range:
    field: str
    low: Bound
    high: Bound
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Clause:
    occur: Occur
    query: Query


@dataclass(frozen=True)
class Boolean:
    clauses: tuple[Clause, ...]
    minimum_should_match: int = 0


Query = Term | Phrase | Prefix | Range | Exists | MatchAll | Boolean


def must(*queries: Query) -> Boolean:
    return Boolean(tuple(Clause(Occur.MUST, q) for q in queries))


# --- minimum should match ------------------------------------------------------------------


def minimum_should_match(optional: int, spec: str = CKAN_MM) -> int:
    """How many of ``optional`` clauses must match under a Solr ``mm`` spec (DisMax)."""
    result = optional
    for part in spec.split():
        if "<" in part:
            threshold, rule = part.split("<", 1)
            if optional <= int(threshold):
                break
            result = _mm_value(optional, rule)
        else:
            result = _mm_value(optional, part)
    return max(0, min(result, optional))


def _mm_value(optional: int, rule: str) -> int:
    if rule.endswith("%"):
        share = int(optional * abs(int(rule[:-1])) / 100)
        return optional - share if rule.startswith("-") else share
    value = int(rule)
    return optional + value if value < 0 else value


# --- the standard (Lucene) parser ----------------------------------------------------------

_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
# Characters that end a bare term in the standard parser (+ and - only at its start).
_TERM_END = set('!():^[]"{}~/')
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_INTEGER = re.compile(r"[+-]?\d+")
_MAGIC_FIELDS = re.compile(r"(?<![\w\\])_(?:query|val)_\s*:")


# Operators the catalog cannot honour: (construct, what it is).
_UNSUPPORTED = {
    "~": ("fuzzy", "fuzzy and proximity searches (~)"),
    "^": ("boost", "boosts (^)"),
    "/": ("regex", "regular expressions (/…/)"),
}


def _unsupported(char: str, source: str) -> QuerySyntaxError:
    construct, what = _UNSUPPORTED[char]
    return QuerySyntaxError(construct, f"{what} are not supported", source=source)


@dataclass
class _Token:
    kind: str  # "(", ")", "op", "mod", "term", "phrase", "range", "field"
    text: str
    position: int
    # term: the raw text with escapes resolved, and where unescaped * and ? were
    wildcards: tuple[int, ...] = ()
    # range: its parts
    low: str = ""
    high: str = ""
    low_quoted: bool = False
    high_quoted: bool = False
    include_low: bool = True
    include_high: bool = True


@dataclass
class _Scanner:
    text: str
    source: str
    position: int = 0
    tokens: list[_Token] = field(default_factory=list)

    def fail(self, construct: str, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(construct, message, source=self.source)

    def scan(self) -> list[_Token]:
        text = self.text
        while self.position < len(text):
            char = text[self.position]
            start = self.position
            if char.isspace():
                self.position += 1
            elif char in "()":
                self.tokens.append(_Token(char, char, start))
                self.position += 1
            elif text.startswith(("&&", "||"), start):
                self.tokens.append(_Token("op", _OPERATORS[text[start : start + 2]], start))
                self.position += 2
            elif char in "+-!":
                self.tokens.append(_Token("mod", "-" if char == "!" else char, start))
                self.position += 1
            elif char == '"':
                self.tokens.append(self._phrase())
            elif char in "[{":
                self.tokens.append(self._range())
            elif char in _UNSUPPORTED:
                raise _unsupported(char, self.source)
            elif char in ")]}:":
                raise self.fail("syntax", f"unexpected {char!r} at position {start}")
            else:
                self.tokens.append(self._term())
            self._refuse_suffix()
        return self.tokens

    def _refuse_suffix(self) -> None:
        if self.position < len(self.text) and self.text[self.position] in "^~":
            raise _unsupported(self.text[self.position], self.source)

    def _phrase(self) -> _Token:
        start = self.position
        self.position += 1
        chars: list[str] = []
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == "\\" and self.position + 1 < len(self.text):
                chars.append(self.text[self.position + 1])
                self.position += 2
                continue
            if char == '"':
                self.position += 1
                return _Token("phrase", "".join(chars), start)
            chars.append(char)
            self.position += 1
        raise self.fail("phrase", f"the quote at position {start} is never closed")

    def _term(self) -> _Token:
        start = self.position
        chars: list[str] = []
        wildcards: list[int] = []
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == "\\":
                if self.position + 1 >= len(self.text):
                    raise self.fail("escape", "a backslash ends the query")
                chars.append(self.text[self.position + 1])
                self.position += 2
                continue
            if char in _TERM_END or char.isspace():
                break
            if char in "*?":
                wildcards.append(len(chars))
            chars.append(char)
            self.position += 1
        raw = "".join(chars)
        if self.position < len(self.text) and self.text[self.position] == ":":
            name = self.text[start : self.position]
            self.position += 1
            if name == "*" or _FIELD_NAME.fullmatch(name):
                return _Token("field", name, start)
            raise self.fail("field", f"{name!r} is not a field name")
        if raw in _OPERATORS and not wildcards and self.text[start : self.position] == raw:
            return _Token("op", _OPERATORS[raw], start)
        return _Token("term", raw, start, wildcards=tuple(wildcards))

    def _range(self) -> _Token:
        start = self.position
        include_low = self.text[start] == "["
        self.position += 1
        parts: list[tuple[str, bool]] = []
        while True:
            while self.position < len(self.text) and self.text[self.position].isspace():
                self.position += 1
            if self.position >= len(self.text):
                raise self.fail("range", f"the range at position {start} is never closed")
            char = self.text[self.position]
            if char in "]}":
                self.position += 1
                include_high = char == "]"
                break
            if char == '"':
                parts.append((self._phrase().text, True))
                continue
            bound_start = self.position
            chars: list[str] = []
            while self.position < len(self.text):
                char = self.text[self.position]
                if char == "\\" and self.position + 1 < len(self.text):
                    chars.append(self.text[self.position + 1])
                    self.position += 2
                    continue
                if char.isspace() or char in "]}":
                    break
                chars.append(char)
                self.position += 1
            if not chars:
                raise self.fail("range", f"cannot read the range at position {bound_start}")
            parts.append(("".join(chars), False))
        if len(parts) != 3 or parts[1] != ("TO", False):
            raise self.fail("range", "a range is [low TO high] or {low TO high}")
        (low, low_quoted), _, (high, high_quoted) = parts
        return _Token(
            "range",
            self.text[start : self.position],
            start,
            low=low,
            high=high,
            low_quoted=low_quoted,
            high_quoted=high_quoted,
            include_low=include_low,
            include_high=include_high,
        )


@dataclass
class _Parser:
    tokens: list[_Token]
    source: str
    and_by_default: bool
    index: int = 0

    def fail(self, construct: str, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(construct, message, source=self.source)

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def query(self, field_name: str, *, closing: bool) -> Boolean:
        """Clauses up to the end (or the closing parenthesis), combined as Lucene's
        classic QueryParser.addClause does under the default operator."""
        clauses: list[Clause] = []
        while (token := self.peek()) is not None:
            if token.kind == ")":
                if not closing:
                    raise self.fail("parenthesis", f"unmatched ')' at position {token.position}")
                break
            conjunction = None
            if token.kind == "op" and token.text in {"AND", "OR"}:
                if not clauses:
                    raise self.fail(
                        "operator", f"{token.text} at position {token.position} joins nothing"
                    )
                conjunction = self.take().text
            modifier = None
            token = self.peek()
            if token is not None and (
                token.kind == "mod" or (token.kind, token.text) == ("op", "NOT")
            ):
                self.take()
                modifier = "+" if token.text == "+" else "-"
            query = self.clause(field_name)
            self._add(clauses, conjunction, modifier, query)
        return Boolean(tuple(clauses))

    def _add(
        self, clauses: list[Clause], conjunction: str | None, modifier: str | None, query: Query
    ) -> None:
        if clauses and conjunction == "AND" and clauses[-1].occur != Occur.MUST_NOT:
            clauses[-1] = Clause(Occur.MUST, clauses[-1].query)
        if (
            clauses
            and self.and_by_default
            and conjunction == "OR"
            and clauses[-1].occur != Occur.MUST_NOT
        ):
            clauses[-1] = Clause(Occur.SHOULD, clauses[-1].query)
        prohibited = modifier == "-"
        if self.and_by_default:
            required = not prohibited and conjunction != "OR"
        else:
            required = modifier == "+" or (conjunction == "AND" and not prohibited)
        occur = Occur.MUST_NOT if prohibited else Occur.MUST if required else Occur.SHOULD
        clauses.append(Clause(occur, query))

    def clause(self, field_name: str) -> Query:
        token = self.peek()
        if token is None:
            raise self.fail("syntax", "the query ends where a term was expected")
        if token.kind == "field":
            self.take()
            name = token.text
            following = self.peek()
            if name == "*":
                if following is not None and following.kind == "term" and following.text == "*":
                    self.take()
                    return MatchAll()
                raise self.fail("field", "only *:* may use * as a field")
            spec = _known_field(name, self.source)
            if following is not None and following.kind == "(":
                return self.group(spec.name)
            return self.value(spec.name)
        if token.kind == "(":
            return self.group(field_name)
        return self.value(field_name)

    def group(self, field_name: str) -> Query:
        opening = self.take()
        inner = self.query(field_name, closing=True)
        token = self.peek()
        if token is None or token.kind != ")":
            raise self.fail(
                "parenthesis", f"the '(' at position {opening.position} is never closed"
            )
        self.take()
        return inner

    def value(self, field_name: str) -> Query:
        token = self.peek()
        if token is None:
            raise self.fail("syntax", f"{field_name}: the query ends where a value was expected")
        self.take()
        spec = _known_field(field_name, self.source)
        if token.kind == "phrase":
            return Phrase(spec.name, token.text)
        if token.kind == "range":
            return _range(spec, token, self.source)
        if token.kind != "term":
            raise self.fail("syntax", f"unexpected {token.text!r} at position {token.position}")
        if token.text == "*" and token.wildcards == (0,):
            return Exists(spec.name)
        if token.wildcards:
            if token.wildcards != (len(token.text) - 1,) or token.text.endswith("?"):
                raise self.fail(
                    "wildcard",
                    f"{token.text!r}: only a trailing * (prefix search) is supported",
                )
            if spec.kind in {FieldKind.INT, FieldKind.DATE}:
                raise self.fail("wildcard", f"{spec.name}: a prefix search needs a text field")
            return Prefix(spec.name, token.text[:-1])
        return _single_value(spec, token.text, self.source)


def _known_field(name: str, source: str) -> FieldSpec:
    spec = field_spec(name)
    if spec is None:
        raise QuerySyntaxError(
            "field", f"unknown field {name!r}: search a dataset field of CKAN", source=source
        )
    return spec


def _number(spec: FieldSpec, text: str, source: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise QuerySyntaxError(
            "number", f"{spec.name}: {text!r} is not a whole number", source=source
        )
    return int(text)


def _single_value(spec: FieldSpec, text: str, source: str) -> Query:
    if spec.kind == FieldKind.INT:
        value = _number(spec, text, source)
        return Range(spec.name, value, value)
    if spec.kind == FieldKind.DATE:
        moment = parse_date(text, source=source)
        return Range(spec.name, moment, moment)
    return Term(spec.name, text)


def _range(spec: FieldSpec, token: _Token, source: str) -> Query:
    if spec.kind == FieldKind.TEXT:
        raise QuerySyntaxError(
            "range", f"{spec.name}: ranges apply to numbers, dates and strings", source=source
        )

    def bound(text: str, quoted: bool) -> Bound:
        if text == "*" and not quoted:
            return None
        if spec.kind == FieldKind.INT:
            return _number(spec, text, source)
        if spec.kind == FieldKind.DATE:
            return parse_date(text, source=source)
        return text

    low = bound(token.low, token.low_quoted)
    high = bound(token.high, token.high_quoted)
    if low is None and high is None:
        return Exists(spec.name)
    return Range(spec.name, low, high, token.include_low, token.include_high)


def _refuse_local_parameters(text: str, source: str) -> None:
    if re.search(r"(?:^|[^\\])(?:\\\\)*\{!", text):
        raise QuerySyntaxError(
            "local parameters", "local parameters ({!…}) are not supported", source=source
        )
    if _MAGIC_FIELDS.search(text):
        raise QuerySyntaxError(
            "magic field", "the _query_ and _val_ fields are not supported", source=source
        )


def _top_level(query: Boolean) -> Query:
    """Solr's fix for a top-level query of exclusions only: everything but them."""
    if query.clauses and all(c.occur == Occur.MUST_NOT for c in query.clauses):
        return Boolean((Clause(Occur.MUST, MatchAll()), *query.clauses))
    return query


def parse_lucene(text: str, *, source: str = "q", and_by_default: bool = True) -> Query:
    """The standard Lucene parser with ``df=text`` and ``q.op=AND`` (CKAN's defaults)."""
    _refuse_local_parameters(text, source)
    tokens = _Scanner(text, source).scan()
    parser = _Parser(tokens, source, and_by_default)
    query = parser.query(DEFAULT_FIELD, closing=False)
    if not query.clauses:
        return MatchAll()
    return _top_level(query)


# --- DisMax --------------------------------------------------------------------------------

_WORD = re.compile(r"\w")
_CONSECUTIVE_OPERATORS = re.compile(r"\s+[+-](?:\s*[+-]+)+")
_DANGLING_OPERATORS = re.compile(r"\s+[-+\s]+$")


def _refuse_in_word(word: str, source: str) -> None:
    """DisMax escapes these, so CKAN searches them as part of the word (``sant*`` is the word
    ``sant``); the catalog's analyser would not drop them alike, so they are refused."""
    for char in _UNSUPPORTED:
        if char in word:
            raise _unsupported(char, source)
    if "*" in word or "?" in word:
        raise QuerySyntaxError(
            "wildcard",
            f"{word!r}: without a field, CKAN searches * and ? as letters; "
            "for a prefix search name the field: text:sant*",
            source=source,
        )


def parse_dismax(text: str, *, source: str = "q", mm: str = CKAN_MM) -> Query:
    """A q without a colon, as Solr's DisMax parser reads it with CKAN's ``mm``."""
    _refuse_local_parameters(text, source)
    if text.count('"') % 2:
        text = text.replace('"', "")  # unbalanced quotes are dropped, not refused
    text = _CONSECUTIVE_OPERATORS.sub(" ", text)
    text = _DANGLING_OPERATORS.sub("", text)
    tokens: list[_Token] = []
    for match in re.finditer(r'[+-]*"[^"]*"|\S+', text):
        word, position = match.group(), match.start()
        if word.startswith('"'):
            tokens.append(_Token("phrase", word[1:-1], position))
        elif word in _OPERATORS:
            tokens.append(_Token("op", _OPERATORS[word], position))
        else:
            while word[:1] in {"+", "-"} and len(word) > 1:
                tokens.append(_Token("mod", word[0], position))
                word, position = word[1:], position + 1
                if word.startswith('"'):
                    break
            if word.startswith('"') and word.endswith('"') and len(word) > 1:
                tokens.append(_Token("phrase", word[1:-1], position))
            elif word not in {"+", "-"}:
                tokens.append(_Token("term", word, position))
    clauses: list[Clause] = []
    parser = _Parser(tokens, source, and_by_default=False)
    index = 0
    while index < len(tokens):
        conjunction = None
        if tokens[index].kind == "op" and tokens[index].text in {"AND", "OR"}:
            conjunction = tokens[index].text if clauses else None
            index += 1
        modifier = None
        while index < len(tokens) and (
            tokens[index].kind == "mod" or (tokens[index].kind, tokens[index].text) == ("op", "NOT")
        ):
            modifier = "+" if tokens[index].text == "+" else "-"
            index += 1
        if index >= len(tokens):
            break
        token = tokens[index]
        index += 1
        if token.kind == "op" or not _WORD.search(token.text):
            continue  # an operator where a word was expected, or no word at all: dropped
        if token.kind == "term":
            _refuse_in_word(token.text, source)
        query: Query = (
            Phrase(DEFAULT_FIELD, token.text)
            if token.kind == "phrase"
            else Term(DEFAULT_FIELD, token.text)
        )
        parser._add(clauses, conjunction, modifier, query)
    if not clauses:
        return MatchAll()
    optional = sum(c.occur == Occur.SHOULD for c in clauses)
    return Boolean(tuple(clauses), minimum_should_match(optional, mm) if optional else 0)


# --- what CKAN does with q and fq ----------------------------------------------------------


def parse_q(q: str | None) -> Query:
    """``package_search``'s ``q``: DisMax without a colon, the Lucene parser with one."""
    text = (q or "").strip()
    if not text or text in {'""', "''"}:
        return MatchAll()
    if ":" not in text:
        return parse_dismax(text)
    return parse_lucene(text)


def parse_fq(fq: str) -> Query:
    """One ``fq`` (or ``fq_list`` item), inside CKAN's ``+capacity:public … +state:active``."""
    _refuse_local_parameters(fq, "fq")
    tokens = _Scanner(fq, "fq").scan()
    inner = _Parser(tokens, "fq", and_by_default=True).query(DEFAULT_FIELD, closing=False)
    # The clauses CKAN adds are always true of a public search: a MatchAll stands for them,
    # and keeps their effect on the client's clauses (SHOULD clauses stop filtering).
    return Boolean((Clause(Occur.MUST, MatchAll()), *inner.clauses))
