"""Governance's OpenAPI document tells the truth about errors: every operation documents the
problems its domain answers, 422 where it takes input, 401 where it takes credentials, each as
application/problem+json, and no FastAPI HTTPValidationError anywhere."""

from __future__ import annotations

from typing import Any

import pytest

from services.governance.app import create_app
from services.governance.settings import GovernanceSettings
from tests.support.openapi import (
    assert_no_validation_error_schema,
    assert_problems_documented,
    operations,
    served_document,
)

# What each operation's own domain may answer, read from its code (access rules: 403; lookups:
# 404; state: 409; the login rate limit: 429; the guide not seeded: 503). A new operation must
# be added here.
DOMAIN_PROBLEMS: dict[tuple[str, str], set[int]] = {
    ("post", "/api/v1/auth/login"): {401, 429},
    ("post", "/api/v1/auth/refresh"): {401},
    ("post", "/api/v1/auth/logout"): {401},
    ("get", "/api/v1/auth/me"): {404},
    ("post", "/api/v1/accounts"): {403, 409},
    ("get", "/api/v1/accounts"): {403},
    ("get", "/api/v1/accounts/me"): {404},
    ("get", "/api/v1/accounts/{account_id}"): {403, 404},
    ("patch", "/api/v1/accounts/{account_id}"): {403, 404, 409},
    ("post", "/api/v1/accounts/{account_id}/password"): {403, 404},
    ("post", "/api/v1/accounts/{account_id}/roles"): {403, 404, 409},
    ("delete", "/api/v1/accounts/{account_id}/roles/{institution_id}/{role}"): {403, 404},
    ("post", "/api/v1/institutions"): {403, 409},
    ("get", "/api/v1/institutions"): set(),
    ("get", "/api/v1/institutions/{institution_id}"): {404},
    ("patch", "/api/v1/institutions/{institution_id}"): {403, 404, 409},
    ("post", "/api/v1/institutions/{institution_id}/enrol"): {403, 404, 409},
    ("post", "/api/v1/institutions/{institution_id}/withdraw"): {403, 404, 409},
    ("get", "/api/v1/institutions/{institution_id}/members"): {403, 404},
    ("get", "/api/v1/institutions/{institution_id}/overdue"): {404},
    ("get", "/api/v1/institutions/{institution_id}/dashboard"): {403, 404},
    ("get", "/api/v1/reviews"): {403},
    ("get", "/api/v1/reviews/{review_id}"): {403, 404},
    ("get", "/api/v1/reviews/{review_id}/history"): {403, 404},
    ("get", "/api/v1/reviews/{review_id}/quality"): {403, 404},
    ("put", "/api/v1/reviews/{review_id}/checklist"): {403, 404, 409},
    ("post", "/api/v1/reviews/{review_id}/comments"): {403, 404, 409},
    ("post", "/api/v1/reviews/{review_id}/request-changes"): {403, 404, 409},
    ("post", "/api/v1/reviews/{review_id}/approve"): {403, 404, 409},
    ("post", "/api/v1/reviews/{review_id}/checks"): {403, 404, 409},
    ("get", "/api/v1/guide"): {503},
    ("put", "/api/v1/guide"): {403, 409, 503},
    ("get", "/api/v1/guide/versions"): set(),
    ("get", "/api/v1/guide/versions/{number}"): {404},
    ("get", "/api/v1/quality/checks"): set(),
    ("get", "/api/v1/schedules"): set(),
    ("post", "/api/v1/schedules/check"): {403},
    ("get", "/api/v1/audit"): {403},
    ("get", "/healthz"): set(),
    ("get", "/readyz"): set(),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return served_document(create_app(GovernanceSettings(database_url="sqlite://")))


def test_every_operation_documents_its_problems_as_problem_json(
    document: dict[str, Any],
) -> None:
    assert_problems_documented(document, DOMAIN_PROBLEMS)


def test_credentials_are_documented_where_an_account_is_needed(
    document: dict[str, Any],
) -> None:
    ops = operations(document)
    for key in DOMAIN_PROBLEMS:
        if 403 in DOMAIN_PROBLEMS[key] or key[1].endswith("/me"):
            assert ops[key].get("security"), f"{key} takes no credentials"


def test_no_fastapi_validation_error_is_left(document: dict[str, Any]) -> None:
    assert_no_validation_error_schema(document)
