"""The projection: facts recorded by the handlers, folded into entities and spans in bulk.

Handlers only *record* facts on the unit of work (:meth:`Projector.record`); once per unit,
just before it commits, the projector writes them (``uow.before_commit``):

1. the facts are inserted, ignoring those already there (a fact is its event: same id, same
   fact): only the facts actually inserted are folded, so a redelivered or replayed event has
   no second effect even when two writers (the live consumer and a rebuild) bring it;
2. the objects they concern are locked (PostgreSQL advisory locks, in one order; SQLite has
   one writer at a time), so that two writers never fold one object at once;
3. each object continues its fold from where it stopped when its new facts come after the
   last one folded (folds.py), and folds again from all its facts otherwise (an event that
   arrived late, from another topic);
4. the spans that changed and the objects' rows are written back.

Where the projector writes: the live tables, and also the next ones while a rebuild is filling
them (rebuild.py), so that nothing consumed during a rebuild is missing once it is swapped in.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, Table, delete, select, text, true
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import quoted_name
from sqlmodel import Session

from libs.db import utcnow
from libs.uow import UnitOfWork
from services.metrics.domain.facts import Aggregate, Fact, Kind, key_from_json, key_to_json, moment
from services.metrics.domain.folds import MACHINES, Carry, Folded, Machine, Span, SpanValues, fold
from services.metrics.models import PROJECTION_TABLES, Projection

# A rebuild whose heartbeat is older than this is taken for dead: live consumers stop writing
# to its tables, and it must not swap them in (rebuild.py checks its own heartbeats).
REBUILD_STALE_AFTER = timedelta(minutes=2)
NEXT_SUFFIX = "_next"
_SESSION_KEY = "metrics.projector"


_SPAN_VALUES = [f.name for f in fields(SpanValues)]


@dataclass(frozen=True)
class ProjectionTables:
    """One set of projection tables: the live ones, or the next ones a rebuild fills."""

    name: str
    fact: Table
    entity: Table
    span: Table

    @property
    def tables(self) -> tuple[Table, Table, Table]:
        return (self.fact, self.entity, self.span)


def renamed_copy(table: Table, metadata: MetaData, name: str) -> Table:
    """``table`` under another name, its indexes renamed alike (index names are unique per
    database)."""
    copy = table.to_metadata(metadata, name=name)
    for index in copy.indexes:
        assert index.name is not None
        index.name = quoted_name(index.name.replace(table.name, name, 1), None)
    return copy


LIVE = ProjectionTables("live", *PROJECTION_TABLES)
_NEXT_METADATA = MetaData()
NEXT = ProjectionTables(
    "next", *(renamed_copy(t, _NEXT_METADATA, t.name + NEXT_SUFFIX) for t in PROJECTION_TABLES)
)


class Projector:
    """The facts recorded in one unit of work, written once just before it commits."""

    def __init__(
        self, uow: UnitOfWork, targets: Sequence[ProjectionTables] | None, *, folds: bool
    ) -> None:
        self.uow = uow
        self.targets = targets
        self.folds = folds
        self.facts: dict[str, Fact] = {}

    @classmethod
    def of(
        cls,
        uow: UnitOfWork,
        *,
        targets: Sequence[ProjectionTables] | None = None,
        folds: bool = True,
    ) -> Projector:
        """The unit's projector, made on first use. ``targets``: where it writes (by default,
        the live tables and the next ones during a rebuild); without ``folds``, it only keeps
        the facts (a rebuild folds every object once at the end: :func:`fold_objects`)."""
        info = uow.session.info
        projector = info.get(_SESSION_KEY)
        if projector is None:
            projector = info[_SESSION_KEY] = cls(uow, targets, folds=folds)
            uow.before_commit(projector.flush)
        return projector

    def record(self, fact: Fact) -> None:
        self.facts.setdefault(fact.event_id, fact)

    def flush(self) -> None:
        session = self.uow.session
        session.info.pop(_SESSION_KEY, None)
        facts, self.facts = list(self.facts.values()), {}
        if not facts:
            return
        for tables in self.targets or live_targets(session):
            if self.folds:
                project(session, tables, facts)
            else:
                _insert_facts(session, tables.fact, facts)


def live_targets(session: Session) -> tuple[ProjectionTables, ...]:
    """The live tables, and the next ones while a rebuild with a fresh heartbeat fills them.

    The control row is read ``FOR SHARE``: a swap (``FOR UPDATE``) waits for this unit to
    commit, and a unit that reads it after a swap sees the rebuild finished.
    """
    control = session.get(Projection, 1, with_for_update={"read": True})
    if control is None or control.state != "building" or control.heartbeat_at is None:
        return (LIVE,)
    if control.heartbeat_at < utcnow() - REBUILD_STALE_AFTER:
        return (LIVE,)
    return (LIVE, NEXT)


# --- writing one set of tables --------------------------------------------------------------

EntityKey = tuple[Aggregate, str]


def project(session: Session, tables: ProjectionTables, facts: Iterable[Fact]) -> None:
    """Insert the facts new to ``tables`` and fold the objects they concern."""
    new = _insert_facts(session, tables.fact, facts)
    if not new:
        return
    by_entity: dict[EntityKey, list[Fact]] = defaultdict(list)
    for fact in new:
        by_entity[(fact.aggregate, fact.entity_id)].append(fact)
    keys = sorted(by_entity)
    _lock(session, tables, keys)
    carries = _load_carries(session, tables.entity, keys)
    writes = _Writes()
    refold: list[EntityKey] = []
    for key in keys:
        machine = MACHINES[key[0]]
        stored = carries.get(key)
        carry = _carry(machine, stored) if stored is not None else None
        first = min(fact.key for fact in by_entity[key])
        if carry is not None and carry.last_key is not None and first <= carry.last_key:
            refold.append(key)  # a fact from before the last one folded: fold again
            continue
        before = _open_span(machine, carry)
        folded = fold(machine, by_entity[key], carry)
        if folded.spans != ([before] if before else []):
            if before is not None:
                writes.drop_open.append(key)
            writes.spans.extend((key, span) for span in folded.spans)
        writes.entities.append((key, machine, folded))
    _refold(session, tables, refold, writes)
    writes.apply(session, tables)


def _refold(
    session: Session, tables: ProjectionTables, keys: Sequence[EntityKey], writes: _Writes
) -> None:
    """Fold these objects again from all their facts (they are locked)."""
    if not keys:
        return
    for key, facts_of_key in _load_facts(session, tables.fact, keys).items():
        machine = MACHINES[key[0]]
        writes.drop_all.append(key)
        folded = fold(machine, facts_of_key)
        writes.spans.extend((key, span) for span in folded.spans)
        writes.entities.append((key, machine, folded))


def fold_objects(session: Session, tables: ProjectionTables, keys: Sequence[EntityKey]) -> None:
    """Fold these objects from all their facts, whatever was folded of them before."""
    keys = sorted(keys)
    _lock(session, tables, keys)
    writes = _Writes()
    _refold(session, tables, keys, writes)
    writes.apply(session, tables)


def objects_with_facts(session: Session, tables: ProjectionTables) -> list[EntityKey]:
    """Every object that has facts, in key order."""
    fact = tables.fact
    statement = select(fact.c.aggregate, fact.c.entity_id).distinct()
    return sorted((Aggregate(a), e) for a, e in _run(session, statement))


def _insert_facts(session: Session, table: Table, facts: Iterable[Fact]) -> list[Fact]:
    """Insert the facts not there yet; those inserted. In event id order: two writers that
    bring the same facts never wait for each other in a cycle."""
    ordered = sorted(facts, key=lambda f: f.event_id)
    rows = [
        {
            "event_id": f.event_id,
            "aggregate": f.aggregate.value,
            "entity_id": f.entity_id,
            "kind": f.kind.value,
            "at": f.at,
            "recorded": f.recorded,
            "attrs": dict(f.attrs),
        }
        for f in ordered
    ]
    inserted = set(bulk_insert(session, table, rows, conflict=("event_id",), returning="event_id"))
    return [f for f in ordered if f.event_id in inserted]


def _run(session: Session, statement: Executable) -> Any:
    """Run a Core statement on the unit's connection. The projection tables are written as
    Core tables, not models: the same code writes the live ones and a rebuild's next ones."""
    return session.connection().execute(statement)


