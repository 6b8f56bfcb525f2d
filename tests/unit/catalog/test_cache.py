"""The catalog's read caches: kept until cleared or expired, and never a body read before a
clear."""

from __future__ import annotations

import time

from services.catalog.domain.cache import (
    ENTRY_OVERHEAD,
    CountsCache,
    ResponseCache,
    approximate_size,
)


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


def test_responses_are_bounded_in_bytes_the_oldest_going_first() -> None:
    cache = ResponseCache(ttl_seconds=60, max_bytes=10_000)
    body = b"x" * 2_000
    for n in range(20):
        cache.put([f"id-{n}", f"slug-{n}"], body, cache.generation)
        assert cache.bytes <= 10_000
    assert cache.get("id-19") is not None and cache.get("slug-19") is not None
    assert cache.get("id-0") is None and cache.get("slug-0") is None  # the oldest went
    kept = [n for n in range(20) if cache.get(f"id-{n}") is not None]
    assert kept == list(range(20 - len(kept), 20)) and 2 <= len(kept) <= 4


def test_a_response_larger_than_the_bound_is_answered_but_not_kept() -> None:
    cache = ResponseCache(ttl_seconds=60, max_bytes=1_000)
    entry = cache.put(["a"], b"y" * 5_000, cache.generation)
    assert entry.body == b"y" * 5_000
    assert cache.get("a") is None and cache.bytes == 0


def test_a_response_kept_again_replaces_the_former_one_without_growing() -> None:
    cache = ResponseCache(ttl_seconds=60, max_bytes=100_000)
    cache.put(["a", "slug"], b"1" * 1_000, cache.generation)
    size = cache.bytes
    newer = cache.put(["a", "slug"], b"2" * 1_000, cache.generation)
    assert cache.bytes == size and len(cache) == 2
    assert cache.get("a") == newer == cache.get("slug")
    cache.clear()
    assert cache.bytes == 0 and len(cache) == 0


def test_responses_are_bounded_in_entries_too() -> None:
    cache = ResponseCache(ttl_seconds=60, max_entries=4)
    for n in range(5):
        cache.put([f"id-{n}", f"slug-{n}"], b"z", cache.generation)
    assert len(cache) == 4
    assert cache.get("id-4") is not None and cache.get("id-2") is None


def test_counts_are_bounded_in_bytes_the_least_used_going_first() -> None:
    big = (1_000, {f"tag-{n}": n for n in range(200)})  # a search with many facet values
    one = approximate_size("q-0") + approximate_size(big) + ENTRY_OVERHEAD
    assert one > 10_000
    cache = CountsCache(ttl_seconds=60, max_bytes=4 * one)
    for n in range(4):
        cache.put(f"q-{n}", 0, big)
    assert cache.get("q-0", 0) == big  # used: now the most recent
    for n in range(4, 10):
        cache.put(f"q-{n}", 0, big)
        assert cache.bytes <= 4 * one
        if n == 4:
            assert cache.get("q-0", 0) == big and cache.get("q-1", 0) is None
    assert len(cache) == 4 and cache.get("q-9", 0) == big
    cache.put("huge", 0, {str(n): n for n in range(10_000)})  # alone above the bound
    assert cache.get("huge", 0) is None and cache.bytes <= 4 * one
    cache.clear()
    assert cache.bytes == 0
