"""A background loop runs its step at once when woken from another thread, at its interval
otherwise, and survives a failing step; a lease is renewed until it is lost."""

from __future__ import annotations

import asyncio
import threading
import time

from libs.background import Wakeup, keep_renewed


def test_a_wake_from_another_thread_runs_the_step_before_the_interval() -> None:
    wakeup = Wakeup()
    runs: list[float] = []

    async def step() -> None:
        runs.append(time.monotonic())
        if len(runs) == 1:
            raise RuntimeError("a failing step is retried, not fatal")

    async def scenario() -> None:
        loop = asyncio.create_task(wakeup.run(step, every=60, what="test loop"))
        await asyncio.sleep(0.1)
        threading.Thread(target=wakeup.wake).start()
        await asyncio.sleep(0.2)
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)

    asyncio.run(scenario())
    assert len(runs) == 2 and runs[1] - runs[0] < 5  # woken, not the 60 s interval
    wakeup.wake()  # not running: nothing happens, nothing fails


def test_a_lease_is_renewed_until_it_is_lost_and_a_failed_renewal_is_tried_again() -> None:
    answers: list[bool | Exception] = [True, RuntimeError("database away"), True, False]
    calls = []

    def renew() -> bool:
        calls.append(1)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    asyncio.run(asyncio.wait_for(keep_renewed(renew, every=0.01, what="a test lease"), 5))
    assert len(calls) == 4 and answers == []
