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
from libs.fields import SLUG_PATTERN, Line, Text
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, NotFound, Problem
from libs.uow import UnitOfWork
from services.governance.domain import audit
from services.governance.domain.audit import Actor
from services.governance.domain.common import flush_or
from services.governance.models import GuideVersion

STAGES = ("selection", "collection", "classification", "validation")
StageKey = Literal["selection", "collection", "classification", "validation"]


# The bounds of the guide. Its first version is about 6 KB; every review reads the version it
# follows and each edit is audited with the version before and after, so the whole content is
# bounded too (GUIDE_MAX_BYTES, as stored: UTF-8 JSON), well above what a guide needs.
HEADING_MAX = 300  # a title, a checklist item's label
PARAGRAPH_MAX = 2_000  # a stage's description, an item's help
CHAPTER_MAX = 20_000  # a section's body
MAX_ITEMS_PER_STAGE = 25  # so a checklist has at most 100 items (reviews.MAX_ANSWERS)
MAX_SECTIONS = 30
GUIDE_MAX_BYTES = 256 * 1024


class _Bilingual(BaseModel):
    """Guide texts are given in both official languages of the portal, English optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Heading = Annotated[Line, Field(min_length=1, max_length=HEADING_MAX)]
Paragraph = Annotated[Text, Field(min_length=1, max_length=PARAGRAPH_MAX)]
Chapter = Annotated[Text, Field(min_length=1, max_length=CHAPTER_MAX)]


class BilingualHeading(_Bilingual):
    ar: Heading
    fr: Heading
    en: Heading | None = None


class BilingualParagraph(_Bilingual):
    ar: Paragraph
    fr: Paragraph
    en: Paragraph | None = None


class BilingualChapter(_Bilingual):
    ar: Chapter
    fr: Chapter
    en: Chapter | None = None


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=2, max_length=64, pattern=SLUG_PATTERN)
    label: BilingualHeading
    help: BilingualParagraph | None = None
    # A required item must be answered "yes" before the review can be approved.
    required: bool = True


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: StageKey
    title: BilingualHeading
    description: BilingualParagraph | None = None
    checklist: list[ChecklistItem] = Field(default_factory=list, max_length=MAX_ITEMS_PER_STAGE)


class Section(BaseModel):
    """A chapter of the guide's text (collect, process, publish, update…)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=2, max_length=64, pattern=SLUG_PATTERN)
    title: BilingualHeading
    body: BilingualChapter


class GuideContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: BilingualHeading
    stages: list[Stage] = Field(max_length=len(STAGES))
    sections: list[Section] = Field(default_factory=list, max_length=MAX_SECTIONS)

    @model_validator(mode="after")
    def _stages_unique_ids_and_size(self) -> GuideContent:
        keys = tuple(stage.key for stage in self.stages)
        if keys != STAGES:
            raise ValueError(f"stages must be exactly {', '.join(STAGES)}, in this order")
        ids = [item.id for stage in self.stages for item in stage.checklist]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"checklist item ids must be unique; repeated: {duplicates}")
        size = len(self.model_dump_json(exclude_none=True).encode())
        if size > GUIDE_MAX_BYTES:
            raise ValueError(f"the guide takes {size} bytes, above the {GUIDE_MAX_BYTES} allowed")
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
