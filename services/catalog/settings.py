"""Settings of the catalog service, read from ``CATALOG_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from libs.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_file=".env", extra="ignore")

    service_name = "catalog"
    default_port = 8001
