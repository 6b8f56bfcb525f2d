"""Replicas: two processes of each service on the same database and broker (behind a local
balancer, a client's requests spread over them in turn), one of each killed with SIGKILL
mid-run. The scenario of tests/support/scenario.py completes as written: each outbox relayed
by one process at a time (no event twice on a topic, each subject's events in their order),
the consumers of the dead processes' partitions taken over by the survivors, the figures
exact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, pool, text

from libs.messaging.outbox import advisory_lock_key
from libs.settings import PlatformSettings
from tests.support.apps import isolated_platform
from tests.support.infra import PostgresDatabases
from tests.support.platform import (
    SERVICES,
    ServiceProcess,
    _expect,
    running_platform,
    wait_for,
)
from tests.support.scenario import (
    SETTINGS,
    Ledger,
    Moment,
    Run,
    assert_ends_as_written,
    ledger,
    picture,
    run_scenario,
    settle,
    slow_files,
)


class ReplicasKilled:
    """SIGKILL of one process of each service: governance's and metrics' while the checks
    fetch the slow file (and the submissions' events flow), the catalog's and reuse's once
    the reuses are declared (before the verifications, the data update and the withdrawal)."""

    def __init__(self) -> None:
        self.killed: list[ServiceProcess] = []

    def kill(self, run: Run, *names: str) -> None:
        for name in names:
            replica = run.platform[name].replicas[0]
            replica.kill()
            self.killed.append(replica)

    def at(self, moment: Moment, run: Run) -> None:
        if moment == "enrolled":
            # The scenario reads the metrics only at its end: a few readers now, spread too.
            with run.platform["metrics"].client() as http:
                for _ in range(4):
                    _expect(http.get("/api/v1/indicators"), 200)
        elif moment == "checking":
            self.kill(run, "governance", "metrics")
        elif moment == "declared":
            self.kill(run, "catalog", "reuse")


def ends_as_written(run: Run) -> tuple[dict[str, Any], Ledger] | None:
    shown, books = picture(run), ledger(run)
    try:
        assert_ends_as_written(shown, books)
    except AssertionError:
        return None
    return shown, books


def relay_lock_holders(process: ServiceProcess) -> int:
    """Sessions holding the service's relay lock (a PostgreSQL advisory lock) on its database."""
    key = advisory_lock_key(process.name)
    engine = create_engine(process.database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            held = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                    " AND classid = :high AND objid = :low AND objsubid = 1"
                ),
                {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(held)


def test_two_replicas_of_each_service_one_killed_mid_run(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases, tmp_path: Path
) -> None:
    killed = ReplicasKilled()
    with (
        slow_files() as files,
        running_platform(
            isolated_platform(kafka, "replicas"),
            postgres_databases,
            tmp_path,
            replicas=2,
            **SETTINGS,
        ) as platform,
    ):
        # Both processes of each service run a relay: one holds the relay's lock.
        wait_for(
            lambda: all(relay_lock_holders(platform[name]) == 1 for name in SERVICES),
            timeout=30,
            what="a relay of each service holding its lock",
        )
        run = run_scenario(platform, files, killed)
        settle(run)
        # The killed consumers' partitions go to the survivors once their sessions expire
        # (seconds): what they hold back arrives then.
        try:
            shown, books = wait_for(
                lambda: ends_as_written(run),
                timeout=90,
                poll=2,
                what="the scenario's end as written",
            )
        except AssertionError:
            assert_ends_as_written(picture(run), ledger(run))  # says what differs
            raise

        assert sorted(p.name for p in killed.killed) == sorted(SERVICES)
        # Requests went to both processes of each service while both were up.
        assert all(process.served > 0 for process in platform.processes()), {
            f"{process.name}:{process.port}": process.served for process in platform.processes()
        }
        # Each subject's events in their order, none lost, each applied once. (A copy of an
        # event may be on a topic twice: a relay killed between the broker's acknowledgement
        # and marking its rows sent leaves them to the next holder; the inboxes drop it.)
        assert_ends_as_written(shown, books)
        # The survivor of each service holds the relay's lock (taken over if the dead held it).
        assert {name: relay_lock_holders(platform[name]) for name in SERVICES} == dict.fromkeys(
            SERVICES, 1
        )
