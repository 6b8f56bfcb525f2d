"""What a job asks of a source, whatever its kind (ckan.py, dcat.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.catalog.domain.harvest.mapping import SourceRecord, UnreadableRecord

Page = list[SourceRecord | UnreadableRecord]


@dataclass(frozen=True)
class Known:
    """A record the catalog holds from this source: what says whether it is still there."""

    original_id: str
    original_uri: str | None


class SourceReader(Protocol):
    # How many records the source says there are (once the first page is read), if it says.
    total: int | None

    def records(self, since: datetime | None) -> AsyncGenerator[Page, None]:
        """The source's records, a page at a time: those changed since ``since`` when the
        source can tell (CKAN), else all of them (DCAT; the job compares each)."""
        ...

    async def identifiers(self) -> set[str]:
        """Every record's identifier the source has now (within the source's filters)."""
        ...

    async def confirm_gone(self, candidates: Collection[Known]) -> set[str]:
        """Of records missing from ``identifiers``, those the source confirms are gone (a
        listing made while the source changes may miss one that is still there)."""
        ...
