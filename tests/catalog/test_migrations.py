"""The catalog's migrations from scratch on PostgreSQL and SQLite: they build the tables its
models describe, 0004 renames organisations to institutions and names to slugs without
losing a row, and 0006 indexes every dataset by the stems of its words; each both ways."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, col, select

from libs.db import _managed_by_migrations, alembic_config, make_engine, upgrade
from services.catalog.app import MIGRATIONS_DIR
from services.catalog.domain.search import SearchQuery, search_datasets
from services.catalog.models import Dataset, DatasetTag, Institution, metadata
from tests.catalog.search_fixtures import BACKENDS, database_url
from tests.support.infra import PostgresDatabases

INSTITUTION = uuid.UUID("00000000-0000-4000-8000-00000000f001")
DATASET = uuid.UUID("00000000-0000-4000-8000-00000000d001")


def write_before_0004(engine: Engine) -> None:
    """An organisation and its dataset (with a tag) as revision 0003 stores them."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organization (id, name, title, kind, active, created_at, modified_at)"
                " VALUES (:id, 'hcp', '{\"fr\": \"HCP\"}', 'public_body', :yes, :at, :at)"
            ),
            {"id": _id(engine, INSTITUTION), "yes": True, "at": "2024-01-01 00:00:00+00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO dataset (id, name, title, organization_id, state, created_at,"
                " modified_at, title_sort) VALUES (:id, 'budget-2024', '{\"fr\": \"Budget\"}',"
                " :organization, 'draft', :at, :at, 'budget')"
            ),
            {
                "id": _id(engine, DATASET),
                "organization": _id(engine, INSTITUTION),
                "at": "2024-01-01 00:00:00+00:00",
            },
        )
        connection.execute(
            text("INSERT INTO dataset_tag (dataset_id, tag) VALUES (:id, 'budget')"),
            {"id": _id(engine, DATASET)},
        )


GIN_INDEXES = (
    "ix_dataset_search_document",
    "ix_dataset_facet_tags",
    "ix_dataset_facet_themes",
    "ix_dataset_facet_formats",
)


def _id(engine: Engine, value: uuid.UUID) -> str:
    # SQLAlchemy's Uuid type stores 32 hex digits on SQLite, a uuid on PostgreSQL.
    return value.hex if engine.dialect.name == "sqlite" else str(value)


def index_names(engine: Engine, table: str) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes(table)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_build_the_models_and_0004_renames_without_losing_rows(
    backend: str, tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    url = database_url(backend, tmp_path, postgres_databases)
    config = alembic_config(MIGRATIONS_DIR, url)
    upgrade(MIGRATIONS_DIR, url, "0003")
    engine = make_engine(url)
    try:
        write_before_0004(engine)
        upgrade(MIGRATIONS_DIR, url)

        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": _managed_by_migrations},
            )
            differences = compare_metadata(context, metadata)
        if backend == "sqlite":  # the GIN indexes are PostgreSQL's only
            differences = [
                d for d in differences if not any(name in str(d) for name in GIN_INDEXES)
            ]
        assert differences == []
        assert index_names(engine, "institution") == {
            "ix_institution_active",
            "ix_institution_slug",
        }
        assert {"ix_dataset_slug", "ix_dataset_institution_id"} <= index_names(engine, "dataset")

        with Session(engine) as session:
            institution = session.get_one(Institution, INSTITUTION)
            dataset = session.get_one(Dataset, DATASET)
            tags = session.exec(
                select(DatasetTag.tag).where(col(DatasetTag.dataset_id) == DATASET)
            ).all()
        assert (institution.slug, institution.title) == ("hcp", {"fr": "HCP"})
        assert (dataset.slug, dataset.institution_id) == ("budget-2024", INSTITUTION)
        assert tags == ["budget"]

        command.downgrade(config, "0003")
        assert "organization" in inspect(engine).get_table_names()
        assert {"ix_dataset_name", "ix_dataset_organization_id"} <= index_names(engine, "dataset")
        with engine.connect() as connection:
            row = connection.execute(text("SELECT name, organization_id FROM dataset")).one()
        assert row.name == "budget-2024"
        upgrade(MIGRATIONS_DIR, url)
        with Session(engine) as session:
            assert session.get_one(Dataset, DATASET).slug == "budget-2024"
    finally:
        engine.dispose()


def write_at_0005(engine: Engine) -> None:
    """A published dataset with a tag, as revision 0005 stores it (its index left empty)."""
    at = "2024-01-01 00:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO institution (id, slug, title, kind, active, created_at, modified_at)"
                " VALUES (:id, 'hcp', '{\"fr\": \"HCP\"}', 'public_body', :yes, :at, :at)"
            ),
            {"id": _id(engine, INSTITUTION), "yes": True, "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO dataset (id, slug, title, description, institution_id, state,"
                " created_at, modified_at, title_sort) VALUES (:id, 'ecoles-2024',"
                ' \'{"fr": "Écoles primaires", "ar": "المدارس الابتدائية"}\','
                " '{\"fr\": \"Effectifs par région\"}', :institution, 'published', :at, :at,"
                " 'ecoles primaires')"
            ),
            {"id": _id(engine, DATASET), "institution": _id(engine, INSTITUTION), "at": at},
        )
        connection.execute(
            text("INSERT INTO dataset_tag (dataset_id, tag) VALUES (:id, 'santé')"),
            {"id": _id(engine, DATASET)},
        )


def found(engine: Engine, words: str) -> list[str]:
    with Session(engine) as session:
        result = search_datasets(session, SearchQuery(text=words, facets=()))
    return [view.dataset.slug for view in result.items]


@pytest.mark.parametrize("backend", BACKENDS)
def test_0006_indexes_every_dataset_by_the_stems_of_its_words_and_back(
    backend: str, tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    url = database_url(backend, tmp_path, postgres_databases)
    upgrade(MIGRATIONS_DIR, url, "0005")
    engine = make_engine(url)
    try:
        write_at_0005(engine)
        upgrade(MIGRATIONS_DIR, url)
        for words in ("école", "ecoles", "مدارس", "الابتدائي", "regions", "sante"):
            assert found(engine, words) == ["ecoles-2024"], words

        command.downgrade(alembic_config(MIGRATIONS_DIR, url), "0005")
        with engine.connect() as connection:
            if backend == "postgresql":
                document = connection.execute(text("SELECT search_document::text FROM dataset"))
                indexed = document.scalar_one()
                assert "'ecoles':1A" in indexed and "'ecol'" not in indexed
            else:
                row = connection.execute(text("SELECT * FROM dataset_fts")).mappings().one()
                assert set(row) == {"dataset_id", "title", "tags", "description"}
                assert row["title"] == "ecoles primaires المدارس الابتداييه"
        upgrade(MIGRATIONS_DIR, url)
        assert found(engine, "écoles primaires") == ["ecoles-2024"]
    finally:
        engine.dispose()
