"""Token revocations: recorded idempotently, read by every process, refusing older tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from libs.auth import Principal, Revocations, record_revocation
from libs.db import make_engine
from libs.events.schemas import TokensRevoked
from tests.support import probe

NOW = datetime.now(UTC)
ACCOUNT, SESSION = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'revocations.db'}")
    probe.metadata.create_all(engine)
    return engine


def revoke(engine: Engine, not_before: datetime, session_id: uuid.UUID | None = None) -> None:
    with Session(engine) as session:
        record_revocation(
            session,
            probe.tables.token_revocations,
            TokensRevoked(
                account_id=ACCOUNT,
                session_id=session_id,
                not_before=not_before,
                reason="logout" if session_id else "deactivated",
            ),
        )
        session.commit()


def cutoffs(engine: Engine) -> list[datetime]:
    table = probe.tables.token_revocations
    with engine.connect() as connection:
        return list(connection.execute(select(table.c.not_before)).scalars())


def token(issued: datetime, session_id: uuid.UUID | None = SESSION) -> Principal:
    return Principal(subject=ACCOUNT, session_id=session_id, issued_at=issued.timestamp())


def test_the_latest_cutoff_is_kept_and_a_replay_changes_nothing(engine: Engine) -> None:
    revoke(engine, NOW)
    revoke(engine, NOW - timedelta(minutes=5))  # an older event arriving late
    revoke(engine, NOW)  # the same event again
    assert cutoffs(engine) == [NOW]
    revoke(engine, NOW + timedelta(minutes=1))
    assert cutoffs(engine) == [NOW + timedelta(minutes=1)]


def test_tokens_issued_before_a_cutoff_are_refused_after_a_refresh(engine: Engine) -> None:
    revocations = Revocations(probe.tables.token_revocations)
    assert not revocations.is_revoked(token(NOW - timedelta(seconds=1)))
    revoke(engine, NOW)
    with engine.connect() as connection:
        revocations.refresh(connection)
    assert revocations.is_revoked(token(NOW - timedelta(seconds=1)))
    assert not revocations.is_revoked(token(NOW + timedelta(milliseconds=1)))


def test_a_logout_revokes_its_session_only(engine: Engine) -> None:
    revocations = Revocations(probe.tables.token_revocations)
    revoke(engine, NOW, session_id=SESSION)
    with engine.connect() as connection:
        revocations.refresh(connection)
    earlier = NOW - timedelta(seconds=1)
    assert revocations.is_revoked(token(earlier, SESSION))
    assert not revocations.is_revoked(token(earlier, uuid.uuid4()))
    assert not revocations.is_revoked(token(earlier, None))
