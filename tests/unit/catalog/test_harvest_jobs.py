"""Harvest jobs on the catalog's domain (SQLite), from a CKAN site in memory: what a first job
creates, that a second one with nothing changed writes nothing, how a change, a removal and a
malformed record are handled under each review policy, and how a source that cannot be read
fails the job."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, SKOS
from sqlmodel import col, select

from libs.events.schemas import (
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    ReviewDecided,
)
from services.catalog.app import download_signer
from services.catalog.domain.bounds import Title
from services.catalog.domain.datasets import publish_submitted, withdraw_dataset
from services.catalog.domain.dcat import ADMS, DCAT, catalog_graph, catalog_page
from services.catalog.domain.exports import Links
from services.catalog.domain.harvest.records import apply_pending_decision
from services.catalog.domain.harvest.sources import (
    MappingsInput,
    SourceChanges,
    SourceCreate,
    create_source,
    update_source,
)
from services.catalog.domain.views import load_view
from services.catalog.models import (
    Dataset,
    DatasetState,
    HarvestJob,
    HarvestJobError,
    HarvestJobStatus,
    HarvestKind,
    HarvestRecord,
    HarvestSource,
    Resource,
    ReviewPolicy,
)
from services.catalog.settings import CatalogSettings
from services.catalog.workers import HarvestRunner
from tests.conftest import DATA_DIR
from tests.support.ckan_site import SITE, CkanSite, package
from tests.support.renditions import assert_stored_as_rendered, stored_bodies
from tests.unit.catalog.conftest import Catalog, admin, enrol, steward


@pytest.fixture
def site() -> CkanSite:
    return CkanSite([package(1), package(2), package(3)])


def add_source(catalog: Catalog, institution_id: uuid.UUID, policy: ReviewPolicy) -> uuid.UUID:
    data = SourceCreate(
        slug="communes",
        name="Portail des communes",
        institution_id=institution_id,
        kind=HarvestKind.CKAN,
        url=SITE,
        review_policy=policy,
    )
    with catalog.unit() as uow:
        source = create_source(uow, admin(), data=data)
        uow.commit()
        return source.id


PUBLIC_URL = "http://catalog.test"


def settings(**values: Any) -> CatalogSettings:
    return CatalogSettings(
        database_url="sqlite://", public_url=PUBLIC_URL, harvest_page_size=2, **values
    )


def run(
    catalog: Catalog, site: CkanSite, source_id: uuid.UUID, *, full: bool = False
) -> HarvestJob:
    runner = HarvestRunner(
        settings(), catalog.store, download_signer(settings()), fetchers=site.fetchers()
    )
    claim = runner.claim_source(catalog.units.factory, str(source_id), trigger="cli", full=full)
    job = asyncio.run(runner.execute(catalog.units.factory, claim))
    assert job is not None
    return job


def counts(job: HarvestJob) -> dict[str, int]:
    return {
        "seen": job.seen_count,
        "new": job.new_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "withdrawn": job.withdrawn_count,
        "failed": job.failed_count,
    }


def harvested(catalog: Catalog, number: int) -> Dataset:
    with catalog.unit() as uow:
        record = uow.session.exec(
            select(HarvestRecord).where(
                col(HarvestRecord.original_id) == str(uuid.UUID(int=number))
            )
        ).one()
        dataset = uow.session.get_one(Dataset, record.dataset_id)
        uow.session.expunge(dataset)
        return dataset


def publish(catalog: Catalog, *numbers: int) -> None:
    """The harvested datasets published, as their approved reviews would."""
    for number in numbers:
        with catalog.unit() as uow:
            publish_submitted(uow, uow.session.get_one(Dataset, harvested(catalog, number).id))
            uow.commit()


def event_count(catalog: Catalog) -> int:
    return len(catalog.published())


def test_a_first_job_creates_each_record_as_a_dataset_of_the_institution_and_submits_it(
    catalog: Catalog, site: CkanSite
) -> None:
    institution = enrol(catalog)
    source_id = add_source(catalog, institution, ReviewPolicy.REVIEW)
    job = run(catalog, site, source_id)
    assert job.status == HarvestJobStatus.SUCCEEDED and job.error is None
    assert counts(job) == dict(seen=3, new=3, updated=0, unchanged=0, withdrawn=0, failed=0)
    dataset = harvested(catalog, 2)
    assert dataset.state == DatasetState.SUBMITTED
    assert dataset.institution_id == institution and dataset.created_by == source_id
    assert dataset.slug == "budget-commune-2"  # the source's URL name, free here
    assert dataset.title == {"fr": "Budget de la commune 2", "ar": "ميزانية الجماعة 2"}
    assert (dataset.license_id, dataset.frequency) == ("cc-by", "ANNUAL")
    assert dataset.contact_point == {
        "name": "Service des finances",
        "email": "finances@commune.example",
    }
    with catalog.unit() as uow:
        view = load_view(uow.session, uow.session.get_one(Dataset, dataset.id))
        themes, urls = view.theme_names, [r.url for r in view.resources]
    assert (themes, view.tags) == (["economie-finances"], ["budget", "finances"])
    assert urls == ["https://files.commune.example/budget-2.csv"]
    assert view.provenance is not None
    assert view.provenance.original_id == str(uuid.UUID(int=2))
    assert view.provenance.original_uri == f"{SITE}/api/3/action/package_show?id={uuid.UUID(int=2)}"
    submissions = [e.payload() for e in catalog.published(DatasetSubmitted.event_type)]
    assert len(submissions) == 3
    origin = next(
        s for s in submissions if isinstance(s, DatasetSubmitted) and s.dataset_id == dataset.id
    ).harvest
    assert origin is not None and (origin.source_id, origin.trusted) == (source_id, False)
    assert (
        origin.original_id == str(uuid.UUID(int=2)) and origin.source_name == "Portail des communes"
    )
    # The whole catalogue was read, page by page, sorted by modification.
    first = site.searches()[0]
    assert first["sort"] == "metadata_modified asc" and "metadata_modified" not in first.get(
        "fq", ""
    )
    with catalog.unit() as uow:
        source = uow.session.get_one(HarvestSource, source_id)
        assert source.high_water_mark is not None and source.lease_job_id is None


def test_a_second_job_with_nothing_changed_writes_nothing(catalog: Catalog, site: CkanSite) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    run(catalog, site, source_id)
    before = {n: harvested(catalog, n).modified_at for n in (1, 2, 3)}
    events = event_count(catalog)
    site.requests.clear()
    job = run(catalog, site, source_id)
    assert job.status == HarvestJobStatus.SUCCEEDED
    assert job.new_count == job.updated_count == job.withdrawn_count == job.failed_count == 0
    assert event_count(catalog) == events
    assert {n: harvested(catalog, n).modified_at for n in (1, 2, 3)} == before
    # Only what changed since the last job was asked for.
    assert "metadata_modified:[2026-01-05T09:03:00.000Z TO *]" in site.searches()[0]["fq"]


def test_a_change_to_a_submitted_dataset_is_applied_and_submitted_again(
    catalog: Catalog, site: CkanSite
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    run(catalog, site, source_id)
    site.change(2, title_translated={"fr": "Budget révisé de la commune 2"})
    events = len(catalog.published(DatasetSubmitted.event_type))
    job = run(catalog, site, source_id)
    assert (job.updated_count, job.new_count, job.failed_count) == (1, 0, 0)
    dataset = harvested(catalog, 2)
    assert dataset.state == DatasetState.SUBMITTED
    assert dataset.title == {"fr": "Budget révisé de la commune 2"}
    assert len(catalog.published(DatasetSubmitted.event_type)) == events + 1


def test_a_trusted_source_s_change_to_a_published_dataset_is_a_data_update(
    catalog: Catalog, site: CkanSite
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.TRUSTED)
    run(catalog, site, source_id)
    publish(catalog, 1, 2, 3)
    resource_before = _resource_ids(catalog, harvested(catalog, 1).id)
    site.change(1, title="Budget 2025 de la commune", title_translated=None)
    job = run(catalog, site, source_id)
    assert job.updated_count == 1
    dataset = harvested(catalog, 1)
    assert dataset.state == DatasetState.PUBLISHED
    assert dataset.title == {"fr": "Budget 2025 de la commune"}
    assert _resource_ids(catalog, dataset.id) == resource_before  # the same URL, the same id
    [updated] = [e.payload() for e in catalog.published(DatasetUpdated.event_type)]
    assert isinstance(updated, DatasetUpdated) and updated.dataset_id == dataset.id


def test_a_harvested_change_renders_the_dataset_s_read_model_again(
    catalog: Catalog, site: CkanSite
) -> None:
    catalog.units.factory.public_url = PUBLIC_URL  # as the service's units render
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.TRUSTED)
    run(catalog, site, source_id)
    publish(catalog, 1)
    dataset_id = harvested(catalog, 1).id
    with catalog.unit() as uow:
        assert_stored_as_rendered(uow.session, dataset_id, PUBLIC_URL)
        before = stored_bodies(uow.session, dataset_id)

    site.change(1, title="Budget 2025 de la commune", title_translated=None)
    assert run(catalog, site, source_id).updated_count == 1
    with catalog.unit() as uow:
        assert_stored_as_rendered(uow.session, dataset_id, PUBLIC_URL)
        after = stored_bodies(uow.session, dataset_id)
    assert after["native"] != before["native"]
    assert b"Budget 2025 de la commune" in (after["ckan"] or b"")


def _resource_ids(catalog: Catalog, dataset_id: uuid.UUID) -> list[uuid.UUID]:
    with catalog.unit() as uow:
        return list(
            uow.session.exec(select(Resource.id).where(col(Resource.dataset_id) == dataset_id))
        )


def decided(dataset: Dataset, submitted: DatasetSubmitted, verdict: str) -> ReviewDecided:
    return ReviewDecided.model_validate(
        {
            "review_id": uuid.uuid4(),
            "dataset_id": dataset.id,
            "institution_id": dataset.institution_id,
            "decision": verdict,
            "reasons": [] if verdict == "approved" else ["the new figures are provisional"],
            "decided_by": uuid.uuid4(),
            "decided_at": submitted.submitted_at,
            "submitted_at": submitted.submitted_at,
        }
    )


def last_submission(catalog: Catalog) -> DatasetSubmitted:
    payload = catalog.published(DatasetSubmitted.event_type)[-1].payload()
    assert isinstance(payload, DatasetSubmitted)
    return payload


def test_a_reviewed_source_s_change_to_a_published_dataset_waits_for_its_review(
    catalog: Catalog, site: CkanSite
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    run(catalog, site, source_id)
    publish(catalog, 1, 2, 3)
    site.change(3, title_translated={"fr": "Budget rectificatif"})
    job = run(catalog, site, source_id)
    assert job.updated_count == 1
    dataset = harvested(catalog, 3)
    assert (dataset.state, dataset.title["fr"]) == (
        DatasetState.PUBLISHED,
        "Budget de la commune 3",
    )
    submission = last_submission(catalog)
    assert submission.dataset_id == dataset.id and submission.title.fr == "Budget rectificatif"
    assert submission.harvest is not None and submission.harvest.trusted is False
    # Nothing changed since: the change is waiting, not submitted again.
    again = run(catalog, site, source_id)
    assert again.updated_count == 0 and last_submission(catalog) == submission
    # The reviewer approves: the change is applied as a data update.
    with catalog.unit() as uow:
        assert apply_pending_decision(uow, decided(dataset, submission, "approved"))
        uow.commit()
    assert harvested(catalog, 3).title == {"fr": "Budget rectificatif"}
    assert len(catalog.published(DatasetUpdated.event_type)) == 1


def test_a_declined_change_is_not_submitted_again_until_it_changes(
    catalog: Catalog, site: CkanSite
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    run(catalog, site, source_id)
    publish(catalog, 1, 2, 3)
    site.change(1, notes="Chiffres provisoires.")
    run(catalog, site, source_id)
    dataset, submission = harvested(catalog, 1), last_submission(catalog)
    with catalog.unit() as uow:
        assert apply_pending_decision(uow, decided(dataset, submission, "rejected"))
        uow.commit()
    submissions = len(catalog.published(DatasetSubmitted.event_type))
    job = run(catalog, site, source_id, full=True)  # every record compared again
    assert (job.updated_count, job.unchanged_count) == (0, 3)
    assert len(catalog.published(DatasetSubmitted.event_type)) == submissions
    assert harvested(catalog, 1).description is not None
    assert harvested(catalog, 1).description == {
        "fr": "Les recettes et les dépenses de la commune, par chapitre."
    }


def test_a_record_gone_from_the_source_is_withdrawn_or_never_public_removed(
    catalog: Catalog, site: CkanSite
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    run(catalog, site, source_id)
    publish(catalog, 1)
    published_id, submitted_id = harvested(catalog, 1).id, harvested(catalog, 2).id
    site.remove(1)
    site.remove(2)
    job = run(catalog, site, source_id)
    assert (job.withdrawn_count, job.failed_count) == (2, 0)
    assert catalog.dataset(published_id).state == DatasetState.WITHDRAWN
    [withdrawal] = [e.payload() for e in catalog.published(DatasetWithdrawn.event_type)]
    assert isinstance(withdrawal, DatasetWithdrawn) and withdrawal.dataset_id == published_id
    assert "removed from its source" in (withdrawal.reason or "")
    with catalog.unit() as uow:
        assert uow.session.get(Dataset, submitted_id) is None
        record = uow.session.get_one(HarvestRecord, published_id)
        assert record.removed_at is not None
    # Asked the source before withdrawing: are these really gone?
    assert any("id:(" in s.get("fq", "") for s in site.searches())
    assert run(catalog, site, source_id).withdrawn_count == 0


def test_a_malformed_record_is_reported_and_the_others_go_through(
    catalog: Catalog, site: CkanSite
) -> None:
    site.add(
        package(4, title="", title_translated={}),
        package(5, resources=[{"url": "https://files.example/data", "format": "QUUX"}]),
        {**package(6), "id": None, "name": "no-id-at-all"},
    )
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    job = run(catalog, site, source_id)
    assert job.status == HarvestJobStatus.SUCCEEDED
    assert (job.new_count, job.failed_count, job.seen_count) == (3, 3, 6)
    with catalog.unit() as uow:
        errors = {
            e.original_id: e.message
            for e in uow.session.exec(
                select(HarvestJobError).where(col(HarvestJobError.job_id) == job.id)
            )
        }
    assert "no title in Arabic or French" in errors[str(uuid.UUID(int=4))]
    assert (
        "resource 1: cannot tell its format (the source says 'QUUX')"
        in errors[str(uuid.UUID(int=5))]
    )
    assert "without an id" in errors[None]


def test_a_format_mapping_fixes_a_record_at_the_next_job(catalog: Catalog, site: CkanSite) -> None:
    site.add(package(5, resources=[{"url": "https://files.example/data", "format": "QUUX"}]))
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    assert run(catalog, site, source_id).failed_count == 1
    with catalog.unit() as uow:
        changes = SourceChanges(mappings=MappingsInput(formats={"quux": "CSV"}))
        update_source(uow, admin(), ref=source_id, changes=changes)
        uow.commit()
    site.requests.clear()
    job = run(catalog, site, source_id)
    # The mappings changed: every record is read again, and only the fixed one is written.
    assert "metadata_modified" not in site.searches()[0].get("fq", "")
    assert (job.new_count, job.unchanged_count, job.failed_count) == (1, 3, 0)


def test_a_withdrawn_dataset_is_never_brought_back(catalog: Catalog, site: CkanSite) -> None:
    institution = enrol(catalog)
    source_id = add_source(catalog, institution, ReviewPolicy.TRUSTED)
    run(catalog, site, source_id)
    publish(catalog, 2)
    with catalog.unit() as uow:
        withdraw_dataset(uow, steward(institution), ref=harvested(catalog, 2).id)
        uow.commit()
    site.change(2, title="Budget republié")
    job = run(catalog, site, source_id)
    assert (job.updated_count, job.withdrawn_count) == (0, 0)
    assert harvested(catalog, 2).state == DatasetState.WITHDRAWN


@pytest.mark.parametrize("status", [503, 404])
def test_a_source_that_cannot_be_read_fails_the_job_and_nothing_is_written(
    catalog: Catalog, site: CkanSite, status: int
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.REVIEW)
    site.failures = [status] * 10
    job = run(catalog, site, source_id)
    assert job.status == HarvestJobStatus.FAILED
    expected = "(4 attempts)" if status == 503 else f"answered HTTP {status}"
    assert job.error is not None and expected in job.error
    assert len(site.requests) == (4 if status == 503 else 1)  # retried only what may pass
    assert counts(job)["new"] == 0 and event_count(catalog) == 0
    with catalog.unit() as uow:
        source = uow.session.get_one(HarvestSource, source_id)
        assert source.high_water_mark is None and source.lease_job_id is None
        assert uow.session.exec(select(Dataset)).first() is None


def test_a_slug_already_taken_gives_the_harvested_dataset_one_of_its_own(
    catalog: Catalog, site: CkanSite
) -> None:
    from tests.unit.catalog.conftest import draft

    institution = enrol(catalog)
    draft(catalog, institution, slug="budget-commune-1", title=Title(fr="Autre budget"))
    source_id = add_source(catalog, institution, ReviewPolicy.REVIEW)
    assert run(catalog, site, source_id).new_count == 3
    assert harvested(catalog, 1).slug == "budget-de-la-commune-1"


def test_a_harvested_dataset_in_dcat_ap_has_its_origin_and_no_shacl_violation(
    catalog: Catalog, site: CkanSite
) -> None:
    source_id = add_source(catalog, enrol(catalog), ReviewPolicy.TRUSTED)
    run(catalog, site, source_id)
    publish(catalog, 1, 2)
    links = Links("https://data.example.ma")
    with catalog.unit() as uow:
        page = catalog_page(uow.session)
        graph = catalog_graph(uow.session, page, links, lambda n: f"{links.catalog()}.ttl?page={n}")
    dataset = URIRef(links.dataset(harvested(catalog, 1).id))
    identifier = graph.value(dataset, ADMS.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal(str(uuid.UUID(int=1)))
    record = URIRef(f"{dataset}#record")
    assert (URIRef(links.catalog()), DCAT.record, record) in graph
    assert graph.value(record, FOAF.primaryTopic) == dataset
    original = graph.value(record, DCTERMS.source)
    assert (original, RDF.type, DCAT.CatalogRecord) in graph
    assert graph.value(original, RDFS.seeAlso) == URIRef(
        f"{SITE}/api/3/action/package_show?id={uuid.UUID(int=1)}"
    )
    for shapes in (("shapes.ttl", "range.ttl"), ("dcat-ap-SHACL.ttl",)):
        shacl = Graph()
        for name in shapes:
            shacl.parse(DATA_DIR / "dcat-ap-3.0.1" / name, format="turtle")
        _, results, report = validate(
            graph, shacl_graph=shacl, inference="none", allow_warnings=True, advanced=False
        )
        assert not list(results.subjects(SH.resultSeverity, SH.Violation)), report
