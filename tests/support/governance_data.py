"""Data the governance tests build: a submission as the catalog announces it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from libs.events.schemas import DatasetSubmitted, LocalizedText, ResourceSummary


def submitted(
    institution_id: uuid.UUID,
    submitted_by: uuid.UUID,
    resources: list[tuple[str, str | None]],
    *,
    dataset_id: uuid.UUID | None = None,
    submitted_at: datetime | None = None,
    **overrides: Any,
) -> DatasetSubmitted:
    """A complete, well-described submission; ``resources`` are (url, format) pairs."""
    dataset_id = dataset_id or uuid.uuid4()
    values: dict[str, Any] = {
        "dataset_id": dataset_id,
        "slug": f"population-{dataset_id.hex[:8]}",
        "institution_id": institution_id,
        "submitted_by": submitted_by,
        "submitted_at": submitted_at or datetime.now(UTC),
        "title": LocalizedText(fr="Population légale des régions", ar="السكان القانونيون للجهات"),
        "description": LocalizedText(
            fr="Population légale de chacune des douze régions, par année, issue des "
            "recensements généraux de la population et de l'habitat et de leurs projections.",
            ar="السكان القانونيون لكل جهة من الجهات الاثنتي عشرة حسب السنة، من الإحصاءات "
            "العامة للسكان والسكنى وإسقاطاتها، كما تنشرها المندوبية السامية للتخطيط كل سنة.",
        ),
        "tags": ["population", "recensement"],
        "themes": ["population"],
        "license_id": "odc-odbl",
        "license_is_open": True,
        "frequency": "ANNUAL",
        "contact_point": {"name": "Service des statistiques", "email": "stat@example.ma"},
        "temporal_start": date(2004, 1, 1),
        "temporal_end": date(2024, 12, 31),
        "spatial": ["souss-massa", "oriental"],
        "resources": [
            ResourceSummary(
                id=uuid.uuid4(),
                title=LocalizedText(fr=f"Fichier {n}"),
                url=url,
                format=fmt,
            )
            for n, (url, fmt) in enumerate(resources, start=1)
        ],
    }
    values.update(overrides)
    return DatasetSubmitted(**values)
