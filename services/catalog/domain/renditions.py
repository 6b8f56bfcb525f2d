"""The read model of published datasets: their public representations stored as bytes.

A published dataset's native JSON (``GET /api/v1/datasets/{id}``), CKAN package dict
(``package_show``) and DCAT-AP documents (``/api/v1/datasets/{id}.ttl|.rdf|.jsonld``) are kept
in ``dataset_rendition`` (domain/rendering.py renders them), made with the service's public
URL, so that a read is one statement (the dataset by id or slug, joined with its rendition by
key) and the answer is the stored bytes.

Rendered at change time: every unit of work that changes what a representation shows (the
dataset, its tags, themes, resources, state, its institution, the reuses citing it) calls
:func:`stale` or :func:`stale_institution`. They bump the row's ``generation`` and empty its
bodies at once (creating the row when missing), and just before the unit commits
(``uow.before_commit``) every representation of the published datasets it made stale is
rendered from the tables, set-wise, and stored in the same transaction: once the change is
committed, the new bodies are. The catalogue generation (domain/generation.py) is bumped
after them, the unit's last statement. A unit without a public URL (a tool, the unit tier)
leaves the bodies empty; so does a dataset whose rendering fails (the change is not refused).

A reader that finds no body (after a migration, or a reader under another public URL) renders
it and stores it only if the generation it read before rendering is still the current one: a
body rendered from data read before a change can never be kept.
"""

from __future__ import annotations

import logging
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, literal, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select as SelectOfRows

from libs.uow import UnitOfWork
from services.catalog.domain import generation
from services.catalog.domain.rendering import (
    REPRESENTATIONS,
    Bodies,
    Renderer,
    Representation,
)
from services.catalog.domain.views import SEARCH_DOCUMENT, find_view, load_views
from services.catalog.models import Dataset, DatasetRendition, DatasetState, metadata

log = logging.getLogger("bayanat.catalog.renditions")

_TABLE = metadata.tables["dataset_rendition"]
# Datasets rendered and written per statement when a unit renders many (an institution's).
RENDER_BATCH = 200


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)


# A bumped row: its next generation, and no body.
_EMPTIED: dict[str, Any] = {
    "generation": _TABLE.c.generation + 1,
    **dict.fromkeys(REPRESENTATIONS, None),
}


def _bump(session: Session, dataset_ids: Select[Any]) -> None:
    """Every dataset ``dataset_ids`` selects: a new generation, no body."""
    statement = (
        _insert(session)
        .from_select(["dataset_id", "generation"], dataset_ids.add_columns(literal(1)))
        .on_conflict_do_update(index_elements=["dataset_id"], set_=_EMPTIED)
    )
    session.connection().execute(statement)


class _Pending:
    """What a unit of work made stale, done just before it commits (its ``before_commit``
    step): the datasets' representations rendered and stored (with a public URL), then the
    catalogue generation bumped, last, so that the one row every change updates is locked
    for the least time."""

    def __init__(self, session: Session, base_url: str | None) -> None:
        self.session = session
        self.base_url = base_url
        self.dataset_ids: set[uuid.UUID] = set()
        self.institution_ids: set[uuid.UUID] = set()

    def __call__(self) -> None:
        conditions: list[ColumnElement[bool]] = []
        if self.dataset_ids:
            conditions.append(col(Dataset.id).in_(list(self.dataset_ids)))
        if self.institution_ids:
            conditions.append(col(Dataset.institution_id).in_(list(self.institution_ids)))
        self.dataset_ids, self.institution_ids = set(), set()
        if conditions and self.base_url is not None:
            render_and_store(self.session, self.base_url, or_(*conditions))
        generation.bump(self.session)


# A unit's pending renders, while it is open (the entry goes with the unit).
_PENDING: weakref.WeakKeyDictionary[UnitOfWork, _Pending] = weakref.WeakKeyDictionary()


def _at_commit(uow: UnitOfWork) -> _Pending:
    pending = _PENDING.get(uow)
    if pending is None or pending.session is not uow.session:  # a unit opened again
        pending = _PENDING[uow] = _Pending(uow.session, uow.public_url)
    uow.before_commit(pending)
    return pending


def stale(uow: UnitOfWork, dataset_ids: Iterable[uuid.UUID]) -> None:
    """What these datasets show has changed, in this unit: their stored bodies are rendered
    again before it commits, and what anonymous readers see (cached responses, search
    answers) is renewed once committed."""
    ids = list(dict.fromkeys(dataset_ids))
    if ids:
        uow.session.flush()
        _bump(uow.session, select(Dataset.id).where(col(Dataset.id).in_(ids)))
        _at_commit(uow).dataset_ids.update(ids)
    uow.invalidate_caches()


def stale_institution(uow: UnitOfWork, institution_id: uuid.UUID) -> None:
    """The institution shown by each of its datasets has changed, in this unit (their
    bodies are rendered again and the caches go, as with :func:`stale`)."""
    uow.session.flush()
    _bump(uow.session, select(Dataset.id).where(col(Dataset.institution_id) == institution_id))
    _at_commit(uow).institution_ids.add(institution_id)
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


