"""Checks of a service's OpenAPI document: every operation documents the problems its domain
answers and those the platform's layers add (libs/http/openapi.py), each as
application/problem+json, and no FastAPI HTTPValidationError is left."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

PROBLEM = {"schema": {"$ref": "#/components/schemas/Problem"}}
CKAN_FAILURE = {"schema": {"$ref": "#/components/schemas/CkanFailure"}}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def served_document(app: FastAPI) -> dict[str, Any]:
    """The document the app serves at /openapi.json (without its lifespan: nothing runs)."""
    response = TestClient(app).get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def assert_problems_documented(
    document: dict[str, Any],
    domain_problems: dict[tuple[str, str], set[int]],
    ckan_envelope: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """Each operation documents exactly its domain's problems plus the platform's: 400 and
    414 always, 422 where it takes input, 413 where it takes a body, 401 where it takes
    credentials; each as a problem. The operations in ``ckan_envelope`` answer their own
    errors in CKAN's envelope (application/json), the platform's beside them as problems."""
    found = operations(document)
    assert set(found) == set(domain_problems)
    for key, operation in found.items():
        responses = operation["responses"]
        documented = {int(status) for status in responses if int(status) >= 400}
        takes_input = bool(operation.get("parameters")) or "requestBody" in operation
        expected = set(domain_problems[key]) | {400, 414}
        if takes_input:
            expected.add(422)
        if "requestBody" in operation:
            expected.add(413)
        if operation.get("security"):
            expected.add(401)
        assert expected <= documented, f"{key} lacks {sorted(expected - documented)}"
        assert documented <= expected, f"{key} documents {sorted(documented - expected)}"
        for status in documented:
            content = responses[str(status)]["content"]
            if key in ckan_envelope and status in domain_problems[key] | {400}:
                assert content.get("application/json") == CKAN_FAILURE, (key, status)
                content = {k: v for k, v in content.items() if k != "application/json"}
                if not content:
                    continue
            assert content == {"application/problem+json": PROBLEM}, (key, status)


def assert_no_validation_error_schema(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert "HTTPValidationError" not in text and "ValidationError" not in text
    assert "Problem" in document["components"]["schemas"]
