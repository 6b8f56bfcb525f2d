"""Settings of the governance service, read from ``GOVERNANCE_*`` environment variables.

Lists are given as JSON in the environment, e.g.
``GOVERNANCE_QUALITY_URL_ALLOWLIST='["127.0.0.1", "data.internal.example"]'``.
"""

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from libs.http.urlguard import origin_of
from libs.settings import ServiceSettings
from services.governance.domain.quality import CHECKS, default_blocking_checks, unknown_checks


class GovernanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVERNANCE_", env_file=".env", extra="ignore")

    service_name = "governance"
    default_port = 8002

    # --- accounts and tokens ------------------------------------------------------------------
    access_token_minutes: float = Field(default=15, gt=0, le=24 * 60)
    refresh_token_days: float = Field(default=14, gt=0, le=365)
    password_min_length: int = Field(default=12, ge=8, le=128)

    # --- login rate limit ---------------------------------------------------------------------
    # Failed logins are counted in the database (table login_attempt), so every replica sees
    # the same counts. Within the window, an account (by email) or an IP address that reached
    # its limit is refused with 429 and Retry-After until its oldest counted failure ages out.
    login_window_seconds: int = Field(default=900, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=30, ge=1)
    # Behind a reverse proxy, take the client address from X-Forwarded-For (its first entry).
    trust_forwarded_for: bool = False

    # --- automatic quality checks -------------------------------------------------------------
    # The checks (domain/quality.py) whose failure prevents approval; by default, those
    # declared blocking.
    blocking_checks: list[str] = Field(default_factory=default_blocking_checks)
    # Hosts (exact names) or IP networks (CIDR or single addresses) that the URL checker may
    # reach although they are private, loopback, link-local or reserved.
    quality_url_allowlist: list[str] = Field(default_factory=list)
    # The catalog's public URL (CATALOG_PUBLIC_URL): it serves the uploaded files of datasets
    # under review at signed URLs, and its origin (scheme, host and port, exactly) is reached
    # whatever it resolves to, the loopback of `make run` included. Any other URL, the same
    # host on another port or scheme included, stays under the guard.
    catalog_url: str = "http://127.0.0.1:8001"
    quality_http_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    quality_max_concurrency: int = Field(default=8, ge=1, le=100)
    quality_max_redirects: int = Field(default=5, ge=0, le=20)
    quality_csv_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    quality_min_description_length: int = Field(default=100, ge=0)
    quality_user_agent: str = "Bayanat-quality-checker/1.0 (+https://data.gov.ma)"

    # The background worker that runs pending checks (see workers.py).
    checks_worker_enabled: bool = True
    checks_poll_seconds: float = Field(default=2.0, gt=0)
    # A process holds a run of the checks for this long, and renews it every third of it
    # while the checks run: a run whose process died is taken up again within seconds.
    checks_lease_seconds: float = Field(default=15, gt=0, le=3600)

    # --- update continuity --------------------------------------------------------------------
    overdue_worker_enabled: bool = True
    overdue_check_interval_seconds: float = Field(default=3600, gt=0)
    # Tolerance after a dataset's expected update before it is flagged overdue.
    overdue_grace_days: float = Field(default=7, ge=0)

    @field_validator("catalog_url")
    @classmethod
    def _an_origin(cls, value: str) -> str:
        origin_of(value)  # ValueError unless an absolute http(s) URL
        return value

    @field_validator("blocking_checks")
    @classmethod
    def _known_checks(cls, value: list[str]) -> list[str]:
        unknown = unknown_checks(value)
        if unknown:
            raise ValueError(f"unknown checks {unknown}; known: {', '.join(CHECKS)}")
        return value
