"""National admins edit the definitions through the API; everyone else reads them."""

from __future__ import annotations

from tests.metrics.conftest import MetricsHarness
from tests.support.metrics_scenario import SEEDED_OVERALL_PROGRESS

COMMITMENT = "/api/v1/commitments/open-data-2018-2020"


def test_the_seeded_commitment_and_its_overall_progress(metrics: MetricsHarness) -> None:
    commitment = metrics.get(COMMITMENT, as_of="2020-08-31")
    assert commitment["overall_progress"] == SEEDED_OVERALL_PROGRESS
    assert [a["progress"] for a in commitment["activities"]] == [100, 100, 90, 100, 90, 100, 90]
    assert [a["schedule"] for a in commitment["activities"]].count("late") == 3
    assert commitment["title"]["fr"].startswith("Renforcer la publication")
    assert (commitment["start"], commitment["end"]) == ("2018-08-01", "2020-08-31")


def test_editing_needs_a_national_admin(
    metrics: MetricsHarness, steward_headers: dict[str, str]
) -> None:
    body = {"position": 9}
    assert (
        metrics.client.patch("/api/v1/indicators/datasets_published", json=body).status_code == 401
    )
    refused = metrics.client.patch(
        "/api/v1/indicators/datasets_published", json=body, headers=steward_headers
    )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("national-admin-required")


def test_an_admin_reports_an_activity_and_adds_a_period(
    metrics: MetricsHarness, admin_headers: dict[str, str]
) -> None:
    activity = metrics.get(COMMITMENT)["activities"][2]
    reported = metrics.client.patch(
        f"{COMMITMENT}/activities/{activity['id']}",
        json={"status": "done", "progress": 100, "completed_on": "2020-02-01"},
        headers=admin_headers,
    )
    assert reported.status_code == 200, reported.text
    assert reported.json()["overall_progress"] == round((100 * 5 + 90 * 2) / 7, 2)
    assert reported.json()["activities"][2]["schedule"] == "done_late"

    period = metrics.client.post(
        "/api/v1/indicators/datasets_published/periods",
        json={
            "baseline": 300,
            "baseline_date": "2021-01-01",
            "target": 600,
            "target_date": "2023-12-31",
            "label": {"fr": "Plan d'action 2021-2023"},
        },
        headers=admin_headers,
    )
    assert period.status_code == 201, period.text
    indicator = metrics.get("/api/v1/indicators/datasets_published", as_of="2022-01-01")
    assert [p["target"] for p in indicator["periods"]] == [300, 600]
    assert indicator["period"]["target"] == 600


def test_bad_definitions_are_refused_precisely(
    metrics: MetricsHarness, admin_headers: dict[str, str]
) -> None:
    cases = [
        (
            "post",
            "/api/v1/indicators",
            {
                "code": "Bad Code",
                "name": {"fr": "x"},
                "unit": {"fr": "x"},
                "measure": "datasets_published",
            },
            422,
        ),
        (
            "post",
            "/api/v1/indicators",
            {"code": "fine_code", "name": {"fr": "x"}, "unit": {"fr": "x"}, "measure": "nothing"},
            422,
        ),
        (
            "post",
            "/api/v1/indicators",
            {
                "code": "datasets_published",
                "name": {"fr": "x"},
                "unit": {"fr": "x"},
                "measure": "datasets_published",
            },
            409,
        ),
        ("patch", "/api/v1/indicators/datasets_published", {"name": {"fr": "x\u0000y"}}, 422),
        ("patch", "/api/v1/indicators/nothing", {"position": 1}, 404),
        (
            "post",
            "/api/v1/indicators/datasets_published/periods",
            {
                "baseline": 1,
                "baseline_date": "2020-01-01",
                "target": "Infinity",
                "target_date": "2021-01-01",
            },
            422,
        ),
        (
            "post",
            f"{COMMITMENT}/activities",
            {"title": {"fr": "x"}, "start": "2020-02-01", "end": "2020-01-01"},
            422,
        ),
        (
            "post",
            f"{COMMITMENT}/activities",
            {"title": {"fr": "x"}, "start": "2020-01-01", "end": "2020-02-01", "progress": 101},
            422,
        ),
        ("put", "/api/v1/labels/institution/x", {"name": {"fr": "x"}}, 422),
    ]
    for method, path, body, status in cases:
        response = metrics.client.request(method, path, json=body, headers=admin_headers)
        assert response.status_code == status, (path, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    created = metrics.client.post(
        "/api/v1/indicators",
        json={
            "code": "reuses_public",
            "name": {"fr": "Réutilisations publiques", "ar": "إعادة الاستعمال"},
            "unit": {"fr": "réutilisations"},
            "measure": "reuses_declared",
            "moved_by": ["ma.gov.data.reuse.declared.v2"],
        },
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["value"] == 0 and created.json()["kind"] == "count"
    assert (
        metrics.client.delete("/api/v1/indicators/reuses_public", headers=admin_headers).status_code
        == 204
    )
    assert metrics.client.get("/api/v1/indicators/reuses_public").status_code == 404


def test_the_openapi_document_lists_the_routes(metrics: MetricsHarness) -> None:
    paths = metrics.get("/openapi.json")["paths"]
    for path in (
        "/api/v1/indicators",
        "/api/v1/indicators/{code}/history",
        "/api/v1/indicators/{code}/breakdowns/{dimension}",
        "/api/v1/commitments/{code}/activities/{activity_id}",
        "/api/v1/dashboard",
        "/api/v1/institutions/{slug}",
        "/api/v1/exports/indicators.{extension}",
    ):
        assert path in paths


def test_a_required_field_sent_as_null_is_refused_naming_it(
    metrics: MetricsHarness, admin_headers: dict[str, str]
) -> None:
    for path, field in (
        ("/api/v1/indicators/datasets_published", "name"),
        (COMMITMENT, "title"),
    ):
        refused = metrics.client.patch(path, json={field: None}, headers=admin_headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [{"field": field, "message": "cannot be null"}]
    assert metrics.get("/api/v1/indicators/datasets_published")["name"]["fr"]
