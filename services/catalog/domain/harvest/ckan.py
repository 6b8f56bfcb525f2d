"""Reading a CKAN Action API: ``package_search``, paged, incremental on ``metadata_modified``.

- Changed records: ``package_search`` with the source's filters as ``fq`` (``organization:``,
  ``groups:``, ``tags:``; several values of one filter are alternatives) and, after a
  successful job, ``metadata_modified:[<its high-water mark> TO *]``, sorted by
  ``metadata_modified asc``, ``rows`` at a time; after the first page (which gives the count),
  the next pages are fetched ahead, within the fetcher's concurrency.
- Identifiers: ``package_search`` with the same filters and ``fl=id``, 1,000 at a time (CKAN's
  ceiling), sorted by ``metadata_created`` so that datasets created meanwhile only add to the
  end; a record missing from that listing is confirmed gone with an ``id:(…)`` query before
  the job withdraws it.

A package becomes a ``SourceRecord`` as ckanext-fluent and ckanext-dcat describe one (the
``*_translated`` texts, the ``frequency``, ``temporal_*``, ``contact_*`` extras…), tolerantly:
a field of the wrong type counts as absent. A package without an id cannot be identified and is
reported as unreadable; one that cannot be mapped fails in mapping.py, alone.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncGenerator, Collection, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from services.catalog.domain.harvest.fetch import Fetcher, SourceError
from services.catalog.domain.harvest.mapping import SourceRecord, SourceResource, UnreadableRecord
from services.catalog.domain.harvest.readers import Known, Page

LISTING_ROWS = 1000
CONFIRM_BATCH = 50
_API_SUFFIXES = ("/api/3/action", "/api/action", "/api/3", "/api")
FILTER_FIELDS = {"organizations": "organization", "groups": "groups", "tags": "tags"}


def api_base(url: str) -> str:
    """The site's base URL, from the site's URL or its API's."""
    base = url.rstrip("/")
    for suffix in _API_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_queries(filters: Mapping[str, list[str]]) -> list[str]:
    """The source's filters as Solr filter queries, one per field."""
    queries = []
    for name, field in FILTER_FIELDS.items():
        values = [v for v in filters.get(name) or [] if v.strip()]
        if len(values) == 1:
            queries.append(f"{field}:{_quoted(values[0])}")
        elif values:
            queries.append(f"{field}:({' OR '.join(_quoted(v) for v in values)})")
    return queries


def solr_moment(moment: datetime) -> str:
    """A moment as Solr reads it, to the millisecond, rounded down (the range stays
    inclusive of the moment itself)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_moment(value: Any) -> datetime | None:
    """CKAN's timestamps: ISO 8601, in UTC when they carry no offset."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- a package as a record -------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _texts(translated: Any, plain: Any) -> dict[str, str]:
    texts: dict[str, str] = {}
    if isinstance(translated, dict):
        texts.update({str(k): v for k, v in translated.items() if _text(v)})
    if (text := _text(plain)) is not None:
        texts.setdefault("", text)
    return texts


def _names(items: Any) -> list[str]:
    names = []
    for item in items if isinstance(items, list) else []:
        name = (
            _text(item.get("name") or item.get("display_name")) if isinstance(item, dict) else None
        )
        name = name or _text(item)
        if name:
            names.append(name)
    return names


def _extras(package: Mapping[str, Any]) -> dict[str, str]:
    extras: dict[str, str] = {}
    raw = package.get("extras")
    for item in raw if isinstance(raw, list) else []:
        value = _text(item.get("value")) if isinstance(item, dict) else None
        if value is not None and isinstance(item.get("key"), str):
            extras[item["key"]] = value
    return extras


