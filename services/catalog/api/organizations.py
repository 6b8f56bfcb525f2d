"""Organisations (the institutions enrolled in the strategy) and their published datasets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import col, select

from libs.http.pagination import Page, PageParams, page_params, paginate
from libs.uow import UnitOfWorkDep
from services.catalog.api.deps import PublicBase
from services.catalog.api.schemas import DatasetSummary, OrganizationOut
from services.catalog.domain.organizations import (
    get_organization,
    list_organizations,
    published_counts,
)
from services.catalog.domain.views import load_views
from services.catalog.models import Dataset, DatasetState

router = APIRouter(tags=["organizations"])

PROBLEM = {"content": {"application/problem+json": {}}}


@router.get(
    "/organizations",
    response_model=Page[OrganizationOut],
    summary="Organisations with their published dataset counts, by name",
)
def organizations(
    uow: UnitOfWorkDep,
    params: Annotated[PageParams, Depends(page_params)],
    include_withdrawn: Annotated[
        bool, Query(description="Also the institutions that have withdrawn")
    ] = False,
    q: Annotated[str | None, Query(max_length=200, description="Part of name or acronym")] = None,
) -> Page[OrganizationOut]:
    page = list_organizations(uow.session, params, include_withdrawn=include_withdrawn, query=q)
    return page.map(lambda row: OrganizationOut.of(row.organization, row.dataset_count))


@router.get(
    "/organizations/{id_or_name}",
    response_model=OrganizationOut,
    summary="One organisation by id or name",
    responses={404: {"description": "No such organisation", **PROBLEM}},
)
def organization(id_or_name: str, uow: UnitOfWorkDep) -> OrganizationOut:
    found = get_organization(uow.session, id_or_name)
    return OrganizationOut.of(found, published_counts(uow.session, [found.id]).get(found.id, 0))


@router.get(
    "/organizations/{id_or_name}/datasets",
    response_model=Page[DatasetSummary],
    summary="An organisation's published datasets, most recently modified first",
    responses={404: {"description": "No such organisation", **PROBLEM}},
)
def organization_datasets(
    id_or_name: str,
    uow: UnitOfWorkDep,
    base_url: PublicBase,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[DatasetSummary]:
    found = get_organization(uow.session, id_or_name)
    statement = (
        select(Dataset)
        .where(
            col(Dataset.organization_id) == found.id,
            col(Dataset.state) == DatasetState.PUBLISHED,
        )
        .order_by(col(Dataset.modified_at).desc(), col(Dataset.name))
    )
    page = paginate(uow.session, statement, params)
    views = load_views(uow.session, page.items)
    return page.with_items([DatasetSummary.of(view, base_url) for view in views])
