"""CKAN's read actions over the catalog, as CKAN 2.10 answers them (with ckanext-fluent).

CKAN clients (``ckanapi``, harvesters, scripts written for the portal's CKAN) keep working:
the same action names and parameters, the same package, resource, organization and group
dicts, the same error types. ``package_search`` is the REST search (domain/search.py) with
CKAN's parameters: ``q`` and ``fq`` mean what they mean in CKAN (domain/lucene.py reads them
as its Solr does: DisMax and its minimum-should-match, the standard parser, ``fq``'s
wrapping), on every dataset field the catalog can search (domain/search_query.py); a syntax
it cannot answer alike is a Search Query Error naming it. The dicts are shaped in
domain/ckan_dicts.py; ``package_show`` and ``current_package_list_with_resources`` answer with
the read model's stored package dicts (domain/renditions.py).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from libs.http.problems import Problem
from libs.text import normalise
from services.catalog.domain import renditions
from services.catalog.domain.ckan_dicts import (
    Site,
    group_dict,
    json_bytes,
    license_dict,
    organization_dict,
    package_dict,
    resource_dict,
    tag_dict,
    theme_id,
)
from services.catalog.domain.institutions import find_institution, published_counts
from services.catalog.domain.lucene import Query, QuerySyntaxError, must, parse_fq, parse_q
from services.catalog.domain.rendering import Renderer
from services.catalog.domain.search import (
    DEFAULT_SORT,
    FacetValue,
    Filter,
    FilterField,
    SearchQuery,
    SearchResult,
    Sort,
    SortKey,
    localized,
    search_datasets,
)
from services.catalog.domain.search_query import honoured
from services.catalog.domain.views import (
    find_view,
)
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    Institution,
    License,
    Resource,
    Theme,
)

CKAN_VERSION = "2.10.4"
DEFAULT_LANGUAGE = "fr"
ROWS_DEFAULT = 10
ROWS_MAX = 1000  # ckan.search.rows_max: larger values are capped, as CKAN does
FACET_LIMIT_DEFAULT = 50
GROUP_LIST_MAX = 1000  # ckan.group_and_organization_list_max
GROUP_LIST_ALL_FIELDS_MAX = 25  # ckan.group_and_organization_list_all_fields_max
GROUP_DATASETS_MAX = 1000
# Bounds on what one search may ask (each is work for the database): a refusal names them.
FQ_MAX = 20  # fq values (and fq_list entries)
SORT_KEYS_MAX = 5
FACET_FIELDS_MAX = 20
# Any other integer parameter (start, offset, facet.mincount…): what every database takes.
INTEGER_MAX = 2**31 - 1

WRITE_ACTIONS = frozenset(
    {
        "package_create",
        "package_update",
        "package_patch",
        "package_delete",
        "package_owner_org_update",
        "resource_create",
        "resource_update",
        "resource_patch",
        "resource_delete",
        "organization_create",
        "organization_update",
        "organization_patch",
        "organization_delete",
        "group_create",
        "group_update",
        "group_patch",
        "group_delete",
        "tag_create",
        "tag_delete",
        "dataset_purge",
    }
)


# --- errors --------------------------------------------------------------------------------


class CkanError(Exception):
    """An action's error, rendered as CKAN renders it: ``error`` is always an object."""

    status = 400
    kind = "Bad Request"
    prefix = "Bad request"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def error(self) -> dict[str, Any]:
        text = f"{self.prefix}: {self.message}" if self.message else self.prefix
        return {"__type": self.kind, "message": text}


class BadRequest(CkanError):
    def error(self) -> dict[str, Any]:
        # CKAN words these "Bad request - <what>".
        text = f"{self.prefix} - {self.message}" if self.message else self.prefix
        return {"__type": self.kind, "message": text}


class NotFoundError(CkanError):
    status, kind, prefix = 404, "Not Found Error", "Not found"


class AuthorizationError(CkanError):
    status, kind, prefix = 403, "Authorization Error", "Access denied"


