"""The unit of work: one transaction, its events, and what runs once it is committed.

Every change a service makes goes through one ``UnitOfWork``:

- it owns the session of the transaction (``uow.session``);
- ``uow.publish(payload)`` writes the event into the service's outbox in that transaction, so
  the state change and its event commit together or not at all;
- ``uow.before_commit(step)`` registers work that belongs to the transaction but is best done
  once, just before it commits (writing in bulk what several event handlers recorded);
- ``uow.after_commit(callback)`` registers work that must only happen once the change is
  durable (wake the outbox relay, wake a background worker), explicitly, by the code that
  needs it; ``uow.invalidate_caches()`` registers the service's read caches to be cleared;
- ``uow.commit()`` commits and then runs those callbacks; leaving the ``with`` block without a
  commit rolls everything back, so an error never leaves half a change behind.

Who opens a unit commits it: a router (through ``UnitOfWorkDep``) once its answer is ready, the
consumer runner after a handler applied an event, a background worker after its step. Domain
commands and event appliers only change state and publish: they never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Protocol, Self

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from libs.events import CloudEvent, EventData
from libs.http.problems import PayloadTooLarge
from libs.messaging.outbox import Outbox

log = logging.getLogger("bayanat.uow")


class Clearable(Protocol):
    def clear(self) -> None: ...


class UnitOfWork:
    """One transaction of a service (use it as a context manager)."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        *,
        wake_relay: Callable[[], None] | None = None,
        caches: Sequence[Clearable] = (),
        max_event_bytes: int | None = None,
        public_url: str | None = None,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        # The service's public base URL, for what a unit renders and stores (links in stored
        # representations); None where nothing is rendered (tools, the unit tier).
        self.public_url = public_url
        self._wake_relay = wake_relay
        self._caches = caches
        self._max_event_bytes = max_event_bytes
        self._session: Session | None = None
        self._steps: list[Callable[[], None]] = []
        self._callbacks: list[Callable[[], None]] = []
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a 'with' block")
        return self._session

    def __enter__(self) -> Self:
        self._session = Session(self.engine, expire_on_commit=False)
        self._steps = []
        self._callbacks = []
        self.committed = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        session = self.session
        try:
            # Uncommitted changes are undone (and the objects holding them expired); after a
            # commit, only reads followed: closing ends them and keeps what was loaded usable.
            if not self.committed and session.in_transaction():
                session.rollback()
        finally:
            session.close()
            self._session = None
            self._steps = []
            self._callbacks = []

    def publish(self, data: EventData) -> CloudEvent:
        """Write ``data``'s event to the outbox, in this transaction; the relay is woken once
        the unit commits. An event the broker could not take is refused here (413), so that
        the change it announces is not committed either."""
        event = self.outbox.event(data)
        if self._max_event_bytes is not None:
            size = len(event.to_bytes())
            if size > self._max_event_bytes:
                raise PayloadTooLarge(
                    f"this change would be announced by an event of {size} bytes, above the "
                    f"{self._max_event_bytes} the platform sends: make it smaller",
                    code="event-too-large",
                    event_type=event.type,
                    limit=self._max_event_bytes,
                )
        self.outbox.add(self.session, event, data.topic)
        if self._wake_relay is not None:
            self.after_commit(self._wake_relay)
        return event

    def before_commit(self, step: Callable[[], None]) -> None:
        """Run ``step`` in this transaction just before it commits; a step registered twice
        runs once. A step that fails fails the commit: nothing is committed."""
        if step not in self._steps:
            self._steps.append(step)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this unit has committed (never if it rolls back); a callback
        registered twice runs once."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def invalidate_caches(self) -> None:
        """This unit changes what the service's read caches hold: clear them once committed."""
        for cache in self._caches:
            self.after_commit(cache.clear)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        while self._steps:  # a step may register another
            steps, self._steps = self._steps, []
            for step in steps:
                step()
        self.session.commit()
        self.committed = True
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the change is durable: a failed wake-up is only logged
                log.exception("after-commit callback failed")

    def rollback(self) -> None:
        self.session.rollback()
        self._steps = []
        self._callbacks = []


class UnitOfWorkFactory:
    """Makes the units of work of one service: its engine, outbox, relay and caches."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        *,
        wake_relay: Callable[[], None] | None = None,
        caches: list[Clearable] | None = None,
        max_event_bytes: int | None = None,
        public_url: str | None = None,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.wake_relay = wake_relay
        self.max_event_bytes = max_event_bytes
        self.public_url = public_url
        # Shared, not copied: a cache the service registers later is cleared too.
        self.caches: list[Clearable] = caches if caches is not None else []

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(
            self.engine,
            self.outbox,
            wake_relay=self.wake_relay,
            caches=self.caches,
            max_event_bytes=self.max_event_bytes,
            public_url=self.public_url,
        )


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """FastAPI dependency: a unit of work for the request; the router commits it."""
    factory: UnitOfWorkFactory = request.app.state.unit_of_work
    with factory() as uow:
        yield uow


# Closed as soon as the endpoint returns: the connection goes back to the pool before the
# response is sent.
UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]
