"""Running a service for a benchmark: a free port, and the service as a uvicorn process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from libs.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def uvicorn_process(
    target: str, port: int, env: dict[str, str], log: Path, ready_path: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``uvicorn --factory target`` on ``port``, one process, ready when ``ready_path`` is 200."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{target} exited with {process.returncode}; see {log}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not become ready; see {log}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
