"""Folding an object's facts into spans: order, duplicates and continuation do not matter."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from libs.events import CloudEvent
from services.metrics.domain import facts
from services.metrics.domain.facts import Fact
from services.metrics.domain.folds import MACHINES, Folded, fold
from services.metrics.handlers import HANDLERS
from tests.support import metrics_events as ev
from tests.support import metrics_scenario as world
from tests.support.metrics_scenario import moment

CONVERTERS = {
    event_type: getattr(facts, handler.__name__.removeprefix("on_"))
    for event_type, handler in HANDLERS.items()
}


def fact_of(event: CloudEvent) -> Fact:
    converted: Fact = CONVERTERS[event.type](event, event.payload())
    return converted


def facts_of(entity_id: uuid.UUID) -> list[Fact]:
    return [f for f in map(fact_of, world.events()) if f.entity_id == str(entity_id)]


def spans(folded: Folded) -> list[tuple[datetime, datetime | None, str]]:
    return [(s.valid_from, s.valid_to, s.values.state) for s in folded.spans]


def test_a_dataset_withdrawn_and_published_again_has_two_spans() -> None:
    d2 = fold(MACHINES[facts.Aggregate.DATASET], facts_of(world.d2))
    assert spans(d2) == [
        (moment(3, 1), moment(9, 1), "published"),
        (moment(10, 1), None, "published"),
    ]
    first, second = d2.spans
    assert (first.values.licence_open, first.values.bulk, first.values.stars) == (False, True, 0)
    assert (second.values.licence_open, second.values.machine_readable) == (True, False)


def test_an_overdue_alert_splits_a_span_until_the_update_that_answers_it() -> None:
    d1 = fold(MACHINES[facts.Aggregate.DATASET], facts_of(world.d1))
    up_to_date = [(s.valid_from, s.values.up_to_date) for s in d1.spans]
    assert (moment(6, 1, 0), False) in up_to_date
    assert (moment(7, 15), True) in up_to_date
    assert d1.spans[0].values.regions == ("souss-massa",)  # from the submission
    assert all(s.values.bulk for s in d1.spans)


def test_an_alert_already_answered_changes_nothing() -> None:
    d6 = fold(MACHINES[facts.Aggregate.DATASET], facts_of(world.d6))
    assert all(s.values.up_to_date for s in d6.spans)


def test_the_facts_of_an_object_in_any_order_or_twice_give_the_same_spans() -> None:
    for entity in (world.d1, world.d2, world.d3, world.r4, world.D):
        all_facts = facts_of(entity)
        machine = MACHINES[all_facts[0].aggregate]
        expected = fold(machine, all_facts).spans
        rng = random.Random(entity.int)
        for _ in range(20):
            shuffled = all_facts + rng.sample(all_facts, k=len(all_facts) // 2)
            rng.shuffle(shuffled)
            assert fold(machine, shuffled).spans == expected


def test_continuing_a_fold_equals_folding_everything() -> None:
    all_facts = sorted(facts_of(world.d1), key=lambda f: f.key)
    machine = MACHINES[facts.Aggregate.DATASET]
    expected = fold(machine, all_facts).spans
    for cut in range(1, len(all_facts)):
        before = fold(machine, all_facts[:cut])
        after = fold(machine, all_facts[cut:], before.carry)
        closed = [s for s in before.spans if s.valid_to is not None]
        assert closed + after.spans == expected


def test_a_reuse_verified_then_removed_and_one_verified_by_an_update() -> None:
    r3 = fold(MACHINES[facts.Aggregate.REUSE], facts_of(world.r3))
    assert spans(r3) == [
        (moment(6, 1), moment(6, 5), "declared"),
        (moment(6, 5), moment(8, 1), "verified"),
    ]
    r4 = fold(MACHINES[facts.Aggregate.REUSE], facts_of(world.r4))
    assert spans(r4) == [(moment(7, 1), moment(7, 2), "declared"), (moment(7, 2), None, "verified")]
    assert r4.spans[-1].values.kind == "article"


def test_an_edit_that_drops_the_verification_makes_the_reuse_declared_again() -> None:
    reuse = uuid.uuid4()
    events = [
        ev.reuse_declared(reuse, moment(1, 1)),
        ev.reuse_verified(reuse, moment(1, 2)),
        ev.reuse_updated(reuse, moment(1, 3), verified=False),
    ]
    folded = fold(MACHINES[facts.Aggregate.REUSE], [fact_of(e) for e in events])
    assert [s.values.state for s in folded.spans] == ["declared", "verified", "declared"]


def test_an_institution_that_leaves_and_comes_back() -> None:
    d = fold(MACHINES[facts.Aggregate.INSTITUTION], facts_of(world.D))
    day = lambda month, dom: datetime(2019, month, dom, tzinfo=UTC)  # noqa: E731
    assert spans(d) == [(day(5, 1), day(5, 20), "taking_part"), (day(7, 1), None, "taking_part")]
    assert d.spans[0].values.kind == "ministry"
