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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from pydantic_core import from_json, to_json
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
                store = Store.of(session, tables)
                store.prepare()
                store.insert_facts(facts)


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
    store = Store.of(session, tables)
    store.prepare()
    new = store.insert_facts(facts)
    if not new:
        return
    by_entity: dict[EntityKey, list[Fact]] = defaultdict(list)
    for fact in new:
        by_entity[(fact.aggregate, fact.entity_id)].append(fact)
    keys = sorted(by_entity)
    store.lock(keys)
    carries = store.carries(keys)
    writes = _Writes()
    refold: list[EntityKey] = []
    for key in keys:
        machine = MACHINES[key[0]]
        stored = carries.get(key)
        last_key = stored.get("last_key") if stored is not None else None
        if last_key and min(fact.key for fact in by_entity[key]) <= key_from_json(last_key):
            refold.append(key)  # a fact from before the last one folded: fold again
            continue
        carry = _carry(machine, stored) if stored is not None else None
        before = _open_span(machine, carry)
        folded = fold(machine, by_entity[key], carry)
        if folded.spans != ([before] if before else []):
            if before is not None:
                writes.drop_open.append(key)
            writes.spans.extend((key, span) for span in folded.spans)
        writes.entities.append((key, machine, folded))
    _refold(store, refold, writes)
    writes.apply(store)


def _refold(store: Store, keys: Sequence[EntityKey], writes: _Writes) -> None:
    """Fold these objects again from all their facts (they are locked)."""
    if not keys:
        return
    for key, facts_of_key in store.facts_of(keys).items():
        machine = MACHINES[key[0]]
        writes.drop_all.append(key)
        folded = fold(machine, facts_of_key)
        writes.spans.extend((key, span) for span in folded.spans)
        writes.entities.append((key, machine, folded))


def fold_objects(session: Session, tables: ProjectionTables, keys: Sequence[EntityKey]) -> None:
    """Fold these objects from all their facts, whatever was folded of them before."""
    keys = sorted(keys)
    store = Store.of(session, tables)
    store.prepare()
    store.lock(keys)
    writes = _Writes()
    _refold(store, keys, writes)
    writes.apply(store)


def objects_with_facts(session: Session, tables: ProjectionTables) -> list[EntityKey]:
    """Every object that has facts, in key order."""
    fact = tables.fact
    statement = select(fact.c.aggregate, fact.c.entity_id).distinct()
    rows = session.connection().execute(statement)
    return sorted((Aggregate(a), e) for a, e in rows)


def _fact_row(fact: Fact) -> dict[str, Any]:
    return {
        "event_id": fact.event_id,
        "aggregate": fact.aggregate.value,
        "entity_id": fact.entity_id,
        "kind": fact.kind.value,
        "at": fact.at,
        "recorded": fact.recorded,
        "attrs": fact.attrs,
    }


def _fact_of(row: Sequence[Any], attrs: dict[str, Any]) -> Fact:
    """A fact from its row (``event_id, aggregate, entity_id, kind, at, recorded, …``)."""
    event_id, aggregate, entity_id, kind, at, recorded = row[:6]
    return Fact(
        event_id=event_id,
        aggregate=_AGGREGATES[aggregate],
        entity_id=entity_id,
        kind=_KINDS[kind],
        at=moment(at),
        recorded=moment(recorded),
        attrs=attrs,
    )


def _fact_columns(table: Table) -> tuple[Any, ...]:
    c = table.c
    return (c.event_id, c.aggregate, c.entity_id, c.kind, c.at, c.recorded, c.attrs)


_AGGREGATES = {a.value: a for a in Aggregate}
_KINDS = {k.value: k for k in Kind}


