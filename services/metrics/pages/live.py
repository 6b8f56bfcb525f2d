"""Live figures for open pages: server-sent events when an indicator moves.

The service already knows when an indicator moves: its indicator check publishes ``indicator
changed`` and keeps the values it announced (domain/gauges.py). Their digest is the figures'
*version*. One watcher per process reads it while pages listen, and each page's event stream
(``/dashboard/events``) sends the new version when it changes; the page then fetches itself
again and swaps the figures in place (static/dashboard.js). Every replica reads the same
table, so a page is told whichever replica announced the change.

A stream ends after ``METRICS_LIVE_STREAM_SECONDS``; the browser reconnects on its own with
the last version it saw (``Last-Event-ID``), so nothing is missed, and a server that stops
never waits long for its open streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable

log = logging.getLogger("bayanat.metrics.live")

# How long the browser waits before reconnecting a stream that ended (milliseconds).
RECONNECT_MS = 1000


def sse(event: str, version: str) -> bytes:
    data = json.dumps({"version": version})
    return f"event: {event}\nid: {version}\ndata: {data}\n\n".encode()


class LiveVersion:
    """The figures' version, watched while at least one page listens."""

    def __init__(self, poll_seconds: float, stream_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self.stream_seconds = stream_seconds
        self.version: str | None = None
        self.listeners = 0
        self._read: Callable[[], str] | None = None
        self._changed: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def changed(self) -> asyncio.Condition:
        # Made in the loop that serves the streams (a server has one; a test client may
        # start a loop per request).
        loop = asyncio.get_running_loop()
        if self._changed is None or self._loop is not loop:
            self._changed, self._loop = asyncio.Condition(), loop
        return self._changed

    async def _publish(self, version: str) -> None:
        if version != self.version:
            async with self.changed:
                self.version = version
                self.changed.notify_all()

    async def refresh(self) -> str | None:
        """Read the version now (a new stream starts from the current one)."""
        if self._read is not None:
            await self._publish(await asyncio.to_thread(self._read))
        return self.version

    async def watch(self, read: Callable[[], str]) -> None:
        """Poll the version while pages listen (the service's background task)."""
        self._read = read
        while True:
            await asyncio.sleep(self.poll_seconds)
            if not self.listeners:
                continue
            try:
                await self.refresh()
            except Exception as exc:  # the database may be restarting: the next poll retries
                log.warning("cannot read the figures' version: %r", exc)

    async def _next(self, seen: str | None, timeout: float) -> str | None:
        async with self.changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait_for(lambda: self.version != seen), timeout)
            return self.version

    async def stream(self, since: str | None) -> AsyncGenerator[bytes, None]:
        """One page's events: ``figures`` with the version each time it differs from the
        last one the page has (``since``), for ``stream_seconds`` at most."""
        self.listeners += 1
        try:
            yield f"retry: {RECONNECT_MS}\n\n".encode()
            deadline = time.monotonic() + self.stream_seconds
            seen = since
            current = await self.refresh()
            while True:
                if current is not None and current != seen:
                    yield sse("figures", current)
                    seen = current
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                current = await self._next(seen, remaining)
        finally:
            self.listeners -= 1
