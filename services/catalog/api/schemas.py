"""Response models of the catalog's REST API (``/api/v1``), shaped from domain views.

A dataset's own representation (what the read model stores) is in domain/representations.py;
the lists and reference data are shaped here. Multilingual text is an object
``{"ar": …, "fr": …, "en": …}`` with the languages present. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from libs.http.pagination import Page, PageParams, paginate
from services.catalog.domain.representations import (
    ContactPointOut,
    DatasetOut,
    DatasetSummary,
    HarvestSourceRef,
    InstitutionRef,
    LicenseRef,
    Localized,
    ProvenanceOut,
    ResourceOut,
    ThemeRef,
)
from services.catalog.domain.views import load_views
from services.catalog.models import Dataset, Institution

__all__ = [
    "ContactPointOut",
    "DatasetOut",
    "DatasetSummary",
    "HarvestSourceRef",
    "InstitutionOut",
    "InstitutionRef",
    "LicenseOut",
    "LicenseRef",
    "Localized",
    "ProvenanceOut",
    "ResourceOut",
    "TagOut",
    "ThemeOut",
    "ThemeRef",
    "dataset_summaries",
]


def dataset_summaries(
    session: Session, statement: SelectOfScalar[Dataset], params: PageParams, base_url: str
) -> Page[DatasetSummary]:
    """One page of the datasets ``statement`` selects, as summaries."""
    page = paginate(session, statement, params)
    views = load_views(session, page.items)
    return page.with_items([DatasetSummary.of(view, base_url) for view in views])


class InstitutionOut(BaseModel):
    id: uuid.UUID
    slug: str
    title: Localized
    acronym: str | None = None
    kind: str
    website: str | None = None
    logo_url: str | None = None
    enrolled_on: date | None = None
    withdrawn_on: date | None = None
    active: bool
    dataset_count: int = Field(description="Published datasets")

    @classmethod
    def of(cls, institution: Institution, dataset_count: int) -> InstitutionOut:
        return cls(
            id=institution.id,
            slug=institution.slug,
            title=institution.title,
            acronym=institution.acronym,
            kind=institution.kind,
            website=institution.website,
            logo_url=institution.logo_url,
            enrolled_on=institution.enrolled_on,
            withdrawn_on=institution.withdrawn_on,
            active=institution.active,
            dataset_count=dataset_count,
        )


class ThemeOut(BaseModel):
    name: str
    title: Localized
    dataset_count: int = Field(description="Published datasets")


class LicenseOut(BaseModel):
    id: str
    title: str
    url: str | None = None
    is_open: bool
    dataset_count: int = Field(description="Published datasets")


class TagOut(BaseModel):
    name: str
    dataset_count: int = Field(description="Published datasets")
