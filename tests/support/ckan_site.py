"""A CKAN site in memory, answering ``package_search`` as CKAN does, through httpx's mock
transport: for the unit tests of the harvester (no network, every request recorded).

It understands what the harvester asks: ``fq`` terms ``metadata_modified:[X TO *]``,
``organization:``, ``groups:``, ``tags:`` and ``id:`` (one quoted value or ``("a" OR "b")``),
``sort`` on ``metadata_modified`` or ``metadata_created``, ``rows``, ``start`` and ``fl``.
``failures`` makes the next requests answer these statuses first.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.catalog.domain.harvest.fetch import Fetcher, FetchPolicy

SITE = "https://ckan.example.org"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_TERM = re.compile(r'(\w+):(\[[^\]]*\]|\([^)]*\)|"[^"]*")')


def ckan_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def package(number: int, **overrides: Any) -> dict[str, Any]:
    """A package as CKAN (with ckanext-fluent) answers it."""
    modified = T0 + timedelta(minutes=number)
    values: dict[str, Any] = {
        "id": str(uuid.UUID(int=number)),
        "name": f"budget-commune-{number}",
        "title": f"Budget de la commune {number}",
        "title_translated": {
            "fr": f"Budget de la commune {number}",
            "ar": f"ميزانية الجماعة {number}",
        },
        "notes": "Les recettes et les dépenses de la commune, par chapitre.",
        "organization": {"name": "commune-ville"},
        "groups": [{"name": "economie-finances"}],
        "tags": [{"name": "budget"}, {"name": "finances"}],
        "license_id": "cc-by",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "metadata_created": ckan_time(T0),
        "metadata_modified": ckan_time(modified),
        "extras": [{"key": "frequency", "value": "ANNUAL"}],
        "maintainer": "Service des finances",
        "maintainer_email": "finances@commune.example",
        "resources": [
            {
                "url": f"https://files.commune.example/budget-{number}.csv",
                "name": "Budget (CSV)",
                "format": "CSV",
                "mimetype": "text/csv",
            }
        ],
    }
    values.update(overrides)
    return values


def _values(raw: str) -> list[str]:
    if raw.startswith("("):
        return re.findall(r'"([^"]*)"', raw)
    return [raw.strip('"')]


@dataclass
class CkanSite:
    packages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)

    def add(self, *items: dict[str, Any]) -> None:
        self.packages.extend(items)

    def change(self, number: int, **values: Any) -> None:
        """A package changed at the source: its values, and a later metadata_modified."""
        target = next(p for p in self.packages if p["id"] == str(uuid.UUID(int=number)))
        latest = max(datetime.fromisoformat(p["metadata_modified"]) for p in self.packages)
        target.update(values, metadata_modified=(latest + timedelta(minutes=1)).isoformat())

    def remove(self, number: int) -> None:
        self.packages = [p for p in self.packages if p["id"] != str(uuid.UUID(int=number))]

    def searches(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if r.url.path.endswith("/package_search")]

    def _matches(self, item: dict[str, Any], fq: str) -> bool:
        for name, raw in _TERM.findall(fq):
            if name == "metadata_modified":
                since = raw[1:-1].split(" TO ")[0].rstrip("Z")
                modified = datetime.fromisoformat(item["metadata_modified"])
                if modified < datetime.fromisoformat(since):
                    return False
                continue
            wanted = set(_values(raw))
            have: set[str] = {
                "organization": {(item.get("organization") or {}).get("name", "")},
                "groups": {g["name"] for g in item.get("groups", [])},
                "tags": {t["name"] for t in item.get("tags", [])},
                "id": {item["id"] or ""},
            }[name]
            if not wanted & have:
                return False
        return True

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            return httpx.Response(self.failures.pop(0), json={"success": False})
        if not request.url.path.endswith("/api/3/action/package_search"):
            return httpx.Response(404, json={"success": False, "error": {"message": "Not found"}})
        params = request.url.params
        found = [p for p in self.packages if self._matches(p, params.get("fq", ""))]
        sort = params.get("sort", "")
        if sort.startswith("metadata_modified"):
            found.sort(key=lambda p: p["metadata_modified"])
        elif sort.startswith("metadata_created"):
            found.sort(key=lambda p: (p["metadata_created"], p["id"] or ""))
        start, rows = int(params.get("start", "0")), int(params.get("rows", "10"))
        results = found[start : start + rows]
        if fl := params.get("fl"):
            results = [{key: p.get(key) for key in fl.split(",")} for p in results]
        body = {"success": True, "result": {"count": len(found), "results": results}}
        return httpx.Response(
            200, content=json.dumps(body), headers={"content-type": "application/json"}
        )

    def fetchers(self) -> Any:
        """What HarvestRunner takes as ``fetchers``: fetchers on this site, no network."""

        @asynccontextmanager
        async def open_fetcher(policy: FetchPolicy, rate: float) -> AsyncIterator[Fetcher]:
            transport = httpx.MockTransport(self.handle)
            async with httpx.AsyncClient(transport=transport) as client:
                yield Fetcher(client, policy, rate=1000.0, sleep=_no_wait)

        return open_fetcher


async def _no_wait(seconds: float) -> None:
    return None
