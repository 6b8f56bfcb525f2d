"""Catalog benchmark: search latency and dataset GET throughput at 100,000 datasets.

1. A scratch PostgreSQL database gets the catalog's migrations and N datasets (default 100,000)
   with their institutions, themes, tags and resources, loaded with ``COPY`` through psycopg:
   the rows go to temporary tables and one ``INSERT … SELECT`` per table moves them in, with
   the ``search_document`` that services.catalog.domain.search_index writes (its stems and
   surface forms, built by the same ``SearchDocument``). Then the read model, as the product
   renders it: ``bayanat catalog render``'s code (every representation of every published
   dataset, for the catalog processes' public URL), in a few processes sharing the ids.
2. The catalog runs as a real uvicorn process on that database.
3. (a) Search latency, p50/p95, of typical Arabic and French queries (with filters; every
   search computes its facets) through ``GET /api/v1/datasets``, one request at a time, next
   to the bare database work of the same search: the very SQL statements the endpoint runs
   (recorded once from an in-process app) replayed with psycopg. Target: API/DB ≤ 2. Beside
   it, each API request's CPU time in the catalog's process and in its database sessions:
   the uncached cost of a search, which other load on the machine does not inflate as it
   does latency.
4. (b) Dataset GET throughput (``GET /api/v1/datasets/{slug}``, keep-alive connections, a lean
   asyncio HTTP/1.1 client) next to a bare FastAPI endpoint in its own uvicorn process that
   returns a constant payload of the same size, in the same run, rounds alternating.
   "Uncached": no response cache, the read model present (each read is its lookup).
   Target: catalog/bare ≥ 0.5. The catalog process's memory (RSS, peak) is reported.

Results: JSON at the output path and a Markdown table next to it (``.md``). Never run by the
test suite. ``python -m bench --only catalog [--datasets 2000]`` or
``python -m bench.catalog --datasets 2000``.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import logging
import os
import random
import re
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psycopg
import uvloop
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench.processes import (
    ADMIN_URL,
    drop_database,
    exchange,
    free_port,
    memory_of,
    percentile,
    scratch_database,
    sqlalchemy_url,
    uvicorn_process,
)
from libs.db import upgrade
from libs.settings import REPO_ROOT, var_dir
from libs.text import normalise
from libs.vocabularies import FORMATS
from services.catalog.domain.search_index import FACET_VALUES_UPDATE, SearchDocument
from services.catalog.domain.vocabularies import LICENSES, REGIONS

# The catalog processes' public URL: the read model is rendered for it at load.
PUBLIC_URL = "http://catalog.bench"
# The read model is rendered after the load by one process a core (DCAT's serialisations
# are most of the work: about 10 ms a dataset).
RENDER_PROCESSES = os.cpu_count() or 2
SEARCH_TARGET = 2.0
THROUGHPUT_TARGET = 0.5
BARE_PAYLOAD_ENV = "BENCH_BARE_PAYLOAD"
REQUEST_TAIL = "HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"

# --- Synthetic catalogue -------------------------------------------------------------------

# (French subject, Arabic subject, theme, tags): titles, descriptions and tags are built from
# these, so that a typical query matches a few percent of the catalogue, as on a real portal.
SUBJECTS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("Établissements de santé", "المؤسسات الصحية", "sante", ("santé", "hôpitaux", "الصحة")),
    ("Écoles primaires", "المدارس الابتدائية", "education", ("éducation", "écoles", "التعليم")),
    ("Effectifs des enseignants", "أعداد المدرسين", "education", ("enseignants", "التعليم")),
    ("Budget de l'État", "ميزانية الدولة", "economie-finances", ("budget", "finances", "المالية")),
    ("Marchés publics", "الصفقات العمومية", "economie-finances", ("marchés", "الصفقات")),
    ("Prix à la consommation", "أسعار الاستهلاك", "economie-finances", ("prix", "inflation")),
    ("Qualité de l'air", "جودة الهواء", "environnement", ("air", "pollution", "البيئة")),
    ("Ressources en eau", "الموارد المائية", "environnement", ("eau", "barrages", "الماء")),
    ("Production agricole", "الإنتاج الفلاحي", "agriculture", ("agriculture", "الفلاحة")),
    ("Pêche maritime", "الصيد البحري", "agriculture", ("pêche", "ports", "الصيد")),
    ("Arrivées touristiques", "الوافدون السياحيون", "tourisme", ("tourisme", "hôtels", "السياحة")),
    ("Accidents de la circulation", "حوادث السير", "transport", ("routes", "sécurité", "السير")),
    ("Trafic aérien", "الحركة الجوية", "transport", ("aéroports", "النقل")),
    ("Consommation d'énergie", "استهلاك الطاقة", "energie", ("énergie", "électricité", "الطاقة")),
    ("Logements sociaux", "السكن الاجتماعي", "habitat", ("logement", "urbanisme", "السكنى")),
    ("Demandeurs d'emploi", "طالبو الشغل", "emploi", ("emploi", "chômage", "التشغيل")),
    ("Affaires jugées", "القضايا المحكوم فيها", "justice", ("tribunaux", "العدل")),
    ("Équipements culturels", "التجهيزات الثقافية", "culture", ("culture", "الثقافة")),
    ("Budgets des communes", "ميزانيات الجماعات", "collectivites", ("communes", "الجماعات")),
    ("Population légale", "السكان القانونيون", "population", ("recensement", "السكان")),
    ("Abonnés à l'internet", "المشتركون في الإنترنت", "numerique", ("internet", "الاتصالات")),
]
INSTITUTIONS = 40
YEARS = range(2005, 2025)


@dataclass(frozen=True)
class SearchCase:
    label: str
    params: dict[str, Any]


# Typical queries: unaccented French, Arabic spelling variants (ta marbuta as ha, hamza), with
# a filter or two; every search also computes the facet counts of all six filters.
SEARCHES = [
    SearchCase("fr: sante", {"q": "sante"}),
    SearchCase("fr: ecoles primaires + theme", {"q": "ecoles primaires", "theme": "education"}),
    SearchCase(
        "fr: budget + institution + open",
        {"q": "budget", "institution": "org-03", "open_only": "true"},
    ),
    SearchCase("fr: qualite de l'air casablanca", {"q": "qualite air casablanca"}),
    SearchCase("ar: الصحيه (ة→ه)", {"q": "الصحيه"}),
    SearchCase("ar: المدارس الابتدائيه + theme", {"q": "المدارس الابتدائيه", "theme": "education"}),
    SearchCase("ar: ميزانية الدولة + format CSV", {"q": "ميزانية الدولة", "format": "CSV"}),
    SearchCase("facets only: theme sante, recent", {"theme": "sante", "sort": "-modified"}),
]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-")


def _institutions() -> list[tuple[uuid.UUID, str, dict[str, str]]]:
    return [
        (
            uuid.UUID(int=0xB000 + n),
            f"org-{n:02d}",
            {"fr": f"Institution publique {n}", "ar": f"المؤسسة العمومية {n}"},
        )
        for n in range(INSTITUTIONS)
    ]


def _rows(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """One dict per dataset with every row hanging off it, deterministic for a seed."""
    rng = random.Random(seed)
    institutions = _institutions()
    regions = list(REGIONS.values())
    licenses = list(LICENSES)
    formats = ["CSV", "CSV", "JSON", "XLSX", "PDF", "GEOJSON", "API"]
    start = datetime(2019, 1, 1, tzinfo=UTC)
    for n in range(count):
        fr, ar, theme, subject_tags = SUBJECTS[n % len(SUBJECTS)]
        region = regions[rng.randrange(len(regions))]
        year = YEARS[rng.randrange(len(YEARS))]
        org_id, _, org_title = institutions[rng.randrange(INSTITUTIONS)]
        title = {"fr": f"{fr} — {region.fr} {year}", "ar": f"{ar} - {region.ar} {year}"}
        description = {
            "fr": f"{fr} de la région {region.fr} pour l'année {year}, publiés par "
            f"{org_title['fr']}. Données ouvertes mises à jour chaque année.",
            "ar": f"{ar} لجهة {region.ar} برسم سنة {year}، تنشرها {org_title['ar']}.",
        }
        tags = sorted({*subject_tags, region.fr.split("-")[0].strip().lower()})
        modified = start + timedelta(minutes=n * 7 + rng.randrange(5))
        dataset_id = uuid.UUID(int=rng.getrandbits(128) | (1 << 127))
        resources = []
        for position in range(1 + rng.randrange(3)):
            code = formats[rng.randrange(len(formats))]
            resources.append(
                (
                    uuid.UUID(int=rng.getrandbits(128)),
                    position,
                    json.dumps({"fr": f"{fr} {year} ({code})", "ar": f"{ar} {year}"}),
                    f"https://data.example.ma/files/{n}/{position}.{code.lower()}",
                    code,
                    FORMATS[code].media_type,
                    rng.randrange(1_000, 50_000_000),
                )
            )
        yield {
            "id": dataset_id,
            "slug": f"{_slug(fr)}-{region.code}-{year}-{n}",
            "title": title,
            "description": description,
            "institution_id": org_id,
            "license_id": licenses[rng.randrange(len(licenses))],
            "frequency": "ANNUAL",
            "temporal": (date(year, 1, 1), date(year, 12, 31)),
            "spatial": [region.code],
            "theme": theme,
            "tags": tags,
            "modified": modified,
            "resources": resources,
        }


DATASET_STAGE = """
CREATE TEMP TABLE stage_dataset (
    id uuid, slug text, title json, description json, institution_id uuid, license_id text,
    frequency text, temporal_start date, temporal_end date, spatial json, modified timestamptz,
    title_sort text, search_document text
) ON COMMIT DROP
"""
DATASET_MOVE = """
INSERT INTO dataset (id, slug, title, description, institution_id, license_id, frequency,
    temporal_start, temporal_end, spatial, contact_point, version, state, created_at,
    modified_at, submitted_at, published_at, last_data_update, title_sort, search_document)
