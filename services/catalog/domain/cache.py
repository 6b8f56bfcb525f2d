"""The catalog's read caches, made once per app and cleared by the units of work that change
what they hold (``uow.invalidate_caches()``).

- ``ResponseCache``: rendered bodies of anonymous reads of a published dataset, kept a few
  seconds. This process's own writes clear it as soon as they commit; another replica's writes
  show within the time to live.
- ``CountsCache``: the totals and facet counts of public searches, kept while the catalogue's
  stamp (see domain/search.py) is unchanged, and cleared by this process's writes too.

Both are bounded in entries and in bytes (CATALOG_PUBLIC_CACHE_MAX_BYTES,
CATALOG_SEARCH_COUNTS_CACHE_MAX_BYTES): whatever the requests, the memory they hold stays
within those bounds; the oldest (the least recently used) entries go first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
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


def approximate_size(value: Any) -> int:
    """The bytes ``value`` holds in memory, containers and dataclasses walked (an object
    reached twice counts twice: an estimate that errs on the side of a smaller cache)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return total


# What each entry costs beyond its own bytes (the dictionaries' slots, the bookkeeping).
ENTRY_OVERHEAD = 200


class ResponseCache:
    """Rendered response bodies by key (a dataset's id and its slug), for ``ttl`` seconds;
    the oldest go first beyond ``max_entries`` keys or ``max_bytes`` of bodies and keys."""

    def __init__(
        self, ttl_seconds: float, max_entries: int = 20_000, max_bytes: int = 64 * 1024 * 1024
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # key → (the put it came from, its entry); each put's keys and size, oldest first.
        self._entries: dict[str, tuple[int, CachedResponse]] = {}
        self._puts: OrderedDict[int, tuple[tuple[str, ...], int]] = OrderedDict()
        self._puts_made = 0
        self.bytes = 0
        self._lock = threading.Lock()
        # Bumped by every clear: a body rendered from data read before a clear is not kept.
        self.generation = 0

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> CachedResponse | None:
        found = self._entries.get(key)
        if found is None or found[1].expires < time.monotonic():
            return None
        return found[1]

    def put(self, keys: list[str], body: bytes, generation: int) -> CachedResponse:
        """Keep ``body`` under ``keys``, unless the cache was cleared since ``generation``
        (read before the data the body was rendered from) or it alone is over the bounds."""
        entry = CachedResponse(body, etag_of(body), time.monotonic() + self.ttl)
        size = len(body) + sum(len(key) + ENTRY_OVERHEAD for key in keys)
        if not self.enabled or not keys or size > self.max_bytes or len(keys) > self.max_entries:
            return entry
        with self._lock:
            if generation != self.generation:
                return entry
            for key in keys:  # a key given again: its former put goes
                if key in self._entries:
                    self._forget(self._entries[key][0])
            self._puts_made += 1
            number = self._puts_made
            self._puts[number] = (tuple(keys), size)
            self.bytes += size
            for key in keys:
                self._entries[key] = (number, entry)
            while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
                self._forget(next(iter(self._puts)))
        return entry

    def _forget(self, number: int) -> None:
        keys, size = self._puts.pop(number)
        self.bytes -= size
        for key in keys:
            if self._entries.get(key, (None,))[0] == number:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._puts.clear()
            self.bytes = 0


class CountsCache:
    """Values by key, each valid while its stamp is the current one and for ``ttl`` seconds;
    the least recently used go first beyond ``max_entries`` or ``max_bytes`` (keys and values,
    as :func:`approximate_size` weighs them)."""

    def __init__(
        self, ttl_seconds: float, max_entries: int = 512, max_bytes: int = 16 * 1024 * 1024
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, float, Any, int]] = OrderedDict()
        self.bytes = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def __len__(self) -> int:
        return len(self._items)

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
        size = approximate_size(key) + approximate_size(value) + ENTRY_OVERHEAD
        if size > self.max_bytes:
            return
        with self._lock:
            former = self._items.pop(key, None)
            if former is not None:
                self.bytes -= former[3]
            self._items[key] = (stamp, time.monotonic() + self.ttl, value, size)
            self.bytes += size
            while self.bytes > self.max_bytes or len(self._items) > self.max_entries:
                _, evicted = self._items.popitem(last=False)
                self.bytes -= evicted[3]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0
