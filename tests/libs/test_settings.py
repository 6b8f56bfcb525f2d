from libs.settings import PlatformSettings, ServiceSettings
from services.catalog.settings import CatalogSettings
from services.governance.settings import GovernanceSettings
from tests.support.infra import environment


def test_each_service_reads_its_own_prefix_and_the_shared_settings() -> None:
    with environment(
        CATALOG_DATABASE_URL="postgresql://u:p@db:5432/catalog",
        CATALOG_PORT="9001",
        KAFKA_BOOTSTRAP_SERVERS="broker:19092",
    ):
        catalog = CatalogSettings()
        governance = GovernanceSettings()
        assert catalog.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/catalog"
        assert catalog.bind_port == 9001
        assert governance.bind_port == 8002
        assert governance.sqlalchemy_url.startswith("sqlite:///")
        assert governance.sqlalchemy_url.endswith("governance.db")
        assert catalog.platform.kafka_bootstrap_servers == "broker:19092"


def test_the_development_jwt_secret_is_created_once_and_shared(tmp_path) -> None:
    with environment(BAYANAT_VAR=str(tmp_path)):
        first = PlatformSettings(jwt_secret=None).resolved_jwt_secret()
        second = PlatformSettings(jwt_secret=None).resolved_jwt_secret()
    assert first == second and len(first) >= 48
    assert (tmp_path / "dev-jwt-secret").stat().st_mode & 0o077 == 0


def test_base_url_prefers_the_public_url() -> None:
    assert ServiceSettings(public_url="https://data.gov.ma/").base_url == "https://data.gov.ma"
