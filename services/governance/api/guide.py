"""The procedures guide: read by anyone (front-ends render it), edited by national admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWorkDep
from services.governance.api.deps import GuideEditor
from services.governance.api.schemas import GuideOut, GuideVersionSummary
from services.governance.domain import guide
from services.governance.domain.quality import checks_of_stage
from services.governance.models import GuideVersion

router = APIRouter(prefix="/guide", tags=["guide"])
NO_GUIDE = "The guide has not been seeded (the migrations have not run)"


# The automatic checks of each stage: fixed in code, the same for every guide version.
AUTOMATIC_CHECKS: dict[str, list[str]] = {
    stage: [check.name for check in checks_of_stage(stage)] for stage in guide.STAGES
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


@router.get("", response_model=GuideOut, responses=problems(s503=NO_GUIDE))
def current_guide(uow: UnitOfWorkDep) -> GuideOut:
    """The current version of the guide: stages, bilingual checklists, chapters."""
    return guide_out(guide.current(uow))


@router.put(
    "",
    status_code=201,
    response_model=GuideOut,
    responses=problems(403, s409="Another version was published at the same time", s503=NO_GUIDE),
)
def publish_guide(body: guide.GuideEdit, actor: GuideEditor, uow: UnitOfWorkDep) -> GuideOut:
    """Publishes a new version of the guide (the previous ones stay readable)."""
    version = guide.publish_guide(uow, actor, content=body.content, note=body.note)
    out = guide_out(version)
    uow.commit()
    return out


@router.get("/versions", response_model=Page[GuideVersionSummary])
def guide_versions(
    uow: UnitOfWorkDep, params: PageParams = Depends(page_params)
) -> Page[GuideVersionSummary]:
    return guide.list_versions(uow, params).map(GuideVersionSummary.model_validate)


@router.get("/versions/{number}", response_model=GuideOut, responses=problems(404))
def guide_version(uow: UnitOfWorkDep, number: int = Path(ge=1, le=1_000_000)) -> GuideOut:
    return guide_out(guide.get_version(uow, number))
