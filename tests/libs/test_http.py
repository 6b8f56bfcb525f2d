"""The HTTP conventions every service shares, on a small app built with the same pieces."""

import uuid
from datetime import timedelta

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from libs.auth import CurrentPrincipal, Principal, Role, RoleGrant, TokenCodec
from libs.http.observability import RequestContextMiddleware, metrics_router
from libs.http.pagination import Page, PageParams, page_params
from libs.http.problems import InvalidInput, NotFound, install_problem_handlers
from libs.settings import PlatformSettings, ServiceSettings


class Thing(BaseModel):
    name: str = Field(min_length=2)
    size: int = Field(ge=0)


def build_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = ServiceSettings()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service="probe")
    app.include_router(metrics_router)

    @app.post("/things")
    def create(thing: Thing, principal: CurrentPrincipal) -> dict[str, str]:
        if thing.name == "taken":
            raise InvalidInput("name", "already taken")
        return {"by": str(principal.subject)}

    @app.get("/things/{name}")
    def show(name: str) -> dict[str, str]:
        raise NotFound(f"no thing named {name!r}")

    @app.get("/numbers")
    def numbers(params: PageParams = Depends(page_params)) -> Page[int]:
        values = list(range(45))
        return Page.of(values[params.offset : params.offset + params.limit], len(values), params)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    return app


client = TestClient(build_app(), raise_server_exceptions=False)


def token() -> str:
    principal = Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])
    return TokenCodec(PlatformSettings()).encode(principal, lifetime=timedelta(minutes=1))


def test_validation_errors_are_problems_naming_the_field() -> None:
    response = client.post(
        "/things", json={"name": "x", "size": -1}, headers={"Authorization": f"Bearer {token()}"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {e["field"] for e in body["errors"]} == {"name", "size"}
    assert "name:" in body["detail"] and body["status"] == 422


def test_domain_errors_are_problems() -> None:
    response = client.post(
        "/things", json={"name": "taken", "size": 1}, headers={"Authorization": f"Bearer {token()}"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "name"
    assert response.json()["type"].endswith("/invalid-input")
    missing = client.get("/things/nope")
    assert missing.status_code == 404 and missing.json()["detail"] == "no thing named 'nope'"


def test_writes_without_a_token_are_refused() -> None:
    response = client.post("/things", json={"name": "ok", "size": 1})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    forged = client.post(
        "/things", json={"name": "ok", "size": 1}, headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert forged.status_code == 401 and forged.json()["type"].endswith("/invalid-token")


def test_an_unexpected_error_is_a_problem_too() -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "unexpected" not in response.text  # no internals leak


def test_pagination_and_request_ids() -> None:
    response = client.get("/numbers", params={"page": 3, "page_size": 20})
    assert response.json() == {
        "items": list(range(40, 45)),
        "total": 45,
        "page": 3,
        "page_size": 20,
        "pages": 3,
    }
    assert len(response.headers["x-request-id"]) == 32
    echoed = client.get("/numbers", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    too_big = client.get("/numbers", params={"page_size": 1000})
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "page_size"


def test_prometheus_metrics_count_requests_by_route() -> None:
    client.get("/things/a")
    text = client.get("/metrics").text
    assert 'bayanat_http_requests_total{method="GET",route="/things/{name}",service="probe"' in text
