"""Faults: the same scenario (tests/support/scenario.py) run without a fault and with each
one, on a platform of its own, on a Kafka broker of this module's own (never the shared one)
and, for the database's restart, a PostgreSQL cluster of its own. Each run must end as the
run without the fault: the same catalog states, reviews, reuses and counts, the same value of
every indicator, and every event where it belongs: each outbox row sent and on its topic, the
same events on the topics, each applied once by every service that consumes it, none
dead-lettered (but the poison).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from libs.events import CloudEvent, Topic
from libs.events.schemas import DatasetPublished
from libs.messaging.kafka import make_producer
from libs.settings import PlatformSettings
from tests.support.brokers import DisposableKafka, DisposablePostgres
from tests.support.infra import PostgresDatabases
from tests.support.platform import running_platform, wait_for
from tests.support.scenario import (
    SETTINGS,
    SLOW_PATH,
    Fault,
    Ledger,
    Moment,
    Run,
    assert_ends_as_written,
    assert_every_event_in_place,
    differences,
    ledger,
    picture,
    run_scenario,
    settle,
    slow_files,
)


@dataclass
class Outcome:
    run: Run
    picture: dict[str, Any]
    ledger: Ledger
    seconds: float


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DisposableKafka]:
    broker = DisposableKafka(tmp_path_factory.mktemp("kafka"))
    broker.up()
    try:
        yield broker
    finally:
        broker.down()


def on(broker: DisposableKafka) -> PlatformSettings:
    """The module's broker, with topics (and consumer groups) of one run's own."""
    return PlatformSettings(
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_topic_prefix=f"faults-{uuid.uuid4().hex[:8]}.",
    )


def scenario(
    broker: DisposableKafka,
    databases: PostgresDatabases,
    directory: Path,
    fault: Fault | None = None,
    baseline: Outcome | None = None,
) -> Outcome:
    """The scenario on a platform of its own, with ``fault``; its end once settled (the same
    as ``baseline``'s when it is given, or the test fails naming what differs)."""
    started = time.monotonic()
    with (
        slow_files() as files,
        running_platform(on(broker), databases, directory, replicas=1, **SETTINGS) as platform,
    ):
        run = run_scenario(platform, files, fault)
        shown = settle(run)
        if baseline is not None:
            # A consumer that restarted, or that met the database or the broker away, may
            # still be catching up once the metrics count the scenario: give it time.
            expected = baseline.ledger.counts()

            def changed() -> list[str]:
                return differences(baseline.picture, picture(run)) + differences(
                    expected, ledger(run).counts()
                )

            try:
                wait_for(lambda: not changed(), timeout=90, poll=2, what="the baseline's end")
            except AssertionError:
                raise AssertionError("\n".join(changed())) from None
            shown = picture(run)
        return Outcome(run, shown, ledger(run), time.monotonic() - started)


@pytest.fixture(scope="module")
def baseline(
    broker: DisposableKafka,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Outcome:
    outcome = scenario(broker, postgres_databases, tmp_path_factory.mktemp("baseline"))
    print(f"\nbaseline: {outcome.seconds:.0f} s")
    return outcome


def test_the_scenario_without_a_fault_ends_as_written(baseline: Outcome) -> None:
    assert_ends_as_written(baseline.picture, baseline.ledger)
    assert baseline.ledger.duplicates == 0


class KafkaStopped:
    """The broker stops once the reuses are declared: the verifications, the data update and
    the withdrawal are written while it is down, and it starts again after them."""

    def __init__(self, broker: DisposableKafka) -> None:
        self.broker = broker

    def at(self, moment: Moment, run: Run) -> None:
        if moment == "declared":
            self.broker.down()
        elif moment == "written":
            time.sleep(3)  # the relays and consumers retry meanwhile
            self.broker.up()


def test_kafka_stopped_in_the_middle_of_the_saga(
    broker: DisposableKafka,
    postgres_databases: PostgresDatabases,
    tmp_path: Path,
    baseline: Outcome,
) -> None:
    try:
        outcome = scenario(broker, postgres_databases, tmp_path, KafkaStopped(broker), baseline)
    finally:
        broker.up()  # for the other tests, whatever happened
    assert_every_event_in_place(outcome.ledger)
    assert outcome.ledger.dead_letters == []


class ServicesKilled:
    """SIGKILL, then a start again: governance while it fetches the slow file for the checks
    (its claim on them lapses: the new process takes them up within seconds), and metrics
    right after the last writes, while their events reach it."""

    def __init__(self) -> None:
        self.resumed_after: float | None = None  # since the new process was ready
        self.since_kill: float | None = None

    def at(self, moment: Moment, run: Run) -> None:
        if moment == "checking":
            governance = run.platform["governance"]
            assert run.checks_fetching()
            killed = time.monotonic()
            governance.kill()
            governance.start()
            ready = time.monotonic()
            wait_for(
                lambda: run.files.hits(SLOW_PATH) >= 2,
                timeout=60,
                what="the checks taken up again",
            )
            self.resumed_after = time.monotonic() - ready
            self.since_kill = time.monotonic() - killed
        elif moment == "written":
            metrics = run.platform["metrics"]
            metrics.kill()
            metrics.start()


def test_a_service_killed_mid_stream_and_restarted(
    broker: DisposableKafka,
    postgres_databases: PostgresDatabases,
    tmp_path: Path,
    baseline: Outcome,
) -> None:
    killed = ServicesKilled()
    outcome = scenario(broker, postgres_databases, tmp_path, killed, baseline)
    assert_every_event_in_place(outcome.ledger)
    assert outcome.ledger.dead_letters == []
    # Its lease lapses within GOVERNANCE_CHECKS_LEASE_SECONDS of the kill, and a process
    # looks for lapsed claims every GOVERNANCE_CHECKS_POLL_SECONDS: seconds, not minutes.
    lease = float(SETTINGS["GOVERNANCE_CHECKS_LEASE_SECONDS"])
    assert killed.resumed_after is not None and killed.resumed_after < lease + 3
    print(
        f"\nchecks taken up again {killed.since_kill:.1f} s after the kill, "
        f"{killed.resumed_after:.1f} s after the new process was ready"
    )


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DisposablePostgres]:
    cluster = DisposablePostgres(tmp_path_factory.mktemp("postgres"))
    cluster.up()
    try:
        yield cluster
    finally:
        cluster.remove()


class PostgresRestarted:
    """The database server stops (fast: every session cut) while the checks fetch the slow
    file, and while events wait to be applied: the metrics service, frozen since the
    institutions were enrolled, thaws with the submissions' events waiting for it and meets
    the database down; the server starts again seconds later."""

    def __init__(self, cluster: DisposablePostgres) -> None:
        self.cluster = cluster

    def at(self, moment: Moment, run: Run) -> None:
        metrics = run.platform["metrics"]
        if moment == "enrolled":
            metrics.pause()
        elif moment == "checking":
            try:
                self.cluster.down()
            finally:
                metrics.resume()
            time.sleep(4)
            self.cluster.up()


def test_postgres_restarted(
    broker: DisposableKafka, cluster: DisposablePostgres, tmp_path: Path, baseline: Outcome
) -> None:
    databases = PostgresDatabases(cluster.admin_url)
    outcome = scenario(broker, databases, tmp_path, PostgresRestarted(cluster), baseline)
    assert_every_event_in_place(outcome.ledger)
    assert outcome.ledger.dead_letters == []


# Not a CloudEvent, twice; a CloudEvent whose data does not match its type.
POISON = [
    b"\x00\x01 not an event",
    b'{"specversion": "1.0", "type": "ma.gov.data.dataset.published.v1"}',
]


def mismatched_event(subject: str) -> bytes:
    return CloudEvent(
        source="/bayanat/elsewhere",
        type=DatasetPublished.event_type,
        subject=subject,
        time=datetime.now(UTC),
        data={"dataset_id": subject, "title": 42},
    ).to_bytes()


class Poisoned:
    """Poison on the catalog's topic, keyed as the next events of a dataset (so on their
    partition, before them), as the decisions are made."""

    def __init__(self) -> None:
        self.records: list[bytes] = []

    def at(self, moment: Moment, run: Run) -> None:
        if moment == "decided":
            subject = run.datasets["population-regions"]
            self.records = [*POISON, mismatched_event(subject)]
            asyncio.run(
                produce(run.platform.settings, Topic.CATALOG_DATASETS, subject, self.records)
            )


async def produce(platform: PlatformSettings, topic: str, key: str, values: list[bytes]) -> None:
    # Idempotent, as the services' producers: a retried send must not put a poison on the
    # topic twice, which the ledger would count as a second foreign event.
    producer = make_producer(platform)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(
                f"{platform.kafka_topic_prefix}{topic}", value, key=key.encode()
            )
    finally:
        await producer.stop()


def test_poison_on_a_topic_is_dead_lettered_and_the_rest_flows(
    broker: DisposableKafka,
    postgres_databases: PostgresDatabases,
    tmp_path: Path,
    baseline: Outcome,
) -> None:
    poisoned = Poisoned()
    outcome = scenario(broker, postgres_databases, tmp_path, poisoned, baseline)
    assert_every_event_in_place(outcome.ledger)
    assert outcome.ledger.foreign == 1  # the mismatched one, kept on the topic
    # Each consumer of the topic set each poison aside on its dead-letter topic, with why.
    consumers = ("governance", "metrics", "reuse")
    letters = outcome.ledger.dead_letters
    assert sorted(letter.consumer for letter in letters) == sorted(consumers * 3)
    for consumer in consumers:
        mine = [letter for letter in letters if letter.consumer == consumer]
        assert [letter.value for letter in mine] == poisoned.records
        assert {letter.original_topic for letter in mine} == {
            f"{outcome.run.platform.settings.kafka_topic_prefix}{Topic.CATALOG_DATASETS}"
        }
        reasons = [letter.error for letter in mine]
        assert "not JSON" in reasons[0]
        assert "not a CloudEvents 1.0 envelope" in reasons[1]
        assert f"invalid data for {DatasetPublished.event_type}" in reasons[2]
