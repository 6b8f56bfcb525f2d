"""The aware-UTC column type and the count-and-page helper, on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.exc import StatementError
from sqlmodel import Field, Session, SQLModel, col, select

from libs.db import UtcDateTime, make_engine, utc_timestamp
from libs.http.pagination import PageParams, paginate


class Moment(SQLModel, table=True, metadata=MetaData()):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_timestamp(nullable=False)


def test_moments_come_back_aware_in_utc(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    Moment.metadata.create_all(engine)
    casablanca = timezone(timedelta(hours=1))
    with Session(engine) as session:
        session.add(Moment(id=1, at=datetime(2024, 5, 1, 12, 0, tzinfo=casablanca)))
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(Moment)).one()
    assert stored.at == datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
    assert stored.at.tzinfo is UTC


def test_a_naive_moment_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime())
    )
    table.metadata.create_all(engine)
    with engine.connect() as connection, pytest.raises(StatementError, match="naive"):
        connection.execute(table.insert().values(at=datetime(2024, 1, 1)))


def test_paginate_counts_then_reads_one_page_in_order(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    Moment.metadata.create_all(engine)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add_all(Moment(id=n, at=start + timedelta(days=n)) for n in range(1, 8))
        session.commit()
        page = paginate(
            session,
            select(Moment).where(col(Moment.id) > 1).order_by(col(Moment.at).desc()),
            PageParams(page=2, page_size=4),
        )
    assert (page.total, page.pages, page.page) == (6, 2, 2)
    assert [m.id for m in page.items] == [3, 2]
    assert page.map(lambda m: m.id).items == [3, 2]


def test_paginate_pages_rows_of_several_columns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    Moment.metadata.create_all(engine)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add_all(Moment(id=n, at=start + timedelta(days=n)) for n in range(1, 4))
        session.commit()
        page = paginate(
            session,
            select(Moment.id, Moment.at).order_by(col(Moment.id)),
            PageParams(page=1, page_size=2),
        )
    assert (page.total, page.pages) == (3, 2)
    assert [tuple(row) for row in page.items] == [
        (1, start + timedelta(days=1)),
        (2, start + timedelta(days=2)),
    ]
