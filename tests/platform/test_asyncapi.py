"""libs/events/asyncapi.yaml: current, complete, and true of the events the code produces."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
import yaml
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT7

from libs.events import EVENT_TYPES, CloudEvent, EventData, Topic, dead_letter_topic, new_event
from libs.events import schemas as s
from libs.events.asyncapi import DOCUMENT_PATH, SERVICES, build_document

DOCUMENT_URI = "urn:bayanat:asyncapi"

# Draft 7 checks neither format out of the box; the envelope and payloads rely on both.
FORMATS = FormatChecker()


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(UUID(value)) == value.lower()


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # RFC 3339 requires the offset.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def _id(n: int) -> UUID:
    return UUID(int=n)


WHEN = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
TITLE = s.LocalizedText(ar="الميزانية", fr="Budget", en="Budget")

# One realistic payload per event type, with the optional fields filled in.
SAMPLES: dict[str, EventData] = {
    sample.event_type: sample
    for sample in (
        s.InstitutionEnrolled(
            institution_id=_id(1),
            slug="ministere-finances",
            name=s.LocalizedText(ar="وزارة المالية", fr="Ministère des Finances"),
            acronym="MEF",
            kind="ministry",
            website="https://www.finances.gov.ma",
            enrolled_on=date(2025, 1, 6),
            commitment_reference="OGP-2025-03",
        ),
        s.InstitutionWithdrawn(institution_id=_id(1), withdrawn_on=date(2025, 6, 1), reason="x"),
        s.ReviewOpened(
            review_id=_id(2),
            dataset_id=_id(3),
            institution_id=_id(1),
            opened_at=WHEN,
            quality_score=72,
            reopened=True,
        ),
        s.ReviewDecided(
            review_id=_id(2),
            dataset_id=_id(3),
            institution_id=_id(1),
            decision="rejected",
            reasons=["licence missing"],
            decided_by=_id(4),
            decided_at=WHEN,
            submitted_at=WHEN,
        ),
        s.DatasetOverdue(
            dataset_id=_id(3),
            institution_id=_id(1),
            frequency="monthly",
            last_data_update=None,
            due_at=WHEN,
            detected_at=WHEN,
        ),
        s.DatasetSubmitted(
            dataset_id=_id(3),
            slug="budget-2025",
            institution_id=_id(1),
            submitted_by=_id(5),
            submitted_at=WHEN,
            title=TITLE,
            description=s.LocalizedText(fr="Loi de finances"),
            tags=["budget"],
            themes=["economy"],
            license_id="odc-by",
            license_is_open=True,
            frequency="annual",
            contact_point={"name": "Data office", "email": None},
            temporal_start=date(2025, 1, 1),
            temporal_end=date(2025, 12, 31),
            spatial=["MA"],
            version="1.0",
            resources=[
                s.ResourceSummary(
                    id=_id(6),
                    title=TITLE,
                    url="https://data.gov.ma/budget.csv",
                    format="CSV",
                    media_type="text/csv",
                    size=1024,
                    uploaded=True,
                )
            ],
        ),
        s.DatasetPublished(
            dataset_id=_id(3),
            slug="budget-2025",
            institution_id=_id(1),
            title=TITLE,
            themes=["economy"],
            license_id="odc-by",
            license_is_open=True,
            formats=["CSV"],
            frequency="annual",
            published_at=WHEN,
            last_data_update=WHEN,
        ),
        s.DatasetUpdated(
            dataset_id=_id(3),
            slug="budget-2025",
            institution_id=_id(1),
            formats=["CSV", "JSON"],
            last_data_update=WHEN,
            updated_at=WHEN,
        ),
        s.DatasetWithdrawn(
            dataset_id=_id(3),
            slug="budget-2025",
            institution_id=_id(1),
            withdrawn_at=WHEN,
            reason="superseded",
        ),
        s.DecisionNotApplied(
            dataset_id=_id(3),
            review_id=_id(2),
            institution_id=_id(1),
            decision="approved",
            reason="stale_round",
            detail="the dataset was submitted again after this round",
            dataset_state="submitted",
            noticed_at=WHEN,
        ),
        s.TokensRevoked(
            account_id=_id(4),
            session_id=_id(11),
            not_before=WHEN,
            reason="logout",
        ),
        s.ReuseDeclared(
            reuse_id=_id(7),
            title=s.LocalizedText(ar="مستكشف الميزانية", fr="Explorateur du budget"),
            reuse_type="visualization",
            topic_name="public finance",
            url="https://example.org/budget",
            dataset_ids=[_id(3)],
            institution_ids=[_id(1)],
            developer_id=_id(8),
            organization="Association Budget Ouvert",
            declared_at=WHEN,
        ),
        s.ReuseUpdated(
            reuse_id=_id(7),
            title=s.LocalizedText(fr="Explorateur du budget 2025"),
            reuse_type="visualization",
            url="https://example.org/budget",
            dataset_ids=[_id(3), _id(9)],
            institution_ids=[_id(1)],
            verified=True,
            updated_at=WHEN,
        ),
        s.ReuseVerified(reuse_id=_id(7), verified_by=_id(4), verified_at=WHEN),
        s.ReuseRemoved(
            reuse_id=_id(7),
            dataset_ids=[_id(3)],
            removed_at=WHEN,
            cause="rejected",
            reason="dead link",
        ),
        s.IndicatorChanged(
            indicator="datasets_published",
            value=42,
            previous_value=41,
            target=300,
            changed_at=WHEN,
        ),
    )
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


@pytest.fixture(scope="module")
def registry(document: dict[str, Any]) -> Registry:
    return Registry().with_resource(DOCUMENT_URI, DRAFT7.create_resource(document))


def messages_by_type(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        message["name"]: (key, message)
        for key, message in document["components"]["messages"].items()
        if message["name"] in EVENT_TYPES
    }


def payload_validator(registry: Registry, message_key: str) -> Draft7Validator:
    schema = {"$ref": f"{DOCUMENT_URI}#/components/messages/{message_key}/payload"}
    return Draft7Validator(schema, registry=registry, format_checker=FORMATS)


def wire_form(event: CloudEvent) -> dict[str, Any]:
    """The message value exactly as the outbox relay writes it to Kafka."""
    return json.loads(event.to_bytes())


def operations(document: dict[str, Any], action: str) -> Iterator[tuple[str, str, str]]:
    """(service, channel id, message id) of every operation with this action."""
    for operation in document["operations"].values():
        if operation["action"] != action:
            continue
        (tag,) = operation["tags"]
        channel = operation["channel"]["$ref"].rsplit("/", 1)[1]
        for ref in operation["messages"]:
            yield tag["name"], channel, ref["$ref"].rsplit("/", 1)[1]


def sender_of(document: dict[str, Any], message_key: str) -> str:
    senders = {svc for svc, _, msg in operations(document, "send") if msg == message_key}
    assert len(senders) == 1, f"{message_key} is sent by {senders or 'no service'}"
    return senders.pop()


def test_committed_document_is_current(document: dict[str, Any]) -> None:
    committed = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert committed == document, (
        "libs/events/asyncapi.yaml is stale: run `python -m libs.events.asyncapi`"
    )


def test_document_is_asyncapi_3(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["defaultContentType"] == "application/cloudevents+json"


def test_every_event_type_has_a_message(document: dict[str, Any]) -> None:
    found = messages_by_type(document)
    assert set(found) == set(EVENT_TYPES)
    for event_type, (key, message) in found.items():
        assert message["contentType"] == "application/cloudevents+json"
        payload = message["payload"]
        assert payload["properties"]["type"]["const"] == event_type
        model = EVENT_TYPES[event_type]
        assert payload["properties"]["data"] == {"$ref": f"#/components/schemas/{model.__name__}"}
        assert key in document["channels"][channel_of(document, model.topic)]["messages"]


def channel_of(document: dict[str, Any], topic: str) -> str:
    (channel_id,) = [
        key for key, channel in document["channels"].items() if channel["address"] == topic
    ]
    return channel_id


def test_every_topic_has_a_channel_with_its_events(document: dict[str, Any]) -> None:
    found = messages_by_type(document)
    for topic in Topic:
        channel = document["channels"][channel_of(document, topic.value)]
        expected = {found[t][0] for t, model in EVENT_TYPES.items() if model.topic is topic}
        assert set(channel["messages"]) == expected, topic


def test_dead_letter_topics_are_described(document: dict[str, Any]) -> None:
    (channel,) = [c for c in document["channels"].values() if "{service}" in c["address"]]
    services = channel["parameters"]["service"]["enum"]
    assert set(services) == set(SERVICES) == set(importlib.import_module("services.cli").SERVICES)
    for service in services:
        assert channel["address"].format(service=service) == dead_letter_topic(service)


def test_envelope_schema_has_every_cloudevent_attribute(document: dict[str, Any]) -> None:
    for _, message in messages_by_type(document).values():
        payload = message["payload"]
        assert set(payload["properties"]) == set(CloudEvent.model_fields)
        assert set(payload["required"]) == set(CloudEvent.model_fields)


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"dangling {ref}"
            node = node[part]


def test_schemas_use_only_keywords_asyncapi_understands(document: dict[str, Any]) -> None:
    # AsyncAPI's default schema format is a superset of JSON Schema draft 7: pydantic writes
    # 2020-12, whose newer keywords AsyncAPI tools would silently ignore.
    newer = {"$defs", "prefixItems", "unevaluatedProperties", "dependentSchemas", "$dynamicRef"}

    def keywords(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            yield from node
            for key, value in node.items():
                if key != "properties":
                    yield from keywords(value)
                else:
                    for schema in value.values():
                        yield from keywords(schema)
        elif isinstance(node, list):
            for value in node:
                yield from keywords(value)

    used = set(keywords(document["components"]["schemas"]))
    used |= set(keywords([m["payload"] for m in document["components"]["messages"].values()]))
    assert not used & newer


def test_samples_cover_every_event_type() -> None:
    assert set(SAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_real_event_validates_against_its_message(
    document: dict[str, Any], registry: Registry, event_type: str
) -> None:
    key, _ = messages_by_type(document)[event_type]
    event = new_event(sender_of(document, key), SAMPLES[event_type])
    validator = payload_validator(registry, key)
    errors = [error.message for error in validator.iter_errors(wire_form(event))]
    assert not errors


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_message_schema_rejects_what_is_not_its_event(
    document: dict[str, Any], registry: Registry, event_type: str
) -> None:
    key, _ = messages_by_type(document)[event_type]
    sender = sender_of(document, key)
    validator = payload_validator(registry, key)
    good = wire_form(new_event(sender, SAMPLES[event_type]))
    model = EVENT_TYPES[event_type]
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    other_type = next(t for t in EVENT_TYPES if t != event_type)
    bad_values = [
        {**good, "type": other_type},
        {**good, "source": "/bayanat/elsewhere"},
        {**good, "id": "not-a-uuid"},
        {**good, "time": "2025-03-14T09:30:00"},
        {key: value for key, value in good.items() if key != "subject"},
        {**good, "data": {k: v for k, v in good["data"].items() if k != required[0]}},
        {**good, "data": {**good["data"], model.subject_field: 12}},
    ]
    for bad in bad_values:
        with pytest.raises(ValidationError):
            validator.validate(bad)
    # And the code agrees that these are not valid events of this type.
    with pytest.raises(ValueError):
        CloudEvent.model_validate(bad_values[5]).payload()


def test_each_event_is_sent_by_the_service_that_owns_its_topic(document: dict[str, Any]) -> None:
    for event_type, (key, message) in messages_by_type(document).items():
        sender = sender_of(document, key)
        assert EVENT_TYPES[event_type].topic.value.startswith(f"bayanat.{sender}.")
        assert message["payload"]["properties"]["source"]["const"] == f"/bayanat/{sender}"


def test_receivers_follow_the_design(document: dict[str, Any]) -> None:
    received: dict[str, set[str]] = {service: set() for service in SERVICES}
    by_key = {key: t for t, (key, _) in messages_by_type(document).items()}
    for service, _, message_key in operations(document, "receive"):
        received[service].add(by_key[message_key])
    # The saga of DESIGN.md §3: catalog submits, governance decides, catalog publishes, reuse
    # and metrics follow.
    assert s.DatasetSubmitted.event_type in received["governance"]
    assert s.ReviewDecided.event_type in received["catalog"]
    assert s.DatasetPublished.event_type in received["reuse"]
    others = {t for t, m in EVENT_TYPES.items() if m.topic is not Topic.METRICS_INDICATORS}
    assert received["metrics"] == others
    for service, types in received.items():
        assert all(not EVENT_TYPES[t].topic.value.startswith(f"bayanat.{service}.") for t in types)


@pytest.mark.parametrize("service", SERVICES)
def test_handled_events_are_documented_as_received(document: dict[str, Any], service: str) -> None:
    handlers = importlib.import_module(f"services.{service}.app").create_app().state.handlers
    by_key = {key: t for t, (key, _) in messages_by_type(document).items()}
    documented = {by_key[m] for svc, _, m in operations(document, "receive") if svc == service}
    undocumented = sorted(set(handlers) - documented)
    assert not undocumented, (
        f"{service} handles {undocumented}: add them to RECEIVES in libs/events/asyncapi.py "
        "and run `python -m libs.events.asyncapi`"
    )
