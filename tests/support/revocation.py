"""The changes that revoke an account's access tokens, made through governance's API, and a
wait for a service to refuse a token.

Governance decides revocations; every service must then refuse the revoked tokens within
seconds. A test of any service takes a :class:`Signed` account (an access and a refresh token
of one login), applies a :data:`CAUSES` entry through governance, and waits with
:func:`refused_within` for its own service to answer 401 ``token-revoked``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from fastapi.testclient import TestClient


@dataclass(frozen=True)
class Signed:
    """An account signed in: one login's tokens, and the role it holds."""

    account_id: uuid.UUID
    access_token: str
    refresh_token: str
    institution_id: uuid.UUID
    role: str


# governance's client, the admin's headers, the login to revoke
Act = Callable[[TestClient, dict[str, str], Signed], None]


@dataclass(frozen=True)
class Cause:
    name: str
    reason: str  # TokensRevoked.reason
    every_session: bool  # else: only the login it was given
    act: Act


def _expect(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, f"expected {status}: {response.text}"


def _deactivate(client: TestClient, admin: dict[str, str], signed: Signed) -> None:
    response = client.patch(
        f"/api/v1/accounts/{signed.account_id}", json={"active": False}, headers=admin
    )
    _expect(response, 200)


def _remove_role(client: TestClient, admin: dict[str, str], signed: Signed) -> None:
    path = f"/api/v1/accounts/{signed.account_id}/roles/{signed.institution_id}/{signed.role}"
    _expect(client.delete(path, headers=admin), 204)


def _log_out(client: TestClient, admin: dict[str, str], signed: Signed) -> None:
    body = {"refresh_token": signed.refresh_token}
    _expect(client.post("/api/v1/auth/logout", json=body), 204)


def _replay_refresh_token(client: TestClient, admin: dict[str, str], signed: Signed) -> None:
    body = {"refresh_token": signed.refresh_token}
    _expect(client.post("/api/v1/auth/refresh", json=body), 200)
    _expect(client.post("/api/v1/auth/refresh", json=body), 401)  # a copy: the family ends


CAUSES = [
    Cause("deactivation", "deactivated", True, _deactivate),
    Cause("role removed", "roles_changed", True, _remove_role),
    Cause("logout", "logout", False, _log_out),
    Cause("refresh family revoked", "session_revoked", False, _replay_refresh_token),
]


def refused_within(
    request: Callable[[], httpx.Response], *, timeout: float, poll: float = 0.05
) -> float:
    """Repeats ``request`` (which succeeds until then) until it answers 401
    ``token-revoked``; the seconds it took."""
    started = time.monotonic()
    while True:
        response = request()
        if response.status_code == 401:
            assert response.json()["type"].endswith("/token-revoked"), response.text
            return time.monotonic() - started
        assert response.status_code < 400, response.text
        if time.monotonic() - started > timeout:
            raise AssertionError(f"the token still works after {timeout}s")
        time.sleep(poll)
