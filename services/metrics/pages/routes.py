"""The public pages: thin routers over the read functions the JSON API uses.

- ``/`` and ``/dashboard``: the indicators against their targets, the commitment and its
  activities, the audit's findings, each indicator's history and the breakdowns;
- ``/dashboard/events``: server-sent events when an indicator moves (live.py);
- ``/institutions/{slug}``: one institution's page.

``?lang=ar|fr`` (Arabic by default), ``?digits=arab|latn`` and, on the dashboard,
``?as_of=YYYY-MM-DD``. Errors are HTML pages too; the JSON API keeps its RFC 9457 problems.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from libs.db import utcnow
from libs.http.pagination import MAX_PAGE_SIZE, PageParams
from libs.http.problems import NotFound
from libs.uow import UnitOfWorkDep
from services.metrics.api.deps import Settings
from services.metrics.domain import dashboard, figures, institutions
from services.metrics.domain.gauges import announced_version
from services.metrics.domain.institutions import DatasetSummary
from services.metrics.pages import views
from services.metrics.pages.live import LiveVersion
from services.metrics.pages.rendering import Page, PageError, render, render_error

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, uow: UnitOfWorkDep, settings: Settings) -> HTMLResponse:
    page = Page.of(request, settings.display_timezone)
    try:
        as_of = page.as_of(utcnow().date())
    except PageError as error:
        return render_error(page, error)
    # Read before the figures: an announcement made meanwhile changes it, and the page
    # then refreshes rather than miss the change.
    version = announced_version(uow)
    board = views.Board(
        dashboard.dashboard(
            uow, as_of=as_of, margins=settings.margins, max_points=settings.history_max_points
        )
    )
    return render(
        page,
        "dashboard.html",
        board=board,
        charts=views.charts(page.locale, board),
        version=version,
        explicit_date="as_of" in request.query_params,
    )


@router.get("/dashboard/events")
async def dashboard_events(
    request: Request,
    since: Annotated[str | None, Query(max_length=64)] = None,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """Server-sent events: ``figures`` (with the figures' version) when an indicator moves."""
    live: LiveVersion = request.app.state.live
    return StreamingResponse(
        live.stream(last_event_id or since),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _all_datasets(uow: UnitOfWorkDep, slug: str) -> list[DatasetSummary]:
    """Every published dataset of the institution, through the API's pages."""
    items: list[DatasetSummary] = []
    number = 1
    while True:
        page = institutions.institution_datasets(uow, slug, PageParams(number, MAX_PAGE_SIZE))
        items.extend(page.items)
        if number >= page.pages:
            return items
        number += 1


@router.get("/institutions/{slug}", response_class=HTMLResponse)
def institution_page(
    slug: str, request: Request, uow: UnitOfWorkDep, settings: Settings
) -> HTMLResponse:
    page = Page.of(request, settings.display_timezone)
    try:
        report = institutions.institution_page(uow, slug, as_of=utcnow().date())
    except NotFound:
        return render_error(page, PageError(404, "not_found", "no_institution"))
    datasets = _all_datasets(uow, slug)
    kind = report.institution.kind
    themes = sorted({theme for d in datasets for theme in d.themes})
    return render(
        page,
        "institution.html",
        report=report,
        datasets=datasets,
        kind_names=figures.label_names(uow.session, "institution_kind", [kind] if kind else []),
        theme_names=figures.label_names(uow.session, "theme", themes),
        openness_names=figures.label_names(
            uow.session, "openness", [str(i.stars) for i in report.openness]
        ),
        computed_at=utcnow(),
    )
