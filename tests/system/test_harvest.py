"""Harvesting, end to end: the four services as processes harvest a second catalog process of
this platform (its CKAN Action API and its ``/catalog.ttl`` are real servers; its datasets are
written straight into its database, since it is only a fixture), on the real broker and
PostgreSQL.

A trusted CKAN source and a DCAT source under review read the same four datasets (one of them
malformed): the first jobs create three datasets each, the trusted ones end published with a
review decided by the source, the others wait with an open review; harvested datasets appear in
search, in DCAT-AP (no SHACL violation) with their origin, in the CKAN API's extras and in the
metrics' count. Second jobs with nothing changed write nothing; a change at the source updates
one dataset under each policy; a removal withdraws (or, never published, removes) it; an
unreachable source fails its job cleanly.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS
from sqlalchemy import Engine, text
from sqlmodel import col, select

from libs.auth import Principal, Role, RoleGrant
from libs.db import make_engine
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.messaging.outbox import Outbox
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.catalog.domain.bounds import Description, Title
from services.catalog.domain.datasets import (
    ContactPointInput,
    DatasetCreate,
    create_dataset,
    publish_submitted,
    submit_dataset,
    touch,
    withdraw_dataset,
)
from services.catalog.domain.dcat import ADMS
from services.catalog.domain.institutions import apply_enrolment
from services.catalog.domain.resources import ResourceFields, add_resource
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore
from services.catalog.models import Dataset, Resource, messaging
from tests.conftest import DATA_DIR
from tests.support.apps import isolated_platform
from tests.support.brokers import REPO, free_port
from tests.support.infra import PostgresDatabases
from tests.support.platform import (
    GOOD_CSV,
    Platform,
    ServiceProcess,
    _expect,
    indicator,
    running_platform,
    wait_for,
)

SOURCE_INSTITUTION = uuid.UUID("00000000-0000-4000-8000-0000000050c1")
SOURCE_STEWARD = Principal(
    subject=uuid.uuid4(),
    grants=[RoleGrant(role=Role.STEWARD, institution_id=SOURCE_INSTITUTION)],
)
YEARS = (2021, 2022, 2023)


@dataclass
class SourceCatalog:
    """The catalog harvested: a process, and its database written straight into."""

    process: ServiceProcess
    units: UnitOfWorkFactory
    engine: Engine
    store: FileStore
    ids: dict[str, uuid.UUID]  # "2021", "2022", "2023", "malformed"

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def signer(self) -> DownloadSigner:
        """Signs this catalog's download URLs (its events go to topics nobody reads here)."""
        return DownloadSigner(b"source-signing-key", self.url, timedelta(hours=1))


def _description(year: int) -> Description:
    return Description(
        fr=f"Population légale de chacune des douze régions au recensement de {year}, issue des "
        "recensements généraux de la population et de l'habitat et de leurs projections.",
        ar=f"السكان القانونيون لكل جهة من الجهات الاثنتي عشرة في إحصاء {year}، من الإحصاءات "
        "العامة للسكان والسكنى وإسقاطاتها كما تنشرها المندوبية السامية للتخطيط.",
    )


def _published(source: SourceCatalog, year: int) -> uuid.UUID:
    data = DatasetCreate(
        institution_id=SOURCE_INSTITUTION,
        slug=f"population-legale-{year}",
        title=Title(fr=f"Population légale {year}", ar=f"السكان القانونيون {year}"),
        description=_description(year),
        tags=["population", "recensement"],
        themes=["population"],
        license_id="odc-odbl",
        frequency="ANNUAL",
        temporal_start=date(year, 1, 1),
        temporal_end=date(year, 12, 31),
        spatial=["souss-massa"],
        contact_point=ContactPointInput(name="Service des statistiques", email="stat@hcp.example"),
    )
    upload = source.store.save([GOOD_CSV], f"population-{year}.csv", "text/csv")
    with source.units() as uow:
        dataset = create_dataset(uow, SOURCE_STEWARD, data=data)
        add_resource(uow, SOURCE_STEWARD, ref=dataset.id, data=ResourceFields(), upload=upload)
        submit_dataset(uow, SOURCE_STEWARD, ref=dataset.id, signer=source.signer)
        publish_submitted(uow, dataset)
        uow.commit()
        return dataset.id


def _malformed(source: SourceCatalog) -> uuid.UUID:
    """A published dataset whose only resource has a format nobody knows (written straight
    into the table, as another catalogue's data would be)."""
    dataset_id = _published(source, 2020)
    with source.units() as uow:
        resource = uow.session.exec(
            select(Resource).where(col(Resource.dataset_id) == dataset_id)
        ).one()
        resource.storage_key = None
        resource.url = f"{source.url}/files/population"
        resource.format = "QUUX"
        resource.media_type = None
        uow.session.add(resource)
        touch(uow, uow.session.get_one(Dataset, dataset_id))
        uow.commit()
    return dataset_id


