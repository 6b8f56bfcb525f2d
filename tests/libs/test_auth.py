import time
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from libs.auth import (
    ApiKeyCredential,
    OptionalPrincipal,
    Principal,
    Role,
    RoleGrant,
    TokenCodec,
    api_key_matches,
    api_key_prefix,
    generate_api_key,
    hash_api_key,
)
from libs.http.problems import Unauthorized, install_problem_handlers
from libs.settings import PlatformSettings, ServiceSettings

INSTITUTION_A = uuid.uuid4()
INSTITUTION_B = uuid.uuid4()


def steward_of(institution: uuid.UUID) -> Principal:
    return Principal(
        subject=uuid.uuid4(), grants=[RoleGrant(role=Role.STEWARD, institution_id=institution)]
    )


def test_a_token_round_trips_with_its_role_grants() -> None:
    codec = TokenCodec(PlatformSettings(jwt_secret="s" * 32))
    principal = steward_of(INSTITUTION_A)
    principal.session_id = uuid.uuid4()
    before = time.time()
    decoded = codec.principal(codec.encode(principal, lifetime=timedelta(minutes=5)))
    # Decoding adds when the token was issued, with its fraction of a second (revocations
    # compare it with the moment they take effect).
    assert decoded.issued_at is not None and before <= decoded.issued_at <= time.time()
    assert decoded.model_copy(update={"issued_at": None}) == principal
    assert decoded.has_role(Role.STEWARD, INSTITUTION_A)
    assert not decoded.has_role(Role.STEWARD, INSTITUTION_B)
    assert not decoded.has_role(Role.REVIEWER, INSTITUTION_A)


def test_a_national_admin_holds_every_role() -> None:
    admin = Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])
    assert admin.is_admin and admin.has_role(Role.REVIEWER, INSTITUTION_B)


def test_expired_forged_and_foreign_tokens_are_refused() -> None:
    codec = TokenCodec(PlatformSettings(jwt_secret="s" * 32))
    principal = steward_of(INSTITUTION_A)
    expired = codec.encode(principal, lifetime=timedelta(seconds=-1))
    with pytest.raises(Unauthorized) as error:
        codec.principal(expired)
    assert error.value.code == "token-expired"

    forger = TokenCodec(PlatformSettings(jwt_secret="f" * 32))
    with pytest.raises(Unauthorized, match="Signature verification failed"):
        codec.principal(forger.encode(principal, lifetime=timedelta(minutes=5)))

    other_audience = TokenCodec(PlatformSettings(jwt_secret="s" * 32, jwt_audience="elsewhere"))
    with pytest.raises(Unauthorized, match=r"(?i)audience"):
        codec.principal(other_audience.encode(principal, lifetime=timedelta(minutes=5)))

    refresh = codec.encode(principal, lifetime=timedelta(minutes=5), token_type="refresh")
    with pytest.raises(Unauthorized, match="access token"):
        codec.principal(refresh)


def test_rs256_services_verify_with_the_public_key_only() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    issuer = TokenCodec(
        PlatformSettings(jwt_algorithm="RS256", jwt_private_key=private, jwt_public_key=public)
    )
    verifier = TokenCodec(PlatformSettings(jwt_algorithm="RS256", jwt_public_key=public))
    principal = steward_of(INSTITUTION_A)
    token = issuer.encode(principal, lifetime=timedelta(minutes=5))
    assert verifier.principal(token).model_copy(update={"issued_at": None}) == principal
    with pytest.raises(ValueError, match="signing key"):
        verifier.encode(principal, lifetime=timedelta(minutes=5))


def test_api_keys_are_stored_as_digests_and_checked() -> None:
    issued = generate_api_key()
    key, digest = issued.key, issued.digest
    assert key.startswith(f"bk_{issued.prefix}_") and key not in digest
    assert api_key_prefix(key) == issued.prefix and len(issued.prefix) == 12
    assert digest == hash_api_key(key)
    assert api_key_matches(key, digest)
    assert not api_key_matches(key + "x", digest)
    for malformed in (key + "x", key[:-1], key.replace("bk_", "bx_"), "bk_" + "0" * 12):
        assert api_key_prefix(malformed) is None


def test_an_api_key_is_read_from_either_header_and_never_taken_for_a_jwt() -> None:
    app = FastAPI()
    app.state.settings = ServiceSettings()
    install_problem_handlers(app)

    @app.get("/who")
    def who(key: ApiKeyCredential, principal: OptionalPrincipal) -> dict[str, str | None]:
        return {"key": key, "subject": str(principal.subject) if principal else None}

    key = generate_api_key().key
    client = TestClient(app)
    assert client.get("/who", headers={"X-API-Key": key}).json() == {"key": key, "subject": None}
    as_bearer = client.get("/who", headers={"Authorization": f"Bearer {key}"})
    assert as_bearer.json() == {"key": key, "subject": None}
    assert client.get("/who").json() == {"key": None, "subject": None}
    # Any other bearer credential is a JWT, and a bad one is refused.
    refused = client.get("/who", headers={"Authorization": "Bearer not-a-key"})
    assert refused.status_code == 401
