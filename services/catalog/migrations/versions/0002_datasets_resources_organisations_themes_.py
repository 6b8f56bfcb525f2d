"""datasets, resources, organisations, themes, licences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:48:50.780409
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The seed data, as it was when this revision was written: a later change of the portal's
# themes or licences is a migration of its own, never an edit here.
THEMES = [  # name, French, Arabic; in the portal's order
    ("economie-finances", "Économie et finances", "الاقتصاد والمالية"),
    ("sante", "Santé", "الصحة"),
    ("education", "Éducation et formation", "التعليم والتكوين"),
    ("agriculture", "Agriculture et pêche", "الفلاحة والصيد البحري"),
    ("tourisme", "Tourisme", "السياحة"),
    ("transport", "Transport et logistique", "النقل واللوجستيك"),
    ("energie", "Énergie et mines", "الطاقة والمعادن"),
    ("environnement", "Environnement", "البيئة"),
    ("habitat", "Habitat et urbanisme", "السكنى والتعمير"),
    ("emploi", "Emploi", "التشغيل"),
    ("justice", "Justice", "العدل"),
    ("culture", "Culture et sport", "الثقافة والرياضة"),
    ("collectivites", "Collectivités territoriales", "الجماعات الترابية"),
    ("population", "Population et société", "السكان والمجتمع"),
    ("numerique", "Télécommunications et numérique", "الاتصالات والرقمنة"),
]
LICENSES = [  # id, title, url, is_open
    (
        "odc-odbl",
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        True,
    ),
    (
        "cc-by",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        True,
    ),
    (
        "cc-by-sa",
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        True,
    ),
    (
        "cc-zero",
        "Creative Commons CCZero",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        True,
    ),
    (
        "odc-by",
        "Open Data Commons Attribution License",
        "https://opendatacommons.org/licenses/by/1-0/",
        True,
    ),
    ("other-open", "Other (open) — the national open licence", "https://data.gov.ma/licence", True),
    ("other-closed", "Other (not open)", "https://data.gov.ma/licence/other-closed", False),
]


def upgrade() -> None:
    op.create_table(
        "dataset_reuse",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("reuse_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", "reuse_id"),
    )
    with op.batch_alter_table("dataset_reuse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_reuse_reuse_id"), ["reuse_id"], unique=False)

    op.create_table(
        "license",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("acronym", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("logo_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_active"), ["active"], unique=False)
        batch_op.create_index(batch_op.f("ix_organization_name"), ["name"], unique=True)

    op.create_table(
        "theme",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "dataset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("license_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("temporal_start", sa.Date(), nullable=True),
        sa.Column("temporal_end", sa.Date(), nullable=True),
        sa.Column("spatial", sa.JSON(), nullable=True),
        sa.Column("contact_point", sa.JSON(), nullable=True),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rejection_reasons", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_data_update", sa.DateTime(timezone=True), nullable=True),
        sa.Column("title_sort", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "search_document",
            postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["license_id"],
            ["license.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_license_id"), ["license_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dataset_name"), ["name"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_dataset_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dataset_state"), ["state"], unique=False)
        batch_op.create_index("ix_dataset_state_modified", ["state", "modified_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dataset_title_sort"), ["title_sort"], unique=False)

    op.create_table(
        "dataset_tag",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id", "tag"),
    )
    with op.batch_alter_table("dataset_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_tag_tag"), ["tag"], unique=False)

    op.create_table(
        "dataset_theme",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("theme_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["theme_name"],
            ["theme.name"],
        ),
        sa.PrimaryKeyConstraint("dataset_id", "theme_name"),
    )
    with op.batch_alter_table("dataset_theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dataset_theme_theme_name"), ["theme_name"], unique=False
        )

    op.create_table(
        "resource",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_dataset_id"), ["dataset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_format"), ["format"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_dataset_search_document", "dataset", ["search_document"], postgresql_using="gin"
        )
    else:
        # SQLite: full-text search over the normalised text (libs.text) with FTS5.
        op.execute(
            "CREATE VIRTUAL TABLE dataset_fts USING fts5("
            "dataset_id UNINDEXED, title, tags, description, tokenize='unicode61')"
        )

    themes = sa.table(
        "theme",
        sa.column("name", sa.String),
        sa.column("title", sa.JSON),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        themes,
        [
            {"name": name, "title": {"fr": fr, "ar": ar}, "position": position}
            for position, (name, fr, ar) in enumerate(THEMES)
        ],
    )
    licenses = sa.table(
        "license",
        sa.column("id", sa.String),
        sa.column("title", sa.String),
        sa.column("url", sa.String),
        sa.column("is_open", sa.Boolean),
    )
    op.bulk_insert(
        licenses,
        [
            {"id": id_, "title": title, "url": url, "is_open": is_open}
            for id_, title, url, is_open in LICENSES
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_dataset_search_document", table_name="dataset")
    else:
        op.execute("DROP TABLE dataset_fts")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_format"))
        batch_op.drop_index(batch_op.f("ix_resource_dataset_id"))

    op.drop_table("resource")
    with op.batch_alter_table("dataset_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_theme_theme_name"))

    op.drop_table("dataset_theme")
    with op.batch_alter_table("dataset_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_tag_tag"))

    op.drop_table("dataset_tag")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_title_sort"))
        batch_op.drop_index("ix_dataset_state_modified")
        batch_op.drop_index(batch_op.f("ix_dataset_state"))
        batch_op.drop_index(batch_op.f("ix_dataset_organization_id"))
        batch_op.drop_index(batch_op.f("ix_dataset_name"))
        batch_op.drop_index(batch_op.f("ix_dataset_license_id"))

    op.drop_table("dataset")
    op.drop_table("theme")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_name"))
        batch_op.drop_index(batch_op.f("ix_organization_active"))

    op.drop_table("organization")
    op.drop_table("license")
    with op.batch_alter_table("dataset_reuse", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_reuse_reuse_id"))

    op.drop_table("dataset_reuse")
