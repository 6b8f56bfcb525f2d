"""The local infrastructure scripts: idempotent, and a stale pid file does not stop them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg

from libs.settings import PlatformSettings
from tests.support.brokers import REPO, DisposableKafka, free_port, run_script


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


def test_kafka_up_formats_with_a_cluster_id_that_begins_with_a_dash(tmp_path: Path) -> None:
    # Cluster ids are URL-safe base64: one in 64 begins with "-", which the storage formatter
    # once took for an option and refused.
    broker = DisposableKafka(tmp_path)
    state = tmp_path / f"kafka-{broker.port}"
    state.mkdir(parents=True)
    (state / "cluster-id").write_text("-RUeSi02RECgJRmhlXSEQ\n")
    try:
        broker.up()
        meta = (state / "data" / "meta.properties").read_text()
        assert "cluster.id=-RUeSi02RECgJRmhlXSEQ" in meta
    finally:
        broker.down()


def test_postgres_up_is_idempotent_and_creates_one_database_per_service(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "POSTGRES_PORT": str(port), "BAYANAT_VAR": str(tmp_path)}

    def script(action: str) -> str:
        return run_script("postgres.sh", action, env)

    try:
        script("up")
        assert "already running" in script("up")
        url = f"postgresql://bayanat:bayanat@127.0.0.1:{port}/postgres"
        with psycopg.connect(url) as connection:
            names = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
        assert {f"bayanat_{s}" for s in ("catalog", "governance", "reuse", "metrics")} <= names
    finally:
        script("down")
    assert "not running" in script("down")
    # Where the postgres user could not reach tmp_path, the cluster lived under /var/tmp.
    shutil.rmtree(f"/var/tmp/bayanat-postgres-{port}", ignore_errors=True)


def test_kafka_up_uses_a_broker_it_did_not_start_and_down_leaves_it_running(
    tmp_path: Path,
) -> None:
    # The broker the suite runs against, started by another checkout (or by nobody here).
    host, port = PlatformSettings().kafka_bootstrap_servers.split(",")[0].rsplit(":", 1)
    assert host in ("127.0.0.1", "localhost")
    env = {**os.environ, "KAFKA_PORT": port, "BAYANAT_VAR": str(tmp_path)}

    def script(action: str) -> str:
        return run_script("kafka.sh", action, env)

    assert "already answers" in script("up")
    assert not (tmp_path / f"kafka-{port}" / "kafka.pid").exists()
    assert "no broker started by this checkout" in script("down")
    ready = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "python"),
            str(REPO / "deploy" / "kafka_ready.py"),
            f"{host}:{port}",
        ],
        timeout=30,
        check=False,
    )
    assert ready.returncode == 0, "the broker must still answer"
