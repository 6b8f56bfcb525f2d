"""The AsyncAPI 3.0 document of the events (DESIGN.md §4), generated from the code.

``python -m libs.events.asyncapi`` rewrites ``libs/events/asyncapi.yaml``. The topics come from
``Topic``, the messages from ``EVENT_TYPES`` and their payload schemas from the pydantic models,
so the document says exactly what producers emit; tests/platform/test_asyncapi.py fails when
the committed file differs from what this module builds.

Who sends what is read from each payload's topic (a topic belongs to the service named in it);
who receives what is ``RECEIVES`` below, DESIGN.md §3's table.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from libs.events import schemas
from libs.events.envelope import CONTENT_TYPE
from libs.events.schemas import EVENT_TYPES, EventData
from libs.events.topics import DEAD_LETTER_SUFFIX, Topic

DOCUMENT_PATH = Path(__file__).with_name("asyncapi.yaml")
ASYNCAPI_VERSION = "3.0.0"
# The version of the contract as a whole: bump it when an event type is added or retired
# (a breaking change to one type is a new type, ``…v2``, per libs/events/schemas.py).
CONTRACT_VERSION = "2.0.0"
SERVICES = ("catalog", "governance", "reuse", "metrics")
KAFKA_BINDING_VERSION = "0.5.0"

# Consumed by every service but the one that publishes it (libs/service.py registers it):
# revoked tokens stop working everywhere within seconds.
PLATFORM = (schemas.TokensRevoked,)

# The event types each service consumes (DESIGN.md §3).
RECEIVES: dict[str, tuple[type[EventData], ...]] = {
    "governance": (
        schemas.DatasetSubmitted,
        schemas.DecisionNotApplied,
        schemas.DatasetPublished,
        schemas.DatasetUpdated,
        schemas.DatasetWithdrawn,
    ),
    "catalog": (
        schemas.InstitutionEnrolled,
        schemas.InstitutionWithdrawn,
        schemas.ReviewDecided,
        schemas.ReuseDeclared,
        schemas.ReuseUpdated,
        schemas.ReuseRemoved,
        *PLATFORM,
    ),
    "reuse": (
        schemas.DatasetPublished,
        schemas.DatasetUpdated,
        schemas.DatasetWithdrawn,
        *PLATFORM,
    ),
    # "Everything above": every event the other three publish.
    "metrics": tuple(
        model for model in EVENT_TYPES.values() if model.topic is not Topic.METRICS_INDICATORS
    ),
}

_SCHEMA_REF = "#/components/schemas/{model}"

_DESCRIPTION = """\
The events Bayanat's four services (catalog, governance, reuse, metrics) exchange over Kafka.

