"""``GET /api/v1/datasets``: search and list the published datasets, with facets.

Values of one repeated filter are alternatives for single-valued fields (``institution``,
``license``) and are all required for many-valued ones (``theme``, ``tag``, ``format``), the way
one narrows a search by clicking facets.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from pydantic_core import to_json

from libs.fields import bounded_moment
from libs.http.pagination import PageParams, page_params
from libs.http.problems import InvalidInput
from libs.uow import UnitOfWorkDep
from services.catalog.api.deps import GenerationDep, PublicBase, SearchCounts, SearchResults
from services.catalog.api.schemas import (
    DatasetOut,
    InstitutionRef,
    LicenseRef,
    Localized,
    ThemeRef,
)
from services.catalog.domain import renditions
from services.catalog.domain.bounds import FILTER_VALUES_MAX
from services.catalog.domain.search import (
    FACET_FIELDS,
    FacetValue,
    Filter,
    FilterField,
    SearchQuery,
    Sort,
    SortKey,
    parse_moment,
    search_datasets,
)

router = APIRouter(tags=["search"])

SORTS: dict[str, tuple[Sort, ...]] = {
    "relevance": (Sort(SortKey.SCORE, True), Sort(SortKey.MODIFIED, True)),
    "-modified": (Sort(SortKey.MODIFIED, True),),
    "modified": (Sort(SortKey.MODIFIED, False),),
    "-published": (Sort(SortKey.PUBLISHED, True),),
    "published": (Sort(SortKey.PUBLISHED, False),),
    "-created": (Sort(SortKey.CREATED, True),),
    "created": (Sort(SortKey.CREATED, False),),
    "title": (Sort(SortKey.TITLE, False),),
    "-title": (Sort(SortKey.TITLE, True),),
    "slug": (Sort(SortKey.SLUG, False),),
    "-slug": (Sort(SortKey.SLUG, True),),
}


class DatasetSearchItem(BaseModel):
    """A dataset found: what a result list shows of it, and where to fetch the rest."""

    id: uuid.UUID
    slug: str
    url: str = Field(description="This dataset in the API")
    title: Localized
    description: Localized | None = None
    institution: InstitutionRef | None = None
    themes: list[ThemeRef]
    tags: list[str]
    license: LicenseRef | None = None
    formats: list[str]
    reuse_count: int
    modified: datetime
    published: datetime | None = None
    score: float | None = Field(default=None, description="Relevance, when words were searched")


class SearchFacetItem(BaseModel):
    value: str = Field(description="What to pass to the filter of the same name")
    label: str | None = Field(default=None, description="In French, else the language present")
    labels: Localized | None = Field(default=None, description="Every language, where titled")
    count: int


class DatasetSearchPage(BaseModel):
    items: list[DatasetSearchItem]
    total: int
    page: int
    page_size: int
    pages: int
    facets: dict[str, list[SearchFacetItem]] = Field(
        description="institution, theme, tag, license, format, is_open: the values found "
        "among the matching datasets, most frequent first, with their counts"
    )


# The fields of a dataset's native JSON (api/schemas.py ``DatasetOut``) an item shows, by
# the item's names; the item's JSON is theirs, in DatasetSearchItem's order, then its score.
_ITEM_FIELDS = {
    "id": "id",
    "slug": "slug",
    "url": "url",
    "title": "title",
    "description": "description",
    "institution": "institution",
    "themes": "themes",
    "tags": "tags",
    "license": "license",
    "formats": "formats",
    "reuse_count": "reuse_count",
    "modified": "modified_at",
    "published": "published_at",
}
assert [*_ITEM_FIELDS, "score"] == list(DatasetSearchItem.model_fields)
assert set(_ITEM_FIELDS.values()) <= set(DatasetOut.model_fields)
_NO_ITEMS = b'{"items":[]'


def search_item_json(native: bytes, score: float | None) -> bytes:
    """A search item's JSON, from the dataset's native JSON."""
    dataset = json.loads(native)
    item = {name: dataset[field] for name, field in _ITEM_FIELDS.items()}
    item["score"] = score
    return to_json(item)


def facet_item(value: FacetValue) -> SearchFacetItem:
    return SearchFacetItem(
        value=value.value, label=value.label, labels=value.labels, count=value.count
    )


def parse_sort(value: str) -> tuple[Sort, ...]:
    sort = SORTS.get(value.strip())
    if sort is None:
        raise InvalidInput("sort", f"unknown sort {value!r}; one of: {', '.join(SORTS)}")
    return sort


def _clean(name: str, values: list[str]) -> tuple[str, ...]:
    """A filter's values; at most FILTER_VALUES_MAX (each is a condition for the database)."""
    if len(values) > FILTER_VALUES_MAX:
        raise InvalidInput(name, f"at most {FILTER_VALUES_MAX} values")
    # NUL never belongs to a slug or a name, and PostgreSQL refuses it in text.
    cleaned = (v.replace("\x00", "").strip() for v in values)
    return tuple(v for v in cleaned if v)