class SearchQueryError(CkanError):
    status, kind, prefix = 400, "Search Query Error", "Search Query is invalid"

    def __init__(self, message: str = "", *, construct: str | None = None) -> None:
        super().__init__(message)
        self.construct = construct

    def error(self) -> dict[str, Any]:
        error = super().error()
        # What the catalog cannot answer (fuzzy, boost, field, wildcard…), for programs.
        return {**error, "construct": self.construct} if self.construct else error


class ValidationError(CkanError):
    status, kind = 409, "Validation Error"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    def error(self) -> dict[str, Any]:
        return {**self.errors, "__type": self.kind}


def from_problem(problem: Problem) -> CkanError:
    """A domain problem, as the CKAN error of the same meaning."""
    if problem.status == 404:
        return NotFoundError(problem.detail)
    if problem.status in (401, 403):
        return AuthorizationError(problem.detail)
    field = problem.extra.get("field")
    if field:
        return ValidationError({str(field): [problem.detail]})
    return ValidationError({"message": [problem.detail]})


# --- parameters ----------------------------------------------------------------------------


class Params:
    """An action's parameters, from a JSON body or a query string (where all are strings)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        # A repeated query parameter is a list; a scalar is expected here: take the last.
        if isinstance(value, list) and value and not isinstance(value[-1], (list, dict)):
            return value[-1]
        return value

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, (dict, list)):
            raise ValidationError({name: ["Must be a string"]})
        return str(value)

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None or not value.strip():
            raise ValidationError({name: ["Missing value"]})
        return value.strip()

    def integer(
        self, name: str, default: int | None, *, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise ValidationError({name: ["Invalid integer"]})
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValidationError({name: ["Invalid integer"]}) from None
        if number < minimum:
            message = "Must be a natural number" if minimum == 0 else f"Must be at least {minimum}"
            raise ValidationError({name: [message]})
        if maximum is not None:  # capped, as CKAN caps rows
            return min(number, maximum)
        if number > INTEGER_MAX:
            raise ValidationError({name: [f"Must be at most {INTEGER_MAX}"]})
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on", "t", "y"}:
            return True
        if text in {"false", "0", "no", "off", "f", "n"}:
            return False
        raise ValidationError({name: ["Value must be one of: true, false"]})

    def strings(self, name: str) -> list[str] | None:
        """A list given as a list, as repeated parameters, or as a JSON string."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise ValidationError({name: ["Invalid JSON list"]}) from None
            else:
                value = [text]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError({name: ["Must be a list of strings"]})
        # A repeated GET parameter may itself hold a JSON list (facet.field=["tags"]).
        flat: list[str] = []
        for item in value:
            if item.strip().startswith("["):
                flat.extend(Params({name: item}).strings(name) or [])
            elif item.strip():
                flat.append(item.strip())
        return flat


# --- Solr queries (q, fq) and sorts --------------------------------------------------------


def parse_search(q: str | None, fqs: list[str], now: datetime) -> Query:
    """``q`` and every ``fq`` as CKAN's Solr reads them (domain/lucene.py), all required; a
    construct the catalog cannot answer as CKAN does is CKAN's Search Query Error naming it."""
    try:
        queries = [honoured(parse_q(q), now, source="q")]
        queries += [honoured(parse_fq(fq), now, source="fq") for fq in fqs]
    except QuerySyntaxError as error:
        raise SearchQueryError(str(error), construct=error.construct) from None
    return queries[0] if len(queries) == 1 else must(*queries)


SORT_FIELDS: dict[str, SortKey] = {
    "score": SortKey.SCORE,
    "metadata_modified": SortKey.MODIFIED,
    "metadata_created": SortKey.CREATED,
    "title_string": SortKey.TITLE,
    "title": SortKey.TITLE,
    "name": SortKey.SLUG,
}


def parse_sort(value: str) -> tuple[Sort, ...]:
    sorts = []
    parts = value.split(",")
    if len(parts) > SORT_KEYS_MAX:
        raise SearchQueryError(f"sort: at most {SORT_KEYS_MAX} keys")
    for part in parts:
        words = part.split()
        if not words:
            continue
        key = SORT_FIELDS.get(words[0])
        direction = words[1].lower() if len(words) > 1 else "asc"
        if key is None or direction not in {"asc", "desc"} or len(words) > 2:
            raise SearchQueryError(
                f"cannot sort on {part.strip()!r}; sort on "
                f"{', '.join(SORT_FIELDS)} with asc or desc"
            )
        sorts.append(Sort(key, direction == "desc"))
    return tuple(sorts) or DEFAULT_SORT


