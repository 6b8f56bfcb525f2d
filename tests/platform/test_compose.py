"""deploy/docker-compose.yml and the Dockerfile, checked against the code they deploy.

No Docker engine runs here (DESIGN.md §5), so the compose file is checked statically: every
environment variable must be one the settings classes read, every port the one the service
declares, every path one that exists.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from libs.settings import PlatformSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
INIT_SQL = DEPLOY / "postgres-init" / "01-databases.sql"
SERVICES = ("catalog", "governance", "reuse", "metrics")
DATABASES = {f"bayanat_{name}" for name in SERVICES}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # safe_load resolves the anchors and `<<` merges as compose does.
    return yaml.safe_load(COMPOSE_FILE.read_text())


def settings_class(name: str) -> type[ServiceSettings]:
    cls = importlib.import_module(f"services.{name}.app").Settings
    assert issubclass(cls, ServiceSettings)
    return cls


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whichever of compose's two forms it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` becomes the default, any other ``${VAR...}`` ``<VAR>``."""

    def replace(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        return rest if operator in {":-", "-"} else f"<{name}>"

    return re.sub(r"\$\{(\w+)(?:(:?[-?+])([^}]*))?\}", replace, value)


def container_ports(service: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            # "HOST:CONTAINER", "IP:HOST:CONTAINER" or "CONTAINER", optionally "/tcp".
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL"}, test
    return " ".join(test[1:])


def test_all_services_are_defined(compose: dict[str, Any]) -> None:
    # A new service in the command line must be deployed too.
    assert set(SERVICES) == set(importlib.import_module("services.cli").SERVICES)
    assert {"kafka", "postgres", *SERVICES} <= set(compose["services"])


@pytest.mark.parametrize("name", SERVICES)
def test_service_port_is_the_settings_default(compose: dict[str, Any], name: str) -> None:
    cls = settings_class(name)
    service = compose["services"][name]
    prefix = cls.model_config["env_prefix"]
    env = environment(service)
    assert int(env[f"{prefix}PORT"]) == cls.default_port
    assert cls.default_port in container_ports(service)
    # Inside a container, the default 127.0.0.1 would be unreachable from the published port.
    assert env[f"{prefix}HOST"] == "0.0.0.0"


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_names_exist_in_settings(compose: dict[str, Any], name: str) -> None:
    cls = settings_class(name)
    prefix = cls.model_config["env_prefix"]
    own = {f"{prefix}{field}".upper() for field in cls.model_fields}
    platform = {field.upper() for field in PlatformSettings.model_fields}
    env = environment(compose["services"][name])
    unknown = sorted(set(env) - own - platform)
    # A misspelt name is silently ignored by pydantic-settings (extra="ignore").
    assert not unknown, f"{name}: no settings field reads {unknown}"
    assert {"KAFKA_BOOTSTRAP_SERVERS", "JWT_SECRET"} <= set(env)
    assert f"{prefix}DATABASE_URL" in env


@pytest.mark.parametrize("name", SERVICES)
def test_service_points_at_the_compose_infrastructure(compose: dict[str, Any], name: str) -> None:
    cls = settings_class(name)
    prefix = cls.model_config["env_prefix"]
    env = environment(compose["services"][name])
    database = urlsplit(interpolate(env[f"{prefix}DATABASE_URL"]))
    assert database.scheme in {"postgresql", "postgres"}
    assert database.hostname == "postgres"
    assert database.path.lstrip("/") == f"bayanat_{name}"
    kafka_host, kafka_port = env["KAFKA_BOOTSTRAP_SERVERS"].rsplit(":", 1)
    assert kafka_host in compose["services"]
    advertised = environment(compose["services"][kafka_host])["KAFKA_ADVERTISED_LISTENERS"]
    assert f"://{kafka_host}:{kafka_port}" in advertised


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_its_own_command(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert service["command"] == ["bayanat", "serve", name]
    build = service["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert context == ROOT
    assert (context / build.get("dockerfile", "Dockerfile")).is_file()
    assert (context / "pyproject.toml").is_file()


@pytest.mark.parametrize("name", SERVICES)
def test_service_waits_for_healthy_infrastructure(compose: dict[str, Any], name: str) -> None:
    depends_on = compose["services"][name]["depends_on"]
    for dependency in ("kafka", "postgres"):
        assert depends_on[dependency]["condition"] == "service_healthy"
        assert "healthcheck" in compose["services"][dependency]


@pytest.mark.parametrize("name", SERVICES)
def test_service_healthcheck_probes_its_healthz(compose: dict[str, Any], name: str) -> None:
    command = healthcheck_command(compose["services"][name])
    port = settings_class(name).default_port
    assert f"127.0.0.1:{port}/healthz" in command
    # The slim image has no curl or wget: the check must use the Python it ships.
    assert command.startswith("python -c ") and "urllib" in command


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_as_many_replicas_as_asked(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    port = settings_class(name).default_port
    upper = name.upper()
    assert service["deploy"]["replicas"] == f"${{{upper}_REPLICAS:-1}}"
    # One host port per replica: a fixed one would let only the first start.
    assert service["ports"] == [f"${{{upper}_PORTS:-{port}}}:{port}"]


def test_catalog_replicas_share_their_uploads_and_signing_key(compose: dict[str, Any]) -> None:
    catalog = compose["services"]["catalog"]
    env = environment(catalog)
    volume, _, path = catalog["volumes"][0].partition(":")
    assert env["CATALOG_UPLOAD_DIR"] == path and volume in compose["volumes"]
    assert env["CATALOG_SIGNING_KEY"] == "${CATALOG_SIGNING_KEY:?set CATALOG_SIGNING_KEY}"
    # The named volume takes the owner of the image's directory: the service's user.
    assert f"install -d -o bayanat -g bayanat {path}" in (ROOT / "Dockerfile").read_text()


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in environment(service).items():
            if re.search(r"SECRET|PASSWORD|PRIVATE_KEY|SIGNING_KEY", key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", value), f"{name}.{key} is not ${{VAR:?}}"
            if key.endswith("DATABASE_URL"):
                password = urlsplit(interpolate(value)).password
                assert password and password.startswith("<"), f"{name}.{key} has a password"


def test_kafka_is_a_single_kraft_node(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = environment(kafka)
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    node_id = env["KAFKA_NODE_ID"]
    voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    assert len(voters) == 1 and voters[0].startswith(f"{node_id}@")
    controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert f"{controller}://" in env["KAFKA_LISTENERS"]
    assert voters[0].rsplit(":", 1)[1] in env["KAFKA_LISTENERS"].split(f"{controller}://")[1]
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env[key] == "1", key
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert env.get("CLUSTER_ID")
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in healthcheck_command(kafka)


def test_postgres_runs_the_database_init_script(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert str(postgres["image"]).split(":")[0] == "postgres"
    mounts = [str(volume).split(":") for volume in postgres["volumes"]]
    init = [m for m in mounts if m[1] == "/docker-entrypoint-initdb.d"]
    assert len(init) == 1
    source = (DEPLOY / init[0][0]).resolve()
    assert source == INIT_SQL.parent or source == INIT_SQL
    assert "pg_isready" in healthcheck_command(postgres)


def test_init_script_creates_the_four_databases() -> None:
    sql = INIT_SQL.read_text()
    statements = [s for s in re.sub(r"--[^\n]*", "", sql).split(";") if s.strip()]
    created = {
        match.group(1)
        for statement in statements
        if (match := re.match(r"\s*CREATE\s+DATABASE\s+(\w+)", statement, re.IGNORECASE))
    }
    assert created == DATABASES
    assert len(statements) == len(created), "statements other than CREATE DATABASE"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) of each instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (parts[0].upper(), parts[1] if len(parts) > 1 else "")
        for parts in (line.split(None, 1) for line in lines if line and not line.startswith("#"))
    ]


def test_dockerfile_builds_one_image_for_all_services() -> None:
    instructions = dockerfile_instructions()
    images = [args.split()[0] for keyword, args in instructions if keyword == "FROM"]
    assert images and all(image == "python:3.11-slim" for image in images)
    assert any(k == "RUN" and re.search(r"pip install \.(\s|$)", a) for k, a in instructions)
    users = [args.strip() for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    exposed = {
        int(port) for keyword, args in instructions if keyword == "EXPOSE" for port in args.split()
    }
    assert exposed == {settings_class(name).default_port for name in SERVICES}
    # The image must contain what `bayanat serve` imports.
    copied = {args.split()[0] for keyword, args in instructions if keyword == "COPY"}
    assert {"pyproject.toml", "libs", "services"} <= copied


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", ".env"} <= ignored


def test_events_are_kept_for_ever(compose: dict[str, Any]) -> None:
    # The topics are the event log the metrics service rebuilds its figures from.
    assert environment(compose["services"]["kafka"])["KAFKA_LOG_RETENTION_HOURS"] == "-1"
    for name in SERVICES:
        env = environment(compose["services"][name])
        assert int(env["KAFKA_TOPIC_RETENTION_MS"]) == PlatformSettings().kafka_topic_retention_ms
        assert int(env["KAFKA_TOPIC_RETENTION_MS"]) == -1
