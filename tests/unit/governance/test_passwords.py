"""The password policy and the hashes."""

from __future__ import annotations

import pytest

from libs.http.problems import InvalidInput
from services.governance.domain.passwords import check_strength, hash_password, verify_password


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short pass", "at least 12 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("abababababab", "the same few characters"),
        ("Amina.Benali@Example.org", "not be the email address"),
        ("amina.benali", "not be the email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as refused:
        check_strength(
            password, min_length=12, email="amina.benali@example.org", field="new_password"
        )
    assert refused.value.extra["field"] == "new_password"


def test_a_long_varied_password_passes() -> None:
    check_strength("a long enough passphrase", min_length=12, email="amina@example.org")


def test_a_hash_verifies_its_password_only() -> None:
    hashed = hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough passphrase")
    assert not verify_password(hashed, "another passphrase")
    assert not verify_password("not a hash", "a long enough passphrase")
