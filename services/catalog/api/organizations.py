"""Organisations (the institutions enrolled in the strategy) and their published datasets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import func, select
from sqlmodel import Session

from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from services.catalog.api.schemas import DatasetSummary, OrganizationOut, public_base
from services.catalog.domain.organizations import (
    get_organization,
    list_organizations,
    published_counts,
)
from services.catalog.domain.views import load_views
from services.catalog.models import Dataset, DatasetState

router = APIRouter(tags=["organizations"])

SessionDep = Annotated[Session, Depends(get_session)]
PROBLEM = {"content": {"application/problem+json": {}}}


@router.get(
    "/organizations",
    response_model=Page[OrganizationOut],
    summary="Organisations with their published dataset counts, by name",
)
def organizations(
    session: SessionDep,
    params: Annotated[PageParams, Depends(page_params)],
    include_withdrawn: Annotated[
        bool, Query(description="Also the institutions that have withdrawn")
    ] = False,
    q: Annotated[str | None, Query(max_length=200, description="Part of name or acronym")] = None,
) -> Page[OrganizationOut]:
    rows, total = list_organizations(session, params, include_withdrawn=include_withdrawn, query=q)
    return Page.of(
        [OrganizationOut.of(r.organization, r.dataset_count) for r in rows], total, params
    )


@router.get(
    "/organizations/{id_or_name}",
    response_model=OrganizationOut,
    summary="One organisation by id or name",
    responses={404: {"description": "No such organisation", **PROBLEM}},
)
def organization(id_or_name: str, session: SessionDep) -> OrganizationOut:
    found = get_organization(session, id_or_name)
    return OrganizationOut.of(found, published_counts(session, [found.id]).get(found.id, 0))


@router.get(
    "/organizations/{id_or_name}/datasets",
    response_model=Page[DatasetSummary],
    summary="An organisation's published datasets, most recently modified first",
    responses={404: {"description": "No such organisation", **PROBLEM}},
)
def organization_datasets(
    id_or_name: str,
    request: Request,
    session: SessionDep,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[DatasetSummary]:
    found = get_organization(session, id_or_name)
    statement = select(Dataset).where(
        Dataset.organization_id == found.id, Dataset.state == DatasetState.PUBLISHED
    )
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    rows = list(
        session.scalars(
            statement.order_by(Dataset.modified_at.desc(), Dataset.name)  # type: ignore[attr-defined]
            .offset(params.offset)
            .limit(params.limit)
        )
    )
    base = public_base(request)
    return Page.of([DatasetSummary.of(v, base) for v in load_views(session, rows)], total, params)
