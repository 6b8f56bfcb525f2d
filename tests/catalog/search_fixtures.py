"""A small catalogue written straight into the tables, for the search and CKAN tests.

Five published datasets chosen so that every search rule shows: Arabic words carrying hamza,
shadda, ta marbuta and alef maqsura; accented French titles; a word in one title and in
another dataset's description (title first); every filter and facet; distinct modification
times. Plus a draft, a submitted and a withdrawn dataset that no public search may return.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from libs.db import make_engine, upgrade
from services.catalog.app import MIGRATIONS_DIR
from services.catalog.domain.search_index import reindex_dataset
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    Institution,
    Resource,
)
from tests.support.infra import PostgresDatabases

HCP = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
MEF = uuid.UUID("00000000-0000-4000-8000-0000000000a2")
ANRT = uuid.UUID("00000000-0000-4000-8000-0000000000a3")

ORGANIZATIONS = {
    HCP: ("hcp", {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"}),
    MEF: (
        "mef",
        {"fr": "Ministère de l'Économie et des Finances", "ar": "وزارة الاقتصاد والمالية"},
    ),
    ANRT: (
        "anrt",
        {
            "fr": "Agence Nationale de Réglementation des Télécommunications",
            "ar": "الوكالة الوطنية لتقنين المواصلات",
        },
    ),
}

PUBLISHED = [
    "sante-etablissements",
    "loi-de-finances",
    "qualite-air",
    "ecoles-primaires",
    "effectifs-enseignants",
]
HIDDEN = ["brouillon-ecoles", "ecoles-soumises", "ecoles-retirees"]


@dataclass
class Corpus:
    """What was written: dataset ids and resource ids by dataset name."""

    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    resources: dict[str, list[uuid.UUID]] = field(default_factory=dict)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def add_dataset(
    session: Session,
    corpus: Corpus,
    *,
    name: str,
    title: dict[str, str],
    institution_id: uuid.UUID,
    modified: str,
    description: dict[str, str] | None = None,
    themes: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    license_id: str | None = None,
    formats: tuple[str, ...] = (),
    state: DatasetState = DatasetState.PUBLISHED,
    **extra: Any,
) -> Dataset:
    modified_at = at(modified)
    dataset = Dataset(
        slug=name,
        title=title,
        description=description,
        institution_id=institution_id,
        license_id=license_id,
        state=state,
        created_at=at("2023-01-01T08:00:00"),
        modified_at=modified_at,
        published_at=modified_at if state == DatasetState.PUBLISHED else None,
        **extra,
    )
    session.add(dataset)
    session.flush()
    for theme in themes:
        session.add(DatasetTheme(dataset_id=dataset.id, theme_name=theme))
    for tag in tags:
        session.add(DatasetTag(dataset_id=dataset.id, tag=tag))
    corpus.resources[name] = []
    for position, fmt in enumerate(formats):
        resource = Resource(
            dataset_id=dataset.id,
            position=position,
            title={"fr": f"Fichier {fmt}", "ar": f"ملف {fmt}"},
            description={"fr": f"Les données en {fmt}"},
            url=f"https://data.example.ma/{name}/{position}.{fmt.lower()}",
            format=fmt,
            media_type="text/csv" if fmt == "CSV" else None,
            size=1000 + position,
            sha256="ab" * 32,
            created_at=modified_at,
            modified_at=modified_at,
        )
        session.add(resource)
        session.flush()
        corpus.resources[name].append(resource.id)
    reindex_dataset(session, dataset, list(tags))
    corpus.ids[name] = dataset.id
    return dataset


def seed(engine: Engine) -> Corpus:
    corpus = Corpus()
    with Session(engine) as session:
        for org_id, (name, title) in ORGANIZATIONS.items():
            session.add(
                Institution(
                    id=org_id,
                    slug=name,
                    title=title,
                    acronym=name.upper(),
                    kind="public_body",
                    enrolled_on=date(2019, 12, 1),
                    created_at=at("2020-01-01T00:00:00"),
                    modified_at=at("2020-01-01T00:00:00"),
                )
            )
        session.flush()
        add_dataset(
            session,
            corpus,
            name="sante-etablissements",
            title={
                "fr": "Statistiques des établissements de santé",
                "ar": "إحصائيات الصحّة في المستشفى الإقليمي",
                "en": "Health facilities statistics",
            },
            description={"fr": "Nombre de lits par hôpital et par région."},
            institution_id=HCP,
            modified="2024-03-01T10:00:00",
            themes=("sante",),
            tags=("santé", "hôpitaux"),
            license_id="cc-by",
            formats=("CSV", "PDF"),
            frequency="ANNUAL",
            temporal_start=date(2015, 1, 1),
            temporal_end=date(2023, 12, 31),
            spatial=["casablanca-settat", "souss-massa"],
            contact_point={"name": "Service des statistiques", "email": "stats@hcp.ma"},
            version="2.1",
            last_data_update=at("2024-02-20T09:00:00"),
        )
        add_dataset(
            session,
            corpus,
            name="loi-de-finances",
            title={"fr": "Budget de l'État 2019-2020", "ar": "ميزانية الدولة"},
            description={"fr": "Dépenses et recettes du budget général."},
            institution_id=MEF,
            modified="2024-01-15T10:00:00",
            themes=("economie-finances",),
            tags=("budget", "finances"),
            license_id="odc-odbl",
            formats=("XLSX", "CSV"),
        )
        add_dataset(
            session,
            corpus,
            name="qualite-air",
            title={"fr": "Qualité de l'air à Casablanca", "ar": "جودة الهواء في الدار البيضاء"},
            description={"fr": "Mesures horaires des polluants ; effets sur la santé."},
            institution_id=ANRT,
            modified="2024-05-10T10:00:00",
            themes=("environnement", "sante"),
            tags=("air",),
            license_id="other-closed",
            formats=("JSON",),
        )
        add_dataset(
            session,
            corpus,
            name="ecoles-primaires",
            title={"fr": "Écoles primaires publiques", "ar": "المدارس الابتدائية العمومية"},
            institution_id=MEF,
            modified="2023-09-01T10:00:00",
            themes=("education",),
            tags=("éducation",),
            license_id="cc-by-sa",
            formats=("CSV",),
        )
        add_dataset(
            session,
            corpus,
            name="effectifs-enseignants",
            title={"fr": "Effectifs des enseignants", "ar": "أعداد الأساتذة"},
            description={"fr": "Nombre d'enseignants par écoles et par académies régionales."},
            institution_id=HCP,
            modified="2024-06-01T10:00:00",
            themes=("education",),
        )
        for name, state in zip(
            HIDDEN,
            (DatasetState.DRAFT, DatasetState.SUBMITTED, DatasetState.WITHDRAWN),
            strict=True,
        ):
            add_dataset(
                session,
                corpus,
                name=name,
                title={"fr": f"Écoles privées ({state.value})", "ar": "المدارس الخاصة"},
                institution_id=MEF,
                modified="2024-07-01T10:00:00",
                themes=("education",),
                tags=("éducation", "budget", "privé"),
                license_id="cc-by",
                formats=("CSV",),
                state=state,
            )
        session.commit()
    return corpus


def migrated_engine(url: str) -> Engine:
    upgrade(MIGRATIONS_DIR, url)
    return make_engine(url)


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'catalog.db'}"


BACKENDS = ["sqlite", "postgresql"]


def database_url(backend: str, directory: Path, postgres_databases: PostgresDatabases) -> str:
    """A fresh, empty database of the kind asked for."""
    if backend == "postgresql":
        return postgres_databases.create("catalog_search")
    return sqlite_url(directory)
