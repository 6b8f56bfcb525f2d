"""The catalog's read caches: kept until cleared or expired, and never a body read before a
clear."""

from __future__ import annotations

import time

from services.catalog.domain.cache import CountsCache, ResponseCache


def test_a_response_is_kept_under_each_key_until_cleared() -> None:
    cache = ResponseCache(ttl_seconds=60)
    entry = cache.put(["a", "b"], b'{"x": 1}', cache.generation)
    assert cache.get("a") == entry == cache.get("b")
    assert entry.etag.startswith('"') and entry.etag.endswith('"')
    cache.clear()
    assert cache.get("a") is None and cache.get("b") is None


def test_a_body_read_before_a_clear_is_not_kept() -> None:
    cache = ResponseCache(ttl_seconds=60)
    generation = cache.generation  # the reader starts...
    cache.clear()  # ...a write commits meanwhile...
    stale = cache.put(["a"], b"old", generation)  # ...and the reader stores what it read
    assert stale.body == b"old"  # still answered to that reader
    assert cache.get("a") is None  # but not kept for the next ones


def test_a_zero_time_to_live_keeps_nothing() -> None:
    cache = ResponseCache(ttl_seconds=0)
    cache.put(["a"], b"x", cache.generation)
    assert cache.get("a") is None


def test_an_expired_response_is_not_served() -> None:
    cache = ResponseCache(ttl_seconds=0.01)
    cache.put(["a"], b"x", cache.generation)
    time.sleep(0.02)
    assert cache.get("a") is None


def test_the_same_body_has_the_same_etag() -> None:
    cache = ResponseCache(ttl_seconds=60)
    assert cache.put(["a"], b"x", 0).etag == cache.put(["b"], b"x", 0).etag
    assert cache.put(["c"], b"y", 0).etag != cache.put(["d"], b"x", 0).etag


def test_counts_are_kept_while_their_stamp_holds() -> None:
    cache = CountsCache(ttl_seconds=60)
    cache.put("landing", stamp=1, value=(5, {}))
    assert cache.get("landing", stamp=1) == (5, {})
    assert cache.get("landing", stamp=2) is None  # the catalogue changed
    cache.clear()
    assert cache.get("landing", stamp=1) is None


def test_counts_keep_the_most_recently_used_entries() -> None:
    cache = CountsCache(ttl_seconds=60, max_entries=2)
    cache.put("a", 0, 1)
    cache.put("b", 0, 2)
    assert cache.get("a", 0) == 1  # "a" is now the most recently used
    cache.put("c", 0, 3)
    assert (cache.get("a", 0), cache.get("b", 0), cache.get("c", 0)) == (1, None, 3)


def test_counts_off_keep_nothing() -> None:
    cache = CountsCache(ttl_seconds=0)
    cache.put("a", 0, 1)
    assert cache.get("a", 0) is None
