"""Bulk downloads of the published catalogue's metadata, whole or per organisation.

- ``/api/v1/exports/datasets.csv``: one row per published dataset.
- ``/api/v1/exports/resources.csv``: one row per resource of a published dataset.
- ``/api/v1/exports/datasets.jsonl``: one published dataset per line, with its resources.
- ``/api/v1/organizations/{id_or_name}/exports/{datasets.csv|resources.csv|datasets.jsonl}``:
  the same for one organisation.

Streamed as they are read (chunks of datasets, keyset pagination), always current (no cache
file), CSV in UTF-8 with a byte-order mark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from libs.db import utcnow
from libs.uow import UnitOfWorkDep
from services.catalog.api.deps import units
from services.catalog.domain import exports
from services.catalog.domain.exports import EXPORTS, ExportKind, Links
from services.catalog.domain.organizations import get_organization
from services.catalog.models import Organization

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
        "JSON Lines, one published dataset per line with its organisation, licence and resources."
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
    request: Request, kind: ExportKind, organization: Organization | None
) -> StreamingResponse:
    links = Links(request.app.state.settings.base_url)
    filename = exports.export_filename(kind, organization, utcnow().date())
    body = exports.stream_export(
        units(request),
        kind,
        links,
        organization_id=organization.id if organization else None,
    )
    return StreamingResponse(
        body,
        media_type=kind.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-cache",
        },
    )


def _catalog_route(kind: ExportKind) -> Callable[..., StreamingResponse]:
    def export_catalog(request: Request) -> StreamingResponse:
        return _download(request, kind, None)

    export_catalog.__name__ = "export_" + kind.name.replace(".", "_")
    return export_catalog


def _organization_route(kind: ExportKind) -> Callable[..., StreamingResponse]:
    def export_organization(
        request: Request, id_or_name: str, uow: UnitOfWorkDep
    ) -> StreamingResponse:
        # Checked before streaming starts, so that an unknown organisation is a clean 404.
        organization = get_organization(uow.session, id_or_name)
        return _download(request, kind, organization)

    export_organization.__name__ = "export_organization_" + kind.name.replace(".", "_")
    return export_organization


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
        f"/api/v1/organizations/{{id_or_name}}/exports/{_kind.name}",
        _organization_route(_kind),
        methods=["GET"],
        summary=f"One organisation's published datasets: {_kind.name}",
        description=DESCRIPTIONS[_kind.name],
        response_class=StreamingResponse,
        responses={
            **_responses(_kind),
            404: {
                "description": "Unknown organisation",
                "content": {"application/problem+json": {}},
            },
        },
    )