@pytest.fixture(scope="module")
def source_catalog(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SourceCatalog]:
    directory = tmp_path_factory.mktemp("source")
    port = free_port()
    database_url = postgres_databases.create("source")
    own = isolated_platform(kafka, "source")  # its events are nobody's business here
    env = {
        **os.environ,
        "KAFKA_TOPIC_PREFIX": own.kafka_topic_prefix,
        "JWT_SECRET": own.resolved_jwt_secret(),
        "BAYANAT_VAR": str(directory),
        "LOG_JSON": "false",
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_HOST": "127.0.0.1",
        "CATALOG_PORT": str(port),
        "CATALOG_WORKERS": "1",
        "CATALOG_UPLOAD_DIR": str(directory / "uploads"),
        "CATALOG_PUBLIC_CACHE_SECONDS": "0",
        "CATALOG_SEARCH_COUNTS_CACHE_SECONDS": "0",
        "CATALOG_HARVEST_WORKER_ENABLED": "false",
    }
    process = ServiceProcess("catalog", port, database_url, env, directory / "source.log")
    process.start()
    engine = make_engine(database_url)
    source = SourceCatalog(
        process=process,
        units=UnitOfWorkFactory(engine, Outbox(messaging.outbox, "catalog")),
        engine=engine,
        store=FileStore(directory / "uploads", 10_000_000),
        ids={},
    )
    enrolled = InstitutionEnrolled(
        institution_id=SOURCE_INSTITUTION,
        slug="hcp",
        name=LocalizedText(fr="Haut-Commissariat au Plan"),
        enrolled_on=date(2019, 12, 10),
    )
    try:
        with source.units() as uow:
            apply_enrolment(uow, enrolled)
            uow.commit()
        for year in YEARS:
            source.ids[str(year)] = _published(source, year)
        source.ids["malformed"] = _malformed(source)
        yield source
    finally:
        process.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def harvesting(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Platform]:
    loopback = '["127.0.0.1"]'  # the source catalog and its files are on this machine
    with running_platform(
        isolated_platform(kafka, "harvest"),
        postgres_databases,
        tmp_path_factory.mktemp("harvest"),
        CATALOG_HARVEST_URL_ALLOWLIST=loopback,
        GOVERNANCE_QUALITY_URL_ALLOWLIST=loopback,
        CATALOG_HARVEST_POLL_SECONDS="1",
        CATALOG_HARVEST_RETRY_BACKOFF_SECONDS="0.1",
    ) as running:
        yield running


# --- helpers -----------------------------------------------------------------------------------


def admin_client(platform: Platform) -> httpx.Client:
    return platform["catalog"].client(**platform.people().admin.headers)


def add_source(platform: Platform, **fields: Any) -> dict[str, Any]:
    body = {"institution_id": str(platform.people().institution_id), **fields}
    with admin_client(platform) as http:
        return dict(_expect(http.post("/api/v1/harvest/sources", json=body), 201))


