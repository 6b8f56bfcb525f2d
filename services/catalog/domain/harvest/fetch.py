"""Fetching from a source, politely and safely.

Every request goes through libs/http/urlguard.py's guarded client, the one the quality checker
uses: a source on an internal address (loopback, private network…) is refused unless the
catalog's allow-list (``CATALOG_HARVEST_URL_ALLOWLIST``) names it. On top of it, per job:

- a rate limit: at most ``rate`` requests a second to the source, whatever the concurrency;
- bounded concurrency: at most ``concurrency`` requests in flight;
- a timeout per request (connect, read) and a ceiling on a whole answer (a slow trickle of
  bytes is cut at three times the timeout);
- a size limit per answer, read as it streams (a ``Content-Length`` above it is refused
  before a byte is read);
- retries with exponential backoff on what may pass (timeouts, connection errors, 5xx, 429),
  honouring ``Retry-After``; any other answer (a 404, a refusal) fails at once.

What cannot be fetched raises ``SourceError``, whose message the job keeps: it names the URL
(an admin configured it) and, for a refused address, only the kind of address.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from libs.http.urlguard import RefusedTarget, guarded_client

log = logging.getLogger("bayanat.catalog.harvest")

RETRY_AFTER_MAX = 60.0
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """The source cannot be read (unreachable, refused, an answer that is not what it should
    be): the job fails with this message. ``status``: the HTTP status that refused it."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FetchPolicy:
    """How a job fetches: the catalog's settings for every source."""

    allowlist: list[str] = field(default_factory=list)
    timeout: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    max_retries: int = 3
    backoff: float = 1.0
    max_redirects: int = 5
    concurrency: int = 4
    user_agent: str = "Bayanat-harvester/1.0 (+https://data.gov.ma)"


class RateLimit:
    """At most ``rate`` starts a second: each caller waits for its turn."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await self.sleep(start - now)


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise SourceError(f"{self.url} did not answer JSON: {exc}") from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return min(float(value), RETRY_AFTER_MAX) if value.isdigit() else None


class Fetcher:
    """GETs on one source for one job (a client, its rate limit and its concurrency)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        policy: FetchPolicy,
        rate: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.policy = policy
        self.limit = RateLimit(rate, sleep=sleep)
        self.slots = asyncio.Semaphore(policy.concurrency)
        self.sleep = sleep
        self.requests = 0

    async def get(
        self, url: str, *, params: Mapping[str, str] | None = None, accept: str | None = None
    ) -> Fetched:
        headers = {"Accept": accept} if accept else {}
        attempt = 0
        while True:
            async with self.slots:
                await self.limit.wait()
                self.requests += 1
                try:
                    return await asyncio.wait_for(
                        self._get_once(url, params, headers), self.policy.timeout * 3
                    )
                except _Retry as retry:
                    problem, delay = retry.problem, retry.delay
                except RefusedTarget as exc:  # says the kind of address, never the address
                    raise SourceError(f"cannot fetch {url}: {exc}") from None
                except httpx.TooManyRedirects:
                    raise SourceError(f"cannot fetch {url}: too many redirects") from None
                except httpx.InvalidURL as exc:
                    raise SourceError(f"cannot fetch {url}: {exc}") from None
                except (httpx.TimeoutException, TimeoutError):
                    problem, delay = "no answer in time", None
                except httpx.TransportError as exc:
                    problem, delay = f"connection failed ({type(exc).__name__})", None
            if attempt >= self.policy.max_retries:
                tries = attempt + 1
                raise SourceError(f"cannot fetch {url}: {problem} ({tries} attempts)")
            wait = delay if delay is not None else self.policy.backoff * 2**attempt
            log.info("retrying %s in %.1fs: %s", url, wait, problem)
            attempt += 1
            await self.sleep(wait)

    async def _get_once(
        self, url: str, params: Mapping[str, str] | None, headers: dict[str, str]
    ) -> Fetched:
        limit = self.policy.max_bytes
        async with self.client.stream("GET", url, params=params, headers=headers) as response:
            status = response.status_code
            if status in RETRIED_STATUSES:
                raise _Retry(f"HTTP {status}", _retry_after(response))
            if not response.is_success:
                raise SourceError(f"{response.url} answered HTTP {status}", status=status)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise SourceError(f"{response.url} answered {declared} bytes, above {limit}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise SourceError(f"{response.url} answered more than {limit} bytes")
            return Fetched(
                url=str(response.url),
                status=status,
                content_type=response.headers.get("content-type", ""),
                body=bytes(body),
            )


class _Retry(Exception):
    def __init__(self, problem: str, delay: float | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.delay = delay


@asynccontextmanager
async def open_fetcher(policy: FetchPolicy, rate: float) -> AsyncIterator[Fetcher]:
    """A fetcher on a new guarded client, closed on exit."""
    async with guarded_client(
        policy.allowlist,
        timeout=policy.timeout,
        max_redirects=policy.max_redirects,
        user_agent=policy.user_agent,
        max_connections=policy.concurrency,
    ) as client:
        yield Fetcher(client, policy, rate)
