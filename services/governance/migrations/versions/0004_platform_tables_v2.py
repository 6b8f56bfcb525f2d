"""platform tables v2: outbox rows set aside, token revocations

Outbox rows the broker refuses for good are dead-lettered (``outbox.dead_lettered_at``) instead
of blocking the rows behind them, and the service keeps the token revocations it decides
(``token_revocation``), which every one of its processes reads to refuse revoked tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:10:00.000000
"""

from collections.abc import Sequence

from libs.messaging.migrations import downgrade_platform_tables_v2, upgrade_platform_tables_v2

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_platform_tables_v2()


def downgrade() -> None:
    downgrade_platform_tables_v2()
