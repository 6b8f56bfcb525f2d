"""Bulk downloads of the published catalogue's metadata, whole or per institution.

- ``/api/v1/exports/datasets.csv``: one row per published dataset.
- ``/api/v1/exports/resources.csv``: one row per resource of a published dataset.
- ``/api/v1/exports/datasets.jsonl``: one published dataset per line, with its resources.
- ``/api/v1/institutions/{id_or_slug}/exports/{datasets.csv|resources.csv|datasets.jsonl}``:
  the same for one institution.

Streamed as they are read (chunks of datasets, keyset pagination), always current (no cache
file), CSV in UTF-8 with a byte-order mark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from libs.db import utcnow
from libs.http.downloads import attachment
from libs.http.openapi import problems
from libs.uow import UnitOfWorkDep
from services.catalog.api.deps import units
from services.catalog.domain import exports
from services.catalog.domain.exports import EXPORTS, ExportKind, Links
from services.catalog.domain.institutions import get_institution
from services.catalog.models import Institution

router = APIRouter(tags=["Bulk downloads"])

DESCRIPTIONS = {
    "datasets.csv": (
        "CSV, one row per published dataset: "
        + ", ".join(exports.DATASET_COLUMNS)
        + ". Several values in one cell are separated by '|'. UTF-8 with a byte-order mark."
    ),
    "resources.csv": (
        "CSV, one row per resource of a published dataset: "
        + ", ".join(exports.RESOURCE_COLUMNS)
        + ". UTF-8 with a byte-order mark."
    ),
    "datasets.jsonl": (
        "JSON Lines, one published dataset per line with its institution, licence and resources."
    ),
}


def _responses(kind: ExportKind) -> dict[int | str, dict[str, Any]]:
    media_type = kind.media_type.split(";")[0]
    return {
        200: {
            "description": "Streamed; Content-Disposition names the file",
            "content": {media_type: {"schema": {"type": "string"}}},
        }
    }


def _download(
    request: Request, kind: ExportKind, institution: Institution | None
) -> StreamingResponse:
    links = Links(request.app.state.settings.base_url)
    filename = exports.export_filename(kind, institution, utcnow().date())
    body = exports.stream_export(
        units(request),
        kind,
        links,
        institution_id=institution.id if institution else None,
    )
    return StreamingResponse(
        body,
        media_type=kind.media_type,
        headers={
            "Content-Disposition": attachment(filename),
            "Cache-Control": "no-cache",
        },
    )


def _catalog_route(kind: ExportKind) -> Callable[..., StreamingResponse]:
    def export_catalog(request: Request) -> StreamingResponse:
        return _download(request, kind, None)

    export_catalog.__name__ = "export_" + kind.name.replace(".", "_")
    return export_catalog


def _institution_route(kind: ExportKind) -> Callable[..., StreamingResponse]:
    def export_institution(
        request: Request, id_or_slug: str, uow: UnitOfWorkDep
    ) -> StreamingResponse:
        # Checked before streaming starts, so that an unknown institution is a clean 404.
        institution = get_institution(uow.session, id_or_slug)
        return _download(request, kind, institution)

    export_institution.__name__ = "export_institution_" + kind.name.replace(".", "_")
    return export_institution


for _kind in EXPORTS.values():
    router.add_api_route(
        f"/api/v1/exports/{_kind.name}",
        _catalog_route(_kind),
        methods=["GET"],
        summary=f"The whole published catalogue: {_kind.name}",
        description=DESCRIPTIONS[_kind.name],
        response_class=StreamingResponse,
        responses=_responses(_kind),
    )
    router.add_api_route(
        f"/api/v1/institutions/{{id_or_slug}}/exports/{_kind.name}",
        _institution_route(_kind),
        methods=["GET"],
        summary=f"One institution's published datasets: {_kind.name}",
        description=DESCRIPTIONS[_kind.name],
        response_class=StreamingResponse,
        responses={
            **_responses(_kind),
            **problems(s404="Unknown institution"),
        },
    )
