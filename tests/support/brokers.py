"""A disposable Kafka broker and a disposable PostgreSQL cluster, started with the project's
own scripts, that a test may stop and restart (never the shared ones)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_script(script: str, action: str, env: dict[str, str]) -> str:
    """``deploy/<script> <action>``: its output, or AssertionError with it."""
    result = subprocess.run(
        [str(REPO / "deploy" / script), action],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{script} {action} failed (exit status {result.returncode}):"
            f" {result.stdout}\n{result.stderr}"
        )
    return result.stdout


class DisposableKafka:
    def __init__(self, state_dir: Path) -> None:
        self.port = free_port()
        self.controller_port = free_port()
        self.env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "BAYANAT_VAR": str(state_dir),
            "KAFKA_HEAP_OPTS": "-Xmx256m -Xms128m",
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _script(self, action: str) -> None:
        run_script("kafka.sh", action, self.env)

    def up(self) -> None:
        self._script("up")

    def down(self) -> None:
        self._script("down")


class DisposablePostgres:
    """A PostgreSQL cluster of a test's own (deploy/postgres.sh on a free port, its state
    under ``state_dir``), with the ``bayanat`` role that may create databases."""

    def __init__(self, state_dir: Path) -> None:
        self.port = free_port()
        self.env = {**os.environ, "POSTGRES_PORT": str(self.port), "BAYANAT_VAR": str(state_dir)}

    @property
    def admin_url(self) -> str:
        return f"postgresql://bayanat:bayanat@127.0.0.1:{self.port}/postgres"

    def script(self, action: str) -> str:
        return run_script("postgres.sh", action, self.env)

    def up(self) -> None:
        self.script("up")

    def down(self) -> None:
        self.script("down")

    def remove(self) -> None:
        """Stop it and delete its state (where the postgres user could not reach
        ``state_dir``, the cluster lived under /var/tmp)."""
        self.down()
        shutil.rmtree(f"/var/tmp/bayanat-postgres-{self.port}", ignore_errors=True)
