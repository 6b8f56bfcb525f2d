"""review checks lease: a run of the checks is held for a short, renewed lease

Replaces "taken up again ten minutes after it started": a run whose process died is taken up
once its lease (GOVERNANCE_CHECKS_LEASE_SECONDS, renewed while the checks run) has passed. A
run in progress during the upgrade gets an expired lease: it is taken up at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("checks_lease_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE review SET checks_lease_expires_at = checks_started_at "
        "WHERE checks_status = 'running'"
    )


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("checks_lease_expires_at")
