"""The catalog's OpenAPI document tells the truth about errors: every operation documents the
problems its domain answers, 422 where it takes input, 401 where it takes credentials, 413
where it takes a body, each as application/problem+json, and no FastAPI HTTPValidationError
anywhere."""

from __future__ import annotations

from typing import Any

import pytest

from services.catalog.app import create_app
from services.catalog.settings import CatalogSettings
from tests.support.openapi import (
    assert_no_validation_error_schema,
    assert_problems_documented,
    operations,
    served_document,
)

WRITE = {403, 404, 409}
# What each operation's own domain may answer, read from its code (lookups: 404; access: 403;
# state or a taken name: 409; an event too large: 413; not acceptable: 406; ranges: 416; a
# signed URL altered or expired: 403). A new operation must be added here.
DOMAIN_PROBLEMS: dict[tuple[str, str], set[int]] = {
    ("get", "/healthz"): set(),
    ("get", "/readyz"): set(),
    ("get", "/catalog.ttl"): {404},
    ("get", "/catalog.rdf"): {404},
    ("get", "/catalog.jsonld"): {404},
    ("get", "/catalog"): {404, 406},
    ("get", "/api/v1/datasets/{id_or_slug}.ttl"): {404},
    ("get", "/api/v1/datasets/{id_or_slug}.rdf"): {404},
    ("get", "/api/v1/datasets/{id_or_slug}.jsonld"): {404},
    ("get", "/api/v1/datasets/{id_or_slug}/dcat"): {404, 406},
    ("get", "/api/v1/exports/datasets.csv"): set(),
    ("get", "/api/v1/exports/resources.csv"): set(),
    ("get", "/api/v1/exports/datasets.jsonl"): set(),
    ("get", "/api/v1/institutions/{id_or_slug}/exports/datasets.csv"): {404},
    ("get", "/api/v1/institutions/{id_or_slug}/exports/resources.csv"): {404},
    ("get", "/api/v1/institutions/{id_or_slug}/exports/datasets.jsonl"): {404},
    ("get", "/api/v1/datasets"): set(),
    ("post", "/api/v1/datasets"): WRITE,
    ("get", "/api/v1/datasets/{id_or_slug}"): {404},
    ("patch", "/api/v1/datasets/{id_or_slug}"): WRITE,
    ("delete", "/api/v1/datasets/{id_or_slug}"): WRITE,
    ("get", "/api/v1/me/datasets"): set(),
    ("post", "/api/v1/datasets/{id_or_slug}/submit"): WRITE | {413},
    ("post", "/api/v1/datasets/{id_or_slug}/withdraw"): WRITE,
    ("post", "/api/v1/datasets/{id_or_slug}/resources"): WRITE | {413},
    ("get", "/api/v1/datasets/{id_or_slug}/resources/{resource_id}"): {404},
    ("patch", "/api/v1/datasets/{id_or_slug}/resources/{resource_id}"): WRITE,
    ("delete", "/api/v1/datasets/{id_or_slug}/resources/{resource_id}"): WRITE,
    ("post", "/api/v1/datasets/{id_or_slug}/data-updates"): WRITE | {413},
    ("get", "/api/v1/datasets/{id_or_slug}/resources/{resource_id}/download"): {403, 404, 416},
    ("get", "/api/v1/institutions"): set(),
    ("get", "/api/v1/institutions/{id_or_slug}"): {404},
    ("get", "/api/v1/institutions/{id_or_slug}/datasets"): {404},
    ("get", "/api/v1/themes"): set(),
    ("get", "/api/v1/licenses"): set(),
    ("get", "/api/v1/tags"): set(),
    # CKAN's actions answer their own errors in CKAN's envelope (CKAN_ACTIONS below).
    ("get", "/api/3/action/{name}"): {403, 404, 409},
    ("post", "/api/3/action/{name}"): {403, 404, 409},
    ("get", "/api/action/{name}"): {403, 404, 409},
    ("post", "/api/action/{name}"): {403, 404, 409},
    # harvesting: admins only
    ("get", "/api/v1/harvest/sources"): {403},
    ("post", "/api/v1/harvest/sources"): {403, 409},
    ("get", "/api/v1/harvest/sources/{ref}"): {403, 404},
    ("patch", "/api/v1/harvest/sources/{ref}"): {403, 404},
    ("delete", "/api/v1/harvest/sources/{ref}"): {403, 404, 409},
    ("get", "/api/v1/harvest/sources/{ref}/jobs"): {403, 404},
    ("post", "/api/v1/harvest/sources/{ref}/jobs"): {403, 404, 409},
    ("get", "/api/v1/harvest/jobs/{job_id}"): {403, 404},
    ("get", "/api/v1/harvest/jobs/{job_id}/errors"): {403, 404},
}
CKAN_ACTIONS = frozenset(
    (method, path)
    for method in ("get", "post")
    for path in ("/api/3/action/{name}", "/api/action/{name}")
)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return served_document(create_app(CatalogSettings(database_url="sqlite://")))


def test_every_operation_documents_its_problems_as_problem_json(
    document: dict[str, Any],
) -> None:
    assert_problems_documented(document, DOMAIN_PROBLEMS, CKAN_ACTIONS)


def test_every_write_takes_credentials_and_a_body_where_it_has_one(
    document: dict[str, Any],
) -> None:
    for (method, path), operation in operations(document).items():
        if method in {"post", "patch", "delete"} and path.startswith("/api/v1/"):
            assert operation.get("security"), f"{method} {path} takes no credentials"
    ckan_post = operations(document)[("post", "/api/3/action/{name}")]
    assert "application/json" in ckan_post["requestBody"]["content"]


def test_no_fastapi_validation_error_is_left(document: dict[str, Any]) -> None:
    assert_no_validation_error_schema(document)
