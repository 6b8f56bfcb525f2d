"""dataset renditions and the catalogue generation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 22:30:00

``dataset_rendition`` holds a dataset's native JSON and CKAN package dict as served; rows are
written by the readers and emptied (their generation bumped) by every change of what they
show (services/catalog/domain/renditions.py). Empty at first: each is rendered on first read.
``catalogue_generation`` is one row bumped by those same changes, which every worker reads to
drop its in-process caches (services/catalog/domain/generation.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dataset_rendition",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(), nullable=True),
        sa.Column("native", sa.LargeBinary(), nullable=True),
        sa.Column("ckan", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id"),
    )
    generation = op.create_table(
        "catalogue_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(generation, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("catalogue_generation")
    op.drop_table("dataset_rendition")
