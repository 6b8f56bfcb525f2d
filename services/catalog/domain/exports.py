"""Reading the published catalogue in bulk: CSV of datasets, CSV of resources, JSON Lines.

Everything here streams: the published datasets are read in chunks with keyset pagination on
their unique ``slug`` (never ``OFFSET``, never the whole catalogue in memory), each chunk with
its related rows loaded by ``views.load_views`` (a fixed number of batch queries), and
rendered to bytes as it goes. Nothing is cached: a download is always the current catalogue.

CSV is UTF-8 with a byte-order mark, so that spreadsheets show Arabic text correctly; several
values in one cell (themes, tags, formats, regions) are separated by ``|``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, col, select

from libs.http.downloads import safe_cell
from libs.uow import UnitOfWorkFactory
from services.catalog.domain.views import DatasetView, load_views
from services.catalog.models import Dataset, DatasetState, Institution, Resource

CHUNK_SIZE = 500
MULTI_VALUE_SEPARATOR = "|"
UTF8_BOM = "\ufeff"

DATASET_COLUMNS = (
    "id",
    "slug",
    "title_fr",
    "title_ar",
    "title_en",
    "description_fr",
    "description_ar",
    "institution",
    "themes",
    "tags",
    "license",
    "is_open",
    "frequency",
    "temporal",
    "spatial",
    "formats",
    "num_resources",
    "published",
    "modified",
    "last_data_update",
    "url",
)

RESOURCE_COLUMNS = (
    "id",
    "dataset_id",
    "dataset_slug",
    "dataset_title_fr",
    "dataset_title_ar",
    "institution",
    "position",
    "title_fr",
    "title_ar",
    "title_en",
    "description_fr",
    "description_ar",
    "url",
    "is_upload",
    "format",
    "media_type",
    "size",
    "sha256",
    "license",
    "created",
    "modified",
)


# --- Addresses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """The public addresses of the catalogue's things, from the service's public base URL.

    A dataset's URI is its API address by id (stable when the slug changes); asked for RDF
    (suffix or ``Accept``) it answers with DCAT-AP.
    """

    base: str

    def catalog(self) -> str:
        return f"{self.base}/catalog"

    def dataset(self, dataset_id: uuid.UUID) -> str:
        return f"{self.base}/api/v1/datasets/{dataset_id}"

    def dataset_page(self, slug: str) -> str:
        return f"{self.base}/api/v1/datasets/{quote(slug)}"

    def resource(self, dataset_id: uuid.UUID, resource_id: uuid.UUID) -> str:
        return f"{self.base}/api/v1/datasets/{dataset_id}/resources/{resource_id}"

    def download(self, dataset_id: uuid.UUID, resource_id: uuid.UUID) -> str:
        return f"{self.resource(dataset_id, resource_id)}/download"

    def institution(self, slug: str) -> str:
        return f"{self.base}/api/v1/institutions/{quote(slug)}"

    def themes(self) -> str:
        return f"{self.base}/api/v1/themes"

    def theme(self, name: str) -> str:
        return f"{self.themes()}/{quote(name)}"

    def region(self, code: str) -> str:
        return f"{self.base}/api/v1/regions/{quote(code)}"

    def resource_url(self, resource: Resource) -> str:
        """Where a resource's data is: its external URL, or the catalog's download route."""
        if resource.url:
            return resource.url
        return self.download(resource.dataset_id, resource.id)


# --- Reading ------------------------------------------------------------------------------


def iso(moment: datetime | date | None) -> str:
    return moment.isoformat() if moment is not None else ""


def iter_published_chunks(
    session: Session,
    *,
    institution_id: uuid.UUID | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[list[DatasetView]]:
    """Published datasets in chunks, by slug, with keyset pagination (``slug > last``)."""
    last_slug: str | None = None
    while True:
        query = select(Dataset).where(col(Dataset.state) == DatasetState.PUBLISHED)
        if institution_id is not None:
            query = query.where(col(Dataset.institution_id) == institution_id)
        if last_slug is not None:
            query = query.where(col(Dataset.slug) > last_slug)
        datasets = list(session.exec(query.order_by(col(Dataset.slug)).limit(chunk_size)))
        if not datasets:
            return
        yield load_views(session, datasets)
        last_slug = datasets[-1].slug
        # The rows of this chunk are rendered; let the session forget them.
        session.expunge_all()
        if len(datasets) < chunk_size:
            return


# --- Rendering ----------------------------------------------------------------------------


def _text(values: dict[str, str] | None, language: str) -> str:
    return (values or {}).get(language) or ""


def _joined(values: Iterable[str]) -> str:
    return MULTI_VALUE_SEPARATOR.join(values)


def temporal_interval(dataset: Dataset) -> str:
    """ISO 8601 interval, ``..`` for an open end (ISO 8601-2)."""
    if dataset.temporal_start is None and dataset.temporal_end is None:
        return ""
    start = dataset.temporal_start.isoformat() if dataset.temporal_start else ".."
    end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
    return f"{start}/{end}"


def dataset_row(view: DatasetView, links: Links) -> list[Any]:
    d = view.dataset
    return [
        str(d.id),
        d.slug,
        _text(d.title, "fr"),
        _text(d.title, "ar"),
        _text(d.title, "en"),
        _text(d.description, "fr"),
        _text(d.description, "ar"),
        view.institution.slug if view.institution else str(d.institution_id),
        _joined(sorted(view.theme_names)),
        _joined(view.tags),
        d.license_id or "",
        "true" if view.license and view.license.is_open else "false",
        d.frequency or "",
        temporal_interval(d),
        _joined(d.spatial or []),
        _joined(view.formats),
        len(view.resources),
        iso(d.published_at),
        iso(d.modified_at),
        iso(d.last_data_update),
        links.dataset_page(d.slug),
    ]


def resource_row(view: DatasetView, resource: Resource, links: Links) -> list[Any]:
    d = view.dataset
    return [
        str(resource.id),
        str(d.id),
        d.slug,
        _text(d.title, "fr"),
        _text(d.title, "ar"),
        view.institution.slug if view.institution else str(d.institution_id),
        resource.position,
        _text(resource.title, "fr"),
        _text(resource.title, "ar"),
        _text(resource.title, "en"),
        _text(resource.description, "fr"),
        _text(resource.description, "ar"),
        links.resource_url(resource),
        "true" if resource.url is None else "false",
        resource.format or "",
        resource.media_type or "",
        "" if resource.size is None else resource.size,
        resource.sha256 or "",
        d.license_id or "",
        iso(resource.created_at),
        iso(resource.modified_at),
    ]


def resource_document(resource: Resource, links: Links) -> dict[str, Any]:
    return {
        "id": str(resource.id),
        "position": resource.position,
        "title": resource.title or {},
        "description": resource.description or {},
        "url": links.resource_url(resource),
        "is_upload": resource.url is None,
        "format": resource.format,
        "media_type": resource.media_type,
        "size": resource.size,
        "sha256": resource.sha256,
        "created": iso(resource.created_at) or None,
        "modified": iso(resource.modified_at) or None,
    }


def dataset_document(view: DatasetView, links: Links) -> dict[str, Any]:
    """One JSON Lines record: the dataset with its institution, licence and resources."""
    d = view.dataset
    institution = view.institution
    return {
        "id": str(d.id),
        "slug": d.slug,
        "url": links.dataset_page(d.slug),
        "title": d.title or {},
        "description": d.description or {},
        "institution": {
            "id": str(d.institution_id),
            "slug": institution.slug if institution else None,
            "title": institution.title if institution else {},
        },
        "themes": sorted(view.theme_names),
        "tags": view.tags,
        "license": {
            "id": d.license_id,
            "title": view.license.title if view.license else None,
            "url": view.license.url if view.license else None,
            "is_open": bool(view.license and view.license.is_open),
        },
        "frequency": d.frequency,
        "temporal": {
            "start": d.temporal_start.isoformat() if d.temporal_start else None,
            "end": d.temporal_end.isoformat() if d.temporal_end else None,
        },
        "spatial": d.spatial or [],
        "contact_point": d.contact_point,
        "version": d.version,
        "formats": view.formats,
        "num_resources": len(view.resources),
        "published": iso(d.published_at) or None,
        "modified": iso(d.modified_at) or None,
        "last_data_update": iso(d.last_data_update) or None,
        "resources": [resource_document(r, links) for r in view.resources],
    }


# Control characters a spreadsheet or a CSV reader may choke on: all but newline and tab,
# which multi-line text holds (inside a quoted cell). The inputs refuse them; a value stored
# before that is still written out cleanly.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: no raw control character, and no text a spreadsheet would run
    as a formula (libs.http.downloads.safe_cell)."""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
    return safe_cell(value)


