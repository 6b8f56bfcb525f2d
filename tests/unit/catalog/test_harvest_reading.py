"""Reading sources (on recorded payloads, tests/data/harvest) and mapping what they say onto the
catalog's vocabularies; the fetcher's manners: retries, limits, the rate, the guard."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.catalog.domain.harvest.ckan import (
    CkanReader,
    api_base,
    filter_queries,
    package_record,
)
from services.catalog.domain.harvest.dcat import DcatReader, parse_page, read_page
from services.catalog.domain.harvest.fetch import (
    Fetcher,
    FetchPolicy,
    RateLimit,
    SourceError,
    open_fetcher,
)
from services.catalog.domain.harvest.mapping import (
    MappingError,
    Mappings,
    SourceRecord,
    SourceResource,
    UnreadableRecord,
    Vocabulary,
    content_fields,
    map_record,
)
from services.catalog.domain.harvest.readers import Known
from services.catalog.domain.vocabularies import LICENSES, THEMES
from tests.conftest import DATA_DIR

RECORDED = DATA_DIR / "harvest"
VOCABULARY = Vocabulary(
    licenses={lic.id: lic.url for lic in LICENSES.values()}, themes=frozenset(THEMES)
)
NO_MAPPINGS = Mappings()


def recorded_packages() -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads((RECORDED / "ckan-package-search.json").read_text())[
        "result"
    ]["results"]
    return results


def ckan_record(index: int) -> SourceRecord:
    record = package_record(recorded_packages()[index], "https://data.example.ma")
    assert isinstance(record, SourceRecord)
    return record


# --- CKAN ------------------------------------------------------------------------------------


def test_a_ckan_package_maps_onto_the_catalog_s_vocabularies() -> None:
    record = ckan_record(0)
    assert record.modified == datetime(2025, 11, 2, 8, 15, 41, 654321, tzinfo=UTC)
    mapped = map_record(record, NO_MAPPINGS, VOCABULARY)
    fields = mapped.fields
    assert fields.title is not None and fields.title.as_dict() == {
        "ar": "المؤسسات الصحية",
        "fr": "Établissements de santé",
    }
    assert fields.description is not None and set(fields.description.as_dict()) == {"ar", "fr"}
    assert fields.tags == ["santé", "hôpitaux"]  # "soins/primaires" breaks CKAN's rule
    assert fields.themes == ["sante"]  # the group name the catalog knows
    assert fields.license_id == "odc-odbl"
    assert fields.frequency == "ANNUAL"  # from the EU frequency's URI
    assert (fields.temporal_start, fields.temporal_end) is not None
    assert str(fields.temporal_start) == "2015-01-01" and str(fields.temporal_end) == "2024-12-31"
    assert fields.spatial == ["souss-massa", "oriental"]
    assert fields.contact_point is not None
    assert fields.contact_point.email == "planification@sante.example.ma"
    assert fields.version == "2025"
    assert mapped.slug_hint == "etablissements-de-sante"
    assert [(r.format, r.size) for r in mapped.resources] == [("CSV", 482133), ("XLS", None)]
    assert mapped.original_uri == (
        "https://data.example.ma/api/3/action/package_show?id=6f0c9d3a-2b1e-4c8d-9f7a-5e4d3c2b1a09"
    )


def test_what_the_catalog_cannot_take_is_left_out_and_arabic_text_is_told_apart() -> None:
    mapped = map_record(ckan_record(1), NO_MAPPINGS, VOCABULARY)
    fields = mapped.fields
    assert fields.title is not None and fields.title.as_dict() == {"ar": "نسبة ملء السدود"}
    assert fields.license_id is None  # "notspecified" is no licence of the catalog's
    assert fields.themes == []  # no theme "eau"
    assert fields.contact_point is not None and fields.contact_point.model_dump() == {
        "name": "Agence du Bassin Hydraulique",
        "email": None,
    }
    # No format given: the media type tells.
    assert [r.format for r in mapped.resources] == ["JSON"]


def test_the_source_s_mappings_come_first() -> None:
    mappings = Mappings.of(
        {"licenses": {"notspecified": "other-open"}, "themes": {"EAU": "environnement"}}
    )
    fields = map_record(ckan_record(1), mappings, VOCABULARY).fields
    assert (fields.license_id, fields.themes) == ("other-open", ["environnement"])


def test_a_record_the_catalog_cannot_take_says_why() -> None:
    record = ckan_record(0)
    cases: list[tuple[Callable[[SourceRecord], None], str]] = [
        (lambda r: setattr(r, "title", {"en": "Health facilities"}), "English only"),
        (lambda r: setattr(r, "title", {}), "no title in Arabic or French"),
        (lambda r: setattr(r, "resources", []), "no resource"),
        (
            lambda r: setattr(r, "resources", [SourceResource(url="ftp://files.example/a.csv")]),
            "resource 1: its URL 'ftp://files.example/a.csv' must be an absolute http(s) URL",
        ),
        (
            lambda r: setattr(r, "title", {"fr": "x" * 501}),
            "title is longer than 500 characters",
        ),
    ]
    for change, message in cases:
        broken = SourceRecord(**vars(record))
        change(broken)
        with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
            map_record(broken, NO_MAPPINGS, VOCABULARY)


def test_the_same_record_maps_to_the_same_digest_and_its_content_can_be_written_later() -> None:
    first = map_record(ckan_record(0), NO_MAPPINGS, VOCABULARY)
    again = map_record(ckan_record(0), NO_MAPPINGS, VOCABULARY)
    assert first.content_hash == again.content_hash
    changed = ckan_record(0)
    changed.tags = ["santé"]
    assert map_record(changed, NO_MAPPINGS, VOCABULARY).content_hash != first.content_hash
    fields, resources = content_fields(json.loads(json.dumps(first.content)))
    assert fields == first.fields.model_copy(update={"slug": None})
    assert "slug" not in fields.model_fields_set  # a change never renames a dataset
    assert resources == first.resources


def test_a_package_without_an_id_is_unreadable_and_odd_types_count_as_absent() -> None:
    assert isinstance(package_record({"name": "x"}, "https://s"), UnreadableRecord)
    assert isinstance(package_record(["not", "a", "dict"], "https://s"), UnreadableRecord)
    record = package_record(
        {"id": "p1", "title": 7, "tags": "budget", "groups": None, "resources": {"url": 3}},
        "https://s",
    )
    assert isinstance(record, SourceRecord)
    assert (record.title, record.tags, record.themes, record.resources) == ({"": "7"}, [], [], [])


def test_the_ckan_filters_and_the_site_s_address() -> None:
    filters = {"organizations": ["ministere-sante"], "groups": ["sante", "eau"], "tags": []}
    assert filter_queries(filters) == [
        'organization:"ministere-sante"',
        'groups:("sante" OR "eau")',
    ]
    assert api_base("https://data.example.ma/api/3/action/") == "https://data.example.ma"
    assert api_base("https://data.example.ma/") == "https://data.example.ma"


# --- DCAT ------------------------------------------------------------------------------------


def serve(pages: dict[str, tuple[str, bytes]]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        found = pages.get(str(request.url))
        if found is None:
            return httpx.Response(404)
        content_type, body = found
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    return handle


def fetcher_on(handler: Callable[[httpx.Request], httpx.Response], **policy: Any) -> Fetcher:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Fetcher(client, FetchPolicy(**policy), rate=1000.0, sleep=_no_wait)


async def _no_wait(seconds: float) -> None:
    return None


PAGE_1 = "https://opendata.region.example/catalog.ttl?page=1"
PAGE_2 = "https://opendata.region.example/catalog.ttl?page=2"


def turtle_pages() -> dict[str, tuple[str, bytes]]:
    return {
        PAGE_1: ("text/turtle", (RECORDED / "catalog-page-1.ttl").read_bytes()),
        PAGE_2: ("text/turtle; charset=utf-8", (RECORDED / "catalog-page-2.ttl").read_bytes()),
    }


async def read_all(reader: DcatReader) -> list[SourceRecord | UnreadableRecord]:
    found: list[SourceRecord | UnreadableRecord] = []
    async for page in reader.records(None):
        found.extend(page)
    return found


def test_a_dcat_catalogue_is_read_page_after_page_and_mapped() -> None:
    reader = DcatReader(fetcher_on(serve(turtle_pages())), PAGE_1, max_pages=10)
    found = asyncio.run(read_all(reader))
    records = {r.original_id: r for r in found if isinstance(r, SourceRecord)}
    assert sorted(records) == [
        "budget-regional",
        "https://opendata.region.example/dataset/qualite-air",
        "transport-lignes",
    ]
    assert [r.message for r in found if isinstance(r, UnreadableRecord)] == [
        "a dataset with neither an IRI nor a dct:identifier"
    ]
    assert reader.total == 3
    assert asyncio.run(reader.identifiers()) == set(records)
    transport = map_record(records["transport-lignes"], NO_MAPPINGS, VOCABULARY)
    assert transport.source_modified == datetime(2025, 10, 1, 8, 30, tzinfo=UTC)
    fields = transport.fields
    assert fields.themes == ["transport"]  # the EU theme's default
    assert (fields.license_id, fields.frequency) == ("cc-by", "MONTHLY")
    assert fields.tags == ["bus", "tramway", "transport"]
    assert fields.contact_point is not None
    assert fields.contact_point.email == "mobilite@region.example"
    assert [(r.url, r.format, r.size) for r in transport.resources] == [
        ("https://opendata.region.example/files/arrets.csv", "CSV", 20480),
        ("https://opendata.region.example/files/gtfs.zip", "ZIP", None),
    ]
    air = map_record(
        records["https://opendata.region.example/dataset/qualite-air"], NO_MAPPINGS, VOCABULARY
    )
    assert air.fields.themes == ["environnement"]  # the theme IRI's last segment
    assert air.source_modified == datetime(2025, 9, 12, tzinfo=UTC)
    assert [r.format for r in air.resources] == ["API"]


def test_json_ld_and_rdf_xml_pages_are_read_too() -> None:
    url = "https://opendata.region.example/catalog"
    for name, content_type in (
        ("catalog.jsonld", "application/ld+json"),
        ("catalog.rdf", "application/rdf+xml"),
    ):
        page, following, _ = read_page((RECORDED / name).read_bytes(), content_type, url)
        assert following is None
        [record] = page
        assert isinstance(record, SourceRecord) and record.original_id == "budget-regional"
        assert [r.url for r in record.resources] == [
            "https://opendata.region.example/files/budget.csv"
        ]


def test_a_json_ld_page_that_names_a_remote_context_is_refused() -> None:
    body = json.dumps({"@context": "http://169.254.169.254/latest/context.jsonld", "@id": "x"})
    with pytest.raises(SourceError, match="remote JSON-LD @context"):
        parse_page(body.encode(), "application/ld+json", "https://s.example/catalog")
    nested = {"@context": [{"@import": "https://elsewhere.example/c.jsonld"}], "@graph": []}
    with pytest.raises(SourceError, match="remote JSON-LD @context"):
        parse_page(json.dumps(nested).encode(), "application/ld+json", "https://s.example/c")


def test_a_next_page_on_another_site_or_a_page_that_is_not_rdf_fails_the_reading() -> None:
    pages = turtle_pages()
    pages[PAGE_1] = (
        "text/turtle",
        b"<https://opendata.region.example/c> <http://www.w3.org/ns/hydra/core#next> "
        b"<http://10.0.0.7/admin> .",
    )
    reader = DcatReader(fetcher_on(serve(pages)), PAGE_1, max_pages=10)
    with pytest.raises(SourceError, match="on another site"):
        asyncio.run(read_all(reader))
    broken = DcatReader(
        fetcher_on(serve({PAGE_1: ("text/turtle", b"this is not turtle <")})), PAGE_1, 10
    )
    with pytest.raises(SourceError, match="is not turtle"):
        asyncio.run(read_all(broken))


def test_a_dataset_missing_from_the_catalogue_is_gone_only_when_its_address_says_404() -> None:
    still = "https://opendata.region.example/dataset/still-there"
    pages = turtle_pages()
    pages[still] = ("text/turtle", b"")
    reader = DcatReader(fetcher_on(serve(pages)), PAGE_1, max_pages=10)
    candidates = [
        Known("gone", "https://opendata.region.example/dataset/gone"),
        Known("still", still),
        Known("urn-only", "urn:x:1"),
    ]
    assert asyncio.run(reader.confirm_gone(candidates)) == {"gone", "urn-only"}


def test_ckan_pages_are_fetched_ahead_and_yielded_in_order() -> None:
    packages = [
        {"id": f"p{n:02d}", "metadata_modified": f"2025-01-01T00:00:{n:02d}"} for n in range(7)
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        start, rows = int(request.url.params["start"]), int(request.url.params["rows"])
        body = {"success": True, "result": {"count": 7, "results": packages[start : start + rows]}}
        return httpx.Response(200, json=body)

    reader = CkanReader(fetcher_on(handle, concurrency=3), "https://ckan.example", {}, rows=2)

    async def read() -> list[str]:
        ids = []
        async for page in reader.records(None):
            ids += [r.original_id for r in page if isinstance(r, SourceRecord)]
        return ids

    assert asyncio.run(read()) == [p["id"] for p in packages]
    assert reader.total == 7


# --- fetching --------------------------------------------------------------------------------


def test_what_may_pass_is_retried_with_backoff_and_retry_after_honoured() -> None:
    answers = [httpx.Response(503), httpx.Response(429, headers={"Retry-After": "7"})]
    answers.append(httpx.Response(200, json={"ok": True}))
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: answers.pop(0)))
    fetcher = Fetcher(client, FetchPolicy(backoff=0.5), rate=1000.0, sleep=wait)
    fetched = asyncio.run(fetcher.get("https://s.example/x"))
    assert fetched.json() == {"ok": True}
    assert [w for w in waits if w >= 0.1] == [0.5, 7.0]  # backoff, then the source's word


def test_an_answer_larger_than_the_limit_is_refused() -> None:
    big = httpx.Response(200, content=b"x" * 5000)
    fetcher = fetcher_on(lambda r: big, max_bytes=4096)
    with pytest.raises(SourceError, match="answered 5000 bytes, above 4096"):
        asyncio.run(fetcher.get("https://s.example/x"))


def test_an_internal_address_is_refused_by_the_guard_unless_allowed() -> None:
    async def fetch(allowlist: list[str]) -> None:
        policy = FetchPolicy(allowlist=allowlist, timeout=2, max_retries=0)
        async with open_fetcher(policy, rate=100.0) as fetcher:
            await fetcher.get("http://127.0.0.1:9/api/3/action/package_search")

    with pytest.raises(SourceError, match=r"refused: internal address \(loopback\)"):
        asyncio.run(fetch([]))
    with pytest.raises(SourceError, match="connection failed"):  # allowed, and nobody there
        asyncio.run(fetch(["127.0.0.1"]))


def test_the_rate_limit_spaces_the_requests_out() -> None:
    now = [100.0]
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(round(seconds, 3))

    limit = RateLimit(4.0, clock=lambda: now[0], sleep=wait)

    async def five() -> None:
        for _ in range(5):
            await limit.wait()

    asyncio.run(five())
    assert waits == [0.25, 0.5, 0.75, 1.0]
