"""CloudEvents read from a message's bytes: one pass from bytes to a validated envelope, and a
precise reason for what is not one."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest

from libs.events import CloudEvent, EventParseError, new_event
from libs.events.schemas import InstitutionWithdrawn


def test_an_event_reads_back_as_it_was_written() -> None:
    data = InstitutionWithdrawn(institution_id=uuid.uuid4(), withdrawn_on=date(2020, 1, 2))
    event = new_event("governance", data, time=datetime(2020, 1, 2, 3, tzinfo=UTC))
    parsed = CloudEvent.from_bytes(event.to_bytes())
    assert parsed == event
    assert parsed.payload() == data


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (None, "empty message"),
        (b"{not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"[1, 2]", "not a CloudEvents 1.0 envelope"),
        (b'{"specversion": "1.0", "type": "t"}', "not a CloudEvents 1.0 envelope"),
    ],
)
def test_what_is_not_an_event_says_why(raw: bytes | None, reason: str) -> None:
    with pytest.raises(EventParseError, match=re.escape(reason)):
        CloudEvent.from_bytes(raw)


def test_an_envelope_time_without_offset_is_refused() -> None:
    event = new_event(
        "governance",
        InstitutionWithdrawn(institution_id=uuid.uuid4(), withdrawn_on=date(2020, 1, 2)),
    )
    naive = event.to_bytes().replace(b'+00:00"', b'"').replace(b'Z"', b'"')
    with pytest.raises(EventParseError, match=r"not a CloudEvents 1\.0 envelope"):
        CloudEvent.from_bytes(naive)
