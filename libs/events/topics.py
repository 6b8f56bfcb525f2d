"""Topic names: one per aggregate stream, keyed by the aggregate id (DESIGN.md §4)."""

from enum import StrEnum


class Topic(StrEnum):
    CATALOG_DATASETS = "bayanat.catalog.datasets"
    GOVERNANCE_INSTITUTIONS = "bayanat.governance.institutions"
    GOVERNANCE_ACCOUNTS = "bayanat.governance.accounts"
    GOVERNANCE_REVIEWS = "bayanat.governance.reviews"
    GOVERNANCE_SCHEDULES = "bayanat.governance.schedules"
    REUSE_REUSES = "bayanat.reuse.reuses"
    METRICS_INDICATORS = "bayanat.metrics.indicators"


DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(service_name: str) -> str:
    """Each consumer's own dead-letter topic, e.g. ``bayanat.catalog.dlq``."""
    return f"bayanat.{service_name}{DEAD_LETTER_SUFFIX}"
