"""Topics are created as an event log: the retention and record size the settings say."""

from __future__ import annotations

import uuid

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from libs.messaging.kafka import ensure_topics, topic_name
from libs.settings import PlatformSettings


async def topic_config(platform: PlatformSettings, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=platform.kafka_bootstrap_servers)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic_name(platform, topic))]
        )
    finally:
        await admin.close()
    config: dict[str, str] = {}
    for response in responses:
        for resource in response.resources:
            # (error_code, error_message, type, name, [(key, value, read_only, ...)])
            for entry in resource[4]:
                config[entry[0]] = entry[1]
    return config


async def test_topics_are_created_to_keep_their_events_for_ever(kafka: PlatformSettings) -> None:
    platform = kafka.model_copy(update={"kafka_topic_prefix": f"{uuid.uuid4().hex[:8]}."})
    assert platform.kafka_topic_retention_ms == -1, "the default keeps events for ever"
    await ensure_topics(platform, ["bayanat.example.log"])
    config = await topic_config(platform, "bayanat.example.log")
    assert config["retention.ms"] == "-1"
    assert config["max.message.bytes"] == str(platform.kafka_max_message_bytes)


async def test_the_retention_comes_from_the_settings(kafka: PlatformSettings) -> None:
    platform = kafka.model_copy(
        update={
            "kafka_topic_prefix": f"{uuid.uuid4().hex[:8]}.",
            "kafka_topic_retention_ms": 7 * 24 * 3600 * 1000,
        }
    )
    await ensure_topics(platform, ["bayanat.example.log"])
    config = await topic_config(platform, "bayanat.example.log")
    assert config["retention.ms"] == str(7 * 24 * 3600 * 1000)
    # Created once: an existing topic keeps what it was created with.
    await ensure_topics(platform.model_copy(update={"kafka_topic_retention_ms": -1}), [])
    assert (await topic_config(platform, "bayanat.example.log"))["retention.ms"] != "-1"
