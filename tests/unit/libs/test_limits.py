"""Request bounds (libs/http/limits.py) and the problems the OpenAPI document promises."""

from __future__ import annotations

import json

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel

from libs.auth import CurrentPrincipal
from libs.http.limits import InputLimits, InputLimitsMiddleware, json_depth_exceeds
from libs.http.observability import RequestContextMiddleware
from libs.http.openapi import document_problems, problems
from libs.http.pagination import PageParams, page_params
from libs.http.problems import NotFound, install_problem_handlers
from libs.settings import ServiceSettings


class Note(BaseModel):
    text: str
    items: list[object] = []


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = ServiceSettings()
    install_problem_handlers(app)
    app.add_middleware(
        InputLimitsMiddleware,
        limits=InputLimits(max_body_bytes=2048, max_json_depth=8, max_query_params=5),
    )
    app.add_middleware(RequestContextMiddleware, service="unit")

    @app.post("/notes", responses=problems(409))
    def create(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @app.get("/notes")
    def listing(params: PageParams = Depends(page_params), q: str | None = Query(None)) -> int:
        return params.offset

    @app.get("/notes/{note_id}", responses=problems(404))
    def one(note_id: int, actor: CurrentPrincipal) -> int:
        raise NotFound(f"no note {note_id}")

    @app.post("/upload")
    async def upload() -> str:
        return "streamed by the route"

    document_problems(app)
    return app


client = TestClient(make_app())


def test_a_declared_body_above_the_limit_is_refused_before_it_is_read() -> None:
    response = client.post("/notes", json={"text": "x" * 4096})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["limit"] == 2048


def test_a_streamed_body_above_the_limit_is_refused_as_it_arrives() -> None:
    def chunks():
        yield b'{"text": "'
        yield b"x" * 4096
        yield b'"}'

    response = client.post("/notes", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_uploads_are_left_to_their_route() -> None:
    response = client.post("/upload", files={"file": ("a.csv", b"a,b\n" * 2000, "text/csv")})
    assert response.status_code == 200


def test_deep_json_is_refused_and_ordinary_json_passes() -> None:
    deep = {"text": "x", "items": json.loads("[" * 20 + "]" * 20)}
    response = client.post("/notes", json=deep)
    assert response.status_code == 400
    assert response.json()["type"].endswith("json-too-deep")
    assert client.post("/notes", json={"text": "ok", "items": [[1], [2]]}).json() == {"length": 2}


@pytest.mark.parametrize(
    ("body", "deeper"),
    [(b"[[[]]]", False), (b"[" * 9 + b"]" * 9, True), (b'{"a": "[[[[[[[[[["}', False)],
)
def test_json_depth(body: bytes, deeper: bool) -> None:
    assert json_depth_exceeds(body, 8) is deeper


def test_too_many_query_parameters_and_huge_pages_are_refused() -> None:
    assert client.get("/notes?" + "&".join(f"q={n}" for n in range(6))).status_code == 400
    assert client.get("/notes", params={"page": 10**30}).status_code == 422
    assert client.get("/notes", params={"page": 3, "page_size": 10}).json() == 20
    assert client.get("/notes?q=" + "x" * 9000).status_code == 414


def test_every_answer_says_nosniff_and_errors_are_problems() -> None:
    response = client.get("/notes/1", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.post("/notes", json={"text": "x" * 4096}).headers["x-content-type-options"]


def test_the_openapi_document_lists_every_problem_as_problem_json() -> None:
    paths = client.get("/openapi.json").json()["paths"]
    create = paths["/notes"]["post"]["responses"]
    assert {"400", "409", "413", "414", "422"} <= set(create)
    one = paths["/notes/{note_id}"]["get"]["responses"]
    assert {"401", "404", "422"} <= set(one)
    for operation in (create, one):
        for status, response in operation.items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"type", "title", "status", "detail"} <= set(schemas["Problem"]["properties"])
