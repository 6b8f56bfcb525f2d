"""dataset facet values: each dataset's tags, themes and formats on its own row

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 03:10:00

A search counts its tag, theme and format facets over the matching datasets. Read from
``dataset_tag``, ``dataset_theme`` and ``resource``, that is one index probe per matching
dataset and facet (most of a search's time at 100,000 datasets); copied onto the dataset's row
as arrays, it is read with the row the match already fetches
(services/catalog/domain/search_index.py writes them with the search document); a filter on
a theme, tag or format reads them too, GIN-indexed for a filter without words. PostgreSQL
only: on SQLite the columns stay empty and facets are counted from the tables.

The search document is also kept on the row, uncompressed, rather than compressed or moved to
the TOAST table (rows above 2 KB by default): ranking reads it for every matching dataset, and
fetching and decompressing it was most of the ranking's time. ``toast_tuple_target`` lets
rows up to a page stay whole; a larger document is still compressed, then moved out. Every
document is rewritten here so that the setting applies to the rows already stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("facet_tags", "facet_themes", "facet_formats")

# A page's worth: rows below it are stored whole (PostgreSQL's largest toast_tuple_target).
WHOLE_ROW_BYTES = 8160
# As search_index.FACET_VALUES writes them; the document concatenated with nothing is a new
# value, stored afresh under the table's new setting.
BACKFILL = """
UPDATE dataset SET
    search_document = search_document || ''::tsvector,
    facet_tags = ARRAY(SELECT t.tag FROM dataset_tag t WHERE t.dataset_id = dataset.id
                       ORDER BY t.tag),
    facet_themes = ARRAY(SELECT t.theme_name FROM dataset_theme t WHERE t.dataset_id = dataset.id
                         ORDER BY t.theme_name),
    facet_formats = ARRAY(SELECT DISTINCT r.format FROM resource r WHERE r.dataset_id = dataset.id
                          AND r.format IS NOT NULL ORDER BY r.format)
"""


def upgrade() -> None:
    values_type = postgresql.ARRAY(sa.String()).with_variant(sa.JSON(), "sqlite")
    with op.batch_alter_table("dataset") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, values_type, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE dataset SET (toast_tuple_target = {WHOLE_ROW_BYTES})")
        op.execute(BACKFILL)
        # A search filtering on a theme, tag or format alone finds its datasets by these.
        for name in COLUMNS:
            op.create_index(f"ix_dataset_{name}", "dataset", [name], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in COLUMNS:
            op.drop_index(f"ix_dataset_{name}", table_name="dataset")
        op.execute("ALTER TABLE dataset RESET (toast_tuple_target)")
    with op.batch_alter_table("dataset") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
