"""What a demo run loads at a scale, the files it uploads, and when make run loads it."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date

import pytest

from services.demo.picture import INSTITUTIONS, REUSES
from services.demo.plan import SCALES, Fate, Scale, make_plan
from services.demo.runner import demo_wanted
from services.demo.tables import table


def test_a_scale_is_a_name_or_three_numbers_within_the_picture() -> None:
    assert Scale.parse("small") == Scale(3, 12, 4)
    assert Scale.parse("5:60:10") == Scale(5, 60, 10)
    for wrong in ("huge", "3:12", "0:12:4", f"{len(INSTITUTIONS) + 1}:400:4", "3:2:1", "3:12:99"):
        with pytest.raises(ValueError):
            Scale.parse(wrong)


@pytest.mark.parametrize("name", sorted(SCALES))
def test_a_plan_shows_every_state_and_cites_only_published_datasets(name: str) -> None:
    scale = SCALES[name]
    plan = make_plan(scale)
    assert len(plan.institutions) == scale.institutions
    assert len(plan.datasets) == min(scale.datasets, 298)
    assert len({d.slug for d in plan.datasets}) == len(plan.datasets)
    assert {d.institution for d in plan.datasets} == set(plan.institutions)
    fates = Counter(d.fate for d in plan.datasets)
    assert set(fates) == set(Fate)
    assert fates[Fate.PUBLISHED] + fates[Fate.UPDATED] > len(plan.datasets) / 2
    assert any(d.live and d.fate is Fate.PUBLISHED for d in plan.datasets)  # falls overdue
    assert len(plan.reuses) == scale.reuses
    assert 0 < sum(r.verified for r in plan.reuses) < len(plan.reuses)
    published = set(plan.published)
    for reuse in plan.reuses:
        assert reuse.cites and set(reuse.cites) <= published


def test_the_full_plan_enrols_every_institution_of_the_picture() -> None:
    plan = make_plan(SCALES["full"])
    assert plan.institutions == INSTITUTIONS
    assert len(plan.reuses) == len(REUSES)
    assert {i.slug for i in INSTITUTIONS if i.steering_committee} >= {
        "mef",
        "mjcc-communication",
        "mtnra",
        "hcp",
        "inpplc",
        "anrt",
        "add",
    }


def test_each_dataset_has_the_same_rows_as_csv_and_json_and_a_revision_changes_them() -> None:
    for dataset in make_plan(SCALES["small"]).datasets:
        figures = table(
            dataset.series, region=dataset.region, edition=dataset.edition, now=date(2026, 11, 30)
        )
        rows = list(csv.DictReader(io.StringIO(figures.as_csv().decode())))
        records = json.loads(figures.as_json())
        assert [list(r.values()) for r in rows] == [[str(v) for v in r.values()] for r in records]
        assert rows and all(all(cell != "" for cell in row.values()) for row in rows)
        assert figures.temporal_start <= figures.temporal_end
        again = table(
            dataset.series, region=dataset.region, edition=dataset.edition, now=date(2026, 11, 30)
        )
        assert again == figures  # the same on every run
        revised = table(
            dataset.series,
            region=dataset.region,
            edition=dataset.edition,
            now=date(2026, 11, 30),
            revision=1,
        )
        assert revised.columns == figures.columns and revised.rows != figures.rows


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({}, None),
        ({"BAYANAT_DEMO": "false"}, "BAYANAT_DEMO is off"),
        ({"BAYANAT_DEMO": "0"}, "BAYANAT_DEMO is off"),
        ({"BAYANAT_ENV": "production"}, "BAYANAT_ENV is production"),
        ({"BAYANAT_DEMO": "true", "BAYANAT_ENV": "Production"}, "BAYANAT_ENV is production"),
        ({"JWT_ALGORITHM": "RS256"}, "JWT_ALGORITHM is RS256 (production)"),
    ],
)
def test_make_run_loads_the_demo_unless_told_not_to_or_in_production(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], refused: str | None
) -> None:
    for name in ("BAYANAT_DEMO", "BAYANAT_ENV", "JWT_ALGORITHM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert demo_wanted() == refused
