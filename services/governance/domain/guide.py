"""The procedures guide as data: the review stages and their bilingual checklists, versioned.

Every edit adds a version (none is changed afterwards), and each review records the version it
follows, so that a checklist answered under version 3 still reads as it was asked. The stage
keys are fixed, because the workflow and the automatic checks hang on them; their texts and
checklists are the national admins' to edit.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import col, select

from libs.db import utcnow
from libs.fields import SLUG_PATTERN, Text
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, NotFound, Problem
from libs.uow import UnitOfWork
from services.governance.domain import audit
from services.governance.domain.audit import Actor
from services.governance.domain.common import flush_or
from services.governance.models import GuideVersion

STAGES = ("selection", "collection", "classification", "validation")
StageKey = Literal["selection", "collection", "classification", "validation"]


GuideText = Annotated[Text, Field(min_length=1, max_length=5000)]


class Bilingual(BaseModel):
    """Guide texts are given in both official languages of the portal."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ar: GuideText
    fr: GuideText
    en: GuideText | None = None


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=2, max_length=64, pattern=SLUG_PATTERN)
    label: Bilingual
    help: Bilingual | None = None
    # A required item must be answered "yes" before the review can be approved.
    required: bool = True


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: StageKey
    title: Bilingual
    description: Bilingual | None = None
    checklist: list[ChecklistItem] = Field(default_factory=list, max_length=50)


class Section(BaseModel):
    """A chapter of the guide's text (collect, process, publish, update…)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=2, max_length=64, pattern=SLUG_PATTERN)
    title: Bilingual
    body: Bilingual


class GuideContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Bilingual
    stages: list[Stage]
    sections: list[Section] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _stages_and_unique_ids(self) -> GuideContent:
        keys = tuple(stage.key for stage in self.stages)
        if keys != STAGES:
            raise ValueError(f"stages must be exactly {', '.join(STAGES)}, in this order")
        ids = [item.id for stage in self.stages for item in stage.checklist]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"checklist item ids must be unique; repeated: {duplicates}")
        return self


class GuideEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: GuideContent
    note: Annotated[Text, Field(max_length=2000)] | None = None


def checklist_items(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every checklist item of a guide version by id, with its stage."""
    return {
        item["id"]: {**item, "stage": stage["key"]}
        for stage in content["stages"]
        for item in stage.get("checklist", [])
    }


def current(uow: UnitOfWork) -> GuideVersion:
    found = uow.session.exec(
        select(GuideVersion).order_by(col(GuideVersion.version).desc())
    ).first()
    if found is None:  # the first migration seeds version 1
        raise Problem("the procedures guide has not been seeded", status=503, code="no-guide")
    return found


def get_version(uow: UnitOfWork, number: int) -> GuideVersion:
    found = uow.session.get(GuideVersion, number)
    if found is None:
        raise NotFound(f"guide version {number} not found")
    return found


def list_versions(uow: UnitOfWork, params: PageParams) -> Page[GuideVersion]:
    statement = select(GuideVersion).order_by(col(GuideVersion.version).desc())
    return paginate(uow.session, statement, params)


def publish_guide(
    uow: UnitOfWork, actor: Actor, *, content: GuideContent, note: str | None
) -> GuideVersion:
    """A new version of the guide, numbered after the current one."""
    latest = current(uow)
    guide = GuideVersion(
        version=latest.version + 1,
        content=content.model_dump(mode="json", exclude_none=True),
        note=note,
        created_at=utcnow(),
        created_by=actor.id,
    )
    uow.session.add(guide)
    taken = f"guide version {guide.version} was published concurrently; reload and retry"
    flush_or(uow, Conflict(taken, code="guide-version-taken"))
    audit.record_action(
        uow,
        actor,
        action="guide.publish",
        target_type="guide",
        target_id=guide.version,
        before={"version": latest.version, "content": latest.content},
        after={"version": guide.version, "content": guide.content, "note": note},
    )
    return guide
