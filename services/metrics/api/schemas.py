"""What admins send to edit the definitions. Every field is bounded and clean (libs.fields);
updates change only the fields given."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from libs.fields import Day, Line, Localized, LocalizedText, changes_of
from services.metrics.domain.progress import ActivityStatus

INDICATOR_CODE = r"^[a-z][a-z0-9_]{1,63}$"
COMMITMENT_CODE = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"

# An indicator's baseline or target: a finite number, within what any indicator may reach.
Amount = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Position = Annotated[int, Field(ge=0, le=10_000)]
EventTypes = Annotated[list[Line], Field(max_length=30)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The fields a partial update may not clear (their columns need a value).
    not_null: ClassVar[tuple[str, ...]] = ()

    def changes(self) -> dict[str, Any]:
        """The fields given, multilingual text as stored (``{"ar": ..., "fr": ...}``)."""
        changes_of(self, self.not_null)  # 422 naming a required field sent as null
        result: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            result[name] = (
                value.as_dict() if isinstance(value, Localized | LocalizedText) else value
            )
        return result


class IndicatorCreate(_Input):
    code: str = Field(pattern=INDICATOR_CODE, description="a_code_like_this")
    name: Localized
    description: LocalizedText | None = None
    unit: Localized
    measure: str = Field(max_length=64, description="One of GET /api/v1/measures")
    moved_by: EventTypes = Field(default_factory=list, description="Event types that move it")
    position: Position = 0


class IndicatorUpdate(_Input):
    not_null = ("name", "unit", "measure", "moved_by", "position")

    name: Localized | None = None
    description: LocalizedText | None = None
    unit: Localized | None = None
    measure: str | None = Field(default=None, max_length=64)
    moved_by: EventTypes | None = None
    position: Position | None = None


class PeriodCreate(_Input):
    baseline: Amount
    baseline_date: Day
    target: Amount
    target_date: Day
    commitment: str | None = Field(default=None, max_length=64)
    label: Localized | None = None


class PeriodUpdate(_Input):
    not_null = ("baseline", "baseline_date", "target", "target_date")

    baseline: Amount | None = None
    baseline_date: Day | None = None
    target: Amount | None = None
    target_date: Day | None = None
    commitment: str | None = Field(default=None, max_length=64)
    label: Localized | None = None


class CommitmentCreate(_Input):
    code: str = Field(pattern=COMMITMENT_CODE, max_length=64)
    title: Localized
    description: LocalizedText | None = None
    action_plan: Localized | None = None
    lead: Localized | None = None
    start: Day
    end: Day
    position: Position = 0


class CommitmentUpdate(_Input):
    not_null = ("title", "start", "end", "position")

    title: Localized | None = None
    description: LocalizedText | None = None
    action_plan: Localized | None = None
    lead: Localized | None = None
    start: Day | None = None
    end: Day | None = None
    position: Position | None = None


class ActivityCreate(_Input):
    title: Localized
    start: Day
    end: Day
    status: ActivityStatus = ActivityStatus.NOT_STARTED
    progress: Percent = 0
    weight: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] = 1
    completed_on: Day | None = None
    position: Position | None = None


class ActivityUpdate(_Input):
    not_null = ("title", "start", "end", "status", "progress", "weight", "position")

    title: Localized | None = None
    start: Day | None = None
    end: Day | None = None
    status: ActivityStatus | None = None
    progress: Percent | None = None
    weight: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] | None = None
    completed_on: Day | None = None
    position: Position | None = None


class LabelSet(_Input):
    name: Localized


class LabelOut(BaseModel):
    dimension: str
    key: str
    name: dict[str, str]


class MeasureOut(BaseModel):
    code: str
    object: str = Field(description="What it counts: institution, dataset or reuse")
    states: list[str]
    share_of: str | None = Field(description="For a share: the value whose share it gives")
    beside: list[str] = Field(description="States counted beside the value")
    dimensions: list[str]
    description: str
