"""Dataset search: one function behind the REST search and CKAN's ``package_search``.

Full text over titles, tags and descriptions (the index of search_index.py), filters, facet
counts and sorts, computed in the database so that it stays fast at 100,000 datasets:

- what to find is a query tree (domain/lucene.py): CKAN's ``q`` and ``fq`` as CKAN reads
  them, or the REST search's words (every word required, the last one also as a prefix, search
  as you type); search_query.py compiles it to SQL, the same matches on both databases:
  every form of a word (stems), ranked exact forms, prefixes and phrases first, then the
  weights title ≫ tags > description;
- PostgreSQL: a ``tsquery`` on ``dataset.search_document`` (GIN), ranked with ``ts_rank``;
  SQLite: FTS5 ``MATCH`` on ``dataset_fts``, ranked with ``bm25`` and the same weights;
- filters are ``Filter(field, values, exclude)``: values of one filter are alternatives (any
  of), filters are all required, an excluding filter keeps the datasets matching none;
- the total, every facet and (PostgreSQL) the page come from one statement over the matching
  datasets, computed once (a materialised CTE, with their score and sort columns): facets
  are grouped over the institution and licence columns and over the tag, theme and format
  arrays on the dataset's row (search_index.py keeps them), so that no other table is read;
  SQLite joins the facet tables and reads the page apart. No row is loaded into Python but
  the counts and the page's ids; a public search's counts are reused while the catalogue is
  unchanged (the app's ``CountsCache``, see below);
- the page's datasets are then loaded with their related rows in a few batch queries, or
  (``views=False``) left to a caller that serves their stored renditions.
"""

from __future__ import annotations

import functools
import operator
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    Subquery,
    and_,
    case,
    cast,
    literal_column,
    not_,
    or_,
    text,
    true,
    union_all,
)
from sqlalchemy import inspect as inspect_model
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from libs.http.problems import InvalidInput
from libs.vocabularies import normalise_format
from services.catalog.domain.cache import CountsCache
from services.catalog.domain.lucene import Query
from services.catalog.domain.search_index import FTS, localized
from services.catalog.domain.search_query import (
    Compiler,
    Ranking,
    as_tsquery,
    document_matches,
    fts5_query,
    fts_match,
    parse_words,
    ranking,
)
from services.catalog.domain.views import DatasetView, load_views
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    Institution,
    License,
    Resource,
    Theme,
    metadata,
)

# Searches whose SQL is kept, compiled, per process.
COMPILED_QUERIES = 512
# ts_rank weights, in PostgreSQL's order {D, C, B, A}: description C, tags B, title A.
PG_RANK_WEIGHTS = "'{0.0, 0.1, 0.3, 1.0}'::float4[]"
# bm25 column weights of dataset_fts (dataset_id, then title, tags and description: their
# surface forms, then their stems).
FTS_COLUMN_WEIGHTS = (0.0, 10.0, 3.0, 1.0, 10.0, 3.0, 1.0)

# PostgreSQL's default random_page_cost (4) prices an index lookup for a spinning disk: it
# then hash-joins whole facet tables (200,000 resources) to a few thousand matching ids.
# The catalogue's working set is in memory or on SSD, where 1.1 is the usual setting; it is
# set for the search's own transaction only.
PG_RANDOM_PAGE_COST = 1.1
_PG_PLANNER_COSTS = text(f"SET LOCAL random_page_cost = {PG_RANDOM_PAGE_COST}")


_DATASET = metadata.tables["dataset"]
# Dataset columns only search reads: never loaded with a page's datasets.
_UNSHOWN = tuple(
    defer(inspect_model(Dataset).attrs[name].class_attribute)
    for name in ("search_document", "facet_tags", "facet_themes", "facet_formats")
)