SELECT id, slug, title, description, institution_id, license_id, frequency,
    temporal_start, temporal_end, spatial, '{"name": "Service open data"}'::json, '1.0',
    'published', modified - interval '30 days', modified, modified - interval '20 days',
    modified - interval '10 days', modified, title_sort, search_document::tsvector
FROM stage_dataset
"""


def load_catalog(database_url: str, count: int) -> dict[str, Any]:
    """Migrations, then ``count`` published datasets and their rows, by COPY; seconds taken."""
    started = time.perf_counter()
    upgrade(REPO_ROOT / "services" / "catalog" / "migrations", sqlalchemy_url(database_url))
    migrated = time.perf_counter()
    now = datetime.now(UTC)
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        with cursor.copy(
            "COPY institution (id, slug, title, acronym, kind, active, created_at, modified_at) "
            "FROM STDIN"
        ) as copy:
            for org_id, name, title in _institutions():
                copy.write_row(
                    (org_id, name, json.dumps(title), name.upper(), "ministry", True, now, now)
                )
        cursor.execute(DATASET_STAGE)
        themes: list[tuple[uuid.UUID, str]] = []
        tags: list[tuple[uuid.UUID, str]] = []
        resources: list[tuple[Any, ...]] = []
        with cursor.copy("COPY stage_dataset FROM STDIN") as copy:
            for row in _rows(count):
                title, description = row["title"], row["description"]
                copy.write_row(
                    (
                        row["id"],
                        row["slug"],
                        json.dumps(title, ensure_ascii=False),
                        json.dumps(description, ensure_ascii=False),
                        row["institution_id"],
                        row["license_id"],
                        row["frequency"],
                        *row["temporal"],
                        json.dumps(row["spatial"]),
                        row["modified"],
                        normalise(title["fr"])[:500],
                        SearchDocument.of(title, description, row["tags"]).tsvector(),
                    )
                )
                themes.append((row["id"], row["theme"]))
                tags.extend((row["id"], tag) for tag in row["tags"])
                resources.extend((row["id"], row["modified"], *r) for r in row["resources"])
        cursor.execute(DATASET_MOVE)
        with cursor.copy("COPY dataset_theme (dataset_id, theme_name) FROM STDIN") as copy:
            for theme_row in themes:
                copy.write_row(theme_row)
        with cursor.copy("COPY dataset_tag (dataset_id, tag) FROM STDIN") as copy:
            for tag_row in tags:
                copy.write_row(tag_row)
        with cursor.copy(
            "COPY resource (dataset_id, created_at, modified_at, id, position, title, url, "
            "format, media_type, size) FROM STDIN"
        ) as copy:
            for dataset_id, modified, *resource in resources:
                copy.write_row((dataset_id, modified, modified, *resource))
        cursor.execute(FACET_VALUES_UPDATE)
        connection.commit()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    loaded = time.perf_counter()
    return {
        "datasets": count,
        "resources": len(resources),
        "tags": len(tags),
        "migrate_seconds": round(migrated - started, 2),
        "load_seconds": round(loaded - migrated, 2),
        "datasets_per_second": round(count / (loaded - migrated)),
    }


def _render_part(database_url: str, public_url: str, low: int, high: int) -> int:
    """One process's share of the read model (a range of dataset ids)."""
    from services.catalog.app import unit_of_work_factory
    from services.catalog.cli import render_published
    from services.catalog.settings import CatalogSettings

    settings = CatalogSettings(database_url=database_url, public_url=public_url)
    units = unit_of_work_factory(settings, migrate=False)
    try:
        return render_published(units, public_url, ids=(uuid.UUID(int=low), uuid.UUID(int=high)))
    finally:
        units.engine.dispose()


