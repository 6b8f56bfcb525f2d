"""Harvest benchmark: a first harvest of 10,000 datasets from a CKAN-API source, then a
re-harvest with nothing changed.

1. The source: a scratch PostgreSQL database gets the catalog's migrations and N datasets of
   the comparison corpus (bench/ckan_corpus.py, default 10,000: published, two linked
   resources each), loaded by ``COPY`` as bench/catalog.py loads its catalogue; a catalog
   process (uvicorn) serves it, its CKAN Action API at ``/api/3/action/``.
2. The harvesting catalog: a second scratch database, migrated, with one enrolled institution
   and a CKAN source pointing at the first process (its own address allowed, a rate limit of
   100 requests a second: the figures measure the harvester, not its politeness).
3. A first job, in this process as ``bayanat catalog harvest run`` runs it: every record read
   (``package_search``, ``CATALOG_HARVEST_PAGE_SIZE`` at a time), mapped, written and submitted
   (a dataset, its resources, its search index, its harvest record and its
   ``dataset.submitted`` event, one transaction each). Datasets per second.
4. A second job, nothing changed at the source: what changed since the first (the records
   modified at its high-water mark, compared and left alone) and the listing of every
   identifier for removals. Its time as a ratio of the first's.

Results: JSON at the output path and a Markdown table next to it (``.md``). Never run by the
test suite. ``python -m bench --only harvest [--harvest-datasets 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench.catalog import DATASET_MOVE, DATASET_STAGE
from bench.ckan_corpus import ORGANIZATION, generate
from bench.processes import (
    drop_database,
    free_port,
    memory_of,
    scratch_database,
    sqlalchemy_url,
    uvicorn_process,
)
from libs.auth import Principal, Role, RoleGrant
from libs.db import upgrade
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.settings import var_dir
from libs.text import normalise
from libs.vocabularies import FORMATS
from services.catalog.app import MIGRATIONS_DIR, download_signer, unit_of_work_factory
from services.catalog.domain.harvest.sources import SourceCreate, create_source
from services.catalog.domain.institutions import apply_enrolment
from services.catalog.domain.search_index import SearchDocument
from services.catalog.domain.storage import FileStore
from services.catalog.models import HarvestJob, HarvestKind, ReviewPolicy
from services.catalog.settings import CatalogSettings
from services.catalog.workers import HarvestRunner

SOURCE_INSTITUTION = uuid.UUID(int=0xB0B)
HARVESTING_INSTITUTION = uuid.UUID(int=0xC0C)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def load_source(database_url: str, count: int) -> dict[str, Any]:
    """Migrations, then ``count`` published datasets of the corpus, by COPY; seconds taken."""
    started = time.perf_counter()
    upgrade(MIGRATIONS_DIR, sqlalchemy_url(database_url))
    now = datetime.now(UTC)
    resources = 0
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        title = {"fr": ORGANIZATION["title"]}
        cursor.execute(
            "INSERT INTO institution (id, slug, title, kind, active, created_at, modified_at) "
            "VALUES (%s, %s, %s, 'other', true, %s, %s)",
            (SOURCE_INSTITUTION, ORGANIZATION["name"], json.dumps(title), now, now),
        )
        cursor.execute(DATASET_STAGE)
        tags: list[tuple[uuid.UUID, str]] = []
        rows: list[tuple[Any, ...]] = []
        with cursor.copy("COPY stage_dataset FROM STDIN") as copy:
            for index, item in enumerate(generate(count), start=1):
                dataset_id = uuid.UUID(int=index)
                modified = T0 + timedelta(seconds=index)
                title_fr = {"fr": item["title"]}
                notes = {"fr": item["notes"]}
                copy.write_row(
                    (
                        dataset_id,
                        item["name"],
                        json.dumps(title_fr, ensure_ascii=False),
                        json.dumps(notes, ensure_ascii=False),
                        SOURCE_INSTITUTION,
                        None,
                        None,
                        None,
                        None,
                        "[]",
                        modified,
                        normalise(item["title"])[:500],
                        SearchDocument.of(title_fr, notes, item["tags"]).tsvector(),
                    )
                )
                tags.extend((dataset_id, tag) for tag in item["tags"])
                for position, resource in enumerate(item["resources"]):
                    code = resource["format"]
                    rows.append(
                        (
                            dataset_id,
                            modified,
                            modified,
                            uuid.UUID(int=(index << 8) + position),
                            position,
                            json.dumps({"fr": resource["name"]}, ensure_ascii=False),
                            resource["url"],
                            code,
                            FORMATS[code].media_type,
                        )
                    )
        cursor.execute(DATASET_MOVE)
        with cursor.copy("COPY dataset_tag (dataset_id, tag) FROM STDIN") as copy:
            for tag_row in tags:
                copy.write_row(tag_row)
        with cursor.copy(
            "COPY resource (dataset_id, created_at, modified_at, id, position, title, url, "
            "format, media_type) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
                resources += 1
        connection.commit()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return {
        "datasets": count,
        "resources": resources,
        "load_seconds": round(time.perf_counter() - started, 2),
    }


def prepare_harvesting(settings: CatalogSettings, source_url: str) -> str:
    """The harvesting catalog's institution and its CKAN source: the source's slug."""
    units = unit_of_work_factory(settings)
    enrolled = InstitutionEnrolled(
        institution_id=HARVESTING_INSTITUTION,
        slug="bench-harvesting",
        name=LocalizedText(fr="Institution du banc d'essai"),
        enrolled_on=date(2024, 1, 1),
    )
    data = SourceCreate(
        slug="bench-ckan",
        name="Banc d'essai CKAN",
        institution_id=HARVESTING_INSTITUTION,
        kind=HarvestKind.CKAN,
        url=source_url,
        review_policy=ReviewPolicy.REVIEW,
        rate_limit=100.0,
    )
    admin = Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])
    with units() as uow:
        apply_enrolment(uow, enrolled)
        create_source(uow, admin, data=data)
        uow.commit()
    units.engine.dispose()
    return data.slug


def harvest_once(settings: CatalogSettings, slug: str) -> tuple[HarvestJob, float]:
    units = unit_of_work_factory(settings, migrate=False)
    store = FileStore(settings.upload_path, settings.max_upload_bytes)
    runner = HarvestRunner(settings, store, download_signer(settings))
    claim = runner.claim_source(units, slug, trigger="cli", full=False)
    started = time.perf_counter()
    job = asyncio.run(runner.execute(units, claim))
    seconds = time.perf_counter() - started
    units.engine.dispose()
    if job is None or job.error:
        raise RuntimeError(f"the harvest job failed: {job.error if job else 'taken over'}")
    return job, seconds


def _job(job: HarvestJob, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 2),
        "seen": job.seen_count,
        "new": job.new_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "withdrawn": job.withdrawn_count,
        "failed": job.failed_count,
    }


def run(output: Path, datasets: int) -> dict[str, Any]:
    output.parent.mkdir(parents=True, exist_ok=True)
    source_name, source_db = scratch_database("harvest_source")
    target_name, target_db = scratch_database("harvest_target")
    directory = output.parent / "harvest-run"
    directory.mkdir(exist_ok=True)
    try:
        print(f"harvest bench: loading {datasets} datasets into the source…", flush=True)
        loading = load_source(source_db, datasets)
        port = free_port()
        source_url = f"http://127.0.0.1:{port}"
        env = {
            "CATALOG_DATABASE_URL": source_db,
            "CATALOG_RUN_MIGRATIONS": "false",
            "CATALOG_RELAY_ENABLED": "false",
            "CATALOG_CONSUMER_ENABLED": "false",
            "CATALOG_HARVEST_WORKER_ENABLED": "false",
            "CATALOG_UPLOAD_DIR": str(directory / "uploads"),
            "KAFKA_TOPIC_PREFIX": f"bench-harvest-{uuid.uuid4().hex[:6]}.",
            "LOG_LEVEL": "WARNING",
        }
        settings = CatalogSettings(
            database_url=target_db,
            upload_dir=str(directory / "target-uploads"),
            harvest_url_allowlist=["127.0.0.1"],
        )
        with uvicorn_process(
            "services.catalog.app:create_app",
            port,
            env,
            directory / "source.log",
            "/healthz",
        ) as source:
            slug = prepare_harvesting(settings, source_url)
            print("harvest bench: first harvest…", flush=True)
            first, first_seconds = harvest_once(settings, slug)
            print("harvest bench: re-harvest, nothing changed…", flush=True)
            again, again_seconds = harvest_once(settings, slug)
            source_memory = memory_of(source.pid)
    finally:
        drop_database(source_name)
        drop_database(target_name)
    result: dict[str, Any] = {
        "benchmark": "harvest from a CKAN-API source",
        "when": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "loading": loading,
        "page_size": settings.harvest_page_size,
        "concurrency": settings.harvest_max_concurrency,
        "first": _job(first, first_seconds),
        "first_datasets_per_second": round(first.new_count / first_seconds, 1),
        "again": _job(again, again_seconds),
        "again_ratio": round(again_seconds / first_seconds, 4),
        "source_memory": source_memory,
    }
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    markdown = output.with_suffix(".md")
    markdown.write_text(render_markdown(result))
    print(
        f"harvest: first {result['first_datasets_per_second']} datasets/s "
        f"({first.new_count} in {result['first']['seconds']} s), re-harvest "
        f"{result['again']['seconds']} s (ratio {result['again_ratio']}) → {output}, {markdown}",
        flush=True,
    )
    return result


def render_markdown(result: dict[str, Any]) -> str:
    first, again = result["first"], result["again"]
    lines = [
        f"# Harvest benchmark ({result['when'][:19]}Z, {result['cpus']} CPUs)",
        "",
        f"Source: a catalog process serving {result['loading']['datasets']} datasets of the "
        f"comparison corpus ({result['loading']['resources']} linked resources) through its "
        f"CKAN Action API, loaded by COPY in {result['loading']['load_seconds']} s. Pages of "
        f"{result['page_size']} records, {result['concurrency']} requests in flight at most.",
        "",
        "| job | seconds | read | new | updated | unchanged | withdrawn | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, job in (("first harvest", first), ("re-harvest, nothing changed", again)):
        lines.append(
            f"| {label} | {job['seconds']} | {job['seen']} | {job['new']} | {job['updated']} | "
            f"{job['unchanged']} | {job['withdrawn']} | {job['failed']} |"
        )
    lines += [
        "",
        f"First harvest: **{result['first_datasets_per_second']} datasets per second** "
        "(each created, its resources added, submitted for review with its event, one "
        "transaction per dataset). Re-harvest: "
        f"**{result['again_ratio']}** of the first's time (what changed since the first job, "
        "and the list of every identifier for removals; nothing written).",
        "",
    ]
    return "\n".join(lines)


def main(output: Path, datasets: int = 10_000) -> dict[str, Any]:
    """Entry point of ``python -m bench``: results to ``output`` (JSON) and ``.md`` next to it."""
    return run(output, datasets)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.harvest", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=var_dir() / "bench" / "harvest.json")
    parser.add_argument("--datasets", type=int, default=10_000)
    args = parser.parse_args()
    main(args.output, args.datasets)
