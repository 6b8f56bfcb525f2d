"""Settings: one pydantic-settings base for every service.

Each service's own settings are read with its prefix (``CATALOG_DATABASE_URL``…); platform-wide
ones (``KAFKA_BOOTSTRAP_SERVERS``, ``JWT_SECRET``…) have no prefix and are shared by all.
The defaults work out of the box on a developer's machine.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.http.limits import InputLimits

REPO_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Where state that is not in git lives: SQLite files, uploads, logs, the dev JWT secret."""
    path = Path(os.environ.get("BAYANAT_VAR", REPO_ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_secret(name: str) -> str:
    """A random secret kept in ``var/<name>`` (readable by its owner only), created the first
    time it is asked for: development needs no configuration, and no secret is kept in git.
    Several processes starting at once agree on one: the file appears whole (a hard link of a
    complete temporary file), and only the first link wins."""
    path = var_dir() / name
    if not path.exists():
        draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the one
        finally:
            draft.unlink()
    return path.read_text().strip()


class PlatformSettings(BaseSettings):
    """Settings every service shares, read without a prefix."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Prepended to every topic and consumer group: lets tests and several environments share
    # one broker without seeing each other's events.
    kafka_topic_prefix: str = ""
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    # The largest record, in bytes, the platform sends: the same for the broker
    # (message.max.bytes, deploy/kafka.sh and compose), its topics (max.message.bytes), the
    # producers (max_request_size) and the consumers (max_partition_fetch_bytes). Input bounds
    # keep every legal event well below it; an event that would not fit is refused before the
    # change that would announce it is committed.
    kafka_max_message_bytes: int = Field(default=2 * 1024 * 1024, ge=64 * 1024)
    # How long the topics the services create keep their events (retention.ms): -1, for
    # ever, by default. The topics are the platform's event log: a consumer rebuilds its state
    # by replaying them from offset zero (``bayanat metrics rebuild``), which only gives the
    # right figures if no event was deleted.
    kafka_topic_retention_ms: int = Field(default=-1, ge=-1)

    jwt_algorithm: str = Field(default="HS256", pattern="^(HS256|RS256)$")
    # HS256 in development: when unset, a random secret is created once under var/ so that
    # every local service accepts the tokens governance issues, and none is kept in git.
    jwt_secret: str | None = None
    jwt_public_key: str | None = None  # RS256 (PEM), production
    jwt_private_key: str | None = None  # RS256 (PEM), only where tokens are issued
    jwt_issuer: str = "bayanat-governance"
    jwt_audience: str = "bayanat"

    log_level: str = "INFO"
    log_json: bool = True

    def resolved_jwt_secret(self) -> str:
        return self.jwt_secret or local_secret("dev-jwt-secret")


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set ``service_name`` and ``env_prefix``."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000

    host: str = "127.0.0.1"
    port: int | None = None
    # Worker processes serving the API (`bayanat serve`); 0 means one per CPU core.
    workers: int = Field(default=0, ge=0, le=64)
    # Empty means a SQLite file under var/.
    database_url: str = ""
    run_migrations: bool = True
    relay_enabled: bool = True
    consumer_enabled: bool = True
    outbox_batch_size: int = Field(default=1000, ge=1, le=10_000)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    consumer_max_attempts: int = Field(default=3, ge=1)
    # How often processed offsets are committed; the effect is already committed with its
    # event id, so a crash before the offset commit replays without a second effect.
    consumer_commit_interval_seconds: float = Field(default=0.0, ge=0)
    # Events applied per unit of work (libs/messaging/consumer.py): 1, each event its own
    # transaction; more for a service whose handlers write in bulk before the commit.
    consumer_batch_size: int = Field(default=1, ge=1, le=10_000)
    public_url: str = ""
    # Bounds on every request (libs/http/limits.py); uploads have limits of their own.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=32, ge=4, le=256)
    max_query_params: int = Field(default=100, ge=10, le=10_000)
    # How often each process reads the token revocations its consumer recorded.
    revocation_poll_seconds: float = Field(default=1.0, gt=0, le=60)

    @cached_property
    def platform(self) -> PlatformSettings:
        return PlatformSettings()

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def env_prefix(self) -> str:
        return str(self.model_config.get("env_prefix", ""))

    @property
    def bind_port(self) -> int:
        return self.port or self.default_port

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # One driver for PostgreSQL everywhere: psycopg 3.
            for plain in ("postgresql://", "postgres://"):
                if url.startswith(plain):
                    url = "postgresql+psycopg://" + url[len(plain) :]
            return url
        return f"sqlite:///{var_dir() / f'{self.service_name}.db'}"

    @property
    def input_limits(self) -> InputLimits:
        return InputLimits(
            max_body_bytes=self.max_body_bytes,
            max_json_depth=self.max_json_depth,
            max_query_params=self.max_query_params,
        )

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.bind_port}").rstrip("/")