def _catalogue_size(database_url: str) -> dict[str, Any]:
    """What a reused database holds."""
    with psycopg.connect(database_url) as connection:
        datasets = connection.execute(
            "SELECT count(*) FROM dataset WHERE state = 'published'"
        ).fetchone()
        resources = connection.execute("SELECT count(*) FROM resource").fetchone()
    return {
        "datasets": datasets[0] if datasets else 0,
        "resources": resources[0] if resources else 0,
    }


def render_read_model(
    database_url: str, processes: int, public_url: str = PUBLIC_URL
) -> dict[str, Any]:
    """The read model of every loaded dataset for ``public_url``, as the product renders it
    (``bayanat catalog render``'s code), in ``processes`` processes sharing the id space;
    seconds taken."""
    started = time.perf_counter()
    bounds = [(2**128 * n) // processes for n in range(processes + 1)]
    bounds[-1] = 2**128 - 1  # the largest UUID: ids are below it
    url = sqlalchemy_url(database_url)
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        parts = [
            pool.submit(_render_part, url, public_url, low, high)
            for low, high in itertools.pairwise(bounds)
        ]
        rendered = sum(part.result() for part in parts)
    seconds = time.perf_counter() - started
    return {
        "rendered": rendered,
        "render_seconds": round(seconds, 2),
        "render_processes": processes,
        "public_url": public_url,
    }


# --- The bare endpoint -----------------------------------------------------------------------


def bare_app():
    """A bare FastAPI endpoint with the catalog's path, returning a constant dataset payload.

    ``uvicorn --factory bench.catalog:bare_app`` with ``BENCH_BARE_PAYLOAD`` naming the JSON
    file. A ``def`` endpoint, as the catalog's are (both run in the thread pool).
    """
    from fastapi import FastAPI

    payload = json.loads(Path(os.environ[BARE_PAYLOAD_ENV]).read_text())
    app = FastAPI()

    @app.get("/api/v1/datasets/{id_or_slug}")
    def dataset(id_or_slug: str) -> dict[str, Any]:
        return payload

    return app


# --- Measurements --------------------------------------------------------------------------


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def record_search_sql(database_url: str, case: SearchCase) -> list[tuple[str, Any]]:
    """The SQL statements ``GET /api/v1/datasets`` runs for this search, as the driver got them."""
    from fastapi.testclient import TestClient

    from services.catalog.app import create_app
    from services.catalog.settings import CatalogSettings

    settings = CatalogSettings(
        database_url=database_url,
        run_migrations=False,
        relay_enabled=False,
        consumer_enabled=False,
    )
    statements: list[tuple[str, Any]] = []
    app = create_app(settings)
    with _environment(LOG_LEVEL="WARNING"), TestClient(app) as client:

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                statements.append((statement, parameters))

        engine = app.state.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(f"/api/v1/datasets?{urlencode(case.params)}")
            response.raise_for_status()
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return statements


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a local process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _api_backends(connection: psycopg.Connection[Any]) -> list[int]:
    """The database's other sessions: the API's (the bench's own replay excluded)."""
    name = connection.info.dbname
    rows = connection.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
    )
    return [row[0] for row in rows]


