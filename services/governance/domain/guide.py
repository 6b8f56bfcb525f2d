"""The procedures guide as data: the review stages and their bilingual checklists, versioned.

Every edit adds a version (none is changed afterwards), and each review records the version it
follows, so that a checklist answered under version 3 still reads as it was asked. The stage
keys are fixed, because the workflow and the automatic checks hang on them; their texts and
checklists are the national admins' to edit.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from libs.http.problems import Conflict, NotFound, Problem
from services.governance.domain import audit
from services.governance.domain.audit import Actor, utcnow
from services.governance.domain.common import SLUG_PATTERN, page_of
from services.governance.models import GuideVersion

STAGES = ("selection", "collection", "classification", "validation")
StageKey = Literal["selection", "collection", "classification", "validation"]


class Bilingual(BaseModel):
    """Guide texts are given in both official languages of the portal."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ar: str = Field(min_length=1, max_length=5000)
    fr: str = Field(min_length=1, max_length=5000)
    en: str | None = Field(default=None, max_length=5000)


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
    note: str | None = Field(default=None, max_length=2000)


def checklist_items(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every checklist item of a guide version by id, with its stage."""
    return {
        item["id"]: {**item, "stage": stage["key"]}
        for stage in content["stages"]
        for item in stage.get("checklist", [])
    }


def current(session: Session) -> GuideVersion:
    found = session.exec(select(GuideVersion).order_by(col(GuideVersion.version).desc())).first()
    if found is None:  # the first migration seeds version 1
        raise Problem("the procedures guide has not been seeded", status=503, code="no-guide")
    return found


def version(session: Session, number: int) -> GuideVersion:
    found = session.get(GuideVersion, number)
    if found is None:
        raise NotFound(f"guide version {number} not found")
    return found


def versions(session: Session, offset: int, limit: int) -> tuple[list[GuideVersion], int]:
    return page_of(session, GuideVersion, [], [col(GuideVersion.version).desc()], offset, limit)


def publish(session: Session, actor: Actor, edit: GuideEdit) -> GuideVersion:
    latest = current(session)
    guide = GuideVersion(
        version=latest.version + 1,
        content=edit.content.model_dump(mode="json", exclude_none=True),
        note=edit.note,
        created_at=utcnow(),
        created_by=actor.id,
    )
    session.add(guide)
    audit.record(
        session,
        actor,
        "guide.publish",
        "guide",
        guide.version,
        before={"version": latest.version, "content": latest.content},
        after={"version": guide.version, "content": guide.content, "note": edit.note},
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"guide version {guide.version} was published concurrently; reload and retry",
            code="guide-version-taken",
        ) from exc
    return guide
