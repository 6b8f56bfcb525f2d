"""resource filename and dataset rejection time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:51:36.487349
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # When a review last sent the dataset back to draft (its reasons are rejection_reasons).
    op.add_column("dataset", sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True))
    # The name an uploaded file was sent with, given back in Content-Disposition.
    op.add_column(
        "resource",
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    )


def downgrade() -> None:
    # Batch mode: SQLite rebuilds the table to drop a column.
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_column("filename")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_column("rejected_at")
