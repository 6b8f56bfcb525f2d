"""The read model of published datasets: their public representations stored as bytes.

A published dataset's native JSON (``GET /api/v1/datasets/{id}``) and CKAN package dict
(``package_show``) are kept in ``dataset_rendition``, rendered with the service's public URL,
so that a read is one statement (the dataset by id or slug, joined with its rendition by key)
and the answer is the stored bytes.

Coherence: every unit of work that changes what a representation shows (the dataset, its tags,
themes, resources, state, its institution, the reuses citing it) calls :func:`stale` or
:func:`stale_institution` in the same transaction. They bump the row's ``generation`` and
empty its bodies (creating the row when missing), so no reader serves the former bytes once the
change is committed. A reader that finds no body renders the representation from the tables
and stores it only if the generation it read before rendering is still the current one: a body
rendered from data read before a change can never be kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, case, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select as SelectOfRows

from libs.uow import UnitOfWork
from services.catalog.domain import generation
from services.catalog.models import Dataset, DatasetRendition, DatasetState, metadata

Representation = Literal["native", "ckan"]
_TABLE = metadata.tables["dataset_rendition"]


def _bump(session: Session, dataset_ids: Select[Any]) -> None:
    """Every dataset ``dataset_ids`` selects: a new generation, no body; and the catalogue's
    generation moves, so that every process drops its caches."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    statement = insert.from_select(
        ["dataset_id", "generation"], dataset_ids.add_columns(literal(1))
    ).on_conflict_do_update(
        index_elements=["dataset_id"],
        set_={"generation": _TABLE.c.generation + 1, "native": None, "ckan": None},
    )
    session.connection().execute(statement)
    generation.bump(session)


def stale(uow: UnitOfWork, dataset_ids: Iterable[uuid.UUID]) -> None:
    """What these datasets show has changed, in this unit: their stored bodies go with it,
    and what anonymous readers see (cached responses, search answers) once committed."""
    ids = list(dict.fromkeys(dataset_ids))
    if ids:
        uow.session.flush()
        _bump(uow.session, select(Dataset.id).where(col(Dataset.id).in_(ids)))
    uow.invalidate_caches()


def stale_institution(uow: UnitOfWork, institution_id: uuid.UUID) -> None:
    """The institution shown by each of its datasets has changed, in this unit (their
    bodies and the caches go, as with :func:`stale`)."""
    uow.session.flush()
    _bump(uow.session, select(Dataset.id).where(col(Dataset.institution_id) == institution_id))
    uow.invalidate_caches()


@dataclass(frozen=True)
class Stored:
    """A published dataset's rendition as read: its body if one is stored for ``base_url``,
    and the generation to store a new one under (None: no row yet)."""

    dataset_id: uuid.UUID
    generation: int | None
    body: bytes | None


def published(representation: Representation) -> SelectOfRows:
    """Published datasets with their stored body: add a WHERE, an ORDER BY, a page; read the
    rows with :func:`stored`."""
    return (
        select(
            Dataset.id,
            DatasetRendition.generation,
            DatasetRendition.base_url,
            _TABLE.c[representation],
        )
        .outerjoin(DatasetRendition, col(DatasetRendition.dataset_id) == col(Dataset.id))
        .where(col(Dataset.state) == DatasetState.PUBLISHED)
    )


def stored(row: Any, base_url: str) -> Stored:
    dataset_id, generation, stored_base, stored_body = row
    return Stored(dataset_id, generation, stored_body if stored_base == base_url else None)


def lookup(
    session: Session, ref: str | uuid.UUID, representation: Representation, base_url: str
) -> Stored | None:
    """The published dataset ``ref`` (an id or a slug) and its stored body, in one statement;
    None when no published dataset answers to ``ref``."""
    key = ref if isinstance(ref, uuid.UUID) else _as_uuid(ref)
    statement = published(representation)
    where = col(Dataset.id) == key if key is not None else col(Dataset.slug) == str(ref)
    row = session.exec(statement.where(where)).first()
    if row is None and key is not None and not isinstance(ref, uuid.UUID):
        row = session.exec(statement.where(col(Dataset.slug) == ref)).first()
    return None if row is None else stored(row, base_url)


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def store(
    session: Session, found: Stored, base_url: str, bodies: Mapping[Representation, bytes]
) -> None:
    """Keep ``bodies``, rendered after ``found`` was read, unless the dataset changed since;
    a representation not given keeps its body if it was rendered for the same ``base_url``."""
    if not bodies:
        return
    values: dict[str, Any] = {"base_url": base_url}
    for representation, body in bodies.items():
        values[representation] = body
    if found.generation is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
        statement: Any = insert.values(
            dataset_id=found.dataset_id, generation=0, **values
        ).on_conflict_do_nothing(index_elements=["dataset_id"])
    else:
        for name in ("native", "ckan"):
            if name not in bodies:
                # A body rendered for another public URL is not kept beside this one.
                other = _TABLE.c[name]
                values[name] = case((_TABLE.c.base_url == base_url, other), else_=None)
        statement = (
            update(_TABLE)
            .where(
                _TABLE.c.dataset_id == found.dataset_id,
                _TABLE.c.generation == found.generation,
            )
            .values(values)
        )
    session.connection().execute(statement)


def bodies(
    session: Session,
    dataset_ids: Sequence[uuid.UUID],
    representation: Representation,
    base_url: str,
    render: Callable[[list[uuid.UUID]], Mapping[uuid.UUID, bytes]],
) -> dict[uuid.UUID, bytes]:
    """The stored bodies of these published datasets, in one statement; those without one
    rendered by ``render`` (in one batch) and stored. A dataset no longer published has none."""
    statement = published(representation).where(col(Dataset.id).in_(list(dataset_ids)))
    found = [stored(row, base_url) for row in session.connection().execute(statement)]
    served = {item.dataset_id: item.body for item in found if item.body is not None}
    missing = [item for item in found if item.body is None]
    if missing:
        rendered = render([item.dataset_id for item in missing])
        # In one order for every writer, so that two of them never wait on each other.
        for item in sorted(missing, key=lambda item: item.dataset_id):
            store(session, item, base_url, {representation: rendered[item.dataset_id]})
            served[item.dataset_id] = rendered[item.dataset_id]
    return served
