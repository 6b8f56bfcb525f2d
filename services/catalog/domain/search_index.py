"""Keeps a dataset's search structures in step with it, inside the writer's transaction.

Indexed text is normalised with libs.text on both sides (index and query), so Arabic spelling
variants and unaccented French meet. It is stored as libs.text tokens joined by spaces, so that
PostgreSQL's parser and FTS5's tokenizer see the same words (PostgreSQL would otherwise keep
``2019-2020`` as ``2019`` and ``-2020``, or a host name as one word). Weights: title A, tags B,
description C (title matches rank first). PostgreSQL: ``dataset.search_document`` (tsvector,
GIN, ``simple`` config: the normalisation is ours, not a stemmer's). SQLite: the
FTS5 table ``dataset_fts``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, column, delete, insert, literal, literal_column, table, update
from sqlmodel import Session, col, func

from libs.text import normalise, tokens
from services.catalog.models import Dataset

DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "ar", "en")

# SQLite's FTS5 table: created by the migrations, without a model (it is no table of ours).
FTS = table(
    "dataset_fts", column("dataset_id"), column("title"), column("tags"), column("description")
)


def localized(values: dict[str, str] | None, language: str = DEFAULT_LANGUAGE) -> str | None:
    """The text in ``language``, else in French, Arabic or English, whichever is present."""
    if not values:
        return None
    return next((values[lang] for lang in (language, *LANGUAGES) if values.get(lang)), None)


def _joined(values: dict[str, str] | None) -> str:
    return " ".join(
        " ".join(tokens(values.get(lang))) for lang in LANGUAGES if values and values.get(lang)
    )


def reindex_dataset(session: Session, dataset: Dataset, tags: list[str]) -> None:
    """Call after any change to a dataset's title, description or tags (flushes first)."""
    title = _joined(dataset.title)
    description = _joined(dataset.description)
    tag_text = " ".join(" ".join(tokens(tag)) for tag in tags)
    dataset.title_sort = normalise(localized(dataset.title) or "")[:500]
    session.add(dataset)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # The weight is PostgreSQL's one-byte "char": a bound VARCHAR would find no setweight().
        def weighted(value: str, weight: str) -> ColumnElement[Any]:
            vector = func.to_tsvector(literal_column("'simple'::regconfig"), literal(value))
            return func.setweight(vector, literal_column(f"'{weight}'::\"char\""))

        document = (
            weighted(title, "A")
            .op("||")(weighted(tag_text, "B"))
            .op("||")(weighted(description, "C"))
        )
        session.exec(
            update(Dataset).where(col(Dataset.id) == dataset.id).values(search_document=document)
        )
        return
    remove_from_index(session, dataset.id)
    session.exec(
        insert(FTS).values(
            dataset_id=dataset.id.hex, title=title, tags=tag_text, description=description
        )
    )


def remove_from_index(session: Session, dataset_id: uuid.UUID) -> None:
    if session.get_bind().dialect.name != "postgresql":
        session.exec(delete(FTS).where(FTS.c.dataset_id == dataset_id.hex))
