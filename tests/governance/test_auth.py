"""Login, refresh, logout, the login rate limit, accounts and roles, the audit log, the CLI."""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from sqlmodel import select

from libs.auth import Role, TokenCodec
from libs.settings import PlatformSettings
from services.governance.models import Account, AuditEntry, LoginAttempt, RefreshToken
from tests.governance.conftest import (
    PASSWORD,
    GovernanceHarness,
    bearer,
    isolated_platform,
    login,
    make_account,
    make_institution,
    running_governance,
    token_for,
)
from tests.support.infra import PostgresDatabases
from tests.support.revocation import refused_within

REPO = Path(__file__).resolve().parents[2]
MAX_ACCOUNT_FAILURES = 3
MAX_IP_FAILURES = 5


@pytest.fixture(scope="module")
def governance(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases
) -> Iterator[GovernanceHarness]:
    # Small limits, and client addresses taken from X-Forwarded-For so that each test
    # comes from addresses of its own.
    with running_governance(
        postgres_databases.create("governance"),
        isolated_platform(kafka),
        login_max_failures_per_account=MAX_ACCOUNT_FAILURES,
        login_max_failures_per_ip=MAX_IP_FAILURES,
        login_window_seconds=600,
        trust_forwarded_for=True,
    ) as harness:
        yield harness


@pytest.fixture(scope="module")
def admin(governance: GovernanceHarness) -> Account:
    return make_account(governance.engine, is_admin=True, email="admin@gov.example")


def an_ip() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"


def from_ip(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


# --- login and tokens -------------------------------------------------------------------------


def test_login_issues_an_access_token_carrying_the_role_grants(
    governance: GovernanceHarness,
) -> None:
    a = make_institution(governance.engine)
    b = make_institution(governance.engine)
    account = make_account(
        governance.engine,
        ("steward", a.id),
        ("reviewer", a.id),
        ("viewer", b.id),
        email="Fatima.Steward@Example.org",
    )

    body = login(governance.client, "fatima.steward@example.org", **from_ip(an_ip()))

    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"].startswith("brt_")
    assert body["account"]["email"] == "fatima.steward@example.org"
    principal = governance.codec.principal(body["access_token"])
    assert principal.subject == account.id
    assert principal.has_role(Role.STEWARD, a.id) and principal.has_role(Role.REVIEWER, a.id)
    assert principal.has_role(Role.VIEWER, b.id) and not principal.has_role(Role.REVIEWER, b.id)
    assert not principal.is_admin
    claims = governance.codec.decode(body["access_token"])
    # ``iat`` keeps its fraction of a second (revocations compare it), ``exp`` does not.
    assert 15 * 60 - 1 < claims["exp"] - claims["iat"] <= 15 * 60
    me = governance.client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert {(r["institution_id"], r["role"]) for r in me.json()["roles"]} == {
        (str(a.id), "steward"),
        (str(a.id), "reviewer"),
        (str(b.id), "viewer"),
    }


def test_passwords_and_refresh_tokens_are_stored_hashed(governance: GovernanceHarness) -> None:
    account = make_account(governance.engine)
    body = login(governance.client, account.email, **from_ip(an_ip()))
    with governance.session() as session:
        stored = session.get(Account, account.id)
        assert stored is not None
        assert (
            stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
        )
        tokens = session.exec(
            select(RefreshToken).where(RefreshToken.account_id == account.id)
        ).all()
    assert [t.token_hash for t in tokens] == [
        hashlib.sha256(body["refresh_token"].encode()).hexdigest()
    ]


def test_wrong_password_and_unknown_email_get_the_same_answer(
    governance: GovernanceHarness,
) -> None:
    account = make_account(governance.engine)
    ip = an_ip()
    wrong = governance.client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": "not the password"},
        headers=from_ip(ip),
    )
    unknown = governance.client.post(
        "/api/v1/auth/login",
        json={"email": "nobody@example.org", "password": "not the password"},
        headers=from_ip(ip),
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "invalid email or password"
        assert response.json()["type"].endswith("/invalid-credentials")


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_session(
    governance: GovernanceHarness,
) -> None:
    account = make_account(governance.engine)
    first = login(governance.client, account.email, **from_ip(an_ip()))

    rotated = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert governance.codec.principal(second["access_token"]).subject == account.id

    # The spent token presented again (a stolen copy): refused, and the family revoked.
    replay = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401
    assert replay.json()["type"].endswith("/invalid-refresh-token")
    after = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert after.status_code == 401


def test_refresh_reflects_role_changes(governance: GovernanceHarness, admin: Account) -> None:
    institution = make_institution(governance.engine)
    account = make_account(governance.engine)
    tokens = login(governance.client, account.email, **from_ip(an_ip()))
    admin_token = token_for(governance.codec, admin, (Role.ADMIN, None))

    granted = governance.client.post(
        f"/api/v1/accounts/{account.id}/roles",
        json={"institution_id": str(institution.id), "role": "reviewer"},
        headers=bearer(admin_token),
    )
    assert granted.status_code == 201, granted.text
    refreshed = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    ).json()
    principal = governance.codec.principal(refreshed["access_token"])
    assert principal.has_role(Role.REVIEWER, institution.id)

    revoked = governance.client.delete(
        f"/api/v1/accounts/{account.id}/roles/{institution.id}/reviewer",
        headers=bearer(admin_token),
    )
    assert revoked.status_code == 204
    again = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": refreshed["refresh_token"]}
    ).json()
    assert governance.codec.principal(again["access_token"]).grants == []


