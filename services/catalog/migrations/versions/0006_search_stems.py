"""search stems: every dataset indexed by the stems of its words beside their surface forms

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00

Arabic light stemming and French elision and Snowball stemming (libs.text) make every form of
a word meet. PostgreSQL: ``dataset.search_document`` keeps its column and GIN index and is
rewritten with stems and marked surface forms (services/catalog/domain/search_index.py).
SQLite: ``dataset_fts`` gains a stems column per field. Every dataset's index is rebuilt here,
as ``bayanat catalog reindex`` does.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from libs.text import tokens
from services.catalog.domain.search_index import INDEXED_FIELDS, SearchDocument

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
LANGUAGES = ("fr", "ar", "en")

dataset = sa.table(
    "dataset",
    sa.column("id", sa.Uuid),
    sa.column("title", sa.JSON),
    sa.column("description", sa.JSON),
)
dataset_tag = sa.table("dataset_tag", sa.column("dataset_id", sa.Uuid), sa.column("tag", sa.String))

# dataset_fts's columns beside dataset_id, before and after.
FTS_COLUMNS_BEFORE = ("title", "tags", "description")
FTS_COLUMNS = (
    *(field.name for field in INDEXED_FIELDS),
    *(field.stems_column for field in INDEXED_FIELDS),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _datasets() -> Iterator[tuple[Any, dict[str, str] | None, dict[str, str] | None, list[str]]]:
    """Every dataset's id, title, description and tags, a batch at a time."""
    connection = op.get_bind()
    last = None
    while True:
        statement = sa.select(dataset.c.id, dataset.c.title, dataset.c.description)
        if last is not None:
            statement = statement.where(dataset.c.id > last)
        rows = connection.execute(statement.order_by(dataset.c.id).limit(BATCH)).all()
        if not rows:
            return
        tags: dict[Any, list[str]] = {row.id: [] for row in rows}
        found = connection.execute(
            sa.select(dataset_tag.c.dataset_id, dataset_tag.c.tag)
            .where(dataset_tag.c.dataset_id.in_(list(tags)))
            .order_by(dataset_tag.c.dataset_id, dataset_tag.c.tag)
        )
        for dataset_id, tag in found:
            tags[dataset_id].append(tag)
        for row in rows:
            yield row.id, row.title, row.description, tags[row.id]
        last = rows[-1].id


def _create_fts(columns: Sequence[str]) -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE dataset_fts USING fts5(dataset_id UNINDEXED, {', '.join(columns)}, "
        "tokenize='unicode61')"
    )


def _rows_in_batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def upgrade() -> None:
    connection = op.get_bind()
    documents = (
        (dataset_id, SearchDocument.of(title, description, tags))
        for dataset_id, title, description, tags in _datasets()
    )
    if _postgres():
        rows = ({"id": i, "document": d.tsvector()} for i, d in documents)
        write = sa.text(
            "UPDATE dataset SET search_document = CAST(:document AS tsvector) WHERE id = :id"
        )
    else:
        op.execute("DROP TABLE dataset_fts")
        _create_fts(FTS_COLUMNS)
        rows = ({"dataset_id": i.hex, **d.fts_row()} for i, d in documents)
        write = sa.text(
            f"INSERT INTO dataset_fts (dataset_id, {', '.join(FTS_COLUMNS)}) "
            f"VALUES (:dataset_id, {', '.join(':' + name for name in FTS_COLUMNS)})"
        )
    for batch in _rows_in_batches(rows):
        connection.execute(write, batch)


# --- downgrade: the index of 0002, normalised words without stems -------------------------


def _joined(values: dict[str, str] | None) -> str:
    return " ".join(
        " ".join(tokens(values.get(lang))) for lang in LANGUAGES if values and values.get(lang)
    )


def downgrade() -> None:
    connection = op.get_bind()
    fields = (
        {
            "id": dataset_id,
            "title": _joined(title),
            "tags": " ".join(" ".join(tokens(tag)) for tag in tags),
            "description": _joined(description),
        }
        for dataset_id, title, description, tags in _datasets()
    )
    if _postgres():
        rows: Iterator[dict[str, Any]] = fields
        write = sa.text(
            "UPDATE dataset SET search_document = "
            "setweight(to_tsvector('simple', :title), 'A') "
            "|| setweight(to_tsvector('simple', :tags), 'B') "
            "|| setweight(to_tsvector('simple', :description), 'C') WHERE id = :id"
        )
    else:
        op.execute("DROP TABLE dataset_fts")
        _create_fts(FTS_COLUMNS_BEFORE)
        rows = ({**row, "id": row["id"].hex} for row in fields)
        write = sa.text(
            "INSERT INTO dataset_fts (dataset_id, title, tags, description) "
            "VALUES (:id, :title, :tags, :description)"
        )
    for batch in _rows_in_batches(rows):
        connection.execute(write, batch)
