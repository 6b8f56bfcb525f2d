"""A rebuild's tables, filled beside the live ones and swapped in (SQLite; the replay from
Kafka is tested against the real broker in tests/metrics)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from libs.settings import PlatformSettings
from services.metrics.domain import indicators
from services.metrics.domain.progress import Margins
from services.metrics.domain.projection import NEXT
from services.metrics.models import Projection
from services.metrics.rebuild import Rebuild, RebuildRefused
from tests.support import metrics_scenario as world
from tests.support.metrics_events import apply
from tests.support.units import SqliteUnits


def live(units: SqliteUnits, events: list) -> None:
    with units() as uow:
        apply(uow, events)
        uow.commit()


def values(units: SqliteUnits) -> dict[str, float | None]:
    with units() as uow:
        reports = indicators.indicator_reports(uow, as_of=world.END, margins=Margins())
    return {r.code: r.value for r in reports}


def test_a_rebuild_fills_new_tables_and_swaps_them_in(units: SqliteUnits) -> None:
    events = world.events()
    live(units, events[:20])
    rebuild = Rebuild(units.engine, PlatformSettings())
    rebuild.begin()
    assert set(inspect(units.engine).get_table_names()) >= {t.name for t in NEXT.tables}
    # While it replays the log, the live consumer writes what it consumes to both sets.
    live(units, events[20:])
    rebuild.apply_events(events[:25])  # the log up to the end offsets read at the start
    assert rebuild.fold_all(chunk=3) == 14  # 4 institutions, 6 datasets, 4 reuses
    before = values(units)
    assert before == world.EXPECTED[world.END]
    rebuild.swap(events=25, seconds=1.0)
    assert values(units) == before
    names = set(inspect(units.engine).get_table_names())
    assert not names & {t.name for t in NEXT.tables}
    indexes = {i["name"] for i in inspect(units.engine).get_indexes("span")}
    assert indexes == {"ix_span_aggregate_state", "ix_span_aggregate_institution"}
    with units() as uow:
        control = uow.session.get(Projection, 1)
        assert control is not None
        assert (control.state, control.rebuilt_events) == ("ready", 25)
    # The names are free again: the next rebuild creates its tables anew.
    again = Rebuild(units.engine, PlatformSettings())
    again.begin()
    again.apply_events(events)
    again.fold_all()
    again.swap(events=len(events), seconds=1.0)
    assert values(units) == before


def test_a_second_rebuild_waits_for_the_first(units: SqliteUnits) -> None:
    first = Rebuild(units.engine, PlatformSettings())
    first.begin()
    with pytest.raises(RebuildRefused, match="is running"):
        Rebuild(units.engine, PlatformSettings()).begin()
    first.abandon()
    with units() as uow:
        control = uow.session.get(Projection, 1)
        assert control is not None and control.state == "ready"
    Rebuild(units.engine, PlatformSettings()).begin()


def test_a_rebuild_whose_heartbeat_lapsed_does_not_swap(units: SqliteUnits) -> None:
    live(units, world.events())
    rebuild = Rebuild(units.engine, PlatformSettings())
    rebuild.begin()
    rebuild._largest_gap = 10_000  # as if the process had been stopped for hours
    with pytest.raises(RebuildRefused, match="heartbeat lapsed"):
        rebuild.swap(events=0, seconds=1.0)
    assert values(units) == world.EXPECTED[world.END]
