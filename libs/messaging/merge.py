"""Records of several partitions handed out in the order they were produced.

A consumer catching up on several topics gets, fetch after fetch, a stretch of one partition,
then a stretch of another: a handler that folds what it reads in time order then sees most of
one topic's stretch of time before the same stretch of another's, and must go back (the
metrics projection folds an object again from all its facts when one arrives late). The merge
buffers what was fetched and hands it out by record timestamp (the moment it was produced),
each partition's records in their order, and holds back what a partition that is behind may
still precede. It only orders: nothing is dropped, and a consumer that needs records goes on
getting them when it holds many (``crowded_at``), whatever the partitions behind.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord


class TimestampMerge:
    def __init__(self, *, crowded_at: int) -> None:
        self.crowded_at = crowded_at
        self._buffers: dict[TopicPartition, deque[ConsumerRecord]] = {}
        self._last_seen: dict[TopicPartition, int] = {}  # the last timestamp fetched
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, fetched: Mapping[TopicPartition, Iterable[ConsumerRecord]]) -> None:
        for partition, records in fetched.items():
            buffer = self._buffers.setdefault(partition, deque())
            before = len(buffer)
            buffer.extend(records)
            self._size += len(buffer) - before
            if buffer:
                self._last_seen[partition] = buffer[-1].timestamp

    def buffered(self, partition: TopicPartition) -> bool:
        return bool(self._buffers.get(partition))

    def ahead(self, lagging: Iterable[TopicPartition]) -> set[TopicPartition]:
        """The partitions fetched beyond the last record of one of ``lagging``: until it
        catches up, more of them would only wait here."""
        frontier = min((self._last_seen.get(p, -1) for p in lagging), default=None)
        if frontier is None:
            return set()
        return {p for p, timestamp in self._last_seen.items() if timestamp > frontier}

    def crowded(self) -> bool:
        return self._size >= self.crowded_at

    def take(self, limit: int, lagging: Iterable[TopicPartition] = ()) -> list[ConsumerRecord]:
        """Up to ``limit`` records in timestamp order (each partition's in offset order).

        A partition ``lagging`` (more of it to fetch) bounds what is taken once nothing of it
        is buffered: its next records may come before anything produced after the last one
        it brought. Unless the merge is crowded: then the oldest records, regardless."""
        lagging = set(lagging) if not self.crowded() else set()
        bound: int | None = None
        for partition in lagging:
            if not self.buffered(partition):
                bound = self._lower(bound, self._last_seen.get(partition, -1))
        heads = [
            (buffer[0].timestamp, n, partition)
            for n, (partition, buffer) in enumerate(self._buffers.items())
            if buffer
        ]
        heapq.heapify(heads)
        taken: list[ConsumerRecord] = []
        while heads and len(taken) < limit:
            timestamp, n, partition = heads[0]
            if bound is not None and timestamp > bound:
                break
            buffer = self._buffers[partition]
            taken.append(buffer.popleft())
            if buffer:
                heapq.heapreplace(heads, (buffer[0].timestamp, n, partition))
            else:
                heapq.heappop(heads)
                if partition in lagging:
                    bound = self._lower(bound, timestamp)
        self._size -= len(taken)
        return taken

    @staticmethod
    def _lower(bound: int | None, timestamp: int) -> int:
        return timestamp if bound is None else min(bound, timestamp)

    def drop(self, partitions: Iterable[TopicPartition]) -> None:
        """Forget what was fetched of these partitions (revoked: their next owner reads them
        again from the offset last committed)."""
        for partition in partitions:
            self._size -= len(self._buffers.pop(partition, ()))
            self._last_seen.pop(partition, None)