def measure_search(
    api: str, database_url: str, repeats: int, api_pid: int, warmup: int = 5
) -> list[dict[str, Any]]:
    """Per query: the API's latency next to the same SQL replayed, and the CPU time each API
    request costs, in its process and in its database sessions (the uncached cost, robust to
    other load on the machine; the database's part needs it on this host)."""
    results = []
    with (
        httpx.Client(base_url=api, timeout=60) as client,
        psycopg.connect(database_url, autocommit=True) as connection,
    ):
        for case in SEARCHES:
            statements = record_search_sql(sqlalchemy_url(database_url), case)
            url = f"/api/v1/datasets?{urlencode(case.params)}"
            api_times: list[float] = []
            db_times: list[float] = []
            cpu = {"app": 0.0, "database": 0.0}
            total = None
            for n in range(warmup + repeats):
                backends = _api_backends(connection)
                before = (_cpu_seconds(api_pid), [_cpu_seconds(pid) for pid in backends])
                began = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - began
                response.raise_for_status()
                if n >= warmup:
                    cpu["app"] += _cpu_seconds(api_pid) - before[0]
                    cpu["database"] += sum(
                        _cpu_seconds(pid) - spent
                        for pid, spent in zip(backends, before[1], strict=True)
                    )
                total = response.json()["total"]
                began = time.perf_counter()
                with connection.cursor() as cursor:
                    for statement, parameters in statements:
                        cursor.execute(statement, parameters)
                        cursor.fetchall()
                db_elapsed = time.perf_counter() - began
                if n >= warmup:
                    api_times.append(elapsed)
                    db_times.append(db_elapsed)
            api_p50, db_p50 = percentile(api_times, 0.5), percentile(db_times, 0.5)
            results.append(
                {
                    "query": case.label,
                    "params": case.params,
                    "matches": total,
                    "sql_statements": len(statements),
                    "api_p50_ms": _ms(api_p50),
                    "api_p95_ms": _ms(percentile(api_times, 0.95)),
                    "db_p50_ms": _ms(db_p50),
                    "db_p95_ms": _ms(percentile(db_times, 0.95)),
                    "ratio_p50": round(api_p50 / db_p50, 2),
                    "api_cpu_ms": {part: _ms(spent / repeats) for part, spent in cpu.items()},
                }
            )
    return results


