"""The event contract between services: CloudEvents envelope, typed payloads, topics."""

from libs.events.envelope import CONTENT_TYPE, CloudEvent, EventParseError, new_event
from libs.events.schemas import EVENT_TYPES, EventData, payload_model
from libs.events.topics import DEAD_LETTER_SUFFIX, Topic, dead_letter_topic

__all__ = [
    "CONTENT_TYPE",
    "DEAD_LETTER_SUFFIX",
    "EVENT_TYPES",
    "CloudEvent",
    "EventData",
    "EventParseError",
    "Topic",
    "dead_letter_topic",
    "new_event",
    "payload_model",
]
