"""API keys: found by their prefix, checked against their digest, refused once revoked or
expired, listed without their secret."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from libs.auth import Principal
from libs.http.pagination import PageParams
from libs.http.problems import Conflict, NotFound, Unauthorized
from services.reuse.domain import keys
from services.reuse.domain.keys import KeyRequest
from services.reuse.settings import ReuseSettings
from tests.support.units import SqliteUnits
from tests.unit.reuse.conftest import make_developer

SETTINGS = ReuseSettings(key_lifetime_days=30, max_keys_per_developer=2)
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def create(units: SqliteUnits, actor: Principal, name: str = "my app", **fields: int) -> str:
    with units() as uow:
        _, issued = keys.create_api_key(
            uow, actor, request=KeyRequest(name=name, **fields), settings=SETTINGS, now=NOW
        )
        uow.commit()
    return issued.key


def authenticate(units: SqliteUnits, key: str, at: datetime = NOW) -> keys.KeyHolder:
    with units() as uow:
        holder = keys.authenticate_api_key(uow, key=key, now=at)
        uow.commit()
    return holder


def test_a_key_is_stored_as_its_prefix_and_digest_and_authenticates_its_developer(
    units: SqliteUnits,
) -> None:
    developer = make_developer(units)
    key = create(units, developer)
    holder = authenticate(units, key)
    assert holder.principal.subject == developer.subject
    assert holder.principal.kind == "developer"
    with units() as uow:
        (row,) = keys.list_api_keys(uow, developer, PageParams()).items
        assert key.startswith(f"bk_{row.prefix}_") and key not in (row.digest, row.prefix)
        assert row.expires_at == NOW + timedelta(days=30)
        assert row.last_used_at == NOW


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # same prefix, other secret
        lambda key: key[:20],  # malformed
        lambda key: "bk_" + "0" * 12 + key[15:],  # unknown prefix
        lambda key: key.upper(),
    ],
)
def test_anything_but_the_exact_key_is_refused(
    units: SqliteUnits, tamper: Callable[[str], str]
) -> None:
    key = create(units, make_developer(units))
    with pytest.raises(Unauthorized) as refused:
        authenticate(units, tamper(key))
    assert refused.value.code == "invalid-api-key"


def test_a_revoked_key_is_refused_at_once_and_an_expired_one_too(units: SqliteUnits) -> None:
    developer = make_developer(units)
    revoked, kept = (
        create(units, developer, "old"),
        create(units, developer, "new", expires_in_days=1),
    )
    with units() as uow:
        (target,) = [
            k for k in keys.list_api_keys(uow, developer, PageParams()).items if k.name == "old"
        ]
        keys.revoke_api_key(uow, developer, key_id=target.id, now=NOW)
        uow.commit()
    with pytest.raises(Unauthorized) as refused:
        authenticate(units, revoked)
    assert refused.value.code == "api-key-revoked"
    authenticate(units, kept)
    with pytest.raises(Unauthorized) as expired:
        authenticate(units, kept, at=NOW + timedelta(days=1))
    assert expired.value.code == "api-key-expired"


def test_last_use_is_kept_to_the_minute(units: SqliteUnits) -> None:
    developer = make_developer(units)
    key = create(units, developer)
    authenticate(units, key, NOW)
    authenticate(units, key, NOW + timedelta(seconds=30))
    with units() as uow:
        (row,) = keys.list_api_keys(uow, developer, PageParams()).items
        assert row.last_used_at == NOW
    authenticate(units, key, NOW + timedelta(minutes=2))
    with units() as uow:
        (row,) = keys.list_api_keys(uow, developer, PageParams()).items
        assert row.last_used_at == NOW + timedelta(minutes=2)


def test_a_developer_holds_a_bounded_number_of_active_keys_and_only_revokes_their_own(
    units: SqliteUnits,
) -> None:
    developer, other = make_developer(units), make_developer(units)
    create(units, developer, "a")
    create(units, developer, "b", expires_in_days=400)
    with pytest.raises(Conflict) as refused:
        create(units, developer, "c")
    assert refused.value.code == "too-many-keys"
    with units() as uow:
        page = keys.list_api_keys(uow, developer, PageParams())
        assert sorted(k.name for k in page.items) == ["a", "b"]
        longest = max(k.expires_at for k in page.items if k.expires_at)
        assert longest == NOW + timedelta(days=30), "capped to the configured lifetime"
        with pytest.raises(NotFound):
            keys.revoke_api_key(uow, other, key_id=page.items[0].id)