async def _load(port: int, paths: list[str], seconds: float, connections: int) -> dict[str, Any]:
    """Requests per second over keep-alive HTTP/1.1 connections, each request in turn."""
    statuses: Counter[int] = Counter()
    received = 0
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal received
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        index = offset
        try:
            while time.perf_counter() < deadline:
                path = paths[index % len(paths)]
                index += connections
                request = f"GET {path} {REQUEST_TAIL}".encode()
                status, body = await exchange(reader, writer, request)
                received += len(body)
                statuses[status] += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - began
    done = sum(statuses.values())
    return {
        "requests": done,
        "requests_per_second": round(done / elapsed, 1),
        "mean_body_bytes": round(received / max(done, 1)),
        "statuses": dict(statuses),
    }


def measure_throughput(
    catalog_port: int,
    bare_port: int,
    paths: list[str],
    seconds: float,
    rounds: int,
    connections: int,
) -> dict[str, Any]:
    catalog_runs, bare_runs = [], []
    for _ in range(rounds):
        bare_runs.append(uvloop.run(_load(bare_port, paths, seconds, connections)))
        catalog_runs.append(uvloop.run(_load(catalog_port, paths, seconds, connections)))
    for run in catalog_runs + bare_runs:
        if set(run["statuses"]) != {200}:
            raise RuntimeError(f"non-200 answers during the load: {run['statuses']}")
    catalog_rate = statistics.median(r["requests_per_second"] for r in catalog_runs)
    bare_rate = statistics.median(r["requests_per_second"] for r in bare_runs)
    return {
        "connections": connections,
        "seconds_per_round": seconds,
        "rounds": rounds,
        "catalog_requests_per_second": catalog_rate,
        "bare_requests_per_second": bare_rate,
        "ratio": round(catalog_rate / bare_rate, 3),
        "target_ratio": THROUGHPUT_TARGET,
        "catalog_runs": catalog_runs,
        "bare_runs": bare_runs,
    }


# --- The run -------------------------------------------------------------------------------


def _sample_paths(database_url: str, count: int) -> list[str]:
    with psycopg.connect(database_url) as connection:
        slugs = [
            row[0]
            for row in connection.execute(
                "SELECT slug FROM dataset WHERE state = 'published' ORDER BY random() LIMIT %s",
                (count,),
            )
        ]
    return [f"/api/v1/datasets/{slug}" for slug in slugs]


