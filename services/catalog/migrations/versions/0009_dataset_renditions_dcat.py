"""a dataset's DCAT-AP renditions in the read model

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:00:00

``dataset_rendition`` also holds the dataset's DCAT-AP document in each serialisation the
catalog serves for one dataset (Turtle, RDF/XML, JSON-LD), rendered with the others by the
unit of work that changes the dataset (services/catalog/domain/renditions.py). Empty at first:
``bayanat catalog render`` fills them, and a reader that finds none renders and stores it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("dcat_ttl", "dcat_rdf", "dcat_jsonld")


def upgrade() -> None:
    with op.batch_alter_table("dataset_rendition") as table:
        for name in COLUMNS:
            table.add_column(sa.Column(name, sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dataset_rendition") as table:
        for name in reversed(COLUMNS):
            table.drop_column(name)
