"""What the metrics routers share: the settings, the date figures are read at."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from libs.db import utcnow
from libs.fields import Day
from services.metrics.settings import MetricsSettings


def settings(request: Request) -> MetricsSettings:
    return request.app.state.settings


def as_of_date(
    as_of: Annotated[
        Day | None,
        Query(description="The figures at the end of this day (UTC); today by default"),
    ] = None,
) -> date:
    return as_of or utcnow().date()


Settings = Annotated[MetricsSettings, Depends(settings)]
AsOf = Annotated[date, Depends(as_of_date)]
