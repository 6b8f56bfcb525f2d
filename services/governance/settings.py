"""Settings of the governance service, read from ``GOVERNANCE_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from libs.settings import ServiceSettings


class GovernanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVERNANCE_", env_file=".env", extra="ignore")

    service_name = "governance"
    default_port = 8002
