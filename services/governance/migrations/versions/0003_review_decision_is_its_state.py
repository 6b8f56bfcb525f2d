"""review decision is its state

The ``decision`` column repeated the review's state (approved, or rejected: changes requested);
the state alone now says it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 17:12:07.542287
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table, PostgreSQL drops the column in place.
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("decision")


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=16), nullable=True))
    op.execute("UPDATE review SET decision = state WHERE state IN ('approved', 'rejected')")
