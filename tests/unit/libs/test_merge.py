"""The consumer's merge of partitions: records handed out in the order they were produced,
each partition's in its own order, held back only for a partition that may still precede
them, and never lost."""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from libs.messaging.merge import TimestampMerge

A = TopicPartition("catalog", 0)
B = TopicPartition("governance", 0)


def records(partition: TopicPartition, *timestamps: int, first: int = 0) -> list[ConsumerRecord]:
    return [
        ConsumerRecord(
            topic=partition.topic,
            partition=partition.partition,
            offset=first + n,
            timestamp=timestamp,
            timestamp_type=0,
            key=None,
            value=f"{partition.topic}@{timestamp}".encode(),
            checksum=None,
            serialized_key_size=0,
            serialized_value_size=0,
            headers=(),
        )
        for n, timestamp in enumerate(timestamps)
    ]


def values(taken: list[ConsumerRecord]) -> list[str]:
    return [record.value.decode() for record in taken]


def test_records_come_in_timestamp_order_across_partitions() -> None:
    merge = TimestampMerge(crowded_at=100)
    merge.add({A: records(A, 1, 4, 6), B: records(B, 2, 3, 7)})
    assert values(merge.take(4)) == ["catalog@1", "governance@2", "governance@3", "catalog@4"]
    assert len(merge) == 2
    assert values(merge.take(10)) == ["catalog@6", "governance@7"]
    assert len(merge) == 0


def test_a_partition_keeps_its_own_order_whatever_its_timestamps() -> None:
    merge = TimestampMerge(crowded_at=100)
    merge.add({A: records(A, 5, 1), B: records(B, 3)})
    taken = merge.take(10)
    assert values(taken) == ["governance@3", "catalog@5", "catalog@1"]
    assert [r.offset for r in taken if r.topic == "catalog"] == [0, 1]


def test_a_lagging_partition_holds_back_what_it_may_precede() -> None:
    merge = TimestampMerge(crowded_at=100)
    merge.add({A: records(A, 1, 5, 9), B: records(B, 2)})
    # B has more to fetch: once its last record (2) is taken, nothing after 2 is.
    assert values(merge.take(10, lagging=[B])) == ["catalog@1", "governance@2"]
    merge.add({B: records(B, 6, first=1)})
    assert values(merge.take(10, lagging=[B])) == ["catalog@5", "governance@6"]
    # Caught up: the rest goes.
    assert values(merge.take(10)) == ["catalog@9"]


def test_a_lagging_partition_never_seen_holds_everything_back_until_crowded() -> None:
    merge = TimestampMerge(crowded_at=3)
    merge.add({A: records(A, 1, 2)})
    assert merge.take(10, lagging=[B]) == []
    merge.add({A: records(A, 3, first=2)})
    assert merge.crowded()
    assert values(merge.take(10, lagging=[B])) == ["catalog@1", "catalog@2", "catalog@3"]


def test_a_revoked_partition_is_forgotten() -> None:
    merge = TimestampMerge(crowded_at=100)
    merge.add({A: records(A, 1, 2), B: records(B, 3)})
    merge.drop([A])
    assert len(merge) == 1
    assert values(merge.take(10)) == ["governance@3"]


def test_partitions_fetched_beyond_one_behind_are_ahead() -> None:
    merge = TimestampMerge(crowded_at=100)
    merge.add({A: records(A, 1, 2, 9), B: records(B, 3)})
    assert merge.ahead([B]) == {A}  # B stopped at 3; A was fetched up to 9
    assert merge.ahead([A]) == set()
    assert merge.ahead([]) == set()
    # A partition behind that brought nothing yet: everything fetched is ahead of it.
    assert merge.ahead([TopicPartition("reuses", 0)]) == {A, B}
