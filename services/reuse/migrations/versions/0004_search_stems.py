"""search stems: every reuse's words indexed with their stems

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00

A reuse is found by any form of its words (libs.text's Arabic light stemming, French elision
and Snowball stemming): ``reuse_term`` holds each word and its stem. Every reuse's terms are
rewritten here, as ``bayanat reuse reindex`` does; going down writes back the words alone.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from libs.text import tokens
from services.reuse.domain.search import terms_of

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

reuse = sa.table(
    "reuse",
    sa.column("id", sa.Uuid),
    sa.column("title", sa.JSON),
    sa.column("description", sa.JSON),
    sa.column("tags", sa.JSON),
    sa.column("organization", sa.String),
)
reuse_term = sa.table(
    "reuse_term",
    sa.column("term", sa.String),
    sa.column("reuse_id", sa.Uuid),
    sa.column("weight", sa.SmallInteger),
)

Terms = Callable[[dict[str, str], dict[str, str], list[str], str | None], dict[str, int]]


def _rewrite(terms: Terms) -> None:
    """Every reuse's terms, replaced by ``terms`` of its fields, a batch at a time."""
    connection = op.get_bind()
    last = None
    while True:
        statement = sa.select(
            reuse.c.id, reuse.c.title, reuse.c.description, reuse.c.tags, reuse.c.organization
        ).order_by(reuse.c.id)
        if last is not None:
            statement = statement.where(reuse.c.id > last)
        rows = connection.execute(statement.limit(BATCH)).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        connection.execute(sa.delete(reuse_term).where(reuse_term.c.reuse_id.in_(ids)))
        written = [
            {"term": term, "reuse_id": row.id, "weight": weight}
            for row in rows
            for term, weight in terms(
                row.title or {}, row.description or {}, row.tags or [], row.organization
            ).items()
        ]
        if written:
            connection.execute(sa.insert(reuse_term), written)
        last = ids[-1]


def _words_only(
    title: dict[str, str], description: dict[str, str], tags: list[str], organization: str | None
) -> dict[str, int]:
    """The terms of revision 0002: the normalised words, without their stems."""
    return terms_of(title, description, tags, organization, words=tokens)


def upgrade() -> None:
    _rewrite(terms_of)


def downgrade() -> None:
    _rewrite(_words_only)
