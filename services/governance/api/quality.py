"""What the automatic checks are, which ones block approval, and how the score is made."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.governance.api.deps import Settings
from services.governance.domain.quality import CHECKS, RATINGS, SCORE_WEIGHTS

router = APIRouter(prefix="/quality", tags=["quality"])


@router.get("/checks")
def quality_checks(settings: Settings) -> dict[str, Any]:
    return {
        "checks": [
            {
                "name": check.name,
                "stage": check.stage,
                "title": check.title,
                "blocking": check.name in settings.blocking_checks,
            }
            for check in CHECKS.values()
        ],
        "score": {
            "max": 100,
            "dimensions": SCORE_WEIGHTS,
            "ratings": [{"label": label, "min": floor} for floor, label in RATINGS],
        },
    }