def _lock_id(tables: ProjectionTables, key: EntityKey) -> int:
    digest = hashlib.blake2b(f"{tables.name}:{key[0]}:{key[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Store:
    """The statements the projection makes on one set of tables, each in bulk: a handful per
    unit of work, whatever the number of facts. This one is SQLAlchemy Core for any database
    (SQLite: one writer at a time, so no locks); PostgreSQL has its own (:class:`PostgresStore`).

    Facts go in event id order: two writers that bring the same facts never wait for each
    other in a cycle."""

    def __init__(self, session: Session, tables: ProjectionTables) -> None:
        self.session = session
        self.tables = tables

    @staticmethod
    def of(session: Session, tables: ProjectionTables) -> Store:
        if session.get_bind().dialect.name == "postgresql":
            return PostgresStore(session, tables)
        return Store(session, tables)

    def run(self, statement: Executable, parameters: Any = None) -> Any:
        """A statement on the unit's connection. The projection tables are Core tables, not
        models: the same code writes the live ones and a rebuild's next ones."""
        return self.session.connection().execute(statement, parameters)

    def insert_facts(self, facts: Iterable[Fact]) -> list[Fact]:
        """Insert the facts not there yet; those inserted, in event id order."""
        ordered = sorted(facts, key=lambda f: f.event_id)
        if not ordered:
            return []
        table = self.tables.fact
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(table.c.event_id)
        )
        inserted = set(self.run(statement, [_fact_row(f) for f in ordered]).scalars())
        return [f for f in ordered if f.event_id in inserted]

    def prepare(self) -> None:
        """Set the unit up for the statements that follow (nothing to do here)."""

    def lock(self, keys: Sequence[EntityKey]) -> None:
        """Lock these objects until the unit ends, so that two writers never fold one object
        at once."""

    def carries(self, keys: Sequence[EntityKey]) -> dict[EntityKey, dict[str, Any]]:
        """Where each object's fold stopped (the objects seen before)."""
        table = self.tables.entity
        carries: dict[EntityKey, dict[str, Any]] = {}
        for aggregate, ids in _by_aggregate(keys).items():
            statement = select(table.c.entity_id, table.c.carry).where(
                table.c.aggregate == aggregate.value, table.c.entity_id.in_(ids)
            )
            for entity_id, carry in self.run(statement):
                carries[(aggregate, entity_id)] = carry or {}
        return carries

    def facts_of(self, keys: Sequence[EntityKey]) -> dict[EntityKey, list[Fact]]:
        """All the facts of these objects."""
        table = self.tables.fact
        found: dict[EntityKey, list[Fact]] = defaultdict(list)
        for aggregate, ids in _by_aggregate(keys).items():
            statement = select(*_fact_columns(table)).where(
                table.c.aggregate == aggregate.value, table.c.entity_id.in_(ids)
            )
            for row in self.run(statement):
                found[(aggregate, row.entity_id)].append(_fact_of(row, row.attrs))
        return found

    def drop_spans(self, keys: Sequence[EntityKey], *, only_open: bool) -> None:
        span = self.tables.span
        for aggregate, ids in _by_aggregate(keys).items():
            self.run(
                delete(span).where(
                    span.c.aggregate == aggregate.value,
                    span.c.entity_id.in_(ids),
                    span.c.valid_to.is_(None) if only_open else true(),
                )
            )

    def insert_spans(self, rows: list[dict[str, Any]]) -> None:
        self.run(sqlite.insert(self.tables.span), rows)

    def upsert_entities(self, rows: list[dict[str, Any]]) -> None:
        statement = sqlite.insert(self.tables.entity)
        statement = statement.on_conflict_do_update(
            index_elements=["aggregate", "entity_id"],
            set_={name: statement.excluded[name] for name in rows[0] if name not in _ENTITY_KEY},
        )
        self.run(statement, rows)


_ENTITY_KEY = ("aggregate", "entity_id")


