"""Tables of the metrics service, on its own metadata so that its migrations own them.

Two families:

- **definitions**, edited by national admins: indicators, their periods (baseline and target
  of one action plan), commitments and their activities, labels of breakdown keys;
- **projections**, computed from the events only and rebuildable from the topics: ``fact``
  (what each event said, one row per event), ``entity`` (each object as it is now, with where
  its fold stopped) and ``span`` (the periods in which each object counted, and as what).
  Figures are counts of spans (domain/figures.py). ``bayanat metrics rebuild`` fills copies of
  these three tables from offset zero and swaps them in (rebuild.py).

Multilingual text is a JSON object ``{"ar": ..., "fr": ..., "en": ...}``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from libs.db import UtcDateTime, utc_timestamp
from libs.messaging.outbox import Outbox
from libs.messaging.tables import messaging_tables


class MetricsTable(SQLModel, registry=registry()):
    """Base of every metrics table."""


metadata = MetricsTable.metadata
messaging = messaging_tables(metadata)
outbox = Outbox(messaging.outbox, service_name="metrics")


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


# --- definitions ----------------------------------------------------------------------------


class Indicator(MetricsTable, table=True):
    """An indicator: what it measures (``measure``, one of domain/measures.py) and how it is
    shown; its baselines and targets are its periods."""

    code: str = Field(primary_key=True, max_length=64)
    name: dict[str, str] = _json()
    description: dict[str, str] | None = _json(nullable=True)
    unit: dict[str, str] = _json()
    measure: str = Field(max_length=64)
    # The events that move it (their types): documentation for readers, and what the
    # indicator-changed check watches.
    moved_by: list[str] = _json()
    position: int = 0
    created_at: datetime = utc_timestamp(nullable=False)
    updated_at: datetime = utc_timestamp(nullable=False)


class Commitment(MetricsTable, table=True):
    """A commitment of an action plan: its period and its activities."""

    code: str = Field(primary_key=True, max_length=64)
    title: dict[str, str] = _json()
    description: dict[str, str] | None = _json(nullable=True)
    action_plan: dict[str, str] | None = _json(nullable=True)
    lead: dict[str, str] | None = _json(nullable=True)
    start: date
    end: date
    position: int = 0
    created_at: datetime = utc_timestamp(nullable=False)
    updated_at: datetime = utc_timestamp(nullable=False)


class IndicatorPeriod(MetricsTable, table=True):
    """One baseline and target of an indicator (one action plan's), side by side with others."""

    __tablename__ = "indicator_period"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    indicator_code: str = Field(
        sa_column=Column(
            String(64), ForeignKey("indicator.code", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    commitment_code: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("commitment.code", ondelete="SET NULL")),
    )
    label: dict[str, str] | None = _json(nullable=True)
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date


class Activity(MetricsTable, table=True):
    """An activity of a commitment, with its dates and its progress as reported."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    commitment_code: str = Field(
        sa_column=Column(
            String(64),
            ForeignKey("commitment.code", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    position: int = 0
    title: dict[str, str] = _json()
    start: date
    end: date
    status: str = Field(max_length=16)  # progress.ActivityStatus
    progress: float = 0.0  # percent
    weight: float = 1.0
    completed_on: date | None = None
    updated_at: datetime = utc_timestamp(nullable=False)


class Label(MetricsTable, table=True):
    """The name of a breakdown key (a theme, a region, a reuse type…) in each language."""

    dimension: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=100)
    name: dict[str, str] = _json()


class IndicatorValue(MetricsTable, table=True):
    """The value last announced by an ``indicator changed`` event."""

    __tablename__ = "indicator_value"

    code: str = Field(primary_key=True, max_length=64)
    value: float | None = None
    changed_at: datetime = utc_timestamp(nullable=False)


class Projection(MetricsTable, table=True):
    """The projections' one control row (id 1): whether a rebuild is filling the next tables
    (live consumers then write there too) and how the last one went."""

    id: int = Field(default=1, primary_key=True)
    state: str = Field(default="ready", max_length=16)  # ready | building | abandoned
    rebuild_id: str | None = Field(default=None, max_length=36)
    rebuild_started_at: datetime | None = utc_timestamp()
    heartbeat_at: datetime | None = utc_timestamp()
    rebuilt_at: datetime | None = utc_timestamp()
    rebuilt_events: int | None = None
    rebuilt_seconds: float | None = None


# --- projections (rebuildable) --------------------------------------------------------------


class Fact(MetricsTable, table=True):
    """What one event said about one object (domain/facts.py)."""

    event_id: str = Field(primary_key=True, max_length=36)
    aggregate: str = Field(max_length=16)
    entity_id: str = Field(max_length=36)
    kind: str = Field(max_length=16)
    at: datetime = utc_timestamp(nullable=False)
    recorded: datetime = utc_timestamp(nullable=False)
    attrs: dict[str, Any] = _json()

    __table_args__ = (Index("ix_fact_entity", "entity_id"),)


# Percent of each page of the entity table that inserts fill (migration 0004).
ENTITY_FILLFACTOR = 60


class Entity(MetricsTable, table=True):
    """An object (institution, dataset, reuse) as it is now, and where its fold stopped."""

    # The object's id first: every write looks objects up by id, and an index led by the kind
    # of object would send the planner through every object of that kind.
    entity_id: str = Field(primary_key=True, max_length=36)
    aggregate: str = Field(primary_key=True, max_length=16)
    slug: str | None = Field(default=None, max_length=100)
    title: dict[str, str] = _json()
    institution_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=16)
    properties: dict[str, Any] = _json()
    carry: dict[str, Any] = _json()
    updated_at: datetime = utc_timestamp(nullable=False)

    __table_args__ = (
        Index("ix_entity_aggregate_slug", "aggregate", "slug"),
        Index("ix_entity_aggregate_institution", "aggregate", "institution_id"),
        # Each batch of events rewrites the rows of the objects it concerns, their indexed
        # columns unchanged: room left in each page lets PostgreSQL write the new version
        # beside the old one without touching the indexes (a "HOT" update).
        {"postgresql_with": {"fillfactor": ENTITY_FILLFACTOR}},
    )


class Span(MetricsTable, table=True):
    """A period in which an object counted, with the values it counted with (folds.py)."""

    entity_id: str = Field(primary_key=True, max_length=36)
    aggregate: str = Field(primary_key=True, max_length=16)
    valid_from: datetime = Field(sa_column=Column(UtcDateTime(), primary_key=True))
    valid_to: datetime | None = utc_timestamp()
    state: str = Field(max_length=16)
    institution_id: str | None = Field(default=None, max_length=36)
    kind: str | None = Field(default=None, max_length=32)
    licence_open: bool | None = None
    machine_readable: bool | None = None
    bulk: bool | None = None
    up_to_date: bool | None = None
    stars: int | None = None
    themes: list[str] = _json()
    regions: list[str] = _json()
    formats: list[str] = _json()
    institutions: list[str] = _json()
    datasets: list[str] = _json()

    __table_args__ = (
        Index("ix_span_aggregate_state", "aggregate", "state", "valid_to"),
        Index("ix_span_aggregate_institution", "aggregate", "institution_id"),
    )


# What a rebuild fills anew and swaps in (rebuild.py).
PROJECTION_TABLES = tuple(metadata.tables[name] for name in ("fact", "entity", "span"))
