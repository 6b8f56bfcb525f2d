"""Settings of the reuse service, read from ``REUSE_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from libs.settings import ServiceSettings


class ReuseSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REUSE_", env_file=".env", extra="ignore")

    service_name = "reuse"
    default_port = 8003
