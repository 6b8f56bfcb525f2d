"""The institutions enrolled in the strategy (governance's, replicated) and their published
datasets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import col, select

from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWorkDep
from services.catalog.api.deps import PublicBase
from services.catalog.api.schemas import DatasetSummary, InstitutionOut, dataset_summaries
from services.catalog.domain.institutions import (
    get_institution,
    list_institutions,
    published_counts,
)
from services.catalog.models import Dataset, DatasetState

router = APIRouter(tags=["institutions"])


@router.get(
    "/institutions",
    response_model=Page[InstitutionOut],
    summary="Institutions with their published dataset counts, by slug",
)
def institutions(
    uow: UnitOfWorkDep,
    params: Annotated[PageParams, Depends(page_params)],
    include_withdrawn: Annotated[
        bool, Query(description="Also the institutions that have withdrawn")
    ] = False,
    q: Annotated[str | None, Query(max_length=200, description="Part of slug or acronym")] = None,
) -> Page[InstitutionOut]:
    page = list_institutions(uow.session, params, include_withdrawn=include_withdrawn, query=q)
    return page.map(lambda row: InstitutionOut.of(row.institution, row.dataset_count))


@router.get(
    "/institutions/{id_or_slug}",
    response_model=InstitutionOut,
    summary="One institution by id or slug",
    responses=problems(s404="No such institution"),
)
def institution(id_or_slug: str, uow: UnitOfWorkDep) -> InstitutionOut:
    found = get_institution(uow.session, id_or_slug)
    return InstitutionOut.of(found, published_counts(uow.session, [found.id]).get(found.id, 0))


@router.get(
    "/institutions/{id_or_slug}/datasets",
    response_model=Page[DatasetSummary],
    summary="An institution's published datasets, most recently modified first",
    responses=problems(s404="No such institution"),
)
def institution_datasets(
    id_or_slug: str,
    uow: UnitOfWorkDep,
    base_url: PublicBase,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[DatasetSummary]:
    found = get_institution(uow.session, id_or_slug)
    statement = (
        select(Dataset)
        .where(
            col(Dataset.institution_id) == found.id,
            col(Dataset.state) == DatasetState.PUBLISHED,
        )
        .order_by(col(Dataset.modified_at).desc(), col(Dataset.slug))
    )
    return dataset_summaries(uow.session, statement, params, base_url)
