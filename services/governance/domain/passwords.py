"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106's second recommendation)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import AfterValidator, Field

from libs.fields import clean_line
from libs.http.problems import InvalidInput

_hasher = PasswordHasher()

PASSWORD_MAX = 1024


def typeable(password: str) -> str:
    """A password as typed: kept exactly (never normalised), but refused when it holds what no
    keyboard types and what could not be hashed as UTF-8 (a lone surrogate, a control
    character)."""
    clean_line(password)  # raises ValueError, which names the field in a 422
    return password


Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX), AfterValidator(typeable)]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("an unguessable string that never matches a real password")


def burn_verification_time(password: str) -> None:
    """Spends the time of a real verification, so that unknown emails do not answer faster."""
    verify_password(_dummy_hash(), password)


def check_strength(
    password: str, *, min_length: int, email: str | None = None, field: str = "password"
) -> None:
    if len(password) < min_length:
        raise InvalidInput(field, f"must be at least {min_length} characters long")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(field, f"must be at most {PASSWORD_MAX} characters long")
    if len(set(password)) < 4:
        raise InvalidInput(field, "must not repeat the same few characters")
    if email and password.strip().lower() in {email.lower(), email.split("@")[0].lower()}:
        raise InvalidInput(field, "must not be the email address")
