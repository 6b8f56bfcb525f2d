"""A small published catalogue written straight into the tables, for the DCAT and export tests.

Three published datasets that exercise every field the outputs show (Arabic, French and
English text, themes mapped to the EU vocabulary, tags in both scripts, a frequency, a
temporal and a spatial coverage, a contact point, a version; an uploaded file with its size
and sha256, external links, a format with no EU file type), one published dataset of another
organisation with a closed licence and no description, and a draft, a submitted and a
withdrawn dataset that no output may show.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from services.catalog.app import create_app
from services.catalog.domain.search_index import reindex_dataset
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    Institution,
    Resource,
)
from services.catalog.settings import CatalogSettings
from tests.conftest import DATA_DIR

BASE_URL = "https://data.example.ma"
SHAPES_DIR = DATA_DIR / "dcat-ap-3.0.1"

HCP = uuid.UUID("00000000-0000-4000-8000-0000000000b1")
MEF = uuid.UUID("00000000-0000-4000-8000-0000000000b2")
EMPTY_ORG = uuid.UUID("00000000-0000-4000-8000-0000000000b3")

POPULATION_TITLE = {
    "ar": "السكان القانونيون للجماعات",
    "fr": "Population légale des communes",
    "en": "Legal population of the communes",
}
POPULATION_DESCRIPTION = {
    "ar": "عدد السكان القانونيين حسب الجماعة، من الإحصاء العام للسكان والسكنى.",
    "fr": "Population légale par commune, issue du recensement général de la population.",
}
AIR_TITLE = {"ar": "جودة الهواء في المدن الكبرى"}
UPLOAD_BYTES = "commune,population\nعين السبع,250000\n".encode()


@dataclass
class Corpus:
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    resources: dict[str, list[uuid.UUID]] = field(default_factory=dict)

    @property
    def published(self) -> set[str]:
        return {"population-legale", "qualite-air", "budget-etat"}

    @property
    def hidden(self) -> set[str]:
        return {"brouillon", "soumis", "retire"}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def add_organization(session: Session, org_id: uuid.UUID, name: str, title: dict) -> None:
    now = datetime.now(UTC)
    session.add(
        Institution(
            id=org_id,
            slug=name,
            title=title,
            acronym=name.upper(),
            website=f"https://www.{name}.example.ma",
            created_at=now,
            modified_at=now,
        )
    )


def add_dataset(
    session: Session,
    corpus: Corpus,
    *,
    name: str,
    title: dict[str, str],
    institution_id: uuid.UUID,
    modified: datetime,
    state: DatasetState = DatasetState.PUBLISHED,
    description: dict[str, str] | None = None,
    themes: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    license_id: str | None = "cc-by",
    resources: tuple[dict, ...] = (),
    **fields: Any,
) -> Dataset:
    dataset = Dataset(
        slug=name,
        title=title,
        description=description,
        institution_id=institution_id,
        license_id=license_id,
        state=state,
        created_at=modified - timedelta(days=30),
        modified_at=modified,
        published_at=modified - timedelta(days=10) if state == DatasetState.PUBLISHED else None,
        last_data_update=modified - timedelta(days=1),
        **fields,
    )
    session.add(dataset)
    session.flush()
    for theme in themes:
        session.add(DatasetTheme(dataset_id=dataset.id, theme_name=theme))
    for tag in tags:
        session.add(DatasetTag(dataset_id=dataset.id, tag=tag))
    corpus.ids[name] = dataset.id
    corpus.resources[name] = []
    for position, spec in enumerate(resources):
        resource = Resource(
            dataset_id=dataset.id,
            position=position,
            created_at=modified - timedelta(days=20),
            modified_at=modified - timedelta(days=2),
            **spec,
        )
        session.add(resource)
        session.flush()
        corpus.resources[name].append(resource.id)
    reindex_dataset(session, dataset, list(tags))
    return dataset


def write_corpus(engine: Engine) -> Corpus:
    corpus = Corpus()
    with Session(engine) as session:
        add_organization(
            session,
            HCP,
            "hcp",
            {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"},
        )
        add_organization(
            session,
            MEF,
            "mef",
            {"fr": "Ministère de l'Économie et des Finances", "ar": "وزارة الاقتصاد والمالية"},
        )
        add_organization(session, EMPTY_ORG, "anrt", {"fr": "ANRT", "ar": "الوكالة"})
        session.flush()
        add_dataset(
            session,
            corpus,
            name="population-legale",
            title=POPULATION_TITLE,
            description=POPULATION_DESCRIPTION,
            institution_id=HCP,
            modified=at("2024-03-01T10:00:00"),
            themes=("population", "collectivites"),
            tags=("recensement", "سكان"),
            frequency="ANNUAL",
            temporal_start=date(2014, 1, 1),
            temporal_end=date(2024, 12, 31),
            spatial=["casablanca-settat", "ain-sebaa"],
            contact_point={"name": "Service des statistiques", "email": "stats@hcp.example.ma"},
            version="2.1",
            resources=(
                {
                    "title": {"fr": "Population par commune", "ar": "السكان حسب الجماعة"},
                    "description": {"fr": "Fichier CSV", "ar": "ملف CSV"},
                    "storage_key": "population.csv",
                    "filename": "population.csv",
                    "format": "CSV",
                    "media_type": "text/csv",
                    "size": len(UPLOAD_BYTES),
                    "sha256": hashlib.sha256(UPLOAD_BYTES).hexdigest(),
                },
                {
                    "title": {"fr": "API de la population"},
                    "url": "https://api.hcp.example.ma/population",
                    "format": "API",
                },
                {
                    "title": {"fr": "Note méthodologique", "ar": "مذكرة منهجية"},
                    "url": "https://www.hcp.example.ma/note méthodologique.pdf",
                    "format": "PDF",
                },
                {
                    "title": {"fr": "Découpage en JSON Lines"},
                    "url": "https://www.hcp.example.ma/communes.jsonl",
                    "format": "JSONL",
                    "media_type": "application/jsonl",
                },
            ),
        )
        add_dataset(
            session,
            corpus,
            name="qualite-air",
            title=AIR_TITLE,
            description={"ar": "قياسات يومية لجودة الهواء."},
            institution_id=HCP,
            modified=at("2024-02-01T08:30:00"),
            themes=("environnement",),
            tags=("هواء",),
            license_id="odc-odbl",
            frequency="DAILY",
            temporal_start=date(2020, 1, 1),
        )
        add_dataset(
            session,
            corpus,
            name="budget-etat",
            title={"fr": "Budget de l'État", "ar": "ميزانية الدولة"},
            institution_id=MEF,
            modified=at("2023-12-15T12:00:00"),
            themes=("economie-finances",),
            tags=("budget", "finances, publiques"),
            license_id="other-closed",
            resources=(
                {
                    "title": {"fr": "Budget 2024"},
                    "url": "https://www.finances.example.ma/budget-2024.xlsx",
                    "format": "XLSX",
                    "size": 123456,
                },
            ),
        )
        for name, state in (
            ("brouillon", DatasetState.DRAFT),
            ("soumis", DatasetState.SUBMITTED),
            ("retire", DatasetState.WITHDRAWN),
        ):
            add_dataset(
                session,
                corpus,
                name=name,
                title={"fr": f"Jeu {name}", "ar": "مسودة"},
                institution_id=HCP,
                modified=at("2024-04-01T00:00:00"),
                state=state,
                resources=({"title": {"fr": "x"}, "url": "https://x.example.ma/x.csv"},),
            )
        session.commit()
    return corpus


def catalog_settings(database_url: str) -> CatalogSettings:
    return CatalogSettings(database_url=database_url, public_url=BASE_URL)


def app_state(client: TestClient) -> Any:
    """The state of the catalog app behind ``client`` (its engine, its units of work)."""
    app = client.app
    assert isinstance(app, FastAPI)
    return app.state


@contextmanager
def running_catalog(database_url: str) -> Iterator[TestClient]:
    """The catalog app, its lifespan run (migrations applied), as a test client."""
    with TestClient(create_app(catalog_settings(database_url))) as client:
        yield client


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'catalog.db'}"