class FilterField(StrEnum):
    """What a search can filter and facet on (the REST API's names; CKAN's map to them)."""

    INSTITUTION = "institution"  # an institution's id or slug
    THEME = "theme"
    TAG = "tag"
    LICENSE = "license"
    FORMAT = "format"
    OPEN = "is_open"  # "true" / "false"
    SLUG = "slug"
    ID = "id"


FACET_FIELDS: tuple[FilterField, ...] = (
    FilterField.INSTITUTION,
    FilterField.THEME,
    FilterField.TAG,
    FilterField.LICENSE,
    FilterField.FORMAT,
    FilterField.OPEN,
)


class SortKey(StrEnum):
    SCORE = "score"
    MODIFIED = "metadata_modified"
    CREATED = "metadata_created"
    PUBLISHED = "published"
    TITLE = "title"
    SLUG = "slug"


@dataclass(frozen=True)
class Filter:
    field: FilterField
    values: tuple[str, ...]
    exclude: bool = False


@dataclass(frozen=True)
class Sort:
    key: SortKey
    descending: bool


DEFAULT_SORT: tuple[Sort, ...] = (Sort(SortKey.SCORE, True), Sort(SortKey.MODIFIED, True))


def client_moment(moment: datetime) -> datetime:
    """A moment a client gave, in UTC: one without an offset is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_moment(field: str, value: str | None) -> datetime | None:
    """A parameter's ISO 8601 date (its midnight) or date-time, in UTC; 422 naming ``field``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = datetime.fromisoformat(text.replace(" ", "+"))  # '+' arrived as a space
    except ValueError:
        raise InvalidInput(
            field, f"{value!r} is not an ISO 8601 date (2024-01-31) or date-time"
        ) from None
    return client_moment(moment)


@dataclass(frozen=True)
class SearchQuery:
    """What to search: ``text``, the REST search's words; ``match``, a query tree (CKAN's q
    and fq, checked by ``search_query.honoured``); ``modified_since``/``until`` without an
    offset are UTC."""

    text: str | None = None
    match: Query | None = None
    filters: tuple[Filter, ...] = ()
    modified_since: datetime | None = None
    modified_until: datetime | None = None
    states: tuple[DatasetState, ...] = (DatasetState.PUBLISHED,)
    sort: tuple[Sort, ...] = DEFAULT_SORT
    offset: int = 0
    limit: int = 20
    facets: tuple[FilterField, ...] = FACET_FIELDS
    facet_limit: int | None = 50  # per facet; None: every value
    facet_mincount: int = 1

    def __post_init__(self) -> None:
        for bound in ("modified_since", "modified_until"):
            if (moment := getattr(self, bound)) is not None:
                object.__setattr__(self, bound, client_moment(moment))


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str | None = None  # in the default language
    labels: dict[str, str] | None = None  # every language, where the value has a title


@dataclass
class SearchResult:
    total: int
    items: list[DatasetView]  # the page asked for, each with its related rows (if loaded)
    ids: list[uuid.UUID] = field(default_factory=list)  # the page's datasets, in order
    scores: list[float] = field(default_factory=list)  # relevance of each (0: no words)
    facets: dict[FilterField, list[FacetValue]] = field(default_factory=dict)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- filters -------------------------------------------------------------------------------


