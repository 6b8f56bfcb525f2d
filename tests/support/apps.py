"""Running a service's app in a test: its own topics, this run's Kafka settings, and a wait
until its relay and consumer are live."""

from __future__ import annotations

import time
import uuid
from typing import TypeVar

from fastapi import FastAPI

from libs.settings import PlatformSettings, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def isolated_platform(platform: PlatformSettings, label: str) -> PlatformSettings:
    """The same broker with a topic prefix (and so consumer group) of its own."""
    prefix = f"{platform.kafka_topic_prefix}{label}{uuid.uuid4().hex[:6]}."
    return platform.model_copy(update={"kafka_topic_prefix": prefix})


def with_platform(settings: S, platform: PlatformSettings) -> S:
    # ``platform`` is a cached property: seeding it gives the app this test's Kafka settings.
    settings.__dict__["platform"] = platform
    return settings


def wait_connected(app: FastAPI, timeout: float = 60.0) -> None:
    """Wait for the outbox relay and the consumer (partitions assigned) to be live."""
    deadline = time.monotonic() + timeout
    state = app.state
    while time.monotonic() < deadline:
        if state.relay.connected and state.consumer.connected and state.consumer.assigned:
            return
        time.sleep(0.1)
    name = state.settings.service_name
    raise AssertionError(f"the {name} relay or consumer did not connect to Kafka in time")
