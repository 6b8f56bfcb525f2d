"""One active outbox relay per service, also on SQLite (worker processes on one file)."""

from __future__ import annotations

from pathlib import Path

from libs.db import make_engine
from libs.messaging.outbox import OutboxRelay
from libs.settings import PlatformSettings
from tests.support import probe


def relay(path: Path) -> OutboxRelay:
    return OutboxRelay(
        engine=make_engine(f"sqlite:///{path}"),
        table=probe.tables.outbox,
        platform=PlatformSettings(),
        service_name="probe",
    )


def test_a_second_relay_on_the_same_sqlite_file_waits_for_the_first(tmp_path: Path) -> None:
    first, second = relay(tmp_path / "probe.db"), relay(tmp_path / "probe.db")
    assert first._try_file_lock()
    assert not second._try_file_lock()
    first._lock_file.close()  # type: ignore[union-attr]  # what _release does
    first._lock_file = None
    assert second._try_file_lock()


def test_relays_of_other_files_do_not_wait(tmp_path: Path) -> None:
    assert relay(tmp_path / "a.db")._try_file_lock()
    assert relay(tmp_path / "b.db")._try_file_lock()
