"""The projection on SQLite: the scripted year applied as the consumer would, in any order,
in batches or one by one, duplicates and replays included, gives the same figures."""

from __future__ import annotations

import random

import pytest
from sqlmodel import col, func, select

from services.metrics.domain import indicators
from services.metrics.domain.series import Granularity
from services.metrics.models import Fact
from tests.support import metrics_scenario as world
from tests.support.metrics_projection import figures, project, unverified
from tests.support.units import SqliteUnits


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_the_scripted_year_gives_the_expected_figures(units: SqliteUnits, batch: int) -> None:
    project(units, world.events(), batch)
    assert figures(units) == world.EXPECTED
    assert unverified(units) == world.UNVERIFIED


def test_any_delivery_order_and_replays_give_the_same_figures(units: SqliteUnits) -> None:
    events = world.events()
    rng = random.Random(11)
    shuffled = events + rng.sample(events, k=15)
    rng.shuffle(shuffled)
    project(units, shuffled, 5)
    project(units, list(reversed(events)), 3)  # the whole log replayed, backwards
    assert figures(units) == world.EXPECTED
    assert unverified(units) == world.UNVERIFIED


def test_each_event_is_kept_once(units: SqliteUnits) -> None:
    project(units, world.events(), 4)
    project(units, world.events(), 1000)
    distinct = {str(e.id) for e in world.events()}
    with units() as uow:
        assert uow.session.exec(select(func.count()).select_from(Fact)).one() == len(distinct)
        kinds = set(uow.session.exec(select(col(Fact.kind)).distinct()))
    assert {"published", "overdue", "review_opened", "declared", "enrolled"} <= kinds


def test_history_by_month_and_breakdowns(units: SqliteUnits) -> None:
    project(units, world.events(), 10)
    with units() as uow:
        history = indicators.history(
            uow,
            "datasets_published",
            interval=Granularity.MONTH,
            start=world.date(2019, 1, 1),
            end=world.END,
            max_points=100,
        )
        by_institution = indicators.breakdown_report(
            uow, "datasets_published", "institution", as_of=world.END
        )
        by_theme = indicators.breakdown_report(uow, "datasets_published", "theme", as_of=world.END)
        by_type = indicators.breakdown_report(
            uow, "reuse_initiatives", "reuse_type", as_of=world.END
        )
        open_by_institution = indicators.breakdown_report(
            uow, "open_licence", "institution", as_of=world.END
        )
    assert [p.value for p in history.points] == world.PUBLISHED_BY_MONTH
    assert {i.key: i.count for i in by_institution.items} == world.BY_INSTITUTION_AT_END
    assert by_institution.items[0].name == {"fr": "A", "ar": "مؤسسة A"}
    assert {i.key: i.count for i in by_theme.items} == world.BY_THEME_AT_END
    assert by_theme.multi_valued and by_theme.total == 4
    assert next(i.name for i in by_theme.items if i.key == "sante") == {
        "ar": "الصحة",
        "fr": "Santé",
    }
    assert {i.key: (i.count, i.companion) for i in by_type.items} == world.REUSES_BY_TYPE_AT_END
    shares = {i.key: i.value for i in open_by_institution.items}
    assert shares == {str(world.A): 66.67, str(world.B): 100.0}


def test_a_day_history_and_its_bound(units: SqliteUnits) -> None:
    project(units, world.events(), 50)
    with units() as uow:
        days = indicators.history(
            uow,
            "institutions_taking_part",
            interval=Granularity.DAY,
            start=world.date(2019, 5, 19),
            end=world.date(2019, 5, 21),
            max_points=10,
        )
        assert [p.value for p in days.points] == [4, 3, 3]  # D leaves on the 20th
        with pytest.raises(Exception, match="exceed the 10 points"):
            indicators.history(
                uow,
                "institutions_taking_part",
                interval=Granularity.DAY,
                start=world.date(2019, 1, 1),
                end=world.END,
                max_points=10,
            )
