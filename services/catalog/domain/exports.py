"""Reading the published catalogue in bulk: CSV of datasets, CSV of resources, JSON Lines.

Everything here streams: the published datasets are read in chunks with keyset pagination on
their unique ``name`` (never ``OFFSET``, never the whole catalogue in memory), each chunk with
its organisations, themes, tags, licences and resources loaded in a handful of queries, and
rendered to bytes as it goes. Nothing is cached: a download is always the current catalogue.
The same bundles feed the DCAT-AP output (services.catalog.domain.dcat).

CSV is UTF-8 with a byte-order mark, so that spreadsheets show Arabic text correctly; several
values in one cell (themes, tags, formats, regions) are separated by ``|``.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, select
from sqlmodel import Session

from libs.http.problems import NotFound
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    License,
    Organization,
    Resource,
    Theme,
)

CHUNK_SIZE = 500
MULTI_VALUE_SEPARATOR = "|"
UTF8_BOM = "\ufeff"

DATASET_COLUMNS = (
    "id",
    "name",
    "title_fr",
    "title_ar",
    "title_en",
    "description_fr",
    "description_ar",
    "organization",
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
    "dataset_name",
    "dataset_title_fr",
    "dataset_title_ar",
    "organization",
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

    def dataset_page(self, name: str) -> str:
        return f"{self.base}/api/v1/datasets/{quote(name)}"

    def resource(self, dataset_id: uuid.UUID, resource_id: uuid.UUID) -> str:
        return f"{self.base}/api/v1/datasets/{dataset_id}/resources/{resource_id}"

    def download(self, dataset_id: uuid.UUID, resource_id: uuid.UUID) -> str:
        return f"{self.resource(dataset_id, resource_id)}/download"

    def organization(self, name: str) -> str:
        return f"{self.base}/api/v1/organizations/{quote(name)}"

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


@dataclass
class DatasetBundle:
    """A published dataset with everything its exports show."""

    dataset: Dataset
    organization: Organization | None
    license: License | None
    themes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    @property
    def formats(self) -> list[str]:
        seen: dict[str, None] = {}
        for resource in self.resources:
            if resource.format:
                seen.setdefault(resource.format, None)
        return list(seen)


class ReferenceData:
    """The small controlled lists (licences, themes), read once per export."""

    def __init__(self, session: Session) -> None:
        self.licenses = {lic.id: lic for lic in session.execute(select(License)).scalars()}
        self.themes = {theme.name: theme for theme in session.execute(select(Theme)).scalars()}


def as_utc(moment: datetime | None) -> datetime | None:
    """Stored times are UTC; SQLite gives them back without a zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return as_utc(moment).isoformat()  # type: ignore[union-attr]
    return moment.isoformat()


def find_organization(session: Session, id_or_name: str) -> Organization:
    try:
        organization = session.get(Organization, uuid.UUID(id_or_name))
    except ValueError:
        organization = None
    if organization is None:
        organization = session.execute(
            select(Organization).where(Organization.name == id_or_name)  # type: ignore[arg-type]
        ).scalar_one_or_none()
    if organization is None:
        raise NotFound(f"organization '{id_or_name}' does not exist", code="organization-not-found")
    return organization


