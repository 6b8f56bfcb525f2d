"""Text search over reuses, in Arabic and French, the same on SQLite and PostgreSQL.

Every word of a reuse goes through ``libs.text.index_terms``, the catalog's normalisation
(Arabic diacritics, tatweel, alef and hamza forms, ta marbuta; French case, accents and
elisions) and stemming (Arabic light stemming, French Snowball), into ``reuse_term``: one row
per distinct word and stem of a reuse, with the weight of where it stands (title 3, tags 2,
description and organisation 1). A query is cut into its stems (``libs.text.query_terms``),
and a reuse matches when it holds every one of them, whatever form of the word it was written
in; the best ranked have the largest sum of weights, then the newest. One indexed lookup per
query word, on any database: no tsvector or FTS5 table to keep in step. After a change of the
normalisation or the stemming, ``bayanat reuse reindex`` rewrites the words.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Subquery, delete, func
from sqlmodel import col, select

import libs.text
from libs.http.pagination import Page, PageParams, paginate
from libs.uow import UnitOfWork
from services.reuse.models import (
    PUBLIC_STATES,
    DatasetReplica,
    Reuse,
    ReuseDataset,
    ReuseState,
    ReuseTerm,
)

TERM_MAX = 64  # longer words are cut to this on both sides, index and query
QUERY_TERMS_MAX = 12

TITLE_WEIGHT, TAG_WEIGHT, TEXT_WEIGHT = 3, 2, 1
NEWEST_FIRST = (col(Reuse.declared_at).desc(), col(Reuse.id).desc())


def index_terms(reuse: Reuse) -> dict[str, int]:
    """Each distinct word and stem of the reuse, with the highest weight it stands at."""
    return terms_of(reuse.title, reuse.description, reuse.tags, reuse.organization)


def terms_of(
    title: dict[str, str],
    description: dict[str, str],
    tags: list[str],
    organization: str | None,
    *,
    words: Callable[[str | None], list[str]] = libs.text.index_terms,
) -> dict[str, int]:
    """``index_terms`` of a reuse with these fields (``words``: what a text is indexed by)."""
    weighted: dict[str, int] = {}
    sources: tuple[tuple[int, Iterable[str | None]], ...] = (
        (TEXT_WEIGHT, [*description.values(), organization]),
        (TAG_WEIGHT, tags),
        (TITLE_WEIGHT, title.values()),
    )
    for weight, values in sources:
        for value in values:
            for term in words(value):
                weighted[term[:TERM_MAX]] = weight
    return weighted


def query_terms(query: str | None) -> list[str]:
    """The distinct stems a query looks for, in the order typed (at most QUERY_TERMS_MAX)."""
    stems = (term[:TERM_MAX] for term in libs.text.query_terms(query))
    return list(dict.fromkeys(stems))[:QUERY_TERMS_MAX]


def reindex_reuse(uow: UnitOfWork, reuse: Reuse, *, new: bool = False) -> None:
    """Replace the reuse's words (``new``: it has none yet); call after any change of its
    title, description, tags or organisation."""
    session = uow.session
    if not new:
        session.exec(delete(ReuseTerm).where(col(ReuseTerm.reuse_id) == reuse.id))
    session.add_all(
        ReuseTerm(term=term, reuse_id=reuse.id, weight=weight)
        for term, weight in index_terms(reuse).items()
    )


@dataclass(frozen=True)
class ReuseQuery:
    """A search of the public reuses: words and filters, all optional."""

    text: str | None = None
    reuse_type: str | None = None
    topic: str | None = None
    dataset_id: uuid.UUID | None = None
    institution_id: uuid.UUID | None = None
    verified: bool | None = None


def _holding_every(terms: list[str]) -> Subquery:
    """``(reuse_id, score)`` of the reuses that hold every one of ``terms``."""
    return (
        select(
            col(ReuseTerm.reuse_id).label("reuse_id"),
            func.sum(ReuseTerm.weight).label("score"),
        )
        .where(col(ReuseTerm.term).in_(terms))
        .group_by(col(ReuseTerm.reuse_id))
        .having(func.count() == len(terms))
        .subquery("matches")
    )


def search_reuses(uow: UnitOfWork, query: ReuseQuery, params: PageParams) -> Page[Reuse]:
    """One page of the public reuses that match: best ranked first when words are given,
    else newest first."""
    statement = select(Reuse).where(col(Reuse.state).in_(PUBLIC_STATES))
    if query.reuse_type:
        statement = statement.where(col(Reuse.reuse_type) == query.reuse_type)
    if query.topic:
        statement = statement.where(col(Reuse.topic) == query.topic)
    if query.verified is not None:
        wanted = ReuseState.VERIFIED if query.verified else ReuseState.DECLARED
        statement = statement.where(col(Reuse.state) == wanted)
    if query.dataset_id is not None:
        citing = select(ReuseDataset.reuse_id).where(
            col(ReuseDataset.dataset_id) == query.dataset_id
        )
        statement = statement.where(col(Reuse.id).in_(citing))
    if query.institution_id is not None:
        citing = (
            select(ReuseDataset.reuse_id)
            .join(DatasetReplica, col(DatasetReplica.id) == col(ReuseDataset.dataset_id))
            .where(col(DatasetReplica.institution_id) == query.institution_id)
        )
        statement = statement.where(col(Reuse.id).in_(citing))
    terms = query_terms(query.text)
    if terms:
        found = _holding_every(terms)
        statement = statement.join(found, found.c.reuse_id == col(Reuse.id)).order_by(
            found.c.score.desc(), *NEWEST_FIRST
        )
    else:
        statement = statement.order_by(*NEWEST_FIRST)
    return paginate(uow.session, statement, params)
