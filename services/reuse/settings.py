"""Settings of the reuse service, read from ``REUSE_*`` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from libs.ratelimit import RateLimit
from libs.settings import ServiceSettings, var_dir


class ReuseSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REUSE_", env_file=".env", extra="ignore")

    service_name = "reuse"
    default_port = 8003

    # --- mail ---------------------------------------------------------------------------------
    # "log" writes each mail (and so the verification link) to the log and as a file in
    # mail_dir: the default, for a developer's machine. "smtp" sends it through the server below.
    mail_sender: Literal["log", "smtp"] = "log"
    # Where "log" keeps each mail as a .eml file; empty means var/mail/.
    mail_dir: str = ""
    mail_from: str = "Bayanat <no-reply@data.gov.ma>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # "starttls" upgrades a plain connection (port 587), "tls" connects over TLS (465),
    # "none" sends in clear (a local relay only).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Where the link in the mail points, with {token} in it: a page of the portal that posts
    # the token back; empty means this service's own GET /api/v1/developers/verification.
    verification_url: str = ""
    verification_hours: float = Field(default=24.0, gt=0, le=24 * 30)

    # --- API keys -----------------------------------------------------------------------------
    key_lifetime_days: int = Field(default=365, ge=1, le=3650)
    max_keys_per_developer: int = Field(default=10, ge=1, le=100)

    # --- rate limits (counted in the database: every replica shares them) ----------------------
    write_limit_per_key: int = Field(default=60, ge=1)
    write_limit_per_ip: int = Field(default=300, ge=1)
    write_window_seconds: int = Field(default=60, ge=1)
    registration_limit_per_ip: int = Field(default=10, ge=1)
    registration_limit_per_email: int = Field(default=3, ge=1)
    registration_window_seconds: int = Field(default=3600, ge=1)
    # Behind a reverse proxy, count clients by the first address of X-Forwarded-For.
    trust_forwarded_for: bool = False

    @property
    def writes_per_key(self) -> RateLimit:
        return RateLimit(self.write_limit_per_key, self.write_window_seconds)

    @property
    def writes_per_ip(self) -> RateLimit:
        return RateLimit(self.write_limit_per_ip, self.write_window_seconds)

    @property
    def registrations_per_ip(self) -> RateLimit:
        return RateLimit(self.registration_limit_per_ip, self.registration_window_seconds)

    @property
    def registrations_per_email(self) -> RateLimit:
        return RateLimit(self.registration_limit_per_email, self.registration_window_seconds)

    @property
    def mail_directory(self) -> Path:
        return Path(self.mail_dir) if self.mail_dir else var_dir() / "mail"

    def verification_link(self, token: str) -> str:
        template = self.verification_url or (
            f"{self.base_url}/api/v1/developers/verification?token={{token}}"
        )
        return template.replace("{token}", token)