def test_logout_revokes_the_refresh_token(governance: GovernanceHarness) -> None:
    account = make_account(governance.engine)
    tokens = login(governance.client, account.email, **from_ip(an_ip()))
    out = governance.client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert out.status_code == 204
    refused = governance.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refused.status_code == 401
    unknown = governance.client.post("/api/v1/auth/logout", json={"refresh_token": "brt_nope"})
    assert unknown.status_code == 401


def test_expired_forged_and_misused_tokens_are_refused(governance: GovernanceHarness) -> None:
    account = make_account(governance.engine)
    url = "/api/v1/auth/me"
    expired = token_for(governance.codec, account, lifetime=timedelta(seconds=-5))
    forged_codec = TokenCodec(governance.platform.model_copy(update={"jwt_secret": "x" * 40}))
    forged = token_for(forged_codec, account)
    claims = governance.codec.decode(token_for(governance.codec, account))
    claims["roles"] = [{"role": "admin", "institution_id": None}]
    tampered = jwt.encode(claims, "another secret of sufficient length!!", algorithm="HS256")
    unsigned = jwt.encode(claims, key="", algorithm="none")
    refresh_as_access = governance.codec.encode(
        governance.codec.principal(token_for(governance.codec, account)),
        lifetime=timedelta(minutes=5),
        token_type="refresh",
    )

    cases = {
        expired: "token-expired",
        forged: "invalid-token",
        tampered: "invalid-token",
        unsigned: "invalid-token",
        refresh_as_access: "invalid-token",
        "not-a-jwt": "invalid-token",
    }
    for token, code in cases.items():
        response = governance.client.get(url, headers=bearer(token))
        assert response.status_code == 401, (code, response.text)
        assert response.json()["type"].endswith(f"/{code}"), response.json()
    assert governance.client.get(url).status_code == 401


# --- rate limit -------------------------------------------------------------------------------


def failed_login(governance: GovernanceHarness, email: str, ip: str) -> int:
    return governance.client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "wrong password!"},
        headers=from_ip(ip),
    ).status_code


def test_login_is_rate_limited_per_account(governance: GovernanceHarness) -> None:
    account = make_account(governance.engine)
    other = make_account(governance.engine)
    for _ in range(MAX_ACCOUNT_FAILURES):
        assert failed_login(governance, account.email, an_ip()) == 401

    # Even the right password, from yet another address, waits now.
    limited = governance.client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": PASSWORD},
        headers=from_ip(an_ip()),
    )
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= 600
    assert limited.json()["retry_after"] == retry_after
    assert limited.json()["type"].endswith("/too-many-login-attempts")
    assert "this account" in limited.json()["detail"]
    # Another account is not affected; the failures are in the database, for every replica.
    login(governance.client, other.email, **from_ip(an_ip()))
    with governance.session() as session:
        rows = session.exec(select(LoginAttempt).where(LoginAttempt.email == account.email))
        assert len(rows.all()) == MAX_ACCOUNT_FAILURES


def test_login_is_rate_limited_per_address(governance: GovernanceHarness) -> None:
    ip = an_ip()
    for n in range(MAX_IP_FAILURES):
        assert failed_login(governance, f"guess-{n}@example.org", ip) == 401
    account = make_account(governance.engine)
    limited = governance.client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": PASSWORD},
        headers=from_ip(ip),
    )
    assert limited.status_code == 429
    assert "this address" in limited.json()["detail"]
    assert int(limited.headers["Retry-After"]) > 0
    login(governance.client, account.email, **from_ip(an_ip()))  # elsewhere: fine


def test_a_successful_login_clears_the_account_failures(governance: GovernanceHarness) -> None:
    account = make_account(governance.engine)
    for _ in range(MAX_ACCOUNT_FAILURES - 1):
        assert failed_login(governance, account.email, an_ip()) == 401
    login(governance.client, account.email, **from_ip(an_ip()))
    for _ in range(MAX_ACCOUNT_FAILURES - 1):
        assert failed_login(governance, account.email, an_ip()) == 401
    login(governance.client, account.email, **from_ip(an_ip()))