def _csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [csv_cell(value) for value in row] for row in rows
    )
    return buffer.getvalue().encode("utf-8")


Renderer = Callable[[list[DatasetView], Links], bytes]


def render_datasets_csv(chunk: list[DatasetView], links: Links) -> bytes:
    return _csv_bytes(dataset_row(v, links) for v in chunk)


def render_resources_csv(chunk: list[DatasetView], links: Links) -> bytes:
    return _csv_bytes(resource_row(v, r, links) for v in chunk for r in v.resources)


def render_datasets_jsonl(chunk: list[DatasetView], links: Links) -> bytes:
    return b"".join(
        json.dumps(dataset_document(v, links), ensure_ascii=False).encode("utf-8") + b"\n"
        for v in chunk
    )


@dataclass(frozen=True)
class ExportKind:
    """One bulk download: its file name, media type, header and renderer."""

    name: str
    media_type: str
    render: Renderer
    header: bytes = b""


EXPORTS: dict[str, ExportKind] = {
    "datasets.csv": ExportKind(
        "datasets.csv",
        "text/csv; charset=utf-8",
        render_datasets_csv,
        UTF8_BOM.encode("utf-8") + _csv_bytes([DATASET_COLUMNS]),
    ),
    "resources.csv": ExportKind(
        "resources.csv",
        "text/csv; charset=utf-8",
        render_resources_csv,
        UTF8_BOM.encode("utf-8") + _csv_bytes([RESOURCE_COLUMNS]),
    ),
    "datasets.jsonl": ExportKind(
        "datasets.jsonl", "application/jsonl; charset=utf-8", render_datasets_jsonl
    ),
}


def stream_export(
    units: UnitOfWorkFactory,
    kind: ExportKind,
    links: Links,
    *,
    institution_id: uuid.UUID | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """The export's bytes, one piece per chunk of datasets; reads in a unit of its own.

    The unit belongs to the stream (not to the request) because the body is produced after
    the endpoint has returned; it only reads, and is left without a commit.
    """
    if kind.header:
        yield kind.header
    with units() as uow:
        for chunk in iter_published_chunks(
            uow.session, institution_id=institution_id, chunk_size=chunk_size
        ):
            piece = kind.render(chunk, links)
            if piece:
                yield piece


def export_filename(kind: ExportKind, institution: Institution | None, today: date) -> str:
    prefix = f"{institution.slug}-" if institution else "catalog-"
    stem, _, extension = kind.name.partition(".")
    return f"{prefix}{stem}-{today.isoformat()}.{extension}"
