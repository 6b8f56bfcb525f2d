"""CloudEvents 1.0 envelope in structured JSON mode."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from libs.events.schemas import EventData, payload_model

CONTENT_TYPE = "application/cloudevents+json"


class EventParseError(ValueError):
    """A message that is not a valid CloudEvent of a known type."""


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: UUID = Field(default_factory=uuid4)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    time: AwareDatetime  # CloudEvents times carry their offset
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    def payload(self) -> EventData:
        """The typed ``data`` of this event; raises EventParseError for unknown or bad data."""
        model = payload_model(self.type)
        if model is None:
            raise EventParseError(f"unknown event type {self.type!r}")
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            raise EventParseError(f"invalid data for {self.type}: {exc}") from exc

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> CloudEvent:
        """The envelope, parsed and validated straight from the message's bytes in one pass
        (no intermediate document: every consumer reads every message through here)."""
        if not raw:
            raise EventParseError("empty message")
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            if any(error["type"] == "json_invalid" for error in exc.errors()):
                raise EventParseError(f"not JSON: {exc}") from exc
            raise EventParseError(f"not a CloudEvents 1.0 envelope: {exc}") from exc


def new_event(service_name: str, data: EventData, *, time: datetime | None = None) -> CloudEvent:
    """Wrap a typed payload: its type and subject come from the payload class."""
    return CloudEvent(
        source=f"/bayanat/{service_name}",
        type=data.event_type,
        subject=data.subject(),
        time=time or datetime.now(UTC),
        data=data.model_dump(mode="json"),
    )
