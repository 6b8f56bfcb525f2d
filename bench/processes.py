"""What the benchmarks share: scratch databases, server processes, measurements."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from libs.settings import REPO_ROOT

ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://bayanat:bayanat@127.0.0.1:5432/postgres"
)


def sqlalchemy_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scratch_database(label: str) -> tuple[str, str]:
    """A new, empty PostgreSQL database for one run: its name and URL."""
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


def memory_of(pid: int) -> dict[str, float]:
    """Resident memory of a process, now and at its peak, in MiB (Linux /proc)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields.get("VmRSS", 0.0), "peak_rss_mib": fields.get("VmHWM", 0.0)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """Send one HTTP/1.1 request on a keep-alive connection; its answer's status and body
    (a lean client: the load generator must cost far less than the servers it measures)."""
    writer.write(request)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


Requests = Callable[[int, int], bytes]  # (connection, request number) → the raw request


async def drive(
    port: int,
    requests: Requests,
    numbers: Iterator[int],
    seconds: float,
    connections: int,
    host: str = "127.0.0.1",
) -> dict[str, Any]:
    """Requests for ``seconds`` over keep-alive connections, each waiting for its answer;
    ``numbers`` numbers the requests (across rounds: each declaration is a new reuse)."""
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(connection: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                status, _ = await exchange(reader, writer, requests(connection, next(numbers)))
                latencies.append(time.perf_counter() - began)
                statuses[status] += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "statuses": dict(statuses),
        "latencies": latencies,
    }
