"""A disposable Kafka broker, started with the project's own script, that a test may stop."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        result = subprocess.run(
            [str(REPO / "deploy" / "kafka.sh"), action],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0:
            raise AssertionError(f"kafka.sh {action} failed: {result.stdout}\n{result.stderr}")

    def up(self) -> None:
        self._script("up")

    def down(self) -> None:
        self._script("down")