def moment_parameter(name: str, value: str | None) -> datetime | None:
    """A date or date-time parameter, within what every database takes (libs.fields)."""
    moment = parse_moment(name, value)
    if moment is None:
        return None
    try:
        return bounded_moment(moment)
    except ValueError as exc:
        raise InvalidInput(name, str(exc)) from None


@router.get(
    "/datasets",
    response_model=DatasetSearchPage,
    summary="Search the published datasets",
    description=(
        "Full text in Arabic and French over titles, tags and descriptions: every form of a "
        "word is found (spelling variants, case, accents, the Arabic article and attached "
        "prefixes and suffixes, French elisions and plurals); every word must match, the last "
        'one also as the beginning of a word; "a phrase", -word to exclude, a OR b; exact '
        "forms, phrases and titles rank first. Filters, a facet with counts for each filter "
        "over the matching datasets, sorts and pages. Sorts: "
        + ", ".join(SORTS)
        + " (a leading '-' sorts newest or Z first)."
    ),
)
def search(
    uow: UnitOfWorkDep,
    counts: SearchCounts,
    results: SearchResults,
    generation: GenerationDep,
    base_url: PublicBase,
    q: str | None = Query(
        None, max_length=500, description='Words to find ("a phrase", -word, a OR b)'
    ),
    institution: list[str] = Query([], description="Institution id or slug (any of)"),
    theme: list[str] = Query([], description="Theme name (all of)"),
    tag: list[str] = Query([], description="Tag (all of)"),
    license_ids: list[str] = Query([], alias="license", description="Licence id (any of)"),
    formats: list[str] = Query([], alias="format", description="Resource format (all of)"),
    open_only: bool = Query(False, description="Only datasets under an open licence"),
    modified_since: str | None = Query(None, description="ISO 8601 date or date-time"),
    sort: str = Query("relevance", description="One of: " + ", ".join(SORTS)),
    paging: PageParams = Depends(page_params),
) -> Response:
    filters: list[Filter] = []
    if institution_values := _clean("institution", institution):
        filters.append(Filter(FilterField.INSTITUTION, institution_values))
    filters.extend(Filter(FilterField.THEME, (value,)) for value in _clean("theme", theme))
    filters.extend(Filter(FilterField.TAG, (value,)) for value in _clean("tag", tag))
    if license_values := _clean("license", license_ids):
        filters.append(Filter(FilterField.LICENSE, license_values))
    filters.extend(Filter(FilterField.FORMAT, (value,)) for value in _clean("format", formats))
    if open_only:
        filters.append(Filter(FilterField.OPEN, ("true",)))
    query = SearchQuery(
        text=q.replace("\x00", "") if q else None,
        filters=tuple(filters),
        modified_since=moment_parameter("modified_since", modified_since),
        sort=parse_sort(sort),
        offset=paging.offset,
        limit=paging.limit,
        facets=FACET_FIELDS,
    )
    # The same search answers the same while the catalogue generation stands: kept whole.
    stamp = generation.value  # before reading: an answer of an older catalogue is not kept
    key = ("datasets", query, paging.page, paging.page_size)
    if stamp is not None and (body := results.get(key, stamp)) is not None:
        return Response(content=body, media_type="application/json")
    result = search_datasets(uow.session, query, counts=counts, views=False)
    # Each item is read from its dataset's stored native JSON (domain/renditions.py), which
    # holds every field an item shows, in the same shapes; the missing ones are rendered and
    # stored for the next reader.
    natives = renditions.bodies(
        uow.session,
        result.ids,
        "native",
        base_url,
    )
    items = [
        search_item_json(natives[dataset_id], score if q else None)
        for dataset_id, score in zip(result.ids, result.scores, strict=True)
        if dataset_id in natives
    ]
    page = DatasetSearchPage(
        items=[],
        total=result.total,
        page=paging.page,
        page_size=paging.page_size,
        pages=(result.total + paging.page_size - 1) // paging.page_size,
        facets={
            field.value: [facet_item(value) for value in values]
            for field, values in result.facets.items()
        },
    )
    # Built and checked once here: the model is the documented response, not validated again;
    # the items go where the model writes its (empty) list first.
    empty = page.model_dump_json().encode()
    assert empty.startswith(_NO_ITEMS)
    body = b'{"items":[' + b",".join(items) + b"]" + empty[len(_NO_ITEMS) :]
    uow.commit()  # the renditions stored, if any
    if stamp is not None:
        results.put(key, stamp, body)
    return Response(content=body, media_type="application/json")
