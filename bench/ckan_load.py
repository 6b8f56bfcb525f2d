"""The comparison corpus of bench/ckan_corpus.py, loaded straight into the catalog's tables.

The same datasets a stock CKAN holds for tests/data/ckan_counts_10000.json: each published by
``bench-org``, its title and notes as the French text, its tags and its two resources (CSV and
JSON), indexed by services.catalog.domain.search_index's ``SearchDocument``. Rows go in by
batches of ``executemany`` (10,000 datasets in a few seconds), on PostgreSQL or SQLite. Used by
the compatibility tests and by the CKAN comparison (bench/ckan.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, cast, insert, text
from sqlalchemy.dialects.postgresql import TSVECTOR

from bench.ckan_corpus import ORGANIZATION, generate
from libs.text import normalise
from services.catalog.domain.search_index import FACET_VALUES_UPDATE, FTS, SearchDocument
from services.catalog.models import Dataset, DatasetState, DatasetTag, Institution, Resource

BATCH = 1000
CORPUS_NAMESPACE = uuid.UUID("0b3c2a1e-8f4d-4e59-9c1a-6d2e7f8a9b0c")
INSTITUTION_ID = uuid.uuid5(CORPUS_NAMESPACE, ORGANIZATION["name"])


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def load_corpus(engine: Engine, count: int) -> datetime:
    """The corpus's first ``count`` datasets, published; returns when they were loaded."""
    loaded_at = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Institution).values(
                id=INSTITUTION_ID,
                slug=ORGANIZATION["name"],
                title={"fr": ORGANIZATION["title"]},
                acronym="BENCH",
                kind="public_body",
                enrolled_on=date(2020, 1, 1),
                active=True,
                created_at=loaded_at,
                modified_at=loaded_at,
            )
        )
        for batch in _batches(generate(count)):
            _load_batch(connection, batch, loaded_at)
        if connection.dialect.name == "postgresql":
            connection.execute(text(FACET_VALUES_UPDATE))
    # The planner's statistics, as a catalogue that has lived a while has them.
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return loaded_at


def _load_batch(connection: Connection, batch: list[dict[str, Any]], moment: datetime) -> None:
    postgres = connection.dialect.name == "postgresql"
    datasets: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    index: list[dict[str, Any]] = []
    for item in batch:
        dataset_id = uuid.uuid5(CORPUS_NAMESPACE, item["name"])
        title, notes = {"fr": item["title"]}, {"fr": item["notes"]}
        document = SearchDocument.of(title, notes, item["tags"])
        datasets.append(
            {
                "id": dataset_id,
                "slug": item["name"],
                "title": title,
                "description": notes,
                "institution_id": INSTITUTION_ID,
                "state": DatasetState.PUBLISHED.value,
                "created_at": moment,
                "modified_at": moment,
                "published_at": moment,
                "title_sort": normalise(item["title"])[:500],
            }
        )
        if postgres:
            datasets[-1]["document"] = document.tsvector()
        tags.extend({"dataset_id": dataset_id, "tag": tag} for tag in item["tags"])
        resources.extend(
            {
                "id": uuid.uuid5(dataset_id, resource["url"]),
                "dataset_id": dataset_id,
                "position": position,
                "title": {"fr": resource["name"]},
                "url": resource["url"],
                "format": resource["format"],
                "created_at": moment,
                "modified_at": moment,
            }
            for position, resource in enumerate(item["resources"])
        )
        index.append({"dataset_id": dataset_id.hex, **document.fts_row()})
    if postgres:
        vector = cast(bindparam("document"), TSVECTOR)
        connection.execute(insert(Dataset).values(search_document=vector), datasets)
    else:
        connection.execute(insert(Dataset), datasets)
    connection.execute(insert(DatasetTag), tags)
    connection.execute(insert(Resource), resources)
    if not postgres:
        connection.execute(insert(FTS), index)
