"""Every reuse type and topic has its names in the three languages."""

from typing import get_args

from libs.events.schemas import ReuseType
from services.reuse.domain.vocabulary import REUSE_TOPICS, REUSE_TYPES, ReuseTopic


def test_every_type_and_topic_is_named_in_arabic_french_and_english() -> None:
    assert set(REUSE_TYPES) == set(get_args(ReuseType))
    assert set(REUSE_TOPICS) == set(get_args(ReuseTopic))
    for names in [*REUSE_TYPES.values(), *REUSE_TOPICS.values()]:
        assert set(names) == {"ar", "fr", "en"} and all(names.values())
