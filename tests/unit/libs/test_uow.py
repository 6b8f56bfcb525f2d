"""The unit of work: one transaction, its events in the outbox, callbacks once committed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlmodel import Field, SQLModel
from sqlmodel import select as sqlmodel_select

from libs.db import make_engine
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.messaging.outbox import Outbox
from libs.uow import UnitOfWorkFactory
from tests.support import probe


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1

    def clear(self) -> None:
        self.calls += 1


class Thing(SQLModel, table=True):
    id: int = Field(primary_key=True)
    label: str


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'probe.db'}")
    probe.metadata.create_all(engine)
    Thing.metadata.create_all(engine, tables=[Thing.metadata.tables["thing"]])
    return engine


def enrolled() -> InstitutionEnrolled:
    return InstitutionEnrolled(
        institution_id=uuid.uuid4(),
        slug="haut-commissariat-au-plan",
        name=LocalizedText(fr="Haut-Commissariat au Plan"),
        enrolled_on=date(2024, 1, 1),
    )


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def note(uow: object) -> None:
    uow.session.exec(insert(probe.notes).values(subject="s", created_at=datetime.now(UTC)))  # type: ignore[attr-defined]


def test_the_state_change_and_its_event_commit_together(engine: Engine) -> None:
    wake = Counter()
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"), wake_relay=wake)
    with units() as uow:
        note(uow)
        uow.publish(enrolled())
        assert wake.calls == 0, "the relay is woken only once the unit has committed"
        uow.commit()
    assert wake.calls == 1
    assert count(engine, probe.notes) == 1
    assert count(engine, probe.tables.outbox) == 1


def test_leaving_without_a_commit_rolls_back_the_change_and_its_event(engine: Engine) -> None:
    wake = Counter()
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"), wake_relay=wake)
    with units() as uow:
        note(uow)
        uow.publish(enrolled())
    assert (count(engine, probe.notes), count(engine, probe.tables.outbox)) == (0, 0)
    assert wake.calls == 0


def test_an_error_rolls_back_and_runs_no_callback(engine: Engine) -> None:
    callback = Counter()
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    with pytest.raises(RuntimeError), units() as uow:
        note(uow)
        uow.after_commit(callback)
        raise RuntimeError("the command failed")
    assert count(engine, probe.notes) == 0
    assert callback.calls == 0


def test_a_callback_registered_twice_runs_once_and_a_failing_one_does_not_undo(
    engine: Engine,
) -> None:
    callback = Counter()

    def broken() -> None:
        raise RuntimeError("cannot wake")

    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    with units() as uow:
        note(uow)
        uow.after_commit(callback)
        uow.after_commit(callback)
        uow.after_commit(broken)
        uow.commit()
    assert callback.calls == 1
    assert count(engine, probe.notes) == 1


def test_a_step_before_commit_runs_once_in_the_transaction(engine: Engine) -> None:
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    calls: list[str] = []

    def write_notes() -> None:
        calls.append("notes")
        note(uow)  # still inside the transaction: committed with the rest
        uow.before_commit(lambda: calls.append("registered by a step"))

    with units() as uow:
        uow.before_commit(write_notes)
        uow.before_commit(write_notes)
        assert calls == []
        uow.commit()
    assert calls == ["notes", "registered by a step"]
    assert count(engine, probe.notes) == 1


def test_a_failing_step_before_commit_commits_nothing(engine: Engine) -> None:
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    callback = Counter()

    def broken() -> None:
        raise RuntimeError("cannot write")

    with pytest.raises(RuntimeError, match="cannot write"), units() as uow:
        note(uow)
        uow.before_commit(broken)
        uow.after_commit(callback)
        uow.commit()
    assert count(engine, probe.notes) == 0
    assert callback.calls == 0


def test_steps_are_dropped_with_a_rollback(engine: Engine) -> None:
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    calls: list[str] = []
    with units() as uow:
        uow.before_commit(lambda: calls.append("step"))
        uow.rollback()
        note(uow)
        uow.commit()
    assert calls == []
    assert count(engine, probe.notes) == 1


def test_caches_are_cleared_once_committed_and_only_when_invalidated(engine: Engine) -> None:
    cache = Counter()
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    units.caches.append(cache)  # registered after the factory was made: still cleared
    with units() as uow:
        note(uow)
        uow.commit()
    assert cache.calls == 0
    with units() as uow:
        note(uow)
        uow.invalidate_caches()
        assert cache.calls == 0
        uow.commit()
    assert cache.calls == 1


def test_the_session_is_only_there_inside_the_block(engine: Engine) -> None:
    uow = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))()
    with pytest.raises(RuntimeError, match="not open"):
        _ = uow.session


def test_objects_read_after_the_commit_stay_usable_after_the_block(engine: Engine) -> None:
    units = UnitOfWorkFactory(engine, Outbox(probe.tables.outbox, "probe"))
    with units() as uow:
        uow.session.add(Thing(id=1, label="kept"))
        uow.commit()
        thing = uow.session.exec(sqlmodel_select(Thing)).one()  # a new transaction, a read
    assert thing.label == "kept"  # neither expired nor detached with its state lost