Every message value is a CloudEvents 1.0 event in structured JSON mode
(`application/cloudevents+json`): `specversion`, `id` (a UUID, unique per event: consumers
deduplicate on it), `source` (`/bayanat/<service>`), `type` (versioned, e.g.
`ma.gov.data.dataset.published.v1`), `subject` (the aggregate's id), `time`,
`datacontenttype` (`application/json`) and `data`, the typed payload described here.

The message key is the `subject`, so that the events of one aggregate stay in order within
their topic. Producers publish through a transactional outbox with an idempotent producer
(`acks=all`); consumers commit the effect and the event id in one transaction, then the offset:
delivery is at least once, processing effectively once.

Every topic name and consumer group id is prefixed with the `KAFKA_TOPIC_PREFIX` setting
(empty by default), which lets several environments share one broker.
"""


def _camel(*words: str) -> str:
    parts = [part for word in words for part in word.replace(".", "_").split("_") if part]
    return parts[0].lower() + "".join(part.capitalize() for part in parts[1:])


def channel_id(topic: Topic) -> str:
    return _camel(topic.name)


def message_id(model: type[EventData]) -> str:
    """``ma.gov.data.dataset.published.v1`` → ``datasetPublishedV1``."""
    return _camel(model.event_type.removeprefix(schemas.TYPE_PREFIX))


def producer(topic: Topic) -> str:
    """The service that owns a topic: ``bayanat.<service>.<stream>``."""
    service = topic.value.split(".")[1]
    if service not in SERVICES:
        raise ValueError(f"topic {topic.value} names no service")
    return service


def _envelope(model: type[EventData], payload_ref: dict[str, str]) -> dict[str, Any]:
    """The CloudEvents envelope of one event type, ``data`` being its payload."""
    return {
        "type": "object",
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "data",
        ],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {"type": "string", "format": "uuid"},
            "source": {"type": "string", "const": f"/bayanat/{producer(model.topic)}"},
            "type": {"type": "string", "const": model.event_type},
            "subject": {
                "type": "string",
                "minLength": 1,
                "description": f"`data.{model.subject_field}`; also the Kafka message key.",
            },
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "data": payload_ref,
        },
    }


def _message(model: type[EventData], payload_ref: dict[str, str]) -> dict[str, Any]:
    doc = (model.__doc__ or "").strip()
    message: dict[str, Any] = {
        "name": model.event_type,
        "title": model.__name__,
        "summary": f"{model.__name__}, published by {producer(model.topic)} on {model.topic}.",
    }
    if doc:
        message["description"] = doc
    message.update(
        {
            "contentType": CONTENT_TYPE,
            "headers": {
                "type": "object",
                "properties": {"content-type": {"type": "string", "const": CONTENT_TYPE}},
            },
            "payload": _envelope(model, payload_ref),
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "description": f"The event's subject, `data.{model.subject_field}`.",
                    },
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
    )
    return message


def _dead_letter_message() -> dict[str, Any]:
    header = {"type": "string"}
    return {
        "name": "dead-letter",
        "title": "Dead letter",
        "summary": "A message its consumer could not process, copied unchanged.",
        "description": (
            "The original key and value, as they were read; the value may not even be a "
            "CloudEvent (that can be why it is here). The headers say where it came from and "
            "why it failed."
        ),
        "headers": {
            "type": "object",
            "required": [
                "bayanat-error",
                "bayanat-consumer",
                "bayanat-original-topic",
                "bayanat-original-partition",
                "bayanat-original-offset",
            ],
            "properties": {
                "content-type": {"type": "string", "const": CONTENT_TYPE},
                "bayanat-error": {**header, "description": "The error, at most 4000 characters."},
                "bayanat-consumer": {"type": "string", "enum": list(SERVICES)},
                "bayanat-original-topic": header,
                "bayanat-original-partition": {**header, "pattern": "^[0-9]+$"},
                "bayanat-original-offset": {**header, "pattern": "^[0-9]+$"},
            },
        },
        "payload": {"description": "The original message value, unchanged."},
    }


def _ref(*path: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(path)}


def build_document() -> dict[str, Any]:
    """The AsyncAPI document as plain data, deterministic for a given code base."""
    models = list(EVENT_TYPES.values())
    refs, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template=_SCHEMA_REF
    )
    component_schemas = dict(sorted(definitions.get("$defs", {}).items()))
    messages = {message_id(m): _message(m, refs[(m, "validation")]) for m in models}

    unknown = {s for s in RECEIVES if s not in SERVICES}
    if unknown:
        raise ValueError(f"RECEIVES names unknown services: {sorted(unknown)}")

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in Topic:
        cid = channel_id(topic)
        on_topic = [model for model in models if model.topic is topic]
        channels[cid] = {
            "address": topic.value,
            "title": topic.value,
            "description": (
                f"The {producer(topic)} service's `{topic.value.rsplit('.', 1)[1]}` stream. "
                "Each message is keyed by its event's subject (see each message's key), so "
                "the events of one subject stay in order."
            ),
            "messages": {
                message_id(model): _ref("components", "messages", message_id(model))
                for model in on_topic
            },
        }
        if on_topic:
            sender = producer(topic)
            operations[_camel(sender, "sends", topic.name)] = {
                "action": "send",
                "channel": _ref("channels", cid),
                "summary": f"{sender} publishes through its transactional outbox.",
                "tags": [{"name": sender}],
                "messages": [_ref("channels", cid, "messages", message_id(m)) for m in on_topic],
            }
        for service in SERVICES:
            received = [model for model in on_topic if model in RECEIVES.get(service, ())]
            if not received:
                continue
            operations[_camel(service, "receives", topic.name)] = {
                "action": "receive",
                "channel": _ref("channels", cid),
                "summary": f"{service} consumes these events idempotently.",
                "tags": [{"name": service}],
                "bindings": {
                    "kafka": {
                        "groupId": {"type": "string", "enum": [service]},
                        "bindingVersion": KAFKA_BINDING_VERSION,
                    }
                },
                "messages": [_ref("channels", cid, "messages", message_id(m)) for m in received],
            }

    channels["deadLetters"] = {
        "address": "bayanat.{service}" + DEAD_LETTER_SUFFIX,
        "title": "bayanat.<service>" + DEAD_LETTER_SUFFIX,
        "description": (
            "One dead-letter topic per consuming service (`bayanat.catalog.dlq`, "
            "`bayanat.governance.dlq`, …). A consumer moves a message here when it is not a "
            "CloudEvent, its `data` does not match its type, or its handler kept failing "
            "after the configured attempts; the consumer then goes on with the next message. "
            "No service reads these topics: they are kept for operators to inspect."
        ),
        "parameters": {
            "service": {"enum": list(SERVICES), "description": "The consuming service."}
        },
        "messages": {"deadLetter": _ref("components", "messages", "deadLetter")},
    }
    for service in SERVICES:
        operations[_camel(service, "sends", "dead_letters")] = {
            "action": "send",
            "channel": _ref("channels", "deadLetters"),
            "summary": f"{service} dead-letters what it cannot process to bayanat.{service}.dlq.",
            "tags": [{"name": service}],
            "messages": [_ref("channels", "deadLetters", "messages", "deadLetter")],
        }
    messages["deadLetter"] = _dead_letter_message()

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Bayanat events",
            "version": CONTRACT_VERSION,
            "description": _DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The single-node broker of deploy/kafka.sh (development, CI).",
            },
            "compose": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The broker of deploy/docker-compose.yml, inside its network.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": component_schemas, "messages": messages},
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so the descriptions read as written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def render(document: dict[str, Any]) -> str:
    header = "# Generated by `python -m libs.events.asyncapi`: edit libs/events/, not this file.\n"
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENT_PATH
    target.write_text(render(build_document()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