def _size(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _resource(item: Mapping[str, Any]) -> SourceResource:
    return SourceResource(
        url=_text(item.get("url")),
        title=_texts(item.get("name_translated"), item.get("name")),
        description=_texts(item.get("description_translated"), item.get("description")),
        format=_text(item.get("format")),
        media_type=_text(item.get("mimetype")),
        size=_size(item.get("size")),
    )


def package_record(package: Any, base: str) -> SourceRecord | UnreadableRecord:
    """A package dict as a record (see the module's docstring)."""
    if not isinstance(package, dict):
        return UnreadableRecord("a search result that is not a package (not a JSON object)")
    original_id = _text(package.get("id"))
    if original_id is None:
        name = _text(package.get("name"))
        return UnreadableRecord(f"a package without an id (name {name!r})")
    extras = _extras(package)
    resources = package.get("resources")
    spatial = extras.get("spatial_regions", "")
    return SourceRecord(
        original_id=original_id.strip(),
        original_uri=f"{base}/api/3/action/package_show?id={quote(original_id.strip())}",
        modified=parse_moment(package.get("metadata_modified")),
        name=_text(package.get("name")),
        title=_texts(package.get("title_translated"), package.get("title")),
        description=_texts(package.get("notes_translated"), package.get("notes")),
        tags=_names(package.get("tags")),
        themes=_names(package.get("groups")),
        licenses=[
            v for v in (_text(package.get("license_id")), _text(package.get("license_url"))) if v
        ],
        frequency=extras.get("frequency") or extras.get("accrual_periodicity"),
        temporal_start=extras.get("temporal_start"),
        temporal_end=extras.get("temporal_end"),
        spatial=[part.strip() for part in spatial.split(",") if part.strip()],
        contact_name=extras.get("contact_name")
        or _text(package.get("maintainer"))
        or _text(package.get("author")),
        contact_email=extras.get("contact_email")
        or _text(package.get("maintainer_email"))
        or _text(package.get("author_email")),
        version=_text(package.get("version")),
        resources=[_resource(r) for r in resources if isinstance(r, dict)]
        if isinstance(resources, list)
        else [],
    )


# --- the reader ------------------------------------------------------------------------------


class CkanReader:
    def __init__(
        self, fetcher: Fetcher, url: str, filters: Mapping[str, list[str]], rows: int
    ) -> None:
        self.fetcher = fetcher
        self.base = api_base(url)
        self.filters = filter_queries(filters)
        self.rows = rows
        self.total: int | None = None

    async def _action(self, name: str, params: dict[str, str]) -> Any:
        url = f"{self.base}/api/3/action/{name}"
        body = (await self.fetcher.get(url, params=params, accept="application/json")).json()
        if not isinstance(body, dict) or body.get("success") is not True:
            error = body.get("error") if isinstance(body, dict) else None
            raise SourceError(f"{url} did not succeed: {error or 'not a CKAN answer'}")
        return body.get("result")

    async def _search(self, params: dict[str, str]) -> tuple[int, list[Any]]:
        result = await self._action("package_search", params)
        if not isinstance(result, dict):
            raise SourceError("package_search answered no result object")
        count, results = result.get("count"), result.get("results")
        if not isinstance(count, int) or not isinstance(results, list):
            raise SourceError("package_search answered no count or results")
        return count, results

    def _params(self, extra_fq: str | None = None, **params: str) -> dict[str, str]:
        fq = " ".join([*self.filters, *([extra_fq] if extra_fq else [])])
        return {"q": "*:*", **({"fq": fq} if fq else {}), **params}

    def _page(self, results: list[Any]) -> Page:
        return [package_record(package, self.base) for package in results]

    async def records(self, since: datetime | None) -> AsyncGenerator[Page, None]:
        modified = f"metadata_modified:[{solr_moment(since)} TO *]" if since else None

        async def page(start: int) -> list[Any]:
            params = self._params(
                modified, sort="metadata_modified asc", rows=str(self.rows), start=str(start)
            )
            return (await self._search(params))[1]

        params = self._params(modified, sort="metadata_modified asc", rows=str(self.rows))
        count, first = await self._search({**params, "start": "0"})
        self.total = count
        yield self._page(first)
        starts = iter(range(self.rows, count, self.rows))
        ahead: deque[asyncio.Task[list[Any]]] = deque()
        window = max(1, self.fetcher.policy.concurrency)
        try:
            for start in starts:
                ahead.append(asyncio.create_task(page(start)))
                if len(ahead) >= window:
                    break
            while ahead:
                results = await ahead.popleft()
                if (following := next(starts, None)) is not None:
                    ahead.append(asyncio.create_task(page(following)))
                yield self._page(results)
        finally:
            for task in ahead:
                task.cancel()
            await asyncio.gather(*ahead, return_exceptions=True)

    async def identifiers(self) -> set[str]:
        found: set[str] = set()
        start, count = 0, 1
        pages = 0
        while start < count:
            params = self._params(
                None, fl="id", sort="metadata_created asc", rows=str(LISTING_ROWS), start=str(start)
            )
            count, results = await self._search(params)
            found.update(r["id"] for r in results if isinstance(r, dict) and _text(r.get("id")))
            start += LISTING_ROWS
            pages += 1
            if pages > math.ceil(count / LISTING_ROWS) + 1:  # a count that keeps growing
                break
        return found

    async def confirm_gone(self, candidates: Collection[Known]) -> set[str]:
        ids = sorted({known.original_id for known in candidates})
        still: set[str] = set()
        for offset in range(0, len(ids), CONFIRM_BATCH):
            batch = ids[offset : offset + CONFIRM_BATCH]
            query = f"id:({' OR '.join(_quoted(i) for i in batch)})"
            params = self._params(query, fl="id", rows=str(len(batch)))
            _, results = await self._search(params)
            still.update(r["id"] for r in results if isinstance(r, dict) and _text(r.get("id")))
        return set(ids) - still