# --- actions -------------------------------------------------------------------------------

Action = Callable[[Session, Params, Site], Any]
ACTIONS: dict[str, Action] = {}
FACET_FIELDS: dict[str, FilterField] = {
    "organization": FilterField.INSTITUTION,
    "groups": FilterField.THEME,
    "tags": FilterField.TAG,
    "license_id": FilterField.LICENSE,
    "res_format": FilterField.FORMAT,
    "isopen": FilterField.OPEN,
}


def action(function: Action) -> Action:
    ACTIONS[function.__name__] = function
    return function


def run_action(name: str, session: Session, params: Params, site: Site) -> Any:
    if name in WRITE_ACTIONS:
        raise AuthorizationError(
            f"{name}: the catalog is written through its REST API (/api/v1/), "
            "by the stewards of each institution"
        )
    function = ACTIONS.get(name)
    if function is None:
        raise BadRequest(f"Action name not known: {name}")
    try:
        return function(session, params, site)
    except Problem as problem:
        raise from_problem(problem) from problem


def as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def _package_search(
    session: Session, params: Params, site: Site, *, views: bool
) -> tuple[SearchResult, dict[str, Any]]:
    """The search ``params`` ask for, and its answer's fields after ``results``."""
    rows = params.integer("rows", ROWS_DEFAULT, maximum=ROWS_MAX)
    start = params.integer("start", 0)
    sort_text = params.text("sort") or "score desc, metadata_modified desc"
    sort = parse_sort(sort_text)
    match = parse_search(params.text("q"), _fq_values(params), datetime.now(UTC))

    facet_names = params.strings("facet.field") or []
    if len(facet_names) > FACET_FIELDS_MAX:
        raise ValidationError({"facet.field": [f"At most {FACET_FIELDS_MAX} fields"]})
    if not params.boolean("facet", True):
        facet_names = []
    facet_limit = params.integer("facet.limit", FACET_LIMIT_DEFAULT, minimum=-1)
    facet_mincount = params.integer("facet.mincount", 1) or 0
    query = SearchQuery(
        match=match,
        sort=sort,
        offset=start or 0,
        limit=rows or 0,
        facets=tuple(dict.fromkeys(FACET_FIELDS[f] for f in facet_names if f in FACET_FIELDS)),
        facet_limit=None if facet_limit is None or facet_limit < 0 else facet_limit,
        facet_mincount=facet_mincount,
    )
    result = search_datasets(session, query, counts=site.counts, views=views)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict[str, Any]] = {}
    for name in facet_names:
        field = FACET_FIELDS.get(name)
        values: list[FacetValue] = result.facets.get(field, []) if field else []
        facets[name] = {value.value: value.count for value in values}
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": v.value, "display_name": v.label or v.value, "count": v.count}
                for v in values
            ],
        }
    return result, {"sort": sort_text, "facets": facets, "search_facets": search_facets}


@action
def package_search(session: Session, params: Params, site: Site) -> dict[str, Any]:
    """Search the published datasets: q, fq, rows (at most 1000), start, sort, fl, facet,
    facet.field, facet.limit, facet.mincount."""
    result, rest = _package_search(session, params, site, views=True)
    results = [package_dict(view, site) for view in result.items]
    fields = _field_list(params)
    if fields:
        results = [{key: package.get(key) for key in fields} for package in results]
    return {"count": result.total, "results": results, **rest}


