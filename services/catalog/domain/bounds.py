"""The bounds of what a steward sends the catalog, and the largest event they allow.

Every text goes through libs.fields (valid Unicode, NFC, no control characters) and is bounded
twice: as sent, and once normalised (NFC can turn one code point into three), so that a stored
value fits its column and the largest legal event is known. Counts are bounded by the request
models, before any work that grows with them.

The largest legal ``dataset submitted`` (see services/catalog/README.md) has every language of
every text at its maximum in the widest characters (4 bytes of UTF-8 each; JSON escapes
nothing wider: a quote or a backslash takes 2 bytes, a newline or a tab 2, and other control
characters are refused), the most tags and regions, and the most resources, each with the
longest title and URL: about 1.1 MB, half the broker's limit (KAFKA_MAX_MESSAGE_BYTES, 2 MiB).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from libs.fields import (
    LINE_MAX,
    SHORT_MAX,
    TEXT_MAX,
    URL_MAX,
    HttpUrl,
    Line,
    Localized,
    LocalizedText,
    ShortLine,
    Text,
)

# Counts: what real datasets use, with room (CKAN's own datasets rarely carry more than a
# few dozen tags or files); each makes one row or one entry of the review's snapshot.
TAGS_MAX = 50
THEMES_MAX = 20  # there are fewer themes than that
SPATIAL_MAX = 50  # the twelve regions and a few dozen communes
RESOURCES_MAX = 50  # monthly files of four years
# Lengths, in code points once normalised.
TITLE_MAX = LINE_MAX  # 500
DESCRIPTION_MAX = TEXT_MAX  # 20,000
TAG_MAX = SHORT_MAX  # 100, the tag column
SPATIAL_ENTRY_MAX = 200  # a commune's name
CONTACT_NAME_MAX = 200
VERSION_MAX = 64  # the version column
RESOURCE_URL_MAX = URL_MAX  # 2,000
MEDIA_TYPE_MAX = 255  # the media type column (RFC 6838 allows 127 + 1 + 127)
# Numbers: within the columns (position is an INTEGER, size a BIGINT).
POSITION_MAX = 10_000
SIZE_MAX = 2**63 - 1
# Filters of a search: each value is a condition for the database.
FILTER_VALUES_MAX = 20

BoundedLine = Annotated[Line, Field(max_length=TITLE_MAX)]
BoundedText = Annotated[Text, Field(max_length=DESCRIPTION_MAX)]
Tag = Annotated[ShortLine, Field(max_length=TAG_MAX)]
SpatialEntry = Annotated[Line, Field(max_length=SPATIAL_ENTRY_MAX)]
ContactName = Annotated[Line, Field(max_length=CONTACT_NAME_MAX)]
Version = Annotated[ShortLine, Field(max_length=VERSION_MAX)]
ResourceUrl = Annotated[HttpUrl, Field(max_length=RESOURCE_URL_MAX)]
Code = Annotated[ShortLine, Field(max_length=SHORT_MAX)]


class Title(Localized):
    """A title in Arabic and/or French (English optional), each at most 500 code points."""

    ar: BoundedLine | None = None
    fr: BoundedLine | None = None
    en: BoundedLine | None = None


class Description(LocalizedText):
    """A description in Arabic and/or French (English optional), each at most 20,000 code
    points, newlines and tabs allowed."""

    ar: BoundedText | None = None
    fr: BoundedText | None = None
    en: BoundedText | None = None
