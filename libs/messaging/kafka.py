"""Kafka client factories and topic administration (aiokafka)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from libs.settings import PlatformSettings

log = logging.getLogger("bayanat.kafka")


def topic_name(platform: PlatformSettings, topic: str) -> str:
    return f"{platform.kafka_topic_prefix}{topic}"


def make_producer(platform: PlatformSettings, **overrides: object) -> AIOKafkaProducer:
    """An idempotent producer: ``acks=all``, retries without duplicates or reordering."""
    options: dict[str, object] = {
        "bootstrap_servers": platform.kafka_bootstrap_servers,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 15_000,
        "compression_type": None,
        "max_request_size": platform.kafka_max_message_bytes,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def kafka_reachable(platform: PlatformSettings, timeout: float = 3.0) -> bool:
    """True when a metadata request to the brokers succeeds within ``timeout`` seconds."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=platform.kafka_bootstrap_servers,
        request_timeout_ms=int(timeout * 1000),
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.list_topics(), timeout)
        return True
    except Exception:
        return False
    finally:
        try:
            await asyncio.wait_for(admin.close(), timeout)
        except Exception:
            log.debug("admin client close failed", exc_info=True)


def topic_configs(platform: PlatformSettings) -> dict[str, str]:
    """The configuration every topic is created with: an event log's retention, and the
    platform's largest record."""
    return {
        "retention.ms": str(platform.kafka_topic_retention_ms),
        "max.message.bytes": str(platform.kafka_max_message_bytes),
    }


async def ensure_topics(platform: PlatformSettings, topics: Iterable[str]) -> None:
    """Create the topics that do not exist yet (already-exists is fine), configured with
    :func:`topic_configs`; an existing topic keeps its configuration."""
    names = sorted({topic_name(platform, topic) for topic in topics})
    admin = AIOKafkaAdminClient(bootstrap_servers=platform.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=name,
                num_partitions=platform.kafka_topic_partitions,
                replication_factor=platform.kafka_replication_factor,
                topic_configs=topic_configs(platform),
            )
            for name in names
            if name not in existing
        ]
        if missing:
            response = await admin.create_topics(missing)
            for error in getattr(response, "topic_errors", []):
                name, code = error[0], error[1]
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise RuntimeError(f"cannot create topic {name}: error code {code}")
            log.info("topics created", extra={"topics": [t.name for t in missing]})
    finally:
        await admin.close()