def package_search_body(session: Session, params: Params, site: Site) -> bytes:
    """``package_search``'s result as bytes: the page's package dicts are the stored
    renditions (domain/renditions.py), the missing ones rendered and stored; with ``fl``,
    the fields asked for, from the datasets' views."""
    if _field_list(params):
        return json_bytes(package_search(session, params, site))
    result, rest = _package_search(session, params, site, views=False)
    bodies = renditions.bodies(session, result.ids, "ckan", site.url)
    results = b",".join(bodies[dataset_id] for dataset_id in result.ids if dataset_id in bodies)
    # As json_bytes writes the whole dict: count, results, then the rest, in this order.
    return (
        b'{"count":'
        + json_bytes(result.total)
        + b',"results":['
        + results
        + b"],"
        + json_bytes(rest)[1:]
    )


# Actions whose result is written from stored bytes when it can be.
ACTION_BODIES: dict[str, Callable[[Session, Params, Site], bytes]] = {
    "package_search": package_search_body,
}


def run_action_body(name: str, session: Session, params: Params, site: Site) -> bytes:
    """An action's result as the JSON bytes sent (``json_bytes``)."""
    body = ACTION_BODIES.get(name)
    if body is None:
        return json_bytes(run_action(name, session, params, site))
    try:
        return body(session, params, site)
    except Problem as problem:
        raise from_problem(problem) from problem


def _field_list(params: Params) -> list[str]:
    """``fl``: the package fields each result keeps (a list, or names split by , or space)."""
    value = params.values.get("fl")
    if value is None or value == "" or value == "*":
        return []
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return [name for name in re.split(r"[\s,]+", str(value)) if name]


def _fq_values(params: Params) -> list[str]:
    value = params.values.get("fq")
    values = value if isinstance(value, list) else [value]
    fq_list = params.values.get("fq_list")
    if isinstance(fq_list, list):
        values.extend(fq_list)
    given = [str(v) for v in values if v not in (None, "")]
    if len(given) > FQ_MAX:
        raise ValidationError({"fq": [f"At most {FQ_MAX} filter queries (fq and fq_list)"]})
    return given


@action
def package_show(session: Session, params: Params, site: Site) -> dict[str, Any]:
    """One published dataset by id or name: id."""
    view = find_view(session, params.required("id"))
    if view is None or view.dataset.state != DatasetState.PUBLISHED:
        raise NotFoundError("Dataset not found")
    return package_dict(view, site)


def package_show_body(session: Session, params: Params, site: Site) -> bytes:
    """``package_show``'s result as bytes: the dataset's stored package dict (rendered and
    stored if it has none; domain/renditions.py)."""
    served = renditions.serve(session, params.required("id"), "ckan", site.url)
    if served is None:
        raise NotFoundError("Dataset not found")
    return served.body


@action
def package_list(session: Session, params: Params, site: Site) -> list[str]:
    """Names of the published datasets, by name: limit, offset."""
    limit = params.integer("limit", None)
    offset = params.integer("offset", 0)
    statement = (
        select(Dataset.slug)
        .where(col(Dataset.state) == DatasetState.PUBLISHED)
        .order_by(col(Dataset.slug))
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.exec(statement))


def _list_page(params: Params) -> tuple[int, int]:
    limit = params.integer("limit", ROWS_DEFAULT, maximum=ROWS_MAX) or 0
    offset = params.integer("offset", None)
    if offset is None:
        page = params.integer("page", 1, minimum=1) or 1
        offset = (page - 1) * limit
    return limit, offset


@action
def current_package_list_with_resources(
    session: Session, params: Params, site: Site
) -> list[dict[str, Any]]:
    """Published datasets with their resources, most recently modified first: limit, offset."""
    limit, offset = _list_page(params)
    result = search_datasets(
        session,
        SearchQuery(sort=(Sort(SortKey.MODIFIED, True),), offset=offset, limit=limit, facets=()),
        counts=site.counts,
    )
    return [package_dict(view, site) for view in result.items]


