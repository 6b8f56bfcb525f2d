"""A dataset's public representation in the catalog's REST API (``/api/v1``): the models the
API answers with, shaped from domain views, and the bytes the read model stores
(domain/renditions.py).

Multilingual text is an object ``{"ar": …, "fr": …, "en": …}`` with the languages present.
Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.catalog.domain.views import (
    DatasetView,
    Provenance,
    dataset_path,
    download_path,
    is_uploaded,
)
from services.catalog.models import Institution, License, Resource, Theme

Localized = dict[str, str]


class InstitutionRef(BaseModel):
    id: uuid.UUID
    slug: str
    title: Localized
    acronym: str | None = None

    @classmethod
    def of(cls, institution: Institution) -> InstitutionRef:
        return cls(
            id=institution.id,
            slug=institution.slug,
            title=institution.title,
            acronym=institution.acronym,
        )


class ThemeRef(BaseModel):
    name: str
    title: Localized

    @classmethod
    def of(cls, theme: Theme) -> ThemeRef:
        return cls(name=theme.name, title=theme.title)


class LicenseRef(BaseModel):
    id: str
    title: str
    url: str | None = None
    is_open: bool

    @classmethod
    def of(cls, licence: License) -> LicenseRef:
        return cls(id=licence.id, title=licence.title, url=licence.url, is_open=licence.is_open)


class ResourceOut(BaseModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    position: int
    title: Localized
    description: Localized | None = None
    url: str | None = Field(description="The link of a linked resource; null for an upload")
    download_url: str = Field(description="Where to fetch it: the link, or the catalog's copy")
    uploaded: bool
    filename: str | None = None
    format: str | None = None
    media_type: str | None = None
    size: int | None = Field(default=None, description="Bytes")
    sha256: str | None = None
    created_at: datetime
    modified_at: datetime

    @classmethod
    def of(cls, resource: Resource, base_url: str) -> ResourceOut:
        uploaded = is_uploaded(resource)
        return cls(
            id=resource.id,
            dataset_id=resource.dataset_id,
            position=resource.position,
            title=resource.title,
            description=resource.description,
            url=resource.url,
            download_url=resource.url
            if not uploaded
            else base_url + download_path(resource.dataset_id, resource.id),
            uploaded=uploaded,
            filename=resource.filename,
            format=resource.format,
            media_type=resource.media_type,
            size=resource.size,
            sha256=resource.sha256,
            created_at=resource.created_at,
            modified_at=resource.modified_at,
        )


def _dataset_common(view: DatasetView, base_url: str) -> dict[str, Any]:
    """The values a dataset in a list and a dataset in full show alike."""
    d = view.dataset
    return {
        "id": d.id,
        "slug": d.slug,
        "url": base_url + dataset_path(d.id),
        "title": d.title,
        "description": d.description,
        "state": str(d.state),
        "institution_id": d.institution_id,
        "institution": InstitutionRef.of(view.institution) if view.institution else None,
        "tags": view.tags,
        "is_open": view.is_open,
        "formats": view.formats,
        "frequency": d.frequency,
        "num_resources": len(view.resources),
        "reuse_count": view.reuse_count,
        "created_at": d.created_at,
        "modified_at": d.modified_at,
        "published_at": d.published_at,
        "last_data_update": d.last_data_update,
    }


class DatasetSummary(BaseModel):
    """A dataset in a list: enough to show a result and link to it."""

    id: uuid.UUID
    slug: str
    url: str = Field(description="This dataset in the API")
    title: Localized
    description: Localized | None = None
    state: str
    institution_id: uuid.UUID
    institution: InstitutionRef | None = None
    tags: list[str]
    themes: list[str]
    license_id: str | None = None
    is_open: bool
    formats: list[str]
    frequency: str | None = None
    num_resources: int
    reuse_count: int
    created_at: datetime
    modified_at: datetime
    published_at: datetime | None = None
    last_data_update: datetime | None = None

    @classmethod
    def of(cls, view: DatasetView, base_url: str) -> DatasetSummary:
        return cls(
            **_dataset_common(view, base_url),
            themes=view.theme_names,
            license_id=view.dataset.license_id,
        )


class ContactPointOut(BaseModel):
    name: str | None = None
    email: str | None = None


class HarvestSourceRef(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    kind: str = Field(description="ckan or dcat")
    url: str


class ProvenanceOut(BaseModel):
    """Where a harvested dataset comes from."""

    source: HarvestSourceRef
    original_id: str = Field(description="Its identifier at the source")
    original_uri: str | None = Field(default=None, description="Its address at the source")
    source_modified: datetime | None = Field(
        default=None, description="When the source last changed it, as last harvested"
    )
    first_harvested_at: datetime
    harvested_at: datetime = Field(description="When a harvest last wrote it")

    @classmethod
    def of(cls, provenance: Provenance) -> ProvenanceOut:
        return cls(
            source=HarvestSourceRef(
                id=provenance.source_id,
                slug=provenance.source_slug,
                name=provenance.source_name,
                kind=provenance.source_kind,
                url=provenance.source_url,
            ),
            original_id=provenance.original_id,
            original_uri=provenance.original_uri,
            source_modified=provenance.source_modified,
            first_harvested_at=provenance.first_harvested_at,
            harvested_at=provenance.harvested_at,
        )


class DatasetOut(BaseModel):
    """One dataset with its resources, its reuse count and, for a draft, review feedback."""

    id: uuid.UUID
    slug: str
    url: str = Field(description="This dataset in the API")
    title: Localized
    description: Localized | None = None
    state: str = Field(description="draft, submitted, published or withdrawn")
    institution_id: uuid.UUID
    institution: InstitutionRef | None = None
    tags: list[str]
    themes: list[ThemeRef]
    license: LicenseRef | None = None
    is_open: bool = Field(description="Published under an open licence")
    openness_stars: int = Field(description="Best 5-star rating of its resources (0-4)")
    formats: list[str]
    frequency: str | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: list[str]
    contact_point: ContactPointOut | None = None
    version: str | None = None
    rejection_reasons: list[str] | None = Field(
        default=None, description="Why the last review sent it back to draft"
    )
    rejected_at: datetime | None = None
    resources: list[ResourceOut]
    num_resources: int
    reuse_count: int
    created_at: datetime
    modified_at: datetime
    submitted_at: datetime | None = None
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None
    last_data_update: datetime | None = None
    provenance: ProvenanceOut | None = Field(
        default=None, description="Of a harvested dataset: its source and original identifier"
    )

    @classmethod
    def of(cls, view: DatasetView, base_url: str) -> DatasetOut:
        d = view.dataset
        return cls(
            **_dataset_common(view, base_url),
            themes=[ThemeRef.of(t) for t in view.themes],
            license=LicenseRef.of(view.license) if view.license else None,
            openness_stars=view.openness_stars,
            temporal_start=d.temporal_start,
            temporal_end=d.temporal_end,
            spatial=list(d.spatial or []),
            contact_point=ContactPointOut(**d.contact_point) if d.contact_point else None,
            version=d.version,
            rejection_reasons=d.rejection_reasons,
            rejected_at=d.rejected_at,
            resources=[ResourceOut.of(r, base_url) for r in view.resources],
            submitted_at=d.submitted_at,
            withdrawn_at=d.withdrawn_at,
            provenance=ProvenanceOut.of(view.provenance) if view.provenance else None,
        )
