"""room in the entity table's pages for updates beside the rows they replace

Every batch of events rewrites the entity rows of the objects it concerns, their indexed
columns unchanged: with room left in each page (fillfactor 60), PostgreSQL writes the new row
version on the same page and leaves the indexes alone. Pages already full fill up to the new
factor only once rewritten (a rebuild writes new tables with it from the start). Nothing to do
on SQLite.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE entity SET (fillfactor = 60)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE entity RESET (fillfactor)")
