"""What a service's background workers share: a loop woken from any thread, and a lease kept.

A worker (governance's checks runner, the catalog's harvest runner) runs its pending work
whenever it is woken — by an after-commit callback, in whatever thread committed — and every
so often anyway; while it holds a lease on a piece of work, it renews it until told the lease
is no longer its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from libs.uow import UnitOfWorkFactory

log = logging.getLogger("bayanat.background")


class Wakeup:
    """Runs ``step`` whenever ``wake()`` is called, and every ``every`` seconds anyway."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken: asyncio.Event | None = None

    def wake(self) -> None:
        """Run the step now rather than at the next interval (from any thread); nothing
        when the loop is not running (it runs the step when it starts)."""
        loop, woken = self._loop, self._woken
        if loop is None or woken is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(woken.set)

    async def run(self, step: Callable[[], Awaitable[object]], *, every: float, what: str) -> None:
        """Until cancelled; a step that fails is logged (as ``what``) and tried again."""
        self._loop = asyncio.get_running_loop()
        self._woken = woken = asyncio.Event()
        try:
            while True:
                try:
                    await step()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("%s interrupted; retrying", what)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), every)
                woken.clear()
        finally:
            self._loop = self._woken = None


async def keep_renewed(renew: Callable[[], bool], *, every: float, what: str) -> None:
    """Calls ``renew`` (in a thread) every ``every`` seconds; returns once it answers False
    (the lease is someone else's now), runs until cancelled otherwise. A renewal that fails
    (the database is away) is logged and tried again: the lease may still hold."""
    while True:
        await asyncio.sleep(every)
        try:
            if not await asyncio.to_thread(renew):
                return
        except Exception:
            log.exception("cannot renew %s", what)


ClaimT = TypeVar("ClaimT")


class ClaimRunner(ABC, Generic[ClaimT]):
    """A worker of claimed work: ``claim_next`` takes the next piece due (under a lease) or
    None, ``execute`` runs it to its end; ``run`` does so for every piece due whenever woken
    (``wake()``, from any thread) and every ``poll_seconds`` anyway."""

    what = "background runner"

    def __init__(self) -> None:
        self._wakeup = Wakeup()

    def wake(self) -> None:
        """Look for work now rather than at the next poll."""
        self._wakeup.wake()

    @property
    @abstractmethod
    def poll_seconds(self) -> float: ...

    @abstractmethod
    def claim_next(self, units: UnitOfWorkFactory) -> ClaimT | None: ...

    @abstractmethod
    async def execute(self, units: UnitOfWorkFactory, claim: ClaimT) -> object: ...

    async def run_pending(self, units: UnitOfWorkFactory) -> int:
        """Runs every piece of work due; how many were run."""
        count = 0
        while (claim := await asyncio.to_thread(self.claim_next, units)) is not None:
            await self.execute(units, claim)
            count += 1
        return count

    async def run(self, units: UnitOfWorkFactory) -> None:
        """Until cancelled."""
        await self._wakeup.run(
            lambda: self.run_pending(units), every=self.poll_seconds, what=self.what
        )
