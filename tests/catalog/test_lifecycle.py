"""A dataset's whole life over HTTP, with its events on the real topic and a real review
decision produced to governance's topic: draft → submitted → rejected (draft, reasons) →
submitted → published → new data → withdrawn."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from libs.events.schemas import (
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    ReviewDecided,
)
from libs.settings import PlatformSettings
from services.catalog.models import messaging
from tests.catalog.conftest import (
    CatalogHarness,
    TokenFactory,
    catalog_events,
    enrol_organization,
    isolated_platform,
    of_type,
    produce_event,
    running_catalog,
)
from tests.support.asyncio_helpers import wait_until
from tests.support.infra import PostgresDatabases

CSV = b"commune,lits\nagadir,1200\ntiznit,300\n"


def processed(catalog: CatalogHarness, event_id: uuid.UUID) -> bool:
    table = messaging.processed_events
    with catalog.engine.connect() as connection:
        query = select(table.c.event_id).where(table.c.event_id == str(event_id))
        return connection.execute(query).first() is not None


def _decision(
    dataset_id: str, institution_id: uuid.UUID, decision: str, reasons: list[str] | None = None
) -> ReviewDecided:
    return ReviewDecided(
        review_id=uuid.uuid4(),
        dataset_id=uuid.UUID(dataset_id),
        institution_id=institution_id,
        decision=decision,
        reasons=reasons or [],
        decided_by=uuid.uuid4(),
        decided_at=datetime.now(UTC),
    )


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def catalog(
    request: pytest.FixtureRequest,
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CatalogHarness]:
    """The lifecycle runs on PostgreSQL (production) and SQLite (the embedded default)."""
    folder = tmp_path_factory.mktemp("catalog")
    url = (
        postgres_databases.create("catalog_lifecycle")
        if request.param == "postgresql"
        else f"sqlite:///{folder / 'catalog.db'}"
    )
    with running_catalog(url, folder / "uploads", isolated_platform(kafka)) as harness:
        yield harness


async def test_a_dataset_from_draft_to_withdrawal(
    catalog: CatalogHarness, tokens: TokenFactory
) -> None:
    client = catalog.client
    organization = enrol_organization(catalog.units, slug="ministere-sante")
    steward_id = uuid.uuid4()
    steward = tokens.headers(tokens.steward(organization.id, subject=steward_id))

    # --- a draft, with normalised metadata --------------------------------------------------
    created = client.post(
        "/api/v1/datasets",
        headers=steward,
        json={
            "institution_id": str(organization.id),
            "title": {"fr": "Capacité litière des hôpitaux", "ar": "الطاقة السريرية للمستشفيات"},
            "description": {"fr": "Lits par commune.", "ar": "عدد الأسرة حسب الجماعة"},
            "tags": ["Santé ", "hôpitaux", "santé", "lits  hospitaliers"],
            "themes": ["sante"],
            "license_id": "cc-by",
            "frequency": "monthly",
            "temporal_start": "2023-01-01",
            "temporal_end": "2023-12-31",
            "spatial": ["Souss-Massa", "Agadir", "سوس ماسة"],
            "contact_point": {"name": "Cellule données", "email": "data@sante.gov.ma"},
            "version": "2023.1",
        },
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    dataset_id = draft["id"]
    assert draft["slug"] == "capacite-litiere-des-hopitaux"
    assert created.headers["location"].endswith(f"/api/v1/datasets/{dataset_id}")
    assert draft["state"] == "draft"
    assert draft["tags"] == ["hôpitaux", "lits hospitaliers", "santé"]
    assert draft["frequency"] == "MONTHLY"
    assert draft["spatial"] == ["souss-massa", "Agadir"]
    assert [t["name"] for t in draft["themes"]] == ["sante"]
    assert draft["license"]["is_open"] is True
    assert draft["institution"]["slug"] == "ministere-sante"

    # A draft is not public; its institution's steward sees it.
    assert client.get(f"/api/v1/datasets/{dataset_id}").status_code == 404
    assert client.get(f"/api/v1/datasets/{draft['slug']}", headers=steward).status_code == 200

    # --- resources: a link and an upload ----------------------------------------------------
    link = client.post(
        f"/api/v1/datasets/{dataset_id}/resources",
        headers=steward,
        json={"url": "https://sante.gov.ma/api/lits", "format": "json", "title": {"fr": "API"}},
    )
    assert link.status_code == 201, link.text
    assert link.json()["format"] == "JSON"
    assert link.json()["media_type"] == "application/json"
    upload = client.post(
        f"/api/v1/datasets/{dataset_id}/resources",
        headers=steward,
        files={"file": ("lits.csv", CSV, "text/csv")},
        data={"title_ar": "الأسرة", "title_fr": "Lits"},
    )
    assert upload.status_code == 201, upload.text
    uploaded = upload.json()
    assert uploaded["format"] == "CSV"
    assert uploaded["size"] == len(CSV)
    assert uploaded["sha256"] == hashlib.sha256(CSV).hexdigest()
    assert uploaded["title"] == {"ar": "الأسرة", "fr": "Lits"}

    # --- submitted: locked, snapshot on the topic --------------------------------------------
    submitted = client.post(f"/api/v1/datasets/{dataset_id}/submit", headers=steward)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    locked = client.patch(
        f"/api/v1/datasets/{dataset_id}", headers=steward, json={"version": "2023.2"}
    )
    assert locked.status_code == 409
    assert locked.json()["type"].endswith("/dataset-locked")

    events = await catalog_events(catalog.platform, until=1, subject=dataset_id)
    [submission] = of_type(events, DatasetSubmitted)
    snapshot = submission.payload()
    assert isinstance(snapshot, DatasetSubmitted)
    assert submission.source == "/bayanat/catalog"
    assert snapshot.slug == "capacite-litiere-des-hopitaux"
    assert snapshot.institution_id == organization.id
    assert snapshot.submitted_by == steward_id
    assert snapshot.title.fr == "Capacité litière des hôpitaux"
    assert snapshot.description is not None and snapshot.description.ar
    assert snapshot.tags == ["hôpitaux", "lits hospitaliers", "santé"]
    assert snapshot.themes == ["sante"]
    assert (snapshot.license_id, snapshot.license_is_open) == ("cc-by", True)
    assert snapshot.frequency == "MONTHLY"
    assert snapshot.contact_point == {"name": "Cellule données", "email": "data@sante.gov.ma"}
    assert str(snapshot.temporal_start) == "2023-01-01"
    assert snapshot.spatial == ["souss-massa", "Agadir"]
    assert snapshot.version == "2023.1"
    by_format = {r.format: r for r in snapshot.resources}
    assert by_format["JSON"].url == "https://sante.gov.ma/api/lits"
    assert by_format["JSON"].uploaded is False
    assert by_format["CSV"].uploaded is True
    assert by_format["CSV"].size == len(CSV)
    # The review reads the file of a dataset not yet public at a signed URL.
    assert by_format["CSV"].url.startswith(uploaded["download_url"] + "?expires=")
    assert by_format["CSV"].sha256 == uploaded["sha256"]
    assert client.get(by_format["CSV"].url).content == CSV

    # --- rejected: back to draft with the reasons --------------------------------------------
    reasons = ["Le fichier CSV n'a pas de dictionnaire de données", "Licence à confirmer"]
    await produce_event(
        catalog.platform, _decision(dataset_id, organization.id, "rejected", reasons)
    )

    def state_is(state: str) -> bool:
        body = client.get(f"/api/v1/datasets/{dataset_id}", headers=steward).json()
        return body["state"] == state

    await wait_until(lambda: state_is("draft"), what="the rejection applied")
    rejected = client.get(f"/api/v1/datasets/{dataset_id}", headers=steward).json()
    assert rejected["rejection_reasons"] == reasons
    assert rejected["rejected_at"] is not None
    assert client.get(f"/api/v1/datasets/{dataset_id}").status_code == 404

    # The steward fixes it and submits again; the reasons are cleared by the new submission.
    fixed = client.patch(
        f"/api/v1/datasets/{dataset_id}",
        headers=steward,
        json={"description": {"fr": "Lits par commune; dictionnaire joint.", "ar": "عدد الأسرة"}},
    )
    assert fixed.status_code == 200, fixed.text
    resubmitted = client.post(f"/api/v1/datasets/{dataset_id}/submit", headers=steward).json()
    assert resubmitted["state"] == "submitted"
    assert resubmitted["rejection_reasons"] is None

    # --- approved: published, public, DatasetPublished ---------------------------------------
    await produce_event(catalog.platform, _decision(dataset_id, organization.id, "approved"))
    await wait_until(lambda: state_is("published"), what="the approval applied")
    public = client.get(f"/api/v1/datasets/{dataset_id}")
    assert public.status_code == 200
    published = public.json()
    assert published["published_at"] is not None
    assert published["last_data_update"] == published["published_at"]
    assert client.get("/api/v1/datasets/capacite-litiere-des-hopitaux").status_code == 200

    events = await catalog_events(catalog.platform, until=3, subject=dataset_id)
    assert len(of_type(events, DatasetSubmitted)) == 2
    [publication] = of_type(events, DatasetPublished)
    announced = publication.payload()
    assert isinstance(announced, DatasetPublished)
    assert announced.slug == "capacite-litiere-des-hopitaux"
    assert announced.institution_id == organization.id
    assert announced.title.ar == "الطاقة السريرية للمستشفيات"
    assert announced.themes == ["sante"]
    assert (announced.license_id, announced.license_is_open) == ("cc-by", True)
    assert sorted(announced.formats) == ["CSV", "JSON"]
    assert announced.frequency == "MONTHLY"
    assert announced.last_data_update == announced.published_at

    # A second approval (another review, a replay) is consumed and publishes nothing more.
    again = await produce_event(
        catalog.platform, _decision(dataset_id, organization.id, "approved")
    )
    await wait_until(lambda: processed(catalog, again.id), what="the second approval consumed")

    # --- new data: last_data_update moves, DatasetUpdated ------------------------------------
    update = client.post(
        f"/api/v1/datasets/{dataset_id}/data-updates",
        headers=steward,
        json={"resource": {"url": "https://sante.gov.ma/lits-2024.xlsx"}},
    )
    assert update.status_code == 200, update.text
    updated = update.json()
    assert updated["state"] == "published"
    moment = datetime.fromisoformat
    assert moment(updated["last_data_update"]) > moment(published["last_data_update"])
    assert "XLSX" in updated["formats"]
    assert updated["num_resources"] == 3

    # --- withdrawn: gone from the public catalogue, DatasetWithdrawn -------------------------
    withdrawn = client.post(
        f"/api/v1/datasets/{dataset_id}/withdraw",
        headers=steward,
        json={"reason": "Remplacé par un jeu national"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    assert client.get(f"/api/v1/datasets/{dataset_id}").status_code == 404

    events = await catalog_events(catalog.platform, until=5, subject=dataset_id)
    assert [e.type for e in events] == [
        DatasetSubmitted.event_type,
        DatasetSubmitted.event_type,
        DatasetPublished.event_type,
        DatasetUpdated.event_type,
        DatasetWithdrawn.event_type,
    ]
    new_data = events[3].payload()
    assert isinstance(new_data, DatasetUpdated)
    assert new_data.last_data_update == moment(updated["last_data_update"])
    assert "XLSX" in new_data.formats
    gone = events[4].payload()
    assert isinstance(gone, DatasetWithdrawn)
    assert gone.reason == "Remplacé par un jeu national"
    assert gone.institution_id == organization.id
