"""The local infrastructure scripts: idempotent, and a stale pid file does not stop them."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.support.brokers import DisposableKafka, DisposablePostgres


def test_kafka_up_is_idempotent_and_survives_a_stale_pid_file(tmp_path: Path) -> None:
    broker = DisposableKafka(tmp_path)
    pidfile = tmp_path / f"kafka-{broker.port}" / "kafka.pid"
    pidfile.parent.mkdir(parents=True)
    pidfile.write_text("999999\n")  # a process that does not exist
    try:
        broker.up()
        first = pidfile.read_text()
        assert first.strip() != "999999"
        broker.up()  # a second up does nothing
        assert pidfile.read_text() == first
    finally:
        broker.down()
    assert not pidfile.exists()
    broker.down()  # and a second down neither


def test_postgres_up_is_idempotent_and_creates_one_database_per_service(tmp_path: Path) -> None:
    cluster = DisposablePostgres(tmp_path)
    try:
        cluster.script("up")
        assert "already running" in cluster.script("up")
        with psycopg.connect(cluster.admin_url) as connection:
            names = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
        assert {f"bayanat_{s}" for s in ("catalog", "governance", "reuse", "metrics")} <= names
    finally:
        cluster.script("down")
    assert "not running" in cluster.script("down")
    cluster.remove()
