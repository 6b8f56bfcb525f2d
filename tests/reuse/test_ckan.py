"""ckanext-showcase's read actions, read by the real ``ckanapi`` client from the reuse service
served by uvicorn on a real port, on PostgreSQL and on SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import ckanapi
import httpx
import pytest

from bench.processes import uvicorn_process
from libs.auth import Principal, Role, RoleGrant
from libs.db import make_engine, upgrade
from libs.events.schemas import DatasetPublished, LocalizedText
from libs.messaging.outbox import Outbox
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.reuse.app import MIGRATIONS_DIR
from services.reuse.domain import reuses
from services.reuse.domain.replica import apply_dataset_published
from services.reuse.domain.reuses import ReuseDeclaration
from services.reuse.models import Developer, messaging
from tests.reuse.conftest import reuse_body
from tests.support.brokers import free_port
from tests.support.infra import PostgresDatabases


@dataclass
class Site:
    url: str
    census: DatasetPublished
    shown: dict[str, str]  # reuse id → slug, newest first
    rejected: str

    def ckan(self) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.url)


def seed(url: str) -> tuple[DatasetPublished, dict[str, str], str]:
    """A published dataset, a developer, two public reuses and a rejected one."""
    upgrade(MIGRATIONS_DIR, url)
    engine = make_engine(url)
    units = UnitOfWorkFactory(engine, Outbox(messaging.outbox, "reuse"))
    census = DatasetPublished(
        dataset_id=uuid.uuid4(),
        slug="recensement-general",
        institution_id=uuid.uuid4(),
        title=LocalizedText(fr="Recensement général", ar="الإحصاء العام"),
        published_at=datetime.now(UTC),
    )
    now = datetime.now(UTC)
    developer = Developer(
        name="Youssef",
        email="youssef@example.org",
        terms_accepted_at=now,
        verified_at=now,
        created_at=now,
    )
    admin = Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])
    with units() as uow:
        apply_dataset_published(uow, census)
        uow.session.add(developer)
        uow.commit()
    actor = Principal(subject=developer.id, kind="developer", name=developer.name)
    shown: dict[str, str] = {}
    titles = [{"fr": "Atlas de la population"}, {"ar": "لوحة السكان", "fr": "Tableau de bord"}]
    for title in [*titles, {"fr": "Refusée"}]:
        with units() as uow:
            declaration = ReuseDeclaration.model_validate(
                reuse_body(census.slug, title=title, tags=["population"])
            )
            view = reuses.declare_reuse(uow, actor, declaration=declaration)
            shown[str(view.reuse.id)] = view.reuse.slug
            uow.commit()
    rejected = list(shown)[-1]
    with units() as uow:
        reuses.reject_reuse(uow, admin, reuse_id=uuid.UUID(rejected), reason="duplicate")
        uow.commit()
    del shown[rejected]
    engine.dispose()
    return census, dict(reversed(list(shown.items()))), rejected


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: PostgresDatabases,
    kafka: PlatformSettings,
) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("ckan")
    if request.param == "postgresql":
        url = postgres_databases.create("reuse_ckan")
    else:
        url = f"sqlite:///{directory / 'reuse.db'}"
    census, shown, rejected = seed(url)
    port = free_port()
    env = {
        "REUSE_DATABASE_URL": url,
        "BAYANAT_VAR": str(directory / "var"),
        "KAFKA_TOPIC_PREFIX": f"{kafka.kafka_topic_prefix}rckan{uuid.uuid4().hex[:6]}.",
    }
    target = "services.reuse.app:create_app"
    with uvicorn_process(target, port, env, directory / "server.log", "/healthz"):
        yield Site(url=f"http://127.0.0.1:{port}", census=census, shown=shown, rejected=rejected)


def test_showcase_list_and_show_with_ckanapi(site: Site) -> None:
    ckan = site.ckan()
    showcases = ckan.action.ckanext_showcase_list()
    assert [s["id"] for s in showcases] == list(site.shown)
    assert all(s["type"] == "showcase" and s["state"] == "active" for s in showcases)
    board = showcases[0]
    assert board["title"] == "Tableau de bord"
    assert board["title_translated"] == {"ar": "لوحة السكان", "fr": "Tableau de bord", "en": ""}
    assert board["author"] == "Youssef" and board["author_email"] is None
    assert [t["name"] for t in board["tags"]] == ["population"]
    assert ckan.action.ckanext_showcase_show(id=board["name"]) == board
    assert ckan.action.ckanext_showcase_show(id=board["id"]) == board

    cited = ckan.action.ckanext_showcase_package_list(showcase_id=board["name"])
    assert [(p["id"], p["name"]) for p in cited] == [
        (str(site.census.dataset_id), "recensement-general")
    ]
    for package in (site.census.slug, str(site.census.dataset_id)):
        assert ckan.action.ckanext_package_showcase_list(package_id=package) == showcases


def test_ckan_errors_through_ckanapi(site: Site) -> None:
    ckan = site.ckan()
    with pytest.raises(ckanapi.NotFound):
        ckan.action.ckanext_showcase_show(id=site.rejected)
    with pytest.raises(ckanapi.ValidationError) as missing:
        ckan.action.ckanext_showcase_show()
    assert missing.value.error_dict["id"] == ["Missing value"]
    with pytest.raises(ckanapi.ValidationError) as unknown:
        ckan.action.ckanext_package_showcase_list(package_id="no-such-dataset")
    assert unknown.value.error_dict["package_id"] == ["Not found: Dataset"]


def test_both_prefixes_and_get_answer_in_ckans_envelope(site: Site) -> None:
    slug = next(iter(site.shown.values()))
    for prefix in ("/api/3/action", "/api/action"):
        answer = httpx.get(f"{site.url}{prefix}/ckanext_showcase_show", params={"id": slug})
        assert answer.status_code == 200
        body = answer.json()
        assert body["success"] is True and body["result"]["name"] == slug
        assert body["help"].endswith("/api/3/action/help_show?name=ckanext_showcase_show")
    unknown = httpx.post(f"{site.url}/api/3/action/ckanext_showcase_delete/", json={})
    assert unknown.status_code == 400
    assert unknown.json()["success"] is False
    assert unknown.json()["error"]["__type"] == "Bad Request"
    broken = httpx.post(
        f"{site.url}/api/action/ckanext_showcase_list",
        content=b"[1, 2]",
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["error"]["__type"] == "Bad Request"