def bulk_insert(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    update: bool = False,
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows`` in one statement; on a ``conflict`` of those columns, ignore the row or
    ``update`` it. The ``returning`` column of the rows written.

    PostgreSQL gets the rows as one JSON document (``INSERT … SELECT FROM
    json_populate_recordset(…)``): a statement as short as one row's whatever their number,
    where a multi-row ``VALUES`` (or arrays) costs the driver more to prepare than the
    database to run. SQLite gets an ``executemany``.
    """
    if not rows:
        return []
    names = list(rows[0])
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        statement: Any = sqlite.insert(table)
        if conflict:
            statement = (
                statement.on_conflict_do_update(
                    index_elements=list(conflict),
                    set_={n: statement.excluded[n] for n in names if n not in conflict},
                )
                if update
                else statement.on_conflict_do_nothing(index_elements=list(conflict))
            )
        if returning is None:
            session.connection().execute(statement, rows)
            return []
        result = session.connection().execute(statement.returning(table.c[returning]), rows)
        return list(result.scalars())
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    sql = (
        f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} "
        f"FROM json_populate_recordset(NULL::{quote(table.name)}, CAST(:rows AS json))"
    )
    if conflict:
        target = ", ".join(quote(c) for c in conflict)
        changes = ", ".join(f"{quote(n)} = EXCLUDED.{quote(n)}" for n in names if n not in conflict)
        action = f"UPDATE SET {changes}" if update else "NOTHING"
        sql += f" ON CONFLICT ({target}) DO {action}"
    if returning is not None:
        sql += f" RETURNING {quote(returning)}"
    document = json.dumps(rows, ensure_ascii=False, default=_json_value)
    result = session.connection().execute(text(sql), {"rows": document})
    return list(result.scalars()) if returning is not None else []


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _lock(session: Session, tables: ProjectionTables, keys: Sequence[EntityKey]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one writer at a time already
    lock_ids = sorted(
        int.from_bytes(
            hashlib.blake2b(f"{tables.name}:{a}:{e}".encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for a, e in keys
    )
    session.connection().execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:ids AS BIGINT[])) AS k"),
        {"ids": lock_ids},
    )


def _by_aggregate(keys: Iterable[EntityKey]) -> dict[Aggregate, list[str]]:
    grouped: dict[Aggregate, list[str]] = defaultdict(list)
    for aggregate, entity_id in keys:
        grouped[aggregate].append(entity_id)
    return grouped


def _load_carries(
    session: Session, table: Table, keys: Sequence[EntityKey]
) -> dict[EntityKey, dict[str, Any]]:
    """Where each object's fold stopped (the objects seen before)."""
    carries: dict[EntityKey, dict[str, Any]] = {}
    for aggregate, ids in _by_aggregate(keys).items():
        statement = select(table.c.entity_id, table.c.carry).where(
            table.c.aggregate == aggregate.value, table.c.entity_id.in_(ids)
        )
        for entity_id, carry in _run(session, statement):
            carries[(aggregate, entity_id)] = carry or {}
    return carries


def _load_facts(
    session: Session, table: Table, keys: Sequence[EntityKey]
) -> dict[EntityKey, list[Fact]]:
    facts: dict[EntityKey, list[Fact]] = defaultdict(list)
    for aggregate, ids in _by_aggregate(keys).items():
        statement = select(table).where(
            table.c.aggregate == aggregate.value, table.c.entity_id.in_(ids)
        )
        for row in _run(session, statement):
            facts[(aggregate, row.entity_id)].append(
                Fact(
                    event_id=row.event_id,
                    aggregate=aggregate,
                    entity_id=row.entity_id,
                    kind=Kind(row.kind),
                    at=moment(row.at),
                    recorded=moment(row.recorded),
                    attrs=row.attrs,
                )
            )
    return facts


def _carry(machine: Machine[Any], data: dict[str, Any]) -> Carry[Any]:
    since = data.get("open_since")
    last_key = data.get("last_key")
    return Carry(
        machine.load(data.get("state") or {}),
        moment(since) if since else None,
        key_from_json(last_key) if last_key else None,
    )


def _open_span(machine: Machine[Any], carry: Carry[Any] | None) -> Span | None:
    if carry is None or carry.open_since is None:
        return None
    values = machine.values(carry.state)
    return Span(carry.open_since, None, values) if values is not None else None


def _span_row(key: EntityKey, span: Span) -> dict[str, Any]:
    values = {name: getattr(span.values, name) for name in _SPAN_VALUES}
    for name in ("themes", "regions", "formats", "institutions", "datasets"):
        values[name] = list(values[name])
    return {
        "aggregate": key[0].value,
        "entity_id": key[1],
        "valid_from": span.valid_from,
        "valid_to": span.valid_to,
        **values,
    }


class _Writes:
    """What one projection changes in the span and entity tables, written in bulk."""

    def __init__(self) -> None:
        self.drop_open: list[EntityKey] = []
        self.drop_all: list[EntityKey] = []
        self.spans: list[tuple[EntityKey, Span]] = []
        self.entities: list[tuple[EntityKey, Machine[Any], Folded[Any]]] = []

    def apply(self, session: Session, tables: ProjectionTables) -> None:
        span = tables.span
        for keys, only_open in ((self.drop_open, True), (self.drop_all, False)):
            for aggregate, ids in _by_aggregate(keys).items():
                _run(
                    session,
                    delete(span).where(
                        span.c.aggregate == aggregate.value,
                        span.c.entity_id.in_(ids),
                        span.c.valid_to.is_(None) if only_open else true(),
                    ),
                )
        if self.spans:
            bulk_insert(session, span, [_span_row(key, s) for key, s in self.spans])
        if self.entities:
            self._upsert_entities(session, tables.entity)

    def _upsert_entities(self, session: Session, table: Table) -> None:
        now = utcnow()
        rows = []
        for (aggregate, entity_id), machine, folded in self.entities:
            view = machine.view(folded.carry.state)
            carry = folded.carry
            rows.append(
                {
                    "aggregate": aggregate.value,
                    "entity_id": entity_id,
                    "slug": view.slug,
                    "title": view.title,
                    "institution_id": view.institution_id,
                    "status": view.status,
                    "properties": view.properties,
                    "carry": {
                        "state": machine.dump(carry.state),
                        "open_since": carry.open_since.isoformat() if carry.open_since else None,
                        "last_key": key_to_json(carry.last_key) if carry.last_key else None,
                    },
                    "updated_at": now,
                }
            )
        bulk_insert(session, table, rows, conflict=("aggregate", "entity_id"), update=True)
