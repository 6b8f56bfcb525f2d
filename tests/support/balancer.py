"""A local TCP load balancer: each connection goes to the next backend port that accepts it.

It stands for the load balancer in front of a service's replicas: their public URL, the one
other services and clients are given (a signed download URL of the catalog, say), keeps
answering while one replica is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence

from tests.support.brokers import free_port


class Balancer:
    """Round-robin over ``ports`` on 127.0.0.1, in a thread of its own (a context manager)."""

    def __init__(self, ports: Sequence[int]) -> None:
        self.ports = list(ports)
        self.port = free_port()
        self.connections: dict[int, int] = dict.fromkeys(self.ports, 0)
        self._turn = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _backend(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        for _ in self.ports:
            port = self.ports[self._turn % len(self.ports)]
            self._turn += 1
            try:
                opened = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that replica is down: the next one
            self.connections[port] += 1
            return opened
        raise ConnectionRefusedError(f"no backend of {self.ports} accepts connections")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            backend_reader, backend_writer = await self._backend()
        except OSError:
            writer.close()
            return

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    sink.close()

        await asyncio.gather(pipe(reader, backend_writer), pipe(backend_reader, writer))

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()

    def __enter__(self) -> Balancer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