def _uuids(values: Sequence[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes", "on"}


def _institution_ids(session: Session, values: Sequence[str]) -> list[uuid.UUID]:
    by_slug = select(Institution.id).where(col(Institution.slug).in_(list(values)))
    return sorted({*_uuids(values), *session.exec(by_slug)})


def _licence_ids(licenses: dict[str, License], *, open_: bool) -> list[str]:
    return sorted(lic.id for lic in licenses.values() if lic.is_open == open_)


# The facets counted over arrays on the dataset's row on PostgreSQL (search_index.py), over
# their tables on SQLite.
_FACET_ARRAYS: dict[FilterField, Any] = {
    FilterField.THEME: Dataset.facet_themes,
    FilterField.TAG: Dataset.facet_tags,
    FilterField.FORMAT: Dataset.facet_formats,
}


# An empty facet array.
_NO_VALUES: ColumnElement[Any] = literal_column("'{}'::varchar[]")


def _any_of(
    session: Session, item: Filter, values: list[str], dataset_id: Any, column: Any
) -> ColumnElement[bool]:
    """Datasets with any of ``values`` among their rows of ``column``: on PostgreSQL, in the
    facet array on their row (GIN-indexed, and read with the row a text match fetches)."""
    if not _is_postgres(session):
        return col(Dataset.id).in_(select(dataset_id).where(column.in_(values)))
    array = _FACET_ARRAYS[item.field]
    # An exclusion keeps a dataset whose array was never written (NULL has no value).
    values_of = func.coalesce(array, _NO_VALUES) if item.exclude else array
    result: ColumnElement[bool] = values_of.op("&&")(postgresql.array(values, type_=String))
    return result


def _filter_condition(
    session: Session, item: Filter, licenses: dict[str, License]
) -> ColumnElement[bool]:
    # Names and openness become id lists first: plain IN lists use the indexes.
    values = list(item.values)
    condition: ColumnElement[bool]
    match item.field:
        case FilterField.INSTITUTION:
            condition = col(Dataset.institution_id).in_(_institution_ids(session, values))
        case FilterField.THEME:
            theme = col(DatasetTheme.theme_name)
            condition = _any_of(session, item, values, DatasetTheme.dataset_id, theme)
        case FilterField.TAG:
            tag = col(DatasetTag.tag)
            condition = _any_of(session, item, values, DatasetTag.dataset_id, tag)
        case FilterField.LICENSE:
            condition = col(Dataset.license_id).in_(values)
        case FilterField.FORMAT:
            formats = sorted({normalise_format(v) or v.strip().upper() for v in values})
            code = col(Resource.format)
            condition = _any_of(session, item, formats, Resource.dataset_id, code)
        case FilterField.OPEN:
            wanted = {_truthy(v) for v in values}
            is_open = col(Dataset.license_id).in_(_licence_ids(licenses, open_=True))
            is_closed = or_(
                col(Dataset.license_id).is_(None),
                col(Dataset.license_id).in_(_licence_ids(licenses, open_=False)),
            )
            if wanted == {True}:
                condition = is_open
            elif wanted == {False}:
                condition = is_closed
            else:
                condition = or_(is_open, is_closed)
        case FilterField.SLUG:
            condition = col(Dataset.slug).in_(values)
        case FilterField.ID:
            condition = col(Dataset.id).in_(_uuids(values))
    return not_(condition) if item.exclude else condition


def _conditions(
    session: Session, query: SearchQuery, licenses: dict[str, License]
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        col(Dataset.state).in_([state.value for state in query.states])
    ]
    conditions.extend(_filter_condition(session, item, licenses) for item in query.filters)
    if query.modified_since is not None:
        conditions.append(col(Dataset.modified_at) >= query.modified_since)
    if query.modified_until is not None:
        conditions.append(col(Dataset.modified_at) <= query.modified_until)
    return conditions


@dataclass(frozen=True)
class _MatchSql:
    """The SQL of what a search looks for: its conditions, its score (None: no words) and
    (SQLite) the ranked subqueries to join the score from."""

    conditions: tuple[ColumnElement[bool], ...]
    score: ColumnElement[Any] | None
    ranked_by: tuple[Subquery, ...]


@functools.lru_cache(maxsize=COMPILED_QUERIES)
def _match_sql(dialect: str, wanted: tuple[Query, ...]) -> _MatchSql:
    """Compiled once per query and database: SQL constructs are immutable, and the same
    searches recur (a landing page, a facet clicked under the same words)."""
    compiler = Compiler(dialect)
    conditions = tuple(
        condition for found in wanted if (condition := compiler.condition(found)) is not None
    )
    rank = ranking(list(wanted))
    if rank is None:
        return _MatchSql(conditions, None, ())
    score, ranked_by = _score(dialect, rank)
    return _MatchSql(conditions, score, ranked_by)


def _score(dialect: str, rank: Ranking) -> tuple[ColumnElement[Any], tuple[Subquery, ...]]:
    """The relevance of a match, and (SQLite) the ranked subqueries to join it from."""
    terms: list[ColumnElement[Any]] = []
    if dialect == "postgresql":
        document = col(Dataset.search_document)
        weights: ColumnElement[Any] = literal_column(PG_RANK_WEIGHTS)
        for weight, query, where_matched in rank.parts:
            ranked: ColumnElement[Any] = func.ts_rank(weights, document, as_tsquery(query))
            if where_matched:
                ranked = case((document_matches(query), ranked), else_=0.0)
            terms.append(ranked * weight)
        return functools.reduce(operator.add, terms), ()
    joins: list[Subquery] = []
    for number, (weight, query, _) in enumerate(rank.parts):
        scores = (
            select(
                FTS.c.dataset_id.label("dataset_id"),
                (-func.bm25(literal_column("dataset_fts"), *FTS_COLUMN_WEIGHTS)).label("score"),
            )
            .where(fts_match(fts5_query(query)))
            .subquery(f"rank{number}")
        )
        joins.append(scores)
        terms.append(func.coalesce(scores.c.score, 0.0) * weight)
    return functools.reduce(operator.add, terms), tuple(joins)


# --- sorting -------------------------------------------------------------------------------


# The dataset column each sort key orders by.
_SORT_COLUMNS: dict[SortKey, str] = {
    SortKey.MODIFIED: "modified_at",
    SortKey.CREATED: "created_at",
    SortKey.PUBLISHED: "published_at",
    SortKey.TITLE: "title_sort",
    SortKey.SLUG: "slug",
}


def _order_by(query: SearchQuery, score: ColumnElement[Any] | None, source: Any) -> list[Any]:
    """The ORDER BY of a page over ``source`` (the dataset table, or a CTE with its sort
    columns); without a text query every score is equal, so it is skipped."""
    order = []
    for sort in query.sort:
        if sort.key == SortKey.SCORE and score is None:
            continue
        target: Any = score if sort.key == SortKey.SCORE else source.c[_SORT_COLUMNS[sort.key]]
        ordered = target.desc() if sort.descending else target.asc()
        # PostgreSQL and SQLite disagree on where NULLs go: say it (only published_at has any).
        order.append(ordered.nulls_last() if sort.key == SortKey.PUBLISHED else ordered)
    # Slugs are unique: pages never overlap nor skip a dataset.
    if not any(s.key == SortKey.SLUG for s in query.sort):
        order.append(source.c.slug.asc())
    return order


# --- facets --------------------------------------------------------------------------------

_TOTAL = "_total"
_PAGE = "_page"

# --- counts cache --------------------------------------------------------------------------
# Counting facets over a large share of 100,000 datasets takes the database tens of
# milliseconds, and the most frequent searches (the landing page, a theme, an institution)
# repeat. Their totals and facet counts are kept per process (the app's ``CountsCache``) and
# used while the catalogue is unchanged: this process's writes clear the cache when they
# commit; another replica's show in the stamp, which every change of a dataset moves (its
# modified time, domain/datasets.py ``touch``; a publication or withdrawal changes the
# published count too) and which is read from the (state, modified_at) index at each search.
# The page of results itself is always read fresh.


def _catalogue_stamp(session: Session) -> tuple[Any, ...]:
    """What a public search's counts depend on; equal stamps mean equal counts."""

    def latest(state: DatasetState) -> Any:
        return (
            select(func.max(Dataset.modified_at))
            .where(col(Dataset.state) == state.value)
            .scalar_subquery()
        )

    published = (
        select(func.count())
        .select_from(Dataset)
        .where(col(Dataset.state) == DatasetState.PUBLISHED.value)
        .scalar_subquery()
    )
    institutions = select(func.max(Institution.modified_at)).scalar_subquery()
    latest_by_state: tuple[Any, ...] = tuple(latest(state) for state in DatasetState)
    row = session.exec(select(published, institutions, *latest_by_state)).one()
    return tuple(row)


def _counts_key(session: Session, query: SearchQuery) -> tuple[Any, ...]:
    return (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        parse_words(query.text),  # what the words mean, not how they were typed
        query.match,
        query.filters,
        query.modified_since,
        query.modified_until,
        query.facets,
        query.facet_limit,
        query.facet_mincount,
    )


def _name(value: str) -> Any:
    return literal_column(f"'{value}'").label("field")


def _facet_counts(
    matched: Any,
    facets: Sequence[FilterField],
    *,
    postgres: bool,
    limit: int | None,
    mincount: int,
    beside: Sequence[Any] = (),
) -> Select[Any, Any, Any]:
    """The total and (field, value, count) of every facet asked for, over ``matched``, and the
    columns ``beside`` (constants, to be a member of a union).

    PostgreSQL: ``matched`` carries each dataset's facet arrays (its row is read for the match
    anyway), unnested and grouped: no other table is read. SQLite: each facet table is joined
    to the matching ids.
    """
    count = func.count().label("n")
    branches: list[Select[Any, Any, int]] = [
        select(_name(_TOTAL), cast(None, String).label("value"), count).select_from(matched)
    ]
    wanted = set(facets)
    if FilterField.INSTITUTION in wanted:
        branches.append(
            select(
                _name(FilterField.INSTITUTION),
                cast(matched.c.institution_id, String).label("value"),
                count,
            ).group_by(matched.c.institution_id)
        )
    # Licences are few: counted in full, the openness facet is derived from them.
    if wanted & {FilterField.LICENSE, FilterField.OPEN}:
        branches.append(
            select(_name(FilterField.LICENSE), matched.c.license_id.label("value"), count).group_by(
                matched.c.license_id
            )
        )
    for facet, table_value, dataset_id in (
        (FilterField.THEME, col(DatasetTheme.theme_name), col(DatasetTheme.dataset_id)),
        (FilterField.TAG, col(DatasetTag.tag), col(DatasetTag.dataset_id)),
        (FilterField.FORMAT, col(Resource.format), col(Resource.dataset_id)),
    ):
        if facet not in wanted:
            continue
        if postgres:
            # Each array holds a dataset's distinct values: a row per (dataset, value).
            name = f"{facet}_values"
            values = func.unnest(matched.c[f"facet_{facet}"]).table_valued("value")
            value = literal_column(f"{name}.value", String)
            branches.append(
                select(_name(facet), value.label("value"), count)
                .select_from(matched)
                .join(values.render_derived(name=name), true())
                .group_by(value)
            )
            continue
        # A dataset's resources may share a format: the datasets are counted.
        counted = func.count(dataset_id.distinct()) if facet == FilterField.FORMAT else func.count()
        joined: Select[Any, Any, Any] = (
            select(_name(facet), table_value.label("value"), counted.label("n"))
            .join(matched, matched.c.id == dataset_id)
            .where(table_value.is_not(None))
        )
        branches.append(joined.group_by(table_value))
    # The subqueries' columns are named, not proxied: building their column collections
    # was most of the cost of building the statement, on every search.
    counts = union_all(*branches).subquery("counts")
    field, value_, n = _columns_of("counts")
    if limit is None and mincount <= 1:
        return select(field, value_, n, *beside).select_from(counts)
    # The most frequent values of each facet only (a catalogue has thousands of tags); the
    # total and the licences, from which openness is derived, are kept whole.
    rank = func.row_number().over(partition_by=field, order_by=(n.desc(), value_))
    ranked = select(field, value_, n, rank.label("rank")).select_from(counts).subquery("ranked")
    field, value_, n = _columns_of("ranked")
    kept = n >= mincount
    if limit is not None:
        kept = and_(kept, literal_column("ranked.rank", Integer) <= limit)
    whole = field.in_([literal_column(f"'{_TOTAL}'"), literal_column(f"'{FilterField.LICENSE}'")])
    return select(field, value_, n, *beside).select_from(ranked).where(or_(whole, kept))


def _columns_of(name: str) -> tuple[ColumnElement[str], ColumnElement[str], ColumnElement[int]]:
    """The (field, value, n) columns of the subquery ``name`` of facet counts."""
    return (
        literal_column(f"{name}.field", String).label("field"),
        literal_column(f"{name}.value", String).label("value"),
        literal_column(f"{name}.n", Integer).label("n"),
    )


def _matched(
    conditions: list[ColumnElement[bool]],
    query: SearchQuery,
    score: ColumnElement[Any] | None,
    *,
    postgres: bool,
    page: bool,
) -> Any:
    """The matching datasets as a CTE: what facets count on and, for the page (PostgreSQL),
    the score and sort columns.

    PostgreSQL computes them once (a CTE used several times is materialised) and reads each
    facet from its rows. SQLite has no statistics on a materialised CTE and would scan whole
    facet tables against it: there the CTE is inlined in each branch, which lets it drive each
    join from the (usually few) matching ids through the indexes.
    """
    columns: list[Any] = [
        col(Dataset.id).label("id"),
        col(Dataset.institution_id).label("institution_id"),
        col(Dataset.license_id).label("license_id"),
    ]
    if postgres:
        columns += [
            col(array).label(f"facet_{facet}")
            for facet, array in _FACET_ARRAYS.items()
            if facet in query.facets
        ]
    if page:
        sort_keys = {sort.key for sort in query.sort} | {SortKey.SLUG}
        columns += [_DATASET.c[_SORT_COLUMNS[key]] for key in sort_keys if key != SortKey.SCORE]
        if score is not None:
            columns.append(score.label("score"))
    matched = select(*columns).where(*conditions).cte("matched")
    return matched if postgres else matched.prefix_with("NOT MATERIALIZED")


_Counts = tuple[int, dict[str, dict[str, int]]]


@dataclass(frozen=True)
class _Page:
    """The page asked for: the ids of its datasets, in order, and their scores."""

    ids: list[uuid.UUID]
    scores: list[float]


def _counts_of(rows: Sequence[tuple[str, str | None, int]]) -> _Counts:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    total = 0
    for field_name, value, n in rows:
        if field_name == _TOTAL:
            total = int(n)
        elif value is not None:
            counts[field_name][value] = int(n)
    return total, dict(counts)


def _count_and_page(
    session: Session,
    conditions: list[ColumnElement[bool]],
    query: SearchQuery,
    match: _MatchSql,
    cache: CountsCache | None,
) -> tuple[_Counts, _Page | None]:
    """The total and raw facet counts (from the cache while the catalogue is unchanged) and,
    on PostgreSQL, the page: one statement, one pass over the matching datasets. None: the
    page is read by ``_page`` (SQLite)."""
    if cache is None or not cache.enabled or query.states != (DatasetState.PUBLISHED,):
        cache = None
    key = _counts_key(session, query) if cache is not None else None
    stamp = _catalogue_stamp(session) if cache is not None else None
    cached: _Counts | None = cache.get(key, stamp) if cache is not None else None
    postgres = _is_postgres(session)
    wants_page = postgres and query.limit > 0
    matched = _matched(conditions, query, match.score, postgres=postgres, page=wants_page)
    statements: list[Any] = []
    if cached is None:
        statements.append(
            _facet_counts(
                matched,
                query.facets,
                postgres=postgres,
                limit=query.facet_limit,
                mincount=query.facet_mincount,
                beside=(cast(None, Float).label("score"),),
            )
        )
    if wants_page:
        score = matched.c.score if match.score is not None else None
        order = _order_by(query, score, matched)
        # A member of the union with its own ORDER BY and LIMIT (written in parentheses).
        statements.append(
            select(
                _name(_PAGE),
                cast(matched.c.id, String).label("value"),
                func.row_number().over(order_by=order).label("n"),
                (score if score is not None else literal_column("0.0")).label("score"),
            )
            .order_by(*order)
            .offset(query.offset)
            .limit(query.limit)
        )
    rows: Sequence[Any] = ()
    if statements:
        combined: Any = union_all(*statements)
        rows = session.connection().execute(combined).all()
    placed = sorted((row for row in rows if row[0] == _PAGE), key=lambda row: row[2])
    counted = cached or _counts_of([row[:3] for row in rows if row[0] != _PAGE])
    if cache is not None and cached is None:
        cache.put(key, stamp, counted)
    if not wants_page:
        return counted, None
    page_found = _Page(
        ids=[uuid.UUID(row[1]) for row in placed], scores=[float(row[3] or 0.0) for row in placed]
    )
    return counted, page_found


def _page(
    session: Session, conditions: list[ColumnElement[bool]], query: SearchQuery, match: _MatchSql
) -> _Page:
    """The page asked for, on its own (SQLite: its ranked subqueries are joined)."""
    score = match.score
    statement = select(
        col(Dataset.id), (score if score is not None else literal_column("0.0")).label("score")
    )
    for ranked in match.ranked_by:
        statement = statement.outerjoin(ranked, ranked.c.dataset_id == col(Dataset.id))
    statement = (
        statement.where(and_(*conditions))
        .order_by(*_order_by(query, score, _DATASET))
        .offset(query.offset)
        .limit(query.limit)
    )
    rows = session.exec(statement).all()
    return _Page(ids=[row[0] for row in rows], scores=[float(row[1] or 0.0) for row in rows])


def _facets(
    session: Session, counted: _Counts, query: SearchQuery, licenses: dict[str, License]
) -> dict[FilterField, list[FacetValue]]:
    total, cached_counts = counted
    counts = {field_name: dict(values) for field_name, values in cached_counts.items()}

    if FilterField.OPEN in query.facets:
        openness = {"true": 0, "false": 0}
        matched_with_licence = 0
        for license_id, n in counts.get(FilterField.LICENSE, {}).items():
            known = licenses.get(license_id)
            openness["true" if known and known.is_open else "false"] += n
            matched_with_licence += n
        openness["false"] += total - matched_with_licence  # no licence: not open
        counts[FilterField.OPEN] = {k: v for k, v in openness.items() if v}

    shown: dict[FilterField, list[tuple[str, int]]] = {}
    for facet in query.facets:
        ranked = sorted(counts.get(facet, {}).items(), key=lambda item: (-item[1], item[0]))
        ranked = [(v, n) for v, n in ranked if n >= query.facet_mincount]
        shown[facet] = ranked if query.facet_limit is None else ranked[: query.facet_limit]
    labels = _labels(
        session,
        _uuids([value for value, _ in shown.get(FilterField.INSTITUTION, [])]),
        [value for value, _ in shown.get(FilterField.THEME, [])],
    )
    facets: dict[FilterField, list[FacetValue]] = {}
    for facet, ranked in shown.items():
        labelled = _labelled(facet, ranked, labels, licenses)
        # Ties in the order of the values shown (slugs, names), not of the ids grouped on.
        facets[facet] = sorted(labelled, key=lambda item: (-item.count, item.value))
    return facets


@dataclass(frozen=True)
class _Labels:
    """What facet values show: each institution's slug and title, each theme's title."""

    institutions: dict[uuid.UUID, tuple[str, dict[str, str]]]
    themes: dict[str, dict[str, str]]


def _labels(session: Session, institution_ids: list[uuid.UUID], theme_names: list[str]) -> _Labels:
    """The labels of these institutions and themes, in one statement (their columns only)."""
    branches: list[Any] = []
    if institution_ids:
        branches.append(
            select(
                _name(FilterField.INSTITUTION),
                cast(col(Institution.id), String).label("key"),
                col(Institution.slug).label("slug"),
                col(Institution.title).label("title"),
            ).where(col(Institution.id).in_(institution_ids))
        )
    if theme_names:
        branches.append(
            select(
                _name(FilterField.THEME), col(Theme.name), col(Theme.name), col(Theme.title)
            ).where(col(Theme.name).in_(theme_names))
        )
    labels = _Labels(institutions={}, themes={})
    if not branches:
        return labels
    for kind, key, slug, title in session.connection().execute(union_all(*branches)):
        if kind == FilterField.INSTITUTION:
            labels.institutions[uuid.UUID(key)] = (slug, dict(title))
        else:
            labels.themes[key] = dict(title)
    return labels


def _labelled(
    facet: FilterField,
    ranked: list[tuple[str, int]],
    labels: _Labels,
    licenses: dict[str, License],
) -> list[FacetValue]:
    if facet == FilterField.INSTITUTION:
        items = []
        for value, n in ranked:
            found = labels.institutions.get(uuid.UUID(value))
            if found is None:  # a dataset of an institution not replicated yet
                items.append(FacetValue(value=str(uuid.UUID(value)), count=n))
                continue
            slug, title = found
            items.append(
                FacetValue(value=slug, count=n, label=localized(title), labels=dict(title))
            )
        return items
    if facet == FilterField.THEME:
        titles = labels.themes
        return [
            FacetValue(
                value=value,
                count=n,
                label=localized(titles[value]) if value in titles else None,
                labels=dict(titles[value]) if value in titles else None,
            )
            for value, n in ranked
        ]
    if facet == FilterField.LICENSE:
        return [
            FacetValue(
                value=value,
                count=n,
                label=licenses[value].title if value in licenses else None,
            )
            for value, n in ranked
        ]
    return [FacetValue(value=value, count=n) for value, n in ranked]


# --- the search ----------------------------------------------------------------------------


def search_datasets(
    session: Session,
    query: SearchQuery,
    *,
    counts: CountsCache | None = None,
    views: bool = True,
) -> SearchResult:
    """One page of the datasets ``query`` matches, their total and its facets.

    ``counts``: where the total and facet counts of a public search are kept while the
    catalogue is unchanged (None: counted afresh). ``views``: load the page's datasets with
    their related rows (else only ``ids`` and ``scores``, for a caller that serves stored
    renditions).
    """
    if _is_postgres(session):
        # A setting of the planner for this transaction, not a query.
        session.connection().execute(_PG_PLANNER_COSTS)
    # The licence list is short: read once when the openness filter or facets, or the
    # licence facet's labels, need it.
    needs_licenses = bool({*query.facets} & {FilterField.LICENSE, FilterField.OPEN}) or any(
        item.field == FilterField.OPEN for item in query.filters
    )
    licenses = {lic.id: lic for lic in session.exec(select(License))} if needs_licenses else {}
    conditions = _conditions(session, query, licenses)
    wanted = tuple(found for found in (parse_words(query.text), query.match) if found is not None)
    match = _match_sql(session.get_bind().dialect.name, wanted)
    conditions.extend(match.conditions)

    counted, page = _count_and_page(session, conditions, query, match, counts)
    total = counted[0]
    facets = _facets(session, counted, query, licenses)
    if query.limit <= 0 or total <= query.offset:
        return SearchResult(total=total, items=[], facets=facets)
    if page is None:
        page = _page(session, conditions, query, match)
    items: list[DatasetView] = []
    if views:
        by_id = {
            dataset.id: dataset
            for dataset in session.exec(
                select(Dataset).options(*_UNSHOWN).where(col(Dataset.id).in_(page.ids))
            )
        }
        items = load_views(session, [by_id[dataset_id] for dataset_id in page.ids])
    return SearchResult(total=total, items=items, ids=page.ids, scores=page.scores, facets=facets)