class PostgresStore(Store):
    """The same statements on PostgreSQL, each as short as one row's whatever the number of
    rows: the rows written, and the objects looked up, are one JSON document serialised by
    pydantic-core (``json_populate_recordset``, ``json_to_recordset``), and the JSON read is
    parsed by it. A multi-row ``VALUES`` costs the driver more to build than the database to
    run, an ``executemany`` a round trip a row, and the driver builds arrays one item at a
    time."""

    # The database unpacks a statement's JSON document into a store of rows first: at the
    # default work_mem (4MB) a batch's objects go through a temporary file.
    WORK_MEM = "64MB"

    def prepare(self) -> None:
        self.sql(f"SET LOCAL work_mem = '{self.WORK_MEM}'")

    def sql(self, statement: str, **parameters: Any) -> Any:
        return self.run(text(statement), parameters)

    def name(self, table: Table) -> str:
        return str(self.session.get_bind().dialect.identifier_preparer.quote(table.name))

    def insert_rows(self, table: Table, rows: list[dict[str, Any]], suffix: str = "") -> Any:
        """``INSERT`` the rows (dicts of the same columns) in one statement; ``suffix``: its
        ``ON CONFLICT`` and ``RETURNING`` clauses."""
        quote = self.session.get_bind().dialect.identifier_preparer.quote
        columns = ", ".join(quote(name) for name in rows[0])
        return self.sql(
            f"INSERT INTO {self.name(table)} ({columns}) SELECT {columns} FROM "
            f"json_populate_recordset(NULL::{self.name(table)}, CAST(:rows AS json)) {suffix}",
            rows=to_json(rows).decode(),
        )

    def insert_facts(self, facts: Iterable[Fact]) -> list[Fact]:
        ordered = sorted(facts, key=lambda f: f.event_id)
        if not ordered:
            return []
        result = self.insert_rows(
            self.tables.fact,
            [_fact_row(f) for f in ordered],
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        )
        inserted = set(result.scalars().all())
        return [f for f in ordered if f.event_id in inserted]

    def lock(self, keys: Sequence[EntityKey]) -> None:
        ids = sorted(_lock_id(self.tables, key) for key in keys)
        self.sql(
            "SELECT pg_advisory_xact_lock(CAST(k AS bigint)) "
            "FROM json_array_elements_text(CAST(:ids AS json)) AS k",
            ids=to_json(ids).decode(),
        )

    @staticmethod
    def _keys(keys: Sequence[EntityKey]) -> str:
        return to_json([{"aggregate": a.value, "entity_id": e} for a, e in keys]).decode()

    _KEYS = (
        "json_to_recordset(CAST(:keys AS json)) AS k(aggregate varchar, entity_id varchar) "
        "WHERE t.entity_id = k.entity_id AND t.aggregate = k.aggregate"
    )

    def read(self, statement: str, **parameters: Any) -> Sequence[Any]:
        """The rows of a query (``%(name)s`` parameters) as the driver gives them: for the
        thousands of rows a unit reads, SQLAlchemy's rows cost more to build than the
        database to send."""
        cursor = self.session.connection().connection.cursor()
        try:
            cursor.execute(statement, parameters)
            return cursor.fetchall()
        finally:
            cursor.close()

    _KEYS_READ = _KEYS.replace(":keys", "%(keys)s")

    def carries(self, keys: Sequence[EntityKey]) -> dict[EntityKey, dict[str, Any]]:
        rows = self.read(
            f"SELECT t.aggregate, t.entity_id, CAST(t.carry AS text) "
            f"FROM {self.name(self.tables.entity)} AS t, {self._KEYS_READ}",
            keys=self._keys(keys),
        )
        return {(_AGGREGATES[a], e): from_json(carry) if carry else {} for a, e, carry in rows}

    def facts_of(self, keys: Sequence[EntityKey]) -> dict[EntityKey, list[Fact]]:
        rows = self.read(
            "SELECT t.event_id, t.aggregate, t.entity_id, t.kind, t.at, t.recorded, "
            f"CAST(t.attrs AS text) FROM {self.name(self.tables.fact)} AS t, {self._KEYS_READ}",
            keys=self._keys(keys),
        )
        found: dict[EntityKey, list[Fact]] = defaultdict(list)
        for row in rows:
            fact = _fact_of(row, from_json(row[6]))
            found[(fact.aggregate, fact.entity_id)].append(fact)
        return found

    def drop_spans(self, keys: Sequence[EntityKey], *, only_open: bool) -> None:
        self.sql(
            f"DELETE FROM {self.name(self.tables.span)} AS t USING {self._KEYS}"
            + (" AND t.valid_to IS NULL" if only_open else ""),
            keys=self._keys(keys),
        )

    def insert_spans(self, rows: list[dict[str, Any]]) -> None:
        self.insert_rows(self.tables.span, rows)

    def upsert_entities(self, rows: list[dict[str, Any]]) -> None:
        quote = self.session.get_bind().dialect.identifier_preparer.quote
        changes = ", ".join(
            f"{quote(name)} = EXCLUDED.{quote(name)}" for name in rows[0] if name not in _ENTITY_KEY
        )
        self.insert_rows(
            self.tables.entity, rows, f"ON CONFLICT (entity_id, aggregate) DO UPDATE SET {changes}"
        )


def _by_aggregate(keys: Iterable[EntityKey]) -> dict[Aggregate, list[str]]:
    grouped: dict[Aggregate, list[str]] = defaultdict(list)
    for aggregate, entity_id in keys:
        grouped[aggregate].append(entity_id)
    return grouped


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

    def apply(self, store: Store) -> None:
        if self.drop_open:
            store.drop_spans(self.drop_open, only_open=True)
        if self.drop_all:
            store.drop_spans(self.drop_all, only_open=False)
        if self.spans:
            store.insert_spans([_span_row(key, s) for key, s in self.spans])
        if self.entities:
            store.upsert_entities(self._entity_rows())

    def _entity_rows(self) -> list[dict[str, Any]]:
        now = utcnow()
        rows = []
        for (aggregate, entity_id), machine, folded in self.entities:
            carry = folded.carry
            counts = folded.open_span
            view = machine.view(carry.state, counts.values if counts is not None else None)
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
        return rows