def current_package_list_body(session: Session, params: Params, site: Site) -> bytes:
    """``current_package_list_with_resources``'s result as bytes, from the read model: the
    page's stored package dicts (any missing rendered in one batch, and stored)."""
    limit, offset = _list_page(params)
    statement = (
        renditions.published("ckan")
        .order_by(col(Dataset.modified_at).desc(), col(Dataset.slug))
        .offset(offset)
        .limit(limit)
    )
    page = [renditions.stored(row, site.url) for row in session.exec(statement)]
    bodies = {found.dataset_id: found.body for found in page if found.body is not None}
    missing = [found for found in page if found.body is None]
    if missing:
        rendered = renditions.render_batch(session, Renderer(session, site.url), missing)
        bodies.update((key, representations["ckan"]) for key, representations in rendered.items())
    return b"[" + b",".join(bodies[f.dataset_id] for f in page if f.dataset_id in bodies) + b"]"


@action
def resource_show(session: Session, params: Params, site: Site) -> dict[str, Any]:
    """One resource of a published dataset: id."""
    ref = params.required("id")
    key = as_uuid(ref)
    resource = session.get(Resource, key) if key else None
    dataset = session.get(Dataset, resource.dataset_id) if resource else None
    if resource is None or dataset is None or dataset.state != DatasetState.PUBLISHED:
        raise NotFoundError("Resource was not found.")
    return resource_dict(resource, site)


def _published_counts(session: Session, site: Site, facet: FilterField) -> dict[str, int]:
    """Published datasets per institution slug or theme: the unfiltered search's facet."""
    result = search_datasets(
        session,
        SearchQuery(limit=0, facets=(facet,), facet_limit=None),
        counts=site.counts,
    )
    return {value.value: value.count for value in result.facets[facet]}


def _list_limits(params: Params, all_fields: bool) -> tuple[int, int]:
    ceiling = GROUP_LIST_ALL_FIELDS_MAX if all_fields else GROUP_LIST_MAX
    limit = params.integer("limit", ceiling, maximum=ceiling) or 0
    return limit, params.integer("offset", 0) or 0


def _sorted_groups(items: list[tuple[str, str, int]], sort_text: str) -> list[tuple[str, str, int]]:
    """(name, title, count) sorted by CKAN's ``sort``: name, title or package_count."""
    words = sort_text.split()
    field = words[0] if words else "title"
    descending = len(words) > 1 and words[1].lower() == "desc"
    if field not in {"name", "title", "package_count"} or (
        len(words) > 1 and words[1].lower() not in {"asc", "desc"}
    ):
        raise ValidationError({"sort": [f"Cannot sort by {sort_text!r}"]})
    position = {"name": 0, "title": 1, "package_count": 2}[field]

    def key(item: tuple[str, str, int]) -> Any:
        value = item[position]
        return normalise(value) if isinstance(value, str) else value

    # Stable sorts: ties stay in name order whatever the direction.
    return sorted(sorted(items), key=key, reverse=descending)


@action
def organization_list(session: Session, params: Params, site: Site) -> list[Any]:
    """The institutions, as CKAN organizations: all_fields, sort (name, title, package_count),
    limit, offset, organizations, include_dataset_count."""
    all_fields = params.boolean("all_fields", False)
    limit, offset = _list_limits(params, all_fields)
    wanted = set(params.strings("organizations") or [])
    institutions = {
        i.slug: i
        for i in session.exec(select(Institution).where(col(Institution.active).is_(True)))
        if not wanted or i.slug in wanted
    }
    counts = _published_counts(session, site, FilterField.INSTITUTION)
    items = [
        (i.slug, localized(i.title) or i.slug, counts.get(i.slug, 0)) for i in institutions.values()
    ]
    page = _sorted_groups(items, params.text("sort") or "title asc")[offset : offset + limit]
    if not all_fields:
        return [name for name, _, _ in page]
    with_counts = params.boolean("include_dataset_count", True)
    return [
        organization_dict(institutions[name], count if with_counts else None)
        for name, _, count in page
    ]


def _datasets_of(session: Session, site: Site, filter_: Filter) -> list[dict[str, Any]]:
    result = search_datasets(
        session,
        SearchQuery(
            filters=(filter_,),
            sort=(Sort(SortKey.SLUG, False),),
            limit=GROUP_DATASETS_MAX,
            facets=(),
        ),
        counts=site.counts,
    )
    return [package_dict(view, site) for view in result.items]


