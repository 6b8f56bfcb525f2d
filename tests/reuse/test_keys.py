"""The life of an API key through the API: listed without its secret, last used, revoked at
once, expired, bounded in number, rate-limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from libs.settings import PlatformSettings
from services.reuse.models import metadata
from tests.reuse.conftest import Mailbox, ReuseHarness, reuse_body, running_reuse
from tests.support.apps import isolated_platform
from tests.support.infra import PostgresDatabases


def test_list_create_use_and_revoke(reuse: ReuseHarness) -> None:
    first = reuse.developer_key()
    headers = {"X-API-Key": first}
    created = reuse.client.post(
        "/api/v1/developers/me/keys", headers=headers, json={"name": "CI", "expires_in_days": 7}
    )
    assert created.status_code == 201, created.text
    second = created.json()["key"]
    assert created.json()["expires_at"].startswith(
        (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    )

    listed = reuse.client.get("/api/v1/developers/me/keys", headers={"X-API-Key": second})
    assert listed.status_code == 200
    keys = listed.json()["items"]
    assert [k["name"] for k in keys] == ["CI", f"e-mail link of {datetime.now(UTC):%Y-%m-%d}"]
    assert all("key" not in k and "digest" not in k for k in keys), "never the secret"
    assert first not in listed.text and second not in listed.text
    by_prefix = {k["prefix"]: k for k in keys}
    assert by_prefix[second.split("_")[1]]["last_used_at"] is not None
    assert all(k["active"] for k in keys)

    revoked = reuse.client.delete(
        f"/api/v1/developers/me/keys/{by_prefix[first.split('_')[1]]['id']}",
        headers={"X-API-Key": second},
    )
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    refused = reuse.client.get("/api/v1/developers/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["type"] == "https://data.gov.ma/problems/api-key-revoked"
    assert reuse.client.get("/api/v1/developers/me", headers={"X-API-Key": second}).is_success


def test_an_expired_key_is_refused(reuse: ReuseHarness) -> None:
    key = reuse.developer_key()
    keys = metadata.tables["api_key"]
    with reuse.engine.begin() as connection:
        connection.execute(
            update(keys)
            .where(keys.c.prefix == key.split("_")[1])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused = reuse.client.get("/api/v1/developers/me", headers={"X-API-Key": key})
    assert refused.status_code == 401
    assert refused.json()["type"] == "https://data.gov.ma/problems/api-key-expired"


def test_what_is_not_a_valid_key_is_refused(
    reuse: ReuseHarness, admin_headers: dict[str, str]
) -> None:
    key = reuse.developer_key()
    for headers, problem in [
        ({}, "api-key-required"),
        ({"X-API-Key": key[:-2] + "xx"}, "invalid-api-key"),
        ({"X-API-Key": "bk_nothing"}, "invalid-api-key"),
        (admin_headers, "api-key-required"),  # a JWT is no developer's key
    ]:
        answer = reuse.client.get("/api/v1/developers/me/keys", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json()["type"] == f"https://data.gov.ma/problems/{problem}"


def test_keys_are_bounded_and_writes_rate_limited_per_key(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases, mailbox: Mailbox
) -> None:
    with running_reuse(
        postgres_databases.create("reuse_keys"),
        isolated_platform(kafka, "reusekey"),
        mailbox,
        max_keys_per_developer=2,
        write_limit_per_key=3,
        write_window_seconds=3600,
    ) as harness:
        harness.publish_dataset("budget")
        key = harness.developer_key()
        headers = {"X-API-Key": key}
        new = harness.client.post("/api/v1/developers/me/keys", headers=headers, json={"name": "b"})
        assert new.status_code == 201
        too_many = harness.client.post(
            "/api/v1/developers/me/keys", headers=headers, json={"name": "c"}
        )
        assert too_many.status_code == 409
        assert too_many.json()["type"].endswith("/too-many-keys")
        # Two writes counted so far with this key; the third is the last allowed.
        declared = harness.client.post("/api/v1/reuses", headers=headers, json=reuse_body("budget"))
        assert declared.status_code == 201
        before = harness.counts()
        limited = harness.client.post("/api/v1/reuses", headers=headers, json=reuse_body("budget"))
        assert limited.status_code == 429
        # Until the hour's three writes weigh less than two: within the next hour at the latest.
        assert 0 < int(limited.headers["Retry-After"]) <= 2 * 3600
        assert "writes with this API key" in limited.json()["detail"]
        assert harness.counts() == before
        # The other key has its own count; revoking is never limited.
        other = {"X-API-Key": new.json()["key"]}
        assert harness.client.post(
            "/api/v1/reuses", headers=other, json=reuse_body("budget")
        ).is_success
        listed = harness.client.get("/api/v1/developers/me/keys", headers=headers)
        first_id = [k["id"] for k in listed.json()["items"] if key.startswith(f"bk_{k['prefix']}")]
        revoked = harness.client.delete(
            f"/api/v1/developers/me/keys/{first_id[0]}", headers=headers
        )
        assert revoked.status_code == 200
