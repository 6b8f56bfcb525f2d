"""The delivery tables' DDL, for every service's first migration.

Versioned by name: a later change to the tables is a new function used by a new migration of
each service, never an edit of one that has run.
"""

import sqlalchemy as sa
from alembic import op

_PENDING = sa.text("sent_at IS NULL")
_PENDING_V2 = sa.text("sent_at IS NULL AND dead_lettered_at IS NULL")


def create_messaging_tables_v1() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=255), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def upgrade_platform_tables_v2() -> None:
    """Outbox rows the broker refuses for good are set aside (``dead_lettered_at``), and each
    service keeps the token revocations it is told of (``token_revocation``)."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("dead_lettered_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        postgresql_where=_PENDING_V2,
        sqlite_where=_PENDING_V2,
    )
    op.create_table(
        "token_revocation",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "session_id"),
    )
    op.create_index("ix_token_revocation_recorded_at", "token_revocation", ["recorded_at"])


def downgrade_platform_tables_v2() -> None:
    op.drop_index("ix_token_revocation_recorded_at", table_name="token_revocation")
    op.drop_table("token_revocation")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.create_index(
        "ix_outbox_pending", "outbox", ["id"], postgresql_where=_PENDING, sqlite_where=_PENDING
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("dead_lettered_at")


def drop_messaging_tables_v1() -> None:
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
