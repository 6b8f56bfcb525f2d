"""The projection's own statements on PostgreSQL (bulk JSON documents, advisory locks), driven
as the consumer drives them but without Kafka: the scripted year in batches, any delivery
order, replays, facts older than the last one folded, and the same rows as on SQLite."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from services.metrics.app import MIGRATIONS_DIR
from services.metrics.models import messaging
from tests.metrics.conftest import Databases
from tests.support import metrics_events as ev
from tests.support import metrics_scenario as world
from tests.support.metrics_projection import figures, project, projection_rows, unverified
from tests.support.units import SqliteUnits


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_the_scripted_year_gives_the_expected_figures(databases: Databases, batch: int) -> None:
    units = databases()
    project(units, world.events(), batch)
    assert figures(units) == world.EXPECTED
    assert unverified(units) == world.UNVERIFIED


def test_any_delivery_order_and_replays_write_the_same_rows(databases: Databases) -> None:
    in_order, shuffled = databases(), databases()
    events = world.events()
    project(in_order, events, 1000)
    rng = random.Random(5)
    delivered = events + rng.sample(events, k=20)
    rng.shuffle(delivered)
    project(shuffled, delivered, 6)
    project(shuffled, list(reversed(events)), 4)  # the whole log replayed, backwards
    assert projection_rows(shuffled.engine) == projection_rows(in_order.engine)
    assert figures(shuffled) == world.EXPECTED


def test_a_fact_older_than_the_last_one_folded_folds_its_object_again(
    databases: Databases,
) -> None:
    """d1's catalog events come first; its review and its overdue alert, from governance's
    topics, in later batches: d1 is folded again from all its facts, as if they had come in
    the order they happened."""
    catalog = [e for e in world.streams()["catalog"] if str(world.d1) in e.subject]
    late = [
        ev.review_opened(world.d1, world.A, world.moment(2, 2), 80),
        ev.overdue(world.d1, world.A, world.moment(6, 1, 0), basis=world.moment(4, 1)),
    ]
    at_once, late_arrival = databases(), databases()
    project(at_once, late + catalog, 1000)
    project(late_arrival, catalog, 1000)
    project(late_arrival, late[:1], 1000)
    project(late_arrival, late[1:], 1000)
    rows = projection_rows(late_arrival.engine)
    assert rows == projection_rows(at_once.engine)
    (d1,) = rows["entity"]
    assert d1["properties"]["quality_score"] == 80
    # Published on 5 February, JSON added on 1 April, overdue from 1 June until the update of
    # 15 July (the new version of 1 August changes nothing that counts).
    spans = sorted(rows["span"], key=lambda s: s["valid_from"])
    assert [(s["valid_from"].date().isoformat(), s["up_to_date"]) for s in spans] == [
        ("2019-02-05", True),
        ("2019-04-01", True),
        ("2019-06-01", False),
        ("2019-07-15", True),
    ]
    assert spans[-1]["valid_to"] is None


def test_postgresql_and_sqlite_write_the_same_rows(databases: Databases, tmp_path: Path) -> None:
    postgres = databases()
    sqlite = SqliteUnits("metrics", MIGRATIONS_DIR, messaging, tmp_path)
    try:
        for units in (postgres, sqlite):
            project(units, world.events(), 9)
        assert projection_rows(postgres.engine) == projection_rows(sqlite.engine)
    finally:
        sqlite.dispose()
