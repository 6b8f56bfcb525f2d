"""developers, API keys, reuses, dataset replica, rate limits

Developers and their e-mail links and API keys; reuses, the datasets they cite and their search
words; the replica of the catalog's published datasets; the rate-limit counters (libs.ratelimit).
Written for PostgreSQL; SQLite runs it too (moments are kept as text there, read back as UTC).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 18:47:12.445286
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dataset_replica",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_dataset_replica_institution_id"),
        "dataset_replica",
        ["institution_id"],
        unique=False,
    )
    op.create_index(op.f("ix_dataset_replica_slug"), "dataset_replica", ["slug"], unique=False)
    op.create_table(
        "developer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("terms_accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_developer_email"), "developer", ["email"], unique=True)
    op.create_table(
        "rate_limit",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("window_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_index"),
    )
    op.create_index(op.f("ix_rate_limit_expires_at"), "rate_limit", ["expires_at"], unique=False)
    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("developer_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["developer_id"], ["developer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_api_key_developer_id"), "api_key", ["developer_id"], unique=False)
    op.create_index(op.f("ix_api_key_prefix"), "api_key", ["prefix"], unique=True)
    op.create_table(
        "email_link",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("developer_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["developer_id"], ["developer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index(
        op.f("ix_email_link_developer_id"), "email_link", ["developer_id"], unique=False
    )
    op.create_table(
        "reuse",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("reuse_type", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_digest", sa.String(length=64), nullable=False),
        sa.Column("image_url", sa.String(length=2000), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("developer_id", sa.Uuid(), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Uuid(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.Uuid(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["developer_id"],
            ["developer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url_digest"),
    )
    op.create_index(op.f("ix_reuse_declared_at"), "reuse", ["declared_at"], unique=False)
    op.create_index(op.f("ix_reuse_developer_id"), "reuse", ["developer_id"], unique=False)
    op.create_index(op.f("ix_reuse_reuse_type"), "reuse", ["reuse_type"], unique=False)
    op.create_index(op.f("ix_reuse_slug"), "reuse", ["slug"], unique=True)
    op.create_index(op.f("ix_reuse_state"), "reuse", ["state"], unique=False)
    op.create_index(op.f("ix_reuse_topic"), "reuse", ["topic"], unique=False)
    op.create_table(
        "reuse_dataset",
        sa.Column("reuse_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset_replica.id"],
        ),
        sa.ForeignKeyConstraint(["reuse_id"], ["reuse.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("reuse_id", "dataset_id"),
    )
    op.create_index(
        op.f("ix_reuse_dataset_dataset_id"), "reuse_dataset", ["dataset_id"], unique=False
    )
    op.create_table(
        "reuse_term",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("reuse_id", sa.Uuid(), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["reuse_id"], ["reuse.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term", "reuse_id"),
    )
    op.create_index(op.f("ix_reuse_term_reuse_id"), "reuse_term", ["reuse_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reuse_term_reuse_id"), table_name="reuse_term")
    op.drop_table("reuse_term")
    op.drop_index(op.f("ix_reuse_dataset_dataset_id"), table_name="reuse_dataset")
    op.drop_table("reuse_dataset")
    op.drop_index(op.f("ix_reuse_topic"), table_name="reuse")
    op.drop_index(op.f("ix_reuse_state"), table_name="reuse")
    op.drop_index(op.f("ix_reuse_slug"), table_name="reuse")
    op.drop_index(op.f("ix_reuse_reuse_type"), table_name="reuse")
    op.drop_index(op.f("ix_reuse_developer_id"), table_name="reuse")
    op.drop_index(op.f("ix_reuse_declared_at"), table_name="reuse")
    op.drop_table("reuse")
    op.drop_index(op.f("ix_email_link_developer_id"), table_name="email_link")
    op.drop_table("email_link")
    op.drop_index(op.f("ix_api_key_prefix"), table_name="api_key")
    op.drop_index(op.f("ix_api_key_developer_id"), table_name="api_key")
    op.drop_table("api_key")
    op.drop_index(op.f("ix_rate_limit_expires_at"), table_name="rate_limit")
    op.drop_table("rate_limit")
    op.drop_index(op.f("ix_developer_email"), table_name="developer")
    op.drop_table("developer")
    op.drop_index(op.f("ix_dataset_replica_slug"), table_name="dataset_replica")
    op.drop_index(op.f("ix_dataset_replica_institution_id"), table_name="dataset_replica")
    op.drop_table("dataset_replica")