def run_by_command(platform: Platform, slug: str) -> str:
    """``bayanat catalog harvest run SLUG``, as an operator would, with the catalog's settings."""
    result = subprocess.run(
        [str(REPO / ".venv" / "bin" / "bayanat"), "catalog", "harvest", "run", slug],
        env=platform["catalog"].env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def last_job(platform: Platform, slug: str) -> dict[str, Any]:
    with admin_client(platform) as http:
        page = _expect(http.get(f"/api/v1/harvest/sources/{slug}/jobs"), 200)
        return dict(_expect(http.get(f"/api/v1/harvest/jobs/{page['items'][0]['id']}"), 200))


def run_by_api(platform: Platform, slug: str, status: str = "succeeded") -> dict[str, Any]:
    """A job asked of the API, once the runner has ended it."""
    with admin_client(platform) as http:
        job = _expect(http.post(f"/api/v1/harvest/sources/{slug}/jobs"), 202)
        assert job["status"] == "queued"

        def ended() -> dict[str, Any] | None:
            found = _expect(http.get(f"/api/v1/harvest/jobs/{job['id']}"), 200)
            return found if found["status"] in ("succeeded", "failed") else None

        done = wait_for(ended, timeout=120, what=f"the job of {slug}")
    assert done["status"] == status, done
    return done


def harvested(platform: Platform, slug: str) -> dict[str, dict[str, Any]]:
    """The source's datasets in the harvesting catalog, by their original identifier."""
    people = platform.people()
    with platform["catalog"].client(**people.steward.headers) as http:
        page = _expect(http.get("/api/v1/me/datasets", params={"page_size": 100}), 200)
        found = {}
        for item in page["items"]:
            dataset = _expect(http.get(f"/api/v1/datasets/{item['id']}"), 200)
            provenance = dataset["provenance"]
            if provenance and provenance["source"]["slug"] == slug:
                found[provenance["original_id"]] = dataset
        return found


def review_of(platform: Platform, dataset_id: str) -> dict[str, Any] | None:
    with platform["governance"].client(**platform.people().reviewer.headers) as http:
        page = _expect(http.get("/api/v1/reviews", params={"dataset_id": dataset_id}), 200)
        if not page["items"]:
            return None
        return dict(_expect(http.get(f"/api/v1/reviews/{page['items'][0]['id']}"), 200))


def writes(platform: Platform) -> tuple[int, int, Any]:
    """The harvesting catalog's events (outbox rows), datasets and latest modification."""
    engine = make_engine(platform["catalog"].database_url)
    try:
        with engine.connect() as connection:
            events = connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()
            datasets, latest = connection.execute(
                text("SELECT count(*), max(modified_at) FROM dataset")
            ).one()
    finally:
        engine.dispose()
    return events, datasets, latest


def counts(job: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in job["counts"].items() if k != "seen"}


# --- the scenario --------------------------------------------------------------------------------


def test_harvest_under_each_policy_then_nothing_changed_a_change_and_a_removal(
    harvesting: Platform, source_catalog: SourceCatalog
) -> None:
    platform = harvesting
    people = platform.people()
    ckan = add_source(
        platform,
        slug="hcp-ckan",
        name="Portail du HCP",
        kind="ckan",
        url=source_catalog.url,
        review_policy="trusted",
    )
    add_source(
        platform,
        slug="hcp-dcat",
        name="Catalogue DCAT du HCP",
        kind="dcat",
        url=f"{source_catalog.url}/catalog.ttl",
        review_policy="review",
    )
    ids = {year: str(source_catalog.ids[year]) for year in source_catalog.ids}

    # First jobs: three datasets each, the malformed record reported.
    output = run_by_command(platform, "hcp-ckan")
    assert "new 3" in output and "failed 1" in output, output
    first = last_job(platform, "hcp-ckan")
    assert (first["status"], first["trigger"]) == ("succeeded", "cli")
    assert counts(first) == dict(new=3, updated=0, unchanged=0, withdrawn=0, failed=1)
    [error] = first["errors"]
    assert error["original_id"] == ids["malformed"]
    assert "cannot tell its format (the source says 'QUUX')" in error["message"]
    dcat_first = run_by_api(platform, "hcp-dcat")
    assert counts(dcat_first) == dict(new=3, updated=0, unchanged=0, withdrawn=0, failed=1)

    # The trusted source's datasets end published, approved by the source itself.
    def all_published() -> dict[str, dict[str, Any]] | None:
        found = harvested(platform, "hcp-ckan")
        return found if all(d["state"] == "published" for d in found.values()) else None

    trusted = wait_for(all_published, timeout=120, what="the trusted source's datasets published")
    assert set(trusted) == {ids["2021"], ids["2022"], ids["2023"]}
    review = review_of(platform, trusted[ids["2021"]]["id"])
    assert review is not None and review["state"] == "approved"
    assert review["decided_by"] == ckan["id"]
    approvals = [e for e in review["history"] if e["kind"] == "approved"]
    assert approvals and approvals[0]["actor_name"] == "harvest source Portail du HCP"

    # The source under review: its datasets wait, their reviews open once checked.
    waiting = harvested(platform, "hcp-dcat")
    assert set(waiting) == set(trusted) and all(d["state"] == "submitted" for d in waiting.values())
    checked = wait_for(
        lambda: (
            (r := review_of(platform, waiting[ids["2022"]]["id"]))
            and r["checks_status"] == "done"
            and r
        ),
        timeout=120,
        what="the review of a dataset of the source under review",
    )
    assert checked["state"] == "open" and checked["blocking_failures"] == []

    # Provenance: the API, the CKAN extras, DCAT-AP (still valid), search, the metrics.
    dataset = trusted[ids["2022"]]
    assert dataset["provenance"]["original_uri"].startswith(f"{source_catalog.url}/api/3/action/")
    with platform["catalog"].client() as http:
        package = _expect(
            http.get("/api/3/action/package_show", params={"id": dataset["id"]}), 200
        )["result"]
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert (extras["harvest_source_id"], extras["harvest_source_title"], extras["guid"]) == (
            ckan["id"],
            "Portail du HCP",
            ids["2022"],
        )
        assert extras["harvest_url"] == dataset["provenance"]["original_uri"]
        found = _expect(http.get("/api/v1/datasets", params={"q": "population 2022"}), 200)
        assert dataset["id"] in {item["id"] for item in found["items"]}
        catalogue = http.get("/catalog.ttl")
        assert catalogue.status_code == 200
    graph = Graph().parse(data=catalogue.content, format="turtle")
    node = URIRef(f"{platform['catalog'].url}/api/v1/datasets/{dataset['id']}")
    identifier = graph.value(node, ADMS.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal(ids["2022"])
    for names in (("shapes.ttl", "range.ttl"), ("dcat-ap-SHACL.ttl",)):
        shapes = Graph()
        for name in names:
            shapes.parse(DATA_DIR / "dcat-ap-3.0.1" / name, format="turtle")
        _, results, report = validate(
            graph, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=False
        )
        assert not list(results.subjects(SH.resultSeverity, SH.Violation)), report
    wait_for(
        lambda: indicator(platform, "datasets_published")["value"] == 3,
        timeout=60,
        what="the metrics' count of published datasets",
    )

    # Second jobs, nothing changed at the source: nothing written.
    before = writes(platform)
    again = run_by_command(platform, "hcp-ckan")
    assert "new 0, updated 0" in again and "withdrawn 0" in again, again
    dcat_again = run_by_api(platform, "hcp-dcat")
    assert (dcat_again["counts"]["new"], dcat_again["counts"]["updated"]) == (0, 0)
    assert dcat_again["counts"]["withdrawn"] == 0
    assert writes(platform) == before

    # A change at the source: one dataset updated under each policy.
    with source_catalog.units() as uow:
        changed = uow.session.get_one(Dataset, source_catalog.ids["2023"])
        changed.title = {"fr": "Population légale 2023 (révisée)", "ar": "السكان القانونيون 2023"}
        touch(uow, changed)
        uow.commit()
    run_by_command(platform, "hcp-ckan")
    assert counts(last_job(platform, "hcp-ckan"))["updated"] == 1
    updated = harvested(platform, "hcp-ckan")[ids["2023"]]
    assert updated["state"] == "published"
    assert updated["title"]["fr"] == "Population légale 2023 (révisée)"
    assert updated["id"] == trusted[ids["2023"]]["id"]  # the same dataset across jobs
    assert counts(run_by_api(platform, "hcp-dcat"))["updated"] == 1
    resubmitted = harvested(platform, "hcp-dcat")[ids["2023"]]
    assert (resubmitted["state"], resubmitted["title"]["fr"]) == (
        "submitted",
        "Population légale 2023 (révisée)",
    )
    wait_for(
        lambda: (r := review_of(platform, resubmitted["id"])) and r["round"] == 2,
        timeout=60,
        what="the second round of the changed dataset's review",
    )

    # A removal at the source: withdrawn where published, removed where it never was.
    with source_catalog.units() as uow:
        withdraw_dataset(uow, SOURCE_STEWARD, ref=source_catalog.ids["2021"])
        uow.commit()
    run_by_command(platform, "hcp-ckan")
    assert counts(last_job(platform, "hcp-ckan"))["withdrawn"] == 1
    assert counts(run_by_api(platform, "hcp-dcat"))["withdrawn"] == 1
    with platform["catalog"].client(**people.steward.headers) as http:
        gone = _expect(http.get(f"/api/v1/datasets/{trusted[ids['2021']]['id']}"), 200)
        assert gone["state"] == "withdrawn"
        assert http.get(f"/api/v1/datasets/{waiting[ids['2021']]['id']}").status_code == 404
    wait_for(
        lambda: indicator(platform, "datasets_published")["value"] == 2,
        timeout=60,
        what="the metrics' count once the removal is withdrawn",
    )


def test_an_unreachable_source_fails_its_job_cleanly(harvesting: Platform) -> None:
    platform = harvesting
    nobody = free_port()  # nothing listens there
    add_source(
        platform,
        slug="nowhere",
        name="Un portail éteint",
        kind="ckan",
        url=f"http://127.0.0.1:{nobody}",
    )
    before = writes(platform)
    job = run_by_api(platform, "nowhere", status="failed")
    assert "connection failed" in job["error"] and "(4 attempts)" in job["error"]
    assert counts(job) == dict(new=0, updated=0, unchanged=0, withdrawn=0, failed=0)
    assert writes(platform)[:2] == before[:2]
    with admin_client(platform) as http:
        source = _expect(http.get("/api/v1/harvest/sources/nowhere"), 200)
    assert source["running_job_id"] is None and source["high_water_mark"] is None
    assert source["last_job"]["status"] == "failed"
