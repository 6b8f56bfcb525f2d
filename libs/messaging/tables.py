"""The tables every service keeps for the platform: its outbox, its processed events (the
inbox), and the token revocations it learned of.

They are built on the service's own MetaData so that its Alembic migrations own them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from libs.db import UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    processed_events: Table
    token_revocations: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        "outbox",
        metadata,
        # The relay publishes in this order, which keeps each subject's events in order.
        Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(249), nullable=False),
        Column("key", String(255), nullable=False),
        Column("event_type", String(255), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        # Set when the broker refused the row for good (too large): the relay moves past it.
        Column("dead_lettered_at", DateTime(timezone=True), nullable=True),
    )
    # Partial: marking a row sent removes it from this index instead of adding an entry.
    pending = outbox.c.sent_at.is_(None) & outbox.c.dead_lettered_at.is_(None)
    Index("ix_outbox_pending", outbox.c.id, postgresql_where=pending, sqlite_where=pending)
    processed = Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(255), nullable=False),
        Column("topic", String(249), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    revocations = Table(
        "token_revocation",
        metadata,
        Column("account_id", String(36), primary_key=True),
        # Empty: every session of the account; else one login (a refresh token family).
        Column("session_id", String(36), primary_key=True),
        Column("not_before", UtcDateTime(), nullable=False),
        Column("reason", String(32), nullable=False),
        Column("recorded_at", UtcDateTime(), nullable=False, index=True),
    )
    return MessagingTables(outbox=outbox, processed_events=processed, token_revocations=revocations)
