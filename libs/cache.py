"""A short-lived cache of rendered public responses, cleared by this process's own writes.

Public reads (a dataset page, say) are far more frequent than writes. A rendered body is kept
for a few seconds; any commit in this process that writes to the same database (an API write,
or a consumed event) clears the cache at once, so a replica always shows its own writes, and
other replicas' writes within the time to live.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session

_WROTE = "bayanat.cache.wrote"
_caches: weakref.WeakKeyDictionary[Engine, list[ResponseCache]] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    etag: str
    expires: float


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


class ResponseCache:
    def __init__(self, engine: Engine, ttl_seconds: float, max_entries: int = 20_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()
        # Bumped by every clear: a body rendered from data read before a clear is not kept.
        self.generation = 0
        with _caches_lock:
            _caches.setdefault(engine, []).append(self)

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def get(self, key: str) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires < time.monotonic():
            return None
        return entry

    def put(self, keys: list[str], body: bytes, generation: int) -> CachedResponse:
        """Keep ``body`` under ``keys``, unless the cache was cleared since ``generation``
        (read before the data the body was rendered from)."""
        entry = CachedResponse(body, etag_of(body), time.monotonic() + self.ttl)
        if self.enabled:
            with self._lock:
                if generation != self.generation:
                    return entry
                if len(self._entries) + len(keys) > self.max_entries:
                    self._entries.clear()
                for key in keys:
                    self._entries[key] = entry
        return entry

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()


@sa_event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


@sa_event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@sa_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.info.pop(_WROTE, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _caches_lock:
        caches = list(_caches.get(engine, ()))
    for cache in caches:
        cache.clear()


@sa_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)
