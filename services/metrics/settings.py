"""Settings of the metrics service, read from ``METRICS_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from libs.settings import ServiceSettings


class MetricsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICS_", env_file=".env", extra="ignore")

    service_name = "metrics"
    default_port = 8004
