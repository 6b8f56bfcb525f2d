"""harvest sources and provenance: sources, their jobs and errors, each harvested dataset's
record (its identity at the source and what the last job wrote)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 20:22:18.858751
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "harvest_source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("schedule_every_minutes", sa.Integer(), nullable=True),
        sa.Column("schedule_daily_at", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("mappings", sa.JSON(), nullable=False),
        sa.Column("review_policy", sa.String(length=16), nullable=False),
        sa.Column("rate_limit", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("high_water_mark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_job_id", sa.Uuid(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_harvest_source_institution_id"), "harvest_source", ["institution_id"], unique=False
    )
    op.create_index(
        op.f("ix_harvest_source_next_run_at"), "harvest_source", ["next_run_at"], unique=False
    )
    op.create_index(op.f("ix_harvest_source_slug"), "harvest_source", ["slug"], unique=True)
    op.create_table(
        "harvest_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_count", sa.Integer(), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("unchanged_count", sa.Integer(), nullable=False),
        sa.Column("withdrawn_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("high_water_mark", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["harvest_source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_harvest_job_source_requested",
        "harvest_job",
        ["source_id", "requested_at"],
        unique=False,
    )
    op.create_index(op.f("ix_harvest_job_status"), "harvest_job", ["status"], unique=False)
    op.create_table(
        "harvest_job_error",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("original_id", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("original_uri", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["harvest_job.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_harvest_job_error_job_id"), "harvest_job_error", ["job_id"], unique=False
    )
    op.create_table(
        "harvest_record",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("original_id", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("original_uri", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("source_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_harvested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("harvested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("pending_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("pending_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        # A source with datasets is not deleted (their provenance would be lost).
        sa.ForeignKeyConstraint(["source_id"], ["harvest_source.id"]),
        sa.PrimaryKeyConstraint("dataset_id"),
    )
    # A dataset's identity across jobs: its source and its identifier there.
    op.create_index(
        "ix_harvest_record_source_original",
        "harvest_record",
        ["source_id", "original_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_harvest_record_source_original", table_name="harvest_record")
    op.drop_table("harvest_record")
    op.drop_index(op.f("ix_harvest_job_error_job_id"), table_name="harvest_job_error")
    op.drop_table("harvest_job_error")
    op.drop_index(op.f("ix_harvest_job_status"), table_name="harvest_job")
    op.drop_index("ix_harvest_job_source_requested", table_name="harvest_job")
    op.drop_table("harvest_job")
    op.drop_index(op.f("ix_harvest_source_slug"), table_name="harvest_source")
    op.drop_index(op.f("ix_harvest_source_next_run_at"), table_name="harvest_source")
    op.drop_index(op.f("ix_harvest_source_institution_id"), table_name="harvest_source")
    op.drop_table("harvest_source")
