"""Each of the four services boots on its own PostgreSQL database with the platform's pieces."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from libs.events import Topic, dead_letter_topic
from libs.settings import PlatformSettings
from services.cli import SERVICES

REPO = Path(__file__).resolve().parents[2]


async def topic_names(platform: PlatformSettings) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=platform.kafka_bootstrap_servers)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


@pytest.mark.parametrize("service", SERVICES)
def test_service_boots_migrates_and_creates_its_topics(service, kafka, postgres_url) -> None:
    module = importlib.import_module(f"services.{service}.app")
    url = postgres_url(service)
    app = module.create_app(module.Settings(database_url=url))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "service": service}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        openapi = client.get("/openapi.json").json()
        assert openapi["info"]["title"] == f"Bayanat {service}"
        assert "bayanat_http_requests_total" in client.get("/metrics").text

        expected = {f"{kafka.kafka_topic_prefix}{t.value}" for t in Topic}
        expected.add(f"{kafka.kafka_topic_prefix}{dead_letter_topic(service)}")
        for _ in range(50):
            if expected <= asyncio.run(topic_names(kafka)):
                break
            asyncio.run(asyncio.sleep(0.2))
        assert expected <= asyncio.run(topic_names(kafka))

    engine = create_engine(url.replace("postgresql+psycopg", "postgresql+psycopg"))
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"outbox", "processed_events", "alembic_version"} <= tables
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_replicas_starting_together_migrate_one_after_the_other(postgres_url) -> None:
    """Two processes of a service upgrading one new database at once both succeed."""
    url = postgres_url("catalog")
    script = (
        "import sys; from libs.db import upgrade; from services.catalog.app import MIGRATIONS_DIR;"
        " upgrade(MIGRATIONS_DIR, sys.argv[1])"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, url],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert len(versions) == 1
