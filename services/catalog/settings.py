"""Settings of the catalog service, read from ``CATALOG_*`` environment variables."""

from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.settings import ServiceSettings, local_secret, var_dir


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_file=".env", extra="ignore")

    service_name = "catalog"
    default_port = 8001

    # Where uploaded resource files are kept; empty means var/uploads/catalog.
    upload_dir: str = ""
    # Largest file a steward may upload (default 512 MiB); larger ones are refused with 413.
    max_upload_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    # How long a search's total and facet counts may be reused while the catalogue has not
    # changed (domain/search.py checks that at every search); 0 counts afresh every time.
    search_counts_cache_seconds: float = Field(default=300.0, ge=0)
    # How long an anonymous read of a published dataset may be served from memory; this
    # process's own writes clear it at once, other replicas' show within this delay.
    public_cache_seconds: float = Field(default=60.0, ge=0)
    # The memory those two caches may hold each (the oldest, or least used, go first).
    public_cache_max_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    search_counts_cache_max_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    # How long a public search's whole answer (same parameters) may be reused while the
    # catalogue generation is unchanged; 0 searches afresh every time. And its memory.
    search_results_cache_seconds: float = Field(default=300.0, ge=0)
    search_results_cache_max_bytes: int = Field(default=32 * 1024 * 1024, ge=0)
    # How often each process reads the catalogue generation (domain/generation.py): a write
    # by another worker or replica clears this process's caches within this delay.
    generation_poll_seconds: float = Field(default=0.2, gt=0, le=5)
    # Connections of each process for anonymous reads of stored bodies on the event loop
    # (PostgreSQL only; domain/lookups.py); 0 reads them through a unit of work.
    lookup_connections: int = Field(default=4, ge=0, le=64)

    # The key of the signed download URLs given to governance for the uploaded files of
    # datasets under review (domain/signing.py). In development, when unset, a random key is
    # created once under var/ (never in git); in production, set it (a long random secret),
    # the same for every replica.
    signing_key: str = ""
    # How long such a URL works: a review can take days.
    signed_download_seconds: int = Field(default=7 * 24 * 3600, ge=60, le=90 * 24 * 3600)

    @property
    def resolved_signing_key(self) -> bytes:
        return (self.signing_key or local_secret("catalog-signing-key")).encode()

    @property
    def signed_download_lifetime(self) -> timedelta:
        return timedelta(seconds=self.signed_download_seconds)

    # --- harvesting (domain/harvest/, workers.py) -----------------------------------------------
    # The background worker that runs the sources' scheduled and requested jobs.
    harvest_worker_enabled: bool = True
    harvest_poll_seconds: float = Field(default=30.0, gt=0)
    # A process holds a source's job for this long, renewed every third of it while it runs:
    # a job whose process died is taken up again once it has passed.
    harvest_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Hosts (exact names) or networks (CIDR or single addresses) a source may be on although
    # they are internal (private, loopback…); JSON in the environment: '["10.0.0.0/8"]'.
    harvest_url_allowlist: list[str] = Field(default_factory=list)
    harvest_http_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    harvest_max_response_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    harvest_max_concurrency: int = Field(default=4, ge=1, le=32)
    harvest_max_retries: int = Field(default=3, ge=0, le=10)
    harvest_retry_backoff_seconds: float = Field(default=1.0, ge=0, le=60)
    harvest_max_redirects: int = Field(default=5, ge=0, le=20)
    # Records asked for at a time from a CKAN source (CKAN answers at most 1000).
    harvest_page_size: int = Field(default=100, ge=1, le=1000)
    # Pages followed in a DCAT catalogue, at most, in one job.
    harvest_max_pages: int = Field(default=10_000, ge=1)
    # Per-record errors a job keeps (it counts them all).
    harvest_max_errors_per_job: int = Field(default=1000, ge=0, le=100_000)
    harvest_user_agent: str = "Bayanat-harvester/1.0 (+https://data.gov.ma)"

    @property
    def upload_path(self) -> Path:
        path = Path(self.upload_dir) if self.upload_dir else var_dir() / "uploads" / "catalog"
        path.mkdir(parents=True, exist_ok=True)
        return path