# --- accounts ---------------------------------------------------------------------------------


def test_admins_manage_accounts_and_others_cannot(
    governance: GovernanceHarness, admin: Account
) -> None:
    institution = make_institution(governance.engine)
    admin_headers = bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))
    created = governance.client.post(
        "/api/v1/accounts",
        json={
            "email": "Reviewer.One@Example.org",
            "display_name": "Reviewer One",
            "password": "another long passphrase",
            "roles": [{"institution_id": str(institution.id), "role": "reviewer"}],
        },
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["email"] == "reviewer.one@example.org"
    assert account["roles"][0]["role"] == "reviewer"
    assert "password" not in created.text and "password_hash" not in created.text

    duplicate = governance.client.post(
        "/api/v1/accounts",
        json={"email": "reviewer.one@example.org", "display_name": "x", "password": "p" * 20},
        headers=admin_headers,
    )
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "email"
    weak = governance.client.post(
        "/api/v1/accounts",
        json={"email": "weak@example.org", "display_name": "x", "password": "short"},
        headers=admin_headers,
    )
    assert weak.status_code == 422 and weak.json()["field"] == "password"
    bad_role = governance.client.post(
        f"/api/v1/accounts/{account['id']}/roles",
        json={"institution_id": str(uuid.uuid4()), "role": "reviewer"},
        headers=admin_headers,
    )
    assert bad_role.status_code == 422 and bad_role.json()["field"] == "institution_id"

    reviewer_headers = bearer(
        login(
            governance.client,
            "reviewer.one@example.org",
            "another long passphrase",
            **from_ip(an_ip()),
        )["access_token"]
    )
    for method, url, body in (
        (
            "post",
            "/api/v1/accounts",
            {"email": "x@example.org", "display_name": "x", "password": "p" * 20},
        ),
        ("get", "/api/v1/accounts", None),
        ("patch", f"/api/v1/accounts/{admin.id}", {"active": False}),
        (
            "post",
            f"/api/v1/accounts/{account['id']}/roles",
            {"institution_id": str(institution.id), "role": "steward"},
        ),
    ):
        response = governance.client.request(method, url, json=body, headers=reviewer_headers)
        assert response.status_code == 403, (method, url, response.text)
    listing = governance.client.get(
        f"/api/v1/accounts?institution_id={institution.id}&page_size=1", headers=admin_headers
    )
    assert listing.status_code == 200 and listing.json()["total"] == 1
    assert (
        governance.client.get(f"/api/v1/accounts/{admin.id}", headers=reviewer_headers).status_code
        == 403
    )


def test_the_last_active_admin_cannot_be_demoted(governance: GovernanceHarness) -> None:
    with governance.session() as session:
        admins = session.exec(select(Account).where(Account.is_admin, Account.active)).all()
    others = admins[1:]
    # Leave exactly one active admin, then try to demote it.
    last = admins[0]
    headers = bearer(token_for(governance.codec, last, (Role.ADMIN, None)))
    for other in others:
        assert (
            governance.client.patch(
                f"/api/v1/accounts/{other.id}", json={"is_admin": False}, headers=headers
            ).status_code
            == 200
        )
    refused = governance.client.patch(
        f"/api/v1/accounts/{last.id}", json={"is_admin": False}, headers=headers
    )
    assert refused.status_code == 409 and refused.json()["type"].endswith("/last-admin")
    for other in others:  # put things back for the other tests
        governance.client.patch(
            f"/api/v1/accounts/{other.id}", json={"is_admin": True}, headers=headers
        )


def test_password_change_needs_the_current_password_and_ends_sessions(
    governance: GovernanceHarness,
) -> None:
    account = make_account(governance.engine)
    tokens = login(governance.client, account.email, **from_ip(an_ip()))
    headers = bearer(tokens["access_token"])
    url = f"/api/v1/accounts/{account.id}/password"
    wrong = governance.client.post(
        url,
        json={"current_password": "nope", "new_password": "a brand new passphrase"},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    changed = governance.client.post(
        url,
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (
        governance.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 401
    )
    # The access tokens of every session end too (within the second the processes take to
    # read the revocation).
    refused_within(lambda: governance.client.get("/api/v1/auth/me", headers=headers), timeout=2.5)
    fresh = login(governance.client, account.email, "a brand new passphrase", **from_ip(an_ip()))
    someone_else = make_account(governance.engine)
    assert (
        governance.client.post(
            f"/api/v1/accounts/{someone_else.id}/password",
            json={"current_password": PASSWORD, "new_password": "hijacked passphrase!"},
            headers=bearer(fresh["access_token"]),
        ).status_code
        == 403
    )


def test_an_inactive_account_cannot_log_in(governance: GovernanceHarness, admin: Account) -> None:
    account = make_account(governance.engine)
    headers = bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))
    tokens = login(governance.client, account.email, **from_ip(an_ip()))
    assert (
        governance.client.patch(
            f"/api/v1/accounts/{account.id}", json={"active": False}, headers=headers
        ).status_code
        == 200
    )
    refused = governance.client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": PASSWORD},
        headers=from_ip(an_ip()),
    )
    assert refused.status_code == 401
    assert (
        governance.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).status_code
        == 401
    )


