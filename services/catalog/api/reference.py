"""Reference lists: themes (CKAN groups), licences and tags, with published dataset counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select
from sqlmodel import Session

from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from services.catalog.api.schemas import LicenseOut, TagOut, ThemeOut
from services.catalog.domain.views import license_counts, tag_counts, theme_counts
from services.catalog.models import License, Theme

router = APIRouter(tags=["reference"])

SessionDep = Annotated[Session, Depends(get_session)]
Params = Annotated[PageParams, Depends(page_params)]


def _total(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@router.get(
    "/themes",
    response_model=Page[ThemeOut],
    summary="The themes (bilingual), in the portal's order, with published dataset counts",
)
def themes(session: SessionDep, params: Params) -> Page[ThemeOut]:
    counts = theme_counts(session)
    rows = session.scalars(
        select(Theme).order_by(Theme.position, Theme.name).offset(params.offset).limit(params.limit)
    )
    items = [
        ThemeOut(name=t.name, title=t.title, dataset_count=counts.get(t.name, 0)) for t in rows
    ]
    return Page.of(items, _total(session, Theme), params)


@router.get(
    "/licenses",
    response_model=Page[LicenseOut],
    summary="The licences (CKAN ids) with their openness and published dataset counts",
)
def licenses(
    session: SessionDep,
    params: Params,
    is_open: Annotated[bool | None, Query(description="Only open (or only non-open)")] = None,
) -> Page[LicenseOut]:
    counts = license_counts(session)
    statement = select(License)
    if is_open is not None:
        statement = statement.where(License.is_open.is_(is_open))  # type: ignore[attr-defined]
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    rows = session.scalars(
        statement.order_by(License.is_open.desc(), License.id)  # type: ignore[attr-defined]
        .offset(params.offset)
        .limit(params.limit)
    )
    items = [
        LicenseOut(
            id=lic.id,
            title=lic.title,
            url=lic.url,
            is_open=lic.is_open,
            dataset_count=counts.get(lic.id, 0),
        )
        for lic in rows
    ]
    return Page.of(items, total, params)


@router.get(
    "/tags",
    response_model=Page[TagOut],
    summary="Tags of published datasets, most used first",
)
def tags(
    session: SessionDep,
    params: Params,
    prefix: Annotated[
        str | None, Query(max_length=100, description="Only tags starting with this")
    ] = None,
) -> Page[TagOut]:
    rows, total = tag_counts(session, prefix=prefix, offset=params.offset, limit=params.limit)
    return Page.of([TagOut(name=n, dataset_count=c) for n, c in rows], total, params)
