"""institution and slug: the catalog's own names

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:19:53.017811

The catalog's own tables say what its API says: the replica of governance's institutions is
``institution`` (its URL name ``slug``), a dataset belongs to ``institution_id`` and its URL
name is ``slug``. Renames only: every row stays, and each index follows its column's name.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A renamed column and its index: (column, new name, index, new index name, unique).
Column = tuple[str, str, str, str, bool]
# An index renamed with its table: (its column, index, new index name).
Index = tuple[str, str, str]

INSTITUTION_COLUMNS: list[Column] = [
    ("name", "slug", "ix_organization_name", "ix_institution_slug", True),
]
INSTITUTION_INDEXES: list[Index] = [
    ("active", "ix_organization_active", "ix_institution_active"),
]
DATASET_COLUMNS: list[Column] = [
    ("name", "slug", "ix_dataset_name", "ix_dataset_slug", True),
    (
        "organization_id",
        "institution_id",
        "ix_dataset_organization_id",
        "ix_dataset_institution_id",
        False,
    ),
]


def _back(columns: list[Column]) -> list[Column]:
    return [(new, old, new_index, index, unique) for old, new, index, new_index, unique in columns]


def _back_indexes(indexes: list[Index]) -> list[Index]:
    return [(column, new_index, index) for column, index, new_index in indexes]


def _rename(
    table: str,
    columns: Sequence[Column],
    indexes: Sequence[Index] = (),
    primary_key: tuple[str, str] | None = None,
) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # In place; the primary key's index is named after the table.
        if primary_key is not None:
            old_key, new_key = primary_key
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old_key}" TO "{new_key}"')
        for old, new, index, new_index, _ in columns:
            op.alter_column(table, old, new_column_name=new)
            op.execute(f'ALTER INDEX "{index}" RENAME TO "{new_index}"')
        for _, index, new_index in indexes:
            op.execute(f'ALTER INDEX "{index}" RENAME TO "{new_index}"')
        return
    # SQLite renames no index: each one is dropped and made again under its new name, around
    # the table that batch mode rebuilds with the new column names.
    for _, _, index, _, _ in columns:
        op.drop_index(index, table_name=table)
    for _, index, _ in indexes:
        op.drop_index(index, table_name=table)
    with op.batch_alter_table(table) as batch:
        for old, new, _, _, _ in columns:
            batch.alter_column(old, new_column_name=new)
    for _, new, _, new_index, unique in columns:
        op.create_index(new_index, table, [new], unique=unique)
    for column, _, new_index in indexes:
        op.create_index(new_index, table, [column], unique=False)


def upgrade() -> None:
    op.rename_table("organization", "institution")
    _rename(
        "institution",
        INSTITUTION_COLUMNS,
        INSTITUTION_INDEXES,
        primary_key=("organization_pkey", "institution_pkey"),
    )
    _rename("dataset", DATASET_COLUMNS)


def downgrade() -> None:
    _rename("dataset", _back(DATASET_COLUMNS))
    _rename(
        "institution",
        _back(INSTITUTION_COLUMNS),
        _back_indexes(INSTITUTION_INDEXES),
        primary_key=("institution_pkey", "organization_pkey"),
    )
    op.rename_table("institution", "organization")
