"""Institutions as the figures see them: what an institution's own page shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWorkDep
from services.metrics.api.deps import AsOf
from services.metrics.domain import institutions
from services.metrics.domain.institutions import DatasetSummary, InstitutionPage, InstitutionSummary

router = APIRouter(tags=["institutions"])

SlugOrId = Annotated[str, Path(max_length=100, description="The institution's slug (or id)")]
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/institutions", response_model=Page[InstitutionSummary])
def list_institutions(uow: UnitOfWorkDep, paging: Paging) -> Page[InstitutionSummary]:
    """The institutions taking part, with their published datasets."""
    return institutions.institutions_page(uow, paging)


@router.get("/institutions/{slug}", response_model=InstitutionPage, responses=problems(404))
def get_institution(slug: SlugOrId, uow: UnitOfWorkDep, as_of: AsOf) -> InstitutionPage:
    """One institution: its published datasets' openness, freshness and quality, and the
    reuses of its data."""
    return institutions.institution_page(uow, slug, as_of=as_of)


@router.get(
    "/institutions/{slug}/datasets",
    response_model=Page[DatasetSummary],
    responses=problems(404),
)
def list_institution_datasets(
    slug: SlugOrId, uow: UnitOfWorkDep, paging: Paging
) -> Page[DatasetSummary]:
    return institutions.institution_datasets(uow, slug, paging)
