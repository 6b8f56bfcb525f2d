"""A consumer's batch records its events' ids in one statement that says which are new, on
PostgreSQL and on SQLite: a duplicate, in the batch or already recorded, is not new, and a
concurrent delivery of the same event waits for the first one and then finds it recorded."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlmodel import Session

from libs.db import make_engine
from libs.messaging.consumer import claim_events
from libs.messaging.tables import messaging_tables

METADATA = MetaData()
TABLES = messaging_tables(METADATA)
INBOX = TABLES.processed_events


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        postgres_url: Callable[[str], str] = request.getfixturevalue("postgres_url")
        url = postgres_url("inbox")
    else:
        url = f"sqlite:///{tmp_path / 'inbox.db'}"
    engine = make_engine(url)
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def rows(*ids: str) -> dict[str, dict[str, Any]]:
    now = datetime.now(UTC)
    return {i: {"event_type": f"type-of-{i}", "topic": "a.topic", "processed_at": now} for i in ids}


def claim(engine: Engine, *ids: str) -> set[str]:
    with Session(engine) as session:
        fresh = claim_events(session, INBOX, rows(*ids))
        session.commit()
    return fresh


def test_only_the_ids_not_recorded_yet_are_new(engine: Engine) -> None:
    assert claim(engine, "b", "a") == {"a", "b"}
    assert claim(engine, "c", "b", "a") == {"c"}
    assert claim(engine) == set()
    with Session(engine) as session:
        recorded = session.execute(select(INBOX.c.event_id, INBOX.c.event_type, INBOX.c.topic))
        assert sorted(recorded) == [(i, f"type-of-{i}", "a.topic") for i in "abc"]


def test_nothing_stays_recorded_when_the_unit_rolls_back(engine: Engine) -> None:
    with Session(engine) as session:
        assert claim_events(session, INBOX, rows("x")) == {"x"}
        session.rollback()
    assert claim(engine, "x") == {"x"}


def test_a_concurrent_claim_waits_for_the_first_and_finds_its_ids(
    postgres_url: Callable[[str], str],
) -> None:
    """(PostgreSQL: SQLite has one writer at a time.)"""
    engine = make_engine(postgres_url("inbox"))
    METADATA.create_all(engine)
    second: list[set[str]] = []
    with Session(engine) as first:
        assert claim_events(first, INBOX, rows("x")) == {"x"}
        waiting = threading.Thread(target=lambda: second.append(claim(engine, "x", "y")))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive(), "the second claim must wait for the first unit"
        first.commit()
    waiting.join(timeout=10)
    engine.dispose()
    assert second == [{"y"}]
