"""Keeps a dataset's search structures in step with it, inside the writer's transaction.

What is indexed, the same on both databases (libs.text does the work in Python, so PostgreSQL
and SQLite hold exactly the same terms):

- three fields: the title (every language), the tags, the description (every language);
- for each word of a field (``libs.text.search_tokens``: normalised, French elisions dropped)
  two terms at the same position: its **stem** (``libs.text.stem``: Arabic light stemming,
  French Snowball), which a search matches on, and its **surface** form, which a search
  matches the last word's prefix on and ranks exact forms with. Position for position, so
  that a phrase is the same sequence of stems.

PostgreSQL: ``dataset.search_document`` (tsvector, GIN), written as a tsvector literal: a stem
as itself, a surface form behind ``SURFACE_MARK``; the title weighted A, the tags B, the
description C, each field's positions after the previous field's and ``FIELD_GAP`` apart (a
phrase never runs from one field into the next). SQLite: the FTS5 table ``dataset_fts``, a
column per field and form (``title``, ``tags``, ``description`` for the surface,
``title_stems``, ``tags_stems``, ``description_stems``), whose positions are per column.

Facet values (PostgreSQL): in the same statement, the dataset's tags, themes and distinct
resource formats are copied from their tables onto its row (``facet_tags``, ``facet_themes``,
``facet_formats``, sorted), which the search counts facets on (domain/search.py). Every
change of those rows reindexes the dataset in its unit of work (domain/datasets.py ``touch``),
as it does for the text; rows written straight into the tables (a bulk load) are followed by
``FACET_VALUES_UPDATE``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import column, delete, insert, table, text
from sqlmodel import Session

from libs.text import normalise, search_tokens, stem
from services.catalog.models import Dataset

DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "ar", "en")

# Marks a surface form among the stems of a tsvector (no word of libs.text holds it).
SURFACE_MARK = "="
# Positions between two fields of a tsvector; PostgreSQL keeps positions up to 16383.
FIELD_GAP = 100
MAX_POSITION = 16383


@dataclass(frozen=True)
class IndexedField:
    """A field of the index: its name on SQLite, its weight on PostgreSQL."""

    name: str
    weight: str

    @property
    def stems_column(self) -> str:
        return f"{self.name}_stems"


TITLE = IndexedField("title", "A")
TAGS = IndexedField("tags", "B")
DESCRIPTION = IndexedField("description", "C")
INDEXED_FIELDS = (TITLE, TAGS, DESCRIPTION)

# The facet values of the dataset being updated, from their tables (PostgreSQL).
FACET_VALUES = """
    facet_tags = ARRAY(SELECT t.tag FROM dataset_tag t WHERE t.dataset_id = dataset.id
                       ORDER BY t.tag),
    facet_themes = ARRAY(SELECT t.theme_name FROM dataset_theme t WHERE t.dataset_id = dataset.id
                         ORDER BY t.theme_name),
    facet_formats = ARRAY(SELECT DISTINCT r.format FROM resource r WHERE r.dataset_id = dataset.id
                          AND r.format IS NOT NULL ORDER BY r.format)
"""
# Every dataset's facet values, after a bulk load that wrote the tables directly.
FACET_VALUES_UPDATE = f"UPDATE dataset SET {FACET_VALUES}"
_PG_WRITE = text(
    "UPDATE dataset SET search_document = CAST(:document AS tsvector), "
    f"{FACET_VALUES} WHERE dataset.id = :dataset_id"
)

# SQLite's FTS5 table: created by the migrations, without a model (it is no table of ours).
FTS = table(
    "dataset_fts",
    column("dataset_id"),
    *(column(field.name) for field in INDEXED_FIELDS),
    *(column(field.stems_column) for field in INDEXED_FIELDS),
)


def localized(values: dict[str, str] | None, language: str = DEFAULT_LANGUAGE) -> str | None:
    """The text in ``language``, else in French, Arabic or English, whichever is present."""
    if not values:
        return None
    return next((values[lang] for lang in (language, *LANGUAGES) if values.get(lang)), None)


def _words(values: list[str | None]) -> tuple[str, ...]:
    return tuple(word for value in values for word in search_tokens(value))


def _languages(values: dict[str, str] | None) -> list[str | None]:
    return [values.get(lang) for lang in LANGUAGES] if values else []


@dataclass(frozen=True)
class SearchDocument:
    """The words of a dataset's three indexed fields, in order."""

    title: tuple[str, ...]
    tags: tuple[str, ...]
    description: tuple[str, ...]

    @classmethod
    def of(
        cls, title: dict[str, str] | None, description: dict[str, str] | None, tags: list[str]
    ) -> SearchDocument:
        return cls(
            title=_words(_languages(title)),
            tags=_words(list(tags)),
            description=_words(_languages(description)),
        )

    def words(self, field: IndexedField) -> tuple[str, ...]:
        words: tuple[str, ...] = getattr(self, field.name)
        return words

    def tsvector(self) -> str:
        """PostgreSQL's tsvector literal: stems and marked surface forms, weighted."""
        positions: dict[str, list[str]] = {}
        start = 1
        for field in INDEXED_FIELDS:
            words = self.words(field)
            for offset, word in enumerate(words):
                position = f"{min(start + offset, MAX_POSITION)}{field.weight}"
                positions.setdefault(stem(word), []).append(position)
                positions.setdefault(SURFACE_MARK + word, []).append(position)
            start += len(words) + FIELD_GAP
        return " ".join(
            f"{quote_lexeme(lexeme)}:{','.join(at)}" for lexeme, at in positions.items()
        )

    def fts_row(self) -> dict[str, str]:
        """SQLite's FTS5 columns: each field's surface forms and its stems."""
        row: dict[str, str] = {}
        for field in INDEXED_FIELDS:
            words = self.words(field)
            row[field.name] = " ".join(words)
            row[field.stems_column] = " ".join(stem(word) for word in words)
        return row


def quote_lexeme(lexeme: str) -> str:
    """A lexeme as tsvector and tsquery literals write it."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def write_document(
    session: Session, dataset_id: uuid.UUID, document: SearchDocument, *, fresh: bool = False
) -> None:
    """Store ``document`` as the dataset's index (``fresh``: it has none on SQLite yet); on
    PostgreSQL, with its facet values read from their tables (flush them first)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            _PG_WRITE, {"document": document.tsvector(), "dataset_id": dataset_id}
        )
        return
    if not fresh:
        remove_from_index(session, dataset_id)
    session.exec(insert(FTS).values(dataset_id=dataset_id.hex, **document.fts_row()))


def reindex_dataset(session: Session, dataset: Dataset, tags: list[str]) -> None:
    """Call after any change to a dataset's title, description or tags (flushes first)."""
    dataset.title_sort = normalise(localized(dataset.title) or "")[:500]
    session.add(dataset)
    session.flush()
    write_document(session, dataset.id, SearchDocument.of(dataset.title, dataset.description, tags))


def remove_from_index(session: Session, dataset_id: uuid.UUID) -> None:
    if session.get_bind().dialect.name != "postgresql":
        session.exec(delete(FTS).where(FTS.c.dataset_id == dataset_id.hex))
