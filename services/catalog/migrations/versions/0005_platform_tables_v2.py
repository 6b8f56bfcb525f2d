"""platform tables v2: outbox rows set aside, token revocations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

from libs.messaging.migrations import downgrade_platform_tables_v2, upgrade_platform_tables_v2

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_platform_tables_v2()


def downgrade() -> None:
    downgrade_platform_tables_v2()