def load_bundles(
    session: Session, datasets: Sequence[Dataset], reference: ReferenceData | None = None
) -> list[DatasetBundle]:
    """The datasets' related rows in five queries, whatever the number of datasets."""
    if not datasets:
        return []
    reference = reference or ReferenceData(session)
    ids = [d.id for d in datasets]
    themes: dict[uuid.UUID, list[str]] = defaultdict(list)
    for dataset_id, theme_name in session.execute(
        select(DatasetTheme.dataset_id, DatasetTheme.theme_name)
        .where(DatasetTheme.dataset_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(DatasetTheme.theme_name)
    ):
        themes[dataset_id].append(theme_name)
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    for dataset_id, tag in session.execute(
        select(DatasetTag.dataset_id, DatasetTag.tag)
        .where(DatasetTag.dataset_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(DatasetTag.tag)
    ):
        tags[dataset_id].append(tag)
    resources: dict[uuid.UUID, list[Resource]] = defaultdict(list)
    for resource in session.execute(
        select(Resource)
        .where(Resource.dataset_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(Resource.dataset_id, Resource.position, Resource.created_at)
    ).scalars():
        resources[resource.dataset_id].append(resource)
    organization_ids = {d.organization_id for d in datasets}
    organizations = {
        o.id: o
        for o in session.execute(
            select(Organization).where(Organization.id.in_(organization_ids))  # type: ignore[attr-defined]
        ).scalars()
    }
    return [
        DatasetBundle(
            dataset=d,
            organization=organizations.get(d.organization_id),
            license=reference.licenses.get(d.license_id) if d.license_id else None,
            themes=themes[d.id],
            tags=tags[d.id],
            resources=resources[d.id],
        )
        for d in datasets
    ]


def iter_published_chunks(
    session: Session,
    *,
    organization_id: uuid.UUID | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[list[DatasetBundle]]:
    """Published datasets in chunks, by name, with keyset pagination (``name > last``)."""
    reference = ReferenceData(session)
    last_name: str | None = None
    while True:
        query = select(Dataset).where(Dataset.state == DatasetState.PUBLISHED)  # type: ignore[arg-type]
        if organization_id is not None:
            query = query.where(Dataset.organization_id == organization_id)  # type: ignore[arg-type]
        if last_name is not None:
            query = query.where(Dataset.name > last_name)  # type: ignore[arg-type]
        datasets = list(session.execute(query.order_by(Dataset.name).limit(chunk_size)).scalars())
        if not datasets:
            return
        yield load_bundles(session, datasets, reference)
        last_name = datasets[-1].name
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


def dataset_row(bundle: DatasetBundle, links: Links) -> list[Any]:
    d = bundle.dataset
    return [
        str(d.id),
        d.name,
        _text(d.title, "fr"),
        _text(d.title, "ar"),
        _text(d.title, "en"),
        _text(d.description, "fr"),
        _text(d.description, "ar"),
        bundle.organization.name if bundle.organization else str(d.organization_id),
        _joined(bundle.themes),
        _joined(bundle.tags),
        d.license_id or "",
        "true" if bundle.license and bundle.license.is_open else "false",
        d.frequency or "",
        temporal_interval(d),
        _joined(d.spatial or []),
        _joined(bundle.formats),
        len(bundle.resources),
        iso(d.published_at),
        iso(d.modified_at),
        iso(d.last_data_update),
        links.dataset_page(d.name),
    ]


def resource_row(bundle: DatasetBundle, resource: Resource, links: Links) -> list[Any]:
    d = bundle.dataset
    return [
        str(resource.id),
        str(d.id),
        d.name,
        _text(d.title, "fr"),
        _text(d.title, "ar"),
        bundle.organization.name if bundle.organization else str(d.organization_id),
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


def dataset_document(bundle: DatasetBundle, links: Links) -> dict[str, Any]:
    """One JSON Lines record: the dataset with its organisation, licence and resources."""
    d = bundle.dataset
    organization = bundle.organization
    return {
        "id": str(d.id),
        "name": d.name,
        "url": links.dataset_page(d.name),
        "title": d.title or {},
        "description": d.description or {},
        "organization": {
            "id": str(d.organization_id),
            "name": organization.name if organization else None,
            "title": organization.title if organization else {},
        },
        "themes": bundle.themes,
        "tags": bundle.tags,
        "license": {
            "id": d.license_id,
            "title": bundle.license.title if bundle.license else None,
            "url": bundle.license.url if bundle.license else None,
            "is_open": bool(bundle.license and bundle.license.is_open),
        },
        "frequency": d.frequency,
        "temporal": {
            "start": d.temporal_start.isoformat() if d.temporal_start else None,
            "end": d.temporal_end.isoformat() if d.temporal_end else None,
        },
        "spatial": d.spatial or [],
        "contact_point": d.contact_point,
        "version": d.version,
        "formats": bundle.formats,
        "num_resources": len(bundle.resources),
        "published": iso(d.published_at) or None,
        "modified": iso(d.modified_at) or None,
        "last_data_update": iso(d.last_data_update) or None,
        "resources": [resource_document(r, links) for r in bundle.resources],
    }


def _csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


Renderer = Callable[[list[DatasetBundle], Links], bytes]


def render_datasets_csv(chunk: list[DatasetBundle], links: Links) -> bytes:
    return _csv_bytes(dataset_row(b, links) for b in chunk)


def render_resources_csv(chunk: list[DatasetBundle], links: Links) -> bytes:
    return _csv_bytes(resource_row(b, r, links) for b in chunk for r in b.resources)


def render_datasets_jsonl(chunk: list[DatasetBundle], links: Links) -> bytes:
    return b"".join(
        json.dumps(dataset_document(b, links), ensure_ascii=False).encode("utf-8") + b"\n"
        for b in chunk
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
    engine: Engine,
    kind: ExportKind,
    links: Links,
    *,
    organization_id: uuid.UUID | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """The export's bytes, one piece per chunk of datasets; opens and closes its own session.

    The session belongs to the stream (not to the request) because the body is produced after
    the endpoint has returned.
    """
    if kind.header:
        yield kind.header
    with Session(engine) as session:
        for chunk in iter_published_chunks(
            session, organization_id=organization_id, chunk_size=chunk_size
        ):
            piece = kind.render(chunk, links)
            if piece:
                yield piece


def export_filename(kind: ExportKind, organization: Organization | None, today: date) -> str:
    prefix = f"{organization.name}-" if organization else "catalog-"
    stem, _, extension = kind.name.partition(".")
    return f"{prefix}{stem}-{today.isoformat()}.{extension}"
