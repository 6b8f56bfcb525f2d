"""Pagination: every list endpoint takes ``page``/``page_size`` and returns a Page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, TypeVarTuple, overload

from fastapi import Query
from pydantic import BaseModel
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

T = TypeVar("T")
U = TypeVar("U")
Ts = TypeVarTuple("Ts")

MAX_PAGE_SIZE = 100
# Far beyond any catalogue, and an offset the databases still take.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class PageParams:
    page: int = 1
    page_size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size


def page_params(
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number, from 1"),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page"),
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, items: list[T], total: int, params: PageParams) -> Page[T]:
        pages = (total + params.page_size - 1) // params.page_size
        return cls(
            items=items, total=total, page=params.page, page_size=params.page_size, pages=pages
        )

    def map(self, function: Callable[[T], U]) -> Page[U]:
        """The same page with each item transformed (rows → response models)."""
        return Page(
            items=[function(item) for item in self.items],
            total=self.total,
            page=self.page,
            page_size=self.page_size,
            pages=self.pages,
        )

    def with_items(self, items: list[U]) -> Page[U]:
        """The same page with other items, one for each of these (a batch transform)."""
        if len(items) != len(self.items):
            raise ValueError("a page's items are replaced one for one")
        return Page(
            items=items,
            total=self.total,
            page=self.page,
            page_size=self.page_size,
            pages=self.pages,
        )


@overload
def paginate(session: Session, statement: SelectOfScalar[T], params: PageParams) -> Page[T]: ...


@overload
def paginate(session: Session, statement: Select[*Ts], params: PageParams) -> Page[tuple[*Ts]]: ...


def paginate(
    session: Session, statement: SelectOfScalar[Any] | Select[*Ts], params: PageParams
) -> Page[Any]:
    """Count what ``statement`` matches, then read one page of it (in its order): its rows,
    or their values when it selects one thing."""
    counted: SelectOfScalar[Any] = select(func.count()).select_from(
        statement.order_by(None).subquery()
    )
    total = int(session.exec(counted).one())
    items = list(session.exec(statement.offset(params.offset).limit(params.limit)).all())
    return Page.of(items, total, params)