def completeness(base_url: str) -> SelectOfRows:
    """Published datasets, their generation and whether every representation is stored for
    ``base_url`` (``dataset_id, generation, complete``): add a WHERE, an ORDER BY, a page."""
    complete = and_(
        col(DatasetRendition.base_url) == base_url,
        *(_TABLE.c[name].is_not(None) for name in REPRESENTATIONS),
    )
    return (
        select(Dataset.id, DatasetRendition.generation, func.coalesce(complete, False))
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


@dataclass(frozen=True)
class Served:
    """A representation of a published dataset as a reader serves it; ``rendered``: it was
    not stored and has been rendered (and stored, once the reader's unit commits)."""

    dataset_id: uuid.UUID
    body: bytes
    rendered: bool


def serve(
    session: Session, ref: str | uuid.UUID, representation: Representation, base_url: str
) -> Served | None:
    """The stored body of the published dataset ``ref``; one not stored is rendered and
    stored (commit the session). None when no published dataset answers to ``ref``."""
    found = lookup(session, ref, representation, base_url)
    if found is None:
        return None
    if found.body is not None:
        return Served(found.dataset_id, found.body, rendered=False)
    view = find_view(session, found.dataset_id)
    if view is None or view.dataset.state != DatasetState.PUBLISHED:
        return None
    body = Renderer(session, base_url).render(view, representation)
    store(session, found, base_url, {representation: body})
    return Served(found.dataset_id, body, rendered=True)


def render_and_store(session: Session, base_url: str, condition: ColumnElement[bool]) -> int:
    """Render every representation of the published datasets ``condition`` selects and store
    them under their current generation, ``RENDER_BATCH`` datasets per batch of statements;
    how many were rendered."""
    rows = session.exec(
        select(Dataset.id, DatasetRendition.generation)
        .outerjoin(DatasetRendition, col(DatasetRendition.dataset_id) == col(Dataset.id))
        .where(col(Dataset.state) == DatasetState.PUBLISHED, condition)
        .order_by(col(Dataset.id))
    ).all()
    renderer = Renderer(session, base_url)
    for start in range(0, len(rows), RENDER_BATCH):
        chunk = rows[start : start + RENDER_BATCH]
        batch = [Stored(dataset_id, gen, None) for dataset_id, gen in chunk]
        render_batch(session, renderer, batch)
    return len(rows)


def render_batch(
    session: Session, renderer: Renderer, batch: Sequence[Stored]
) -> dict[uuid.UUID, Bodies]:
    """Render every representation of these datasets and store them (each under the
    generation it was read with); what was rendered, by dataset id."""
    datasets = session.exec(
        select(Dataset)
        .where(col(Dataset.id).in_([found.dataset_id for found in batch]))
        .options(defer(SEARCH_DOCUMENT))
    ).all()
    bodies: dict[uuid.UUID, Bodies] = {}
    for view in load_views(session, datasets):
        try:
            bodies[view.dataset.id] = renderer.render_all(view)
        except Exception:
            # The change is not refused for it: its readers render it (and say why it fails).
            log.exception("cannot render dataset %s: left to its readers", view.dataset.id)
    store_many(
        session,
        renderer.base_url,
        [(found, bodies[found.dataset_id]) for found in batch if found.dataset_id in bodies],
    )
    return bodies


def store(
    session: Session, found: Stored, base_url: str, bodies: Mapping[Representation, bytes]
) -> None:
    """Keep ``bodies``, rendered after ``found`` was read, unless the dataset changed since;
    a representation not given keeps its body if it was rendered for the same ``base_url``."""
    store_many(session, base_url, [(found, bodies)])


def store_many(
    session: Session,
    base_url: str,
    items: Sequence[tuple[Stored, Mapping[Representation, bytes]]],
) -> None:
    """:func:`store` for many datasets, in one statement per kind of row (new, existing) and
    set of representations."""
    groups: dict[
        tuple[bool, frozenset[Representation]],
        list[tuple[Stored, Mapping[Representation, bytes]]],
    ] = {}
    # In one order (by dataset) for every writer, so that two of them never wait on each other.
    for found, bodies in sorted(items, key=lambda item: item[0].dataset_id):
        if bodies:
            key = (found.generation is None, frozenset(bodies))
            groups.setdefault(key, []).append((found, bodies))
    connection = session.connection()
    for (new, names), group in groups.items():
        if new:
            rows = [
                {"dataset_id": found.dataset_id, "generation": 0, "base_url": base_url, **bodies}
                for found, bodies in group
            ]
            connection.execute(
                _insert(session).values(rows).on_conflict_do_nothing(index_elements=["dataset_id"])
            )
            continue
        values: dict[str, Any] = {"base_url": base_url}
        for name in REPRESENTATIONS:
            if name in names:
                values[name] = bindparam(f"body_{name}")
            else:
                # A body rendered for another public URL is not kept beside this one.
                values[name] = case((_TABLE.c.base_url == base_url, _TABLE.c[name]), else_=None)
        statement = (
            update(_TABLE)
            .where(
                _TABLE.c.dataset_id == bindparam("key"),
                _TABLE.c.generation == bindparam("read_generation"),
            )
            .values(values)
        )
        connection.execute(
            statement,
            [
                {
                    "key": found.dataset_id,
                    "read_generation": found.generation,
                    **{f"body_{name}": body for name, body in bodies.items()},
                }
                for found, bodies in group
            ],
        )


def bodies(
    session: Session,
    dataset_ids: Sequence[uuid.UUID],
    representation: Representation,
    base_url: str,
) -> dict[uuid.UUID, bytes]:
    """The stored bodies of these published datasets, in one statement; those without one
    rendered (in one batch, as a change renders them) and stored. A dataset no longer
    published has none."""
    statement = published(representation).where(col(Dataset.id).in_(list(dataset_ids)))
    found = [stored(row, base_url) for row in session.connection().execute(statement)]
    served = {item.dataset_id: item.body for item in found if item.body is not None}
    missing = [item for item in found if item.body is None]
    if missing:
        rendered = render_batch(session, Renderer(session, base_url), missing)
        served.update((key, bodies[representation]) for key, bodies in rendered.items())
    return served
