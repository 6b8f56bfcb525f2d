"""Settings of the metrics service, read from ``METRICS_*`` environment variables."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from libs.settings import ServiceSettings
from services.metrics.domain.progress import Margins


class MetricsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICS_", env_file=".env", extra="ignore")

    service_name = "metrics"
    default_port = 8004

    # The projector writes the facts of a whole fetch at once (domain/projection.py): the
    # larger the fetch, the fewer statements per event and the more facts of one object folded
    # together (a consumer that keeps up fetches what has just arrived, whatever this size).
    consumer_batch_size: int = Field(default=5000, ge=1, le=10_000)

    # An indicator's status (domain/progress.py): how far its progress from the baseline may
    # trail the share of its period gone by before it is at risk, and before it is late.
    at_risk_margin: float = Field(default=0.10, ge=0, le=1)
    late_margin: float = Field(default=0.25, ge=0, le=1)

    # How often the current values are compared with the last announced ones, and an
    # ``indicator changed`` event published for each that moved (0: never).
    indicator_check_seconds: float = Field(default=5.0, ge=0)

    # The most points one history may have (a day or a month each).
    history_max_points: int = Field(default=4000, ge=12, le=100_000)

    # ``bayanat metrics rebuild``: events applied per transaction.
    rebuild_batch_size: int = Field(default=10_000, ge=1, le=50_000)

    # The public pages: the time zone their moments are written in, how often the figures'
    # version is read while pages listen, and how long one event stream lasts before the
    # browser reconnects (pages/live.py).
    display_timezone: str = Field(default="Africa/Casablanca", max_length=64)
    live_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    live_stream_seconds: float = Field(default=20.0, gt=0, le=600)

    @field_validator("display_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (an IANA name)") from exc
        return value

    @property
    def margins(self) -> Margins:
        return Margins(at_risk=self.at_risk_margin, late=max(self.late_margin, self.at_risk_margin))
