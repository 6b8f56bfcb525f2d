"""outbox rows set aside, token revocations

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

from libs.messaging.migrations import downgrade_platform_tables_v2, upgrade_platform_tables_v2

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_platform_tables_v2()


def downgrade() -> None:
    downgrade_platform_tables_v2()