# --- audit ------------------------------------------------------------------------------------


def test_the_audit_log_records_governance_actions_for_admins(
    governance: GovernanceHarness, admin: Account
) -> None:
    headers = bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))
    created = governance.client.post(
        "/api/v1/institutions",
        json={"slug": "audited", "name": {"fr": "Audité", "ar": "مدقق"}, "kind": "ministry"},
        headers=headers,
    ).json()
    governance.client.patch(
        f"/api/v1/institutions/{created['id']}", json={"acronym": "AUD"}, headers=headers
    )
    account = make_account(governance.engine)
    failed_login(governance, account.email, "198.51.100.7")

    entries = governance.client.get(
        f"/api/v1/audit?target_id={created['id']}", headers=headers
    ).json()
    assert [e["action"] for e in entries["items"]] == ["institution.update", "institution.create"]
    update = entries["items"][0]
    assert update["actor_id"] == str(admin.id)
    assert update["before"]["acronym"] is None and update["after"]["acronym"] == "AUD"
    assert update["institution_id"] == created["id"]

    failures = governance.client.get(
        "/api/v1/audit?action=auth.login_failed&page_size=100", headers=headers
    ).json()
    mine = [e for e in failures["items"] if e["target_id"] == str(account.id)]
    assert mine and mine[0]["ip"] == "198.51.100.7"

    paged = governance.client.get("/api/v1/audit?action=auth.&page_size=2", headers=headers)
    assert paged.status_code == 200
    page = paged.json()
    assert len(page["items"]) == 2 and page["total"] > 2 and page["pages"] >= 2
    assert all(e["action"].startswith("auth.") for e in page["items"])
    second = governance.client.get(
        "/api/v1/audit?action=auth.&page_size=2&page=2", headers=headers
    ).json()
    assert {e["id"] for e in second["items"]}.isdisjoint({e["id"] for e in page["items"]})

    with governance.session() as session:
        hashes = [e.after for e in session.exec(select(AuditEntry)).all() if e.after]
    assert not any("password_hash" in entry for entry in hashes)

    reviewer = make_account(governance.engine)
    assert (
        governance.client.get(
            "/api/v1/audit", headers=bearer(token_for(governance.codec, reviewer))
        ).status_code
        == 403
    )
    assert governance.client.get("/api/v1/audit").status_code == 401
    bad = governance.client.get(
        "/api/v1/audit?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z", headers=headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "since"


# --- the command line -------------------------------------------------------------------------


def bayanat(
    database_url: str, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    environment = {**os.environ, "GOVERNANCE_DATABASE_URL": database_url, **env}
    environment.pop("BAYANAT_ADMIN_PASSWORD", None)
    environment.update(env)
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "bayanat"), "governance", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=REPO,
    )


def test_the_cli_creates_the_first_national_admin(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases
) -> None:
    url = postgres_databases.create("governance")
    created = bayanat(
        url,
        "create-admin",
        "--email",
        "Chef@Gov.example",
        "--password-stdin",
        stdin="the first admin passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "national admin created: chef@gov.example" in created.stdout

    from_env = bayanat(
        url,
        "create-admin",
        "--email",
        "second@gov.example",
        "--name",
        "Second",
        BAYANAT_ADMIN_PASSWORD="another admin passphrase",
    )
    assert from_env.returncode == 0, from_env.stderr

    again = bayanat(
        url,
        "create-admin",
        "--email",
        "chef@gov.example",
        "--password-stdin",
        stdin="the first admin passphrase\n",
    )
    assert again.returncode == 1 and "already uses" in again.stderr
    weak = bayanat(
        url, "create-admin", "--email", "weak@gov.example", "--password-stdin", stdin="short\n"
    )
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    empty = bayanat(url, "create-admin", "--email", "e@gov.example", "--password-stdin")
    assert empty.returncode != 0 and "empty" in empty.stderr

    with running_governance(url, isolated_platform(kafka)) as harness:
        body = login(harness.client, "chef@gov.example", "the first admin passphrase")
        assert harness.codec.principal(body["access_token"]).is_admin
        login(harness.client, "second@gov.example", "another admin passphrase")
        with harness.session() as session:
            emails = sorted(a.email for a in session.exec(select(Account)).all())
        assert emails == ["chef@gov.example", "second@gov.example"]
