"""The procedures guide: read by anyone (front-ends render it), edited by national admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path
from sqlmodel import Session

from libs.auth import AdminPrincipal
from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from services.governance.api.deps import CurrentActor
from services.governance.api.schemas import GuideOut, GuideVersionSummary
from services.governance.domain import guide
from services.governance.domain.quality import CHECK_STAGES
from services.governance.models import GuideVersion

router = APIRouter(prefix="/guide", tags=["guide"])


# The automatic checks of each stage: fixed in code, the same for every guide version.
AUTOMATIC_CHECKS: dict[str, list[str]] = {
    stage: [name for name, check_stage in CHECK_STAGES.items() if check_stage == stage]
    for stage in guide.STAGES
}


def guide_out(version: GuideVersion) -> GuideOut:
    return GuideOut(
        version=version.version,
        note=version.note,
        created_at=version.created_at,
        created_by=version.created_by,
        content=version.content,
        automatic_checks=AUTOMATIC_CHECKS,
    )


@router.get("", response_model=GuideOut)
def current_guide(session: Session = Depends(get_session)) -> GuideOut:
    """The current version of the guide: stages, bilingual checklists, chapters."""
    return guide_out(guide.current(session))


@router.put("", status_code=201, response_model=GuideOut)
def publish_guide(
    body: guide.GuideEdit,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> GuideOut:
    """Publishes a new version of the guide (the previous ones stay readable)."""
    return guide_out(guide.publish(session, actor, body))


@router.get("/versions", response_model=Page[GuideVersionSummary])
def guide_versions(
    params: PageParams = Depends(page_params), session: Session = Depends(get_session)
) -> Page[Any]:
    rows, total = guide.versions(session, params.offset, params.limit)
    return Page.of([GuideVersionSummary.model_validate(r) for r in rows], total, params)


@router.get("/versions/{number}", response_model=GuideOut)
def guide_version(
    number: int = Path(ge=1, le=1_000_000), session: Session = Depends(get_session)
) -> GuideOut:
    return guide_out(guide.version(session, number))