def _median_payload(api: str, paths: list[str], warm: bool = False) -> bytes:
    """The median body of the first 50 paths; with ``warm``, every path is read once."""
    with httpx.Client(base_url=api, timeout=30) as client:
        bodies = [
            client.get(path).raise_for_status().content for path in (paths if warm else paths[:50])
        ]
    return sorted(bodies[:50], key=len)[len(bodies[:50]) // 2]


def run(
    output: Path,
    datasets: int,
    *,
    search_repeats: int = 30,
    seconds: float = 8.0,
    rounds: int = 3,
    connections: int = 8,
    database: str | None = None,
    keep_database: bool = False,
    render_processes: int = RENDER_PROCESSES,
) -> dict[str, Any]:
    output.parent.mkdir(parents=True, exist_ok=True)
    # The in-process app configures logging at INFO: keep the bench's own requests quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    log = output.with_suffix(".log")
    log.write_text("")
    if database:
        name, database_url = (
            database,
            make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False),
        )
        upgrade(REPO_ROOT / "services" / "catalog" / "migrations", sqlalchemy_url(database_url))
        loading: dict[str, Any] = {"reused_database": name, **_catalogue_size(database_url)}
    else:
        name, database_url = scratch_database("catalog")
        print(f"catalog bench: loading {datasets} datasets into {name}…", flush=True)
        loading = load_catalog(database_url, datasets)
        print(f"catalog bench: loaded in {loading['load_seconds']} s", flush=True)
    if render_processes:
        print(
            f"catalog bench: rendering the read model ({render_processes} processes, "
            "the product's render)…",
            flush=True,
        )
        loading |= render_read_model(database_url, render_processes)
        print(f"catalog bench: rendered in {loading['render_seconds']} s", flush=True)
    try:
        bare_port = free_port()
        base_env = {
            "CATALOG_DATABASE_URL": database_url,
            "CATALOG_RUN_MIGRATIONS": "false",
            "CATALOG_PUBLIC_URL": PUBLIC_URL,
            "KAFKA_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
        }
        # Like for like: the database replays the same SQL, so the API may not answer counts
        # or whole answers from its caches; and dataset reads are measured both uncached and
        # with the cache.
        uncached = {
            **base_env,
            "CATALOG_SEARCH_COUNTS_CACHE_SECONDS": "0",
            "CATALOG_SEARCH_RESULTS_CACHE_SECONDS": "0",
            "CATALOG_PUBLIC_CACHE_SECONDS": "0",
        }
        cold_port = free_port()
        with uvicorn_process(
            "services.catalog.app:create_app",
            cold_port,
            {**uncached, "CATALOG_PORT": str(cold_port)},
            log,
            "/healthz",
        ) as catalog:
            api = f"http://127.0.0.1:{cold_port}"
            print("catalog bench: search latency…", flush=True)
            searches = measure_search(api, database_url, search_repeats, catalog.pid)
            paths = _sample_paths(database_url, 2000)
            payload = _median_payload(api, paths)
            payload_file = output.with_name("catalog-bare-payload.json")
            payload_file.write_bytes(payload)
            with uvicorn_process(
                "bench.catalog:bare_app",
                bare_port,
                {BARE_PAYLOAD_ENV: str(payload_file)},
                log,
                paths[0],
            ):
                print("catalog bench: dataset GET throughput, uncached…", flush=True)
                throughput = measure_throughput(
                    cold_port, bare_port, paths, seconds, rounds, connections
                )
                memory = memory_of(catalog.pid)
                warm_port = free_port()
                with uvicorn_process(
                    "services.catalog.app:create_app",
                    warm_port,
                    {**base_env, "CATALOG_PORT": str(warm_port)},
                    log,
                    "/healthz",
                ):
                    print("catalog bench: dataset GET throughput, cached…", flush=True)
                    _median_payload(f"http://127.0.0.1:{warm_port}", paths, warm=True)
                    cached = measure_throughput(
                        warm_port, bare_port, paths, seconds, rounds, connections
                    )
    finally:
        if not database and not keep_database:
            drop_database(name)
    ratios = [s["ratio_p50"] for s in searches]
    result: dict[str, Any] = {
        "benchmark": "catalog search latency and dataset GET throughput",
        "when": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "loading": loading,
        "search": {
            "repeats_per_query": search_repeats,
            "queries": searches,
            "worst_ratio_p50": max(ratios),
            "median_ratio_p50": round(statistics.median(ratios), 2),
            "target_ratio": SEARCH_TARGET,
        },
        "dataset_get": {"payload_bytes": len(payload), **throughput},
        "dataset_get_cached": {"payload_bytes": len(payload), **cached},
        "catalog_memory": memory,
    }
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    markdown = output.with_suffix(".md")
    markdown.write_text(render_markdown(result))
    print(
        f"catalog: search API/DB p50 ratio median {result['search']['median_ratio_p50']} "
        f"(worst {result['search']['worst_ratio_p50']}, target <= {SEARCH_TARGET}); "
        f"GET {throughput['catalog_requests_per_second']} req/s uncached, "
        f"{cached['catalog_requests_per_second']} req/s cached, vs bare "
        f"{throughput['bare_requests_per_second']} req/s: ratios {throughput['ratio']} uncached, "
        f"{cached['ratio']} cached (target >= {THROUGHPUT_TARGET}); "
        f"RSS {memory['rss_mib']} MiB → {output}, {markdown}",
        flush=True,
    )
    return result


