"""Reference lists: themes (CKAN groups), licences and tags, with published dataset counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import col, select

from libs.http.pagination import Page, PageParams, page_params, paginate
from libs.uow import UnitOfWorkDep
from services.catalog.api.schemas import LicenseOut, TagOut, ThemeOut
from services.catalog.domain.views import license_counts, tag_counts, theme_counts
from services.catalog.models import License, Theme

router = APIRouter(tags=["reference"])

Params = Annotated[PageParams, Depends(page_params)]


@router.get(
    "/themes",
    response_model=Page[ThemeOut],
    summary="The themes (bilingual), in the portal's order, with published dataset counts",
)
def themes(uow: UnitOfWorkDep, params: Params) -> Page[ThemeOut]:
    counts = theme_counts(uow.session)
    statement = select(Theme).order_by(col(Theme.position), col(Theme.name))
    return paginate(uow.session, statement, params).map(
        lambda t: ThemeOut(name=t.name, title=t.title, dataset_count=counts.get(t.name, 0))
    )


@router.get(
    "/licenses",
    response_model=Page[LicenseOut],
    summary="The licences (CKAN ids) with their openness and published dataset counts",
)
def licenses(
    uow: UnitOfWorkDep,
    params: Params,
    is_open: Annotated[bool | None, Query(description="Only open (or only non-open)")] = None,
) -> Page[LicenseOut]:
    counts = license_counts(uow.session)
    statement = select(License)
    if is_open is not None:
        statement = statement.where(col(License.is_open).is_(is_open))
    statement = statement.order_by(col(License.is_open).desc(), col(License.id))
    return paginate(uow.session, statement, params).map(
        lambda lic: LicenseOut(
            id=lic.id,
            title=lic.title,
            url=lic.url,
            is_open=lic.is_open,
            dataset_count=counts.get(lic.id, 0),
        )
    )


@router.get(
    "/tags",
    response_model=Page[TagOut],
    summary="Tags of published datasets, most used first",
)
def tags(
    uow: UnitOfWorkDep,
    params: Params,
    prefix: Annotated[
        str | None, Query(max_length=100, description="Only tags starting with this")
    ] = None,
) -> Page[TagOut]:
    page = tag_counts(uow.session, params, prefix=prefix)
    return page.map(lambda tag: TagOut(name=tag.name, dataset_count=tag.dataset_count))
