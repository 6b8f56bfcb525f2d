"""The catalog's read caches, made once per app and cleared by the units of work that change
what they hold (``uow.invalidate_caches()``).

- ``ResponseCache``: rendered bodies of anonymous reads of a published dataset, kept a few
  seconds. This process's own writes clear it as soon as they commit; another replica's writes
  show within the time to live.
- ``CountsCache``: the totals and facet counts of public searches, kept while the catalogue's
  stamp (see domain/search.py) is unchanged, and cleared by this process's writes too.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    etag: str
    expires: float


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


class ResponseCache:
    """Rendered response bodies by key (a dataset's id and its slug), for ``ttl`` seconds."""

    def __init__(self, ttl_seconds: float, max_entries: int = 20_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()
        # Bumped by every clear: a body rendered from data read before a clear is not kept.
        self.generation = 0

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


class CountsCache:
    """Values by key, each valid while its stamp is the current one and for ``ttl`` seconds;
    the least recently used go first beyond ``max_entries``."""

    def __init__(self, ttl_seconds: float, max_entries: int = 512) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[Any, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def get(self, key: Hashable, stamp: Any) -> Any:
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry[0] != stamp or entry[1] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return entry[2]

    def put(self, key: Hashable, stamp: Any, value: Any) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._items[key] = (stamp, time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