@action
def organization_show(session: Session, params: Params, site: Site) -> dict[str, Any]:
    """One institution, as a CKAN organization, by id or name: id, include_datasets."""
    institution = find_institution(session, params.required("id"))
    if institution is None:
        raise NotFoundError("Organization was not found.")
    count = published_counts(session, [institution.id]).get(institution.id, 0)
    result = organization_dict(institution, count)
    if params.boolean("include_datasets", False):
        result["packages"] = _datasets_of(
            session, site, Filter(FilterField.INSTITUTION, (str(institution.id),))
        )
    return result


def _find_theme(session: Session, ref: str) -> Theme:
    for theme in session.exec(select(Theme)):
        if ref in (theme.name, theme_id(theme.name)):
            return theme
    raise NotFoundError("Group was not found.")


def _theme_counts(session: Session, site: Site) -> dict[str, int]:
    return _published_counts(session, site, FilterField.THEME)


@action
def group_list(session: Session, params: Params, site: Site) -> list[Any]:
    """The themes, as CKAN groups: all_fields, sort, limit, offset, groups."""
    all_fields = params.boolean("all_fields", False)
    limit, offset = _list_limits(params, all_fields)
    wanted = set(params.strings("groups") or [])
    themes = {
        t.name: t
        for t in session.exec(select(Theme).order_by(col(Theme.position)))
        if not wanted or t.name in wanted
    }
    counts = _theme_counts(session, site)
    items = [(t.name, localized(t.title) or t.name, counts.get(t.name, 0)) for t in themes.values()]
    page = _sorted_groups(items, params.text("sort") or "title asc")[offset : offset + limit]
    if not all_fields:
        return [name for name, _, _ in page]
    with_counts = params.boolean("include_dataset_count", True)
    return [group_dict(themes[name], count if with_counts else None) for name, _, count in page]


@action
def group_show(session: Session, params: Params, site: Site) -> dict[str, Any]:
    """One theme by name or id: id, include_datasets."""
    theme = _find_theme(session, params.required("id"))
    result = group_dict(theme, _theme_counts(session, site).get(theme.name, 0))
    if params.boolean("include_datasets", False):
        result["packages"] = _datasets_of(session, site, Filter(FilterField.THEME, (theme.name,)))
    return result


@action
def tag_list(session: Session, params: Params, site: Site) -> list[Any]:
    """Tags of the published datasets: query (a part of the name), all_fields, limit, offset."""
    if params.text("vocabulary_id"):
        return []  # the catalog's tags are all free tags
    statement = (
        select(DatasetTag.tag)
        .join(Dataset, col(Dataset.id) == col(DatasetTag.dataset_id))
        .where(col(Dataset.state) == DatasetState.PUBLISHED)
        .group_by(col(DatasetTag.tag))
        .order_by(col(DatasetTag.tag))
    )
    query = params.text("query")
    if query:
        statement = statement.where(
            func.lower(col(DatasetTag.tag)).contains(query.lower(), autoescape=True)
        )
    offset = params.integer("offset", 0) or 0
    limit = params.integer("limit", None)
    statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    names = list(session.exec(statement))
    if params.boolean("all_fields", False):
        return [tag_dict(name) for name in names]
    return names


@action
def license_list(session: Session, params: Params, site: Site) -> list[dict[str, Any]]:
    """The licences a dataset may carry."""
    return [license_dict(lic) for lic in session.exec(select(License).order_by(col(License.id)))]


@action
def help_show(session: Session, params: Params, site: Site) -> str:
    """What an action does and the parameters it reads: name."""
    name = params.required("name")
    function = ACTIONS.get(name)
    if function is None:
        raise NotFoundError(f"Action function not found: {name}")
    return " ".join((function.__doc__ or name).split())


@action
def status_show(session: Session, params: Params, site: Site) -> dict[str, Any]:
    """The site, its default language and the CKAN version it answers as."""
    return {
        "site_title": site.title,
        "site_description": site.description,
        "site_url": site.url,
        "locale_default": DEFAULT_LANGUAGE,
        "locales_offered": ["fr", "ar", "en"],
        "extensions": ["dcat", "fluent"],
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
    }