def render_markdown(result: dict[str, Any]) -> str:
    loading = result["loading"]
    lines = [
        f"# Catalog benchmark ({result['when'][:19]}Z, {result['cpus']} CPUs)",
        "",
        f"Catalogue: {loading.get('datasets', '?')} published datasets "
        f"({loading.get('resources', '?')} resources), "
        + (
            f"in the reused database {loading['reused_database']}"
            if "reused_database" in loading
            else f"loaded by COPY in {loading.get('load_seconds', '?')} s"
        )
        + f"; read model rendered by the product's `render` ({loading.get('rendered', '?')} "
        f"datasets lacking one, {loading.get('render_processes', '?')} processes) in "
        f"{loading.get('render_seconds', '?')} s.",
        "",
        "## Search latency: API vs the same SQL on the database (target ratio ≤ 2)",
        "",
        "| query | matches | API p50 ms | API p95 ms | DB p50 ms | DB p95 ms | ratio p50 "
        "| API CPU ms/request (app + database) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["search"]["queries"]:
        cpu = s.get("api_cpu_ms", {})
        lines.append(
            f"| {s['query']} | {s['matches']} | {s['api_p50_ms']} | {s['api_p95_ms']} | "
            f"{s['db_p50_ms']} | {s['db_p95_ms']} | {s['ratio_p50']} | "
            f"{cpu.get('app')} + {cpu.get('database')} |"
        )
    get = result["dataset_get"]
    cached = result["dataset_get_cached"]
    memory = result["catalog_memory"]
    lines += [
        "",
        "The API runs with its search caches (counts, whole answers) off, so that both sides "
        "compute the same.",
        "",
        "## Dataset GET throughput vs a bare FastAPI endpoint (target ratio ≥ 0.5)",
        "",
        "| server | req/s (median of rounds) | ratio |",
        "|---|---:|---:|",
        f"| catalog `GET /api/v1/datasets/{{slug}}`, uncached (no response cache, read "
        "model present) | "
        f"{get['catalog_requests_per_second']} | {get['ratio']} |",
        f"| catalog, the same reads with its public response cache warm | "
        f"{cached['catalog_requests_per_second']} | {cached['ratio']} |",
        f"| bare FastAPI, constant {get['payload_bytes']}-byte payload | "
        f"{get['bare_requests_per_second']} | 1 |",
        "",
        f"{get['connections']} keep-alive connections over 2000 random published datasets, "
        f"{get['rounds']} rounds of {get['seconds_per_round']} s "
        "each, alternating with the bare endpoint.",
        "",
        f"Catalog process memory: RSS {memory['rss_mib']} MiB (peak {memory['peak_rss_mib']} MiB).",
        "",
    ]
    return "\n".join(lines)


def main(output: Path, datasets: int = 100_000, **options: Any) -> dict[str, Any]:
    """Entry point of ``python -m bench``: results to ``output`` (JSON) and ``.md`` next to it."""
    return run(output, datasets, **options)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.catalog", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=var_dir() / "bench" / "catalog.json")
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--search-repeats", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=8.0, help="per throughput round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database", help="reuse this already loaded database (no load, no drop)")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--render-processes",
        type=int,
        default=RENDER_PROCESSES,
        help="processes rendering the read model after the load (0: none; default: one a core)",
    )
    args = parser.parse_args()
    main(
        args.output,
        args.datasets,
        search_repeats=args.search_repeats,
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        database=args.database,
        keep_database=args.keep_database,
        render_processes=args.render_processes,
    )
