"""The quality checks and the score on hand-made snapshots and probes (no network)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from libs.events.schemas import DatasetSubmitted
from services.governance.domain import quality
from services.governance.domain.quality import CHECKS, SCORE_WEIGHTS, Evidence, Probe
from services.governance.settings import GovernanceSettings
from tests.support.governance_data import submitted

VALID_TABLE = {"validated": True, "valid": True, "errors_by_type": {}, "first_errors": []}
INVALID_TABLE = {
    "validated": True,
    "valid": False,
    "errors_by_type": {"blank-row": 1, "type-error": 2},
    "first_errors": [{"type": "type-error", "message": f"error {n}"} for n in range(5)],
}


def dataset(*resources: tuple[str, str | None], **overrides: Any) -> DatasetSubmitted:
    """A well-described submission with these (url, format) resources."""
    return submitted(uuid.uuid4(), uuid.uuid4(), list(resources), **overrides)


def reached(table: dict[str, Any] | None = None) -> Probe:
    return Probe(True, status=200, table=table)


def evidence(data: DatasetSubmitted, *probes: Probe, minimum: int = 100) -> Evidence:
    return Evidence.of(data, list(probes), minimum)


def verdict(name: str, found: Evidence) -> quality.Verdict:
    return CHECKS[name].run(found)


# --- the registry -------------------------------------------------------------------------------


def test_the_checks_are_registered_once_in_report_order_with_bilingual_titles() -> None:
    assert list(CHECKS) == [
        "resources_present",
        "resources_reachable",
        "classification",
        "open_license",
        "machine_readable",
        "metadata_completeness",
        "csv_valid",
    ]
    assert all({"ar", "fr", "en"} <= check.title.keys() for check in CHECKS.values())
    again = quality.check(
        "csv_valid", stage="validation", title={"ar": "أ", "fr": "f"}, blocking=True
    )
    with pytest.raises(ValueError, match="declared twice"):
        again(lambda found: quality.Verdict(True, "ok"))
    assert CHECKS["csv_valid"].title["en"] == "CSV files are valid"


def test_a_check_without_an_arabic_or_french_title_is_refused() -> None:
    register = quality.check(
        "no_arabic_title", stage="validation", title={"fr": "f"}, blocking=True
    )
    with pytest.raises(ValueError, match="Arabic and French"):
        register(lambda found: quality.Verdict(True, "ok"))
    assert "no_arabic_title" not in CHECKS


def test_the_blocking_checks_default_from_the_registry_and_are_validated_against_it() -> None:
    settings = GovernanceSettings(database_url="sqlite://")
    assert settings.blocking_checks == [
        name for name, check in CHECKS.items() if name != "metadata_completeness"
    ]
    assert GovernanceSettings(database_url="sqlite://", blocking_checks=[]).blocking_checks == []
    with pytest.raises(ValidationError, match="unknown checks"):
        GovernanceSettings(database_url="sqlite://", blocking_checks=["csv_valid", "spelling"])


def test_the_weights_make_a_hundred_points() -> None:
    assert sum(sum(weights.values()) for weights in SCORE_WEIGHTS.values()) == 100


# --- each check ---------------------------------------------------------------------------------


def test_resources_present() -> None:
    assert verdict("resources_present", evidence(dataset())) == quality.Verdict(
        False, "no resource attached", {"count": 0}
    )
    one = evidence(dataset(("https://x.ma/a.csv", "CSV")), reached())
    assert verdict("resources_present", one).passed is True


def test_resources_reachable_counts_the_unreachable_and_the_refused() -> None:
    found = evidence(
        dataset(("https://x.ma/a.csv", "CSV"), ("http://10.0.0.1/b.csv", "CSV")),
        reached(),
        Probe(False, error="refused-target", detail="10.0.0.1 (private)"),
    )
    result = verdict("resources_reachable", found)
    assert result.passed is False
    assert result.summary == "1 of 2 resource URL(s) not reachable, 1 refused (internal address)"
    assert [r["url"] for r in result.details["unreachable"]] == ["http://10.0.0.1/b.csv"]
    assert verdict("resources_reachable", evidence(dataset())).summary == "no resource to reach"


def test_classification_names_what_is_missing() -> None:
    result = verdict("classification", evidence(dataset(tags=[], frequency="UNKNOWN")))
    assert (result.passed, result.details) == (False, {"missing": ["tags", "frequency"]})


def test_open_license() -> None:
    closed = verdict("open_license", evidence(dataset(license_id="x", license_is_open=False)))
    assert (closed.passed, closed.summary) == (False, "licence x is not open")
    none = verdict("open_license", evidence(dataset(license_id=None, license_is_open=True)))
    assert (none.passed, none.summary) == (False, "no licence")


def test_machine_readable_needs_a_three_star_resource() -> None:
    pdf = evidence(dataset(("https://x.ma/r.pdf", "PDF")), reached())
    result = verdict("machine_readable", pdf)
    assert result.passed is False and result.summary.startswith("best resource: 1 star(s);")
    csv = evidence(
        dataset(("https://x.ma/r.pdf", "PDF"), ("https://x.ma/d", "CSV")), *[reached()] * 2
    )
    assert verdict("machine_readable", csv).passed is True


def test_metadata_completeness_measures_languages_and_description() -> None:
    found = evidence(dataset(description=None, spatial=[]))
    result = verdict("metadata_completeness", found)
    assert result.passed is False
    assert result.details["missing"] == ["languages", "description", "spatial_coverage"]
    assert result.details["completeness"] == 0.625
    assert result.details["languages"]["title.ar"] is True
    assert result.details["languages"]["description.fr"] is False


def test_csv_valid_fails_on_errors_and_reports_what_was_not_validated() -> None:
    too_large = {"validated": False, "valid": None, "reason": "too-large", "detail": "big"}
    found = evidence(
        dataset(("https://x.ma/a.csv", "CSV"), ("https://x.ma/b.csv", "CSV")),
        reached(INVALID_TABLE),
        reached(too_large),
    )
    result = verdict("csv_valid", found)
    assert (result.passed, result.summary) == (False, "1 of 2 tabular resource(s) with errors")
    assert len(result.details["invalid"][0]["first_errors"]) == 3
    unvalidated = evidence(dataset(("https://x.ma/b.csv", "CSV")), reached(too_large))
    assert (
        verdict("csv_valid", unvalidated).summary == "0 tabular resource(s) valid, 1 not validated"
    )
    assert verdict("csv_valid", evidence(dataset())).summary == "no tabular resource"


# --- the score and the report -------------------------------------------------------------------


def test_a_complete_dataset_scores_a_hundred() -> None:
    points, dimensions = quality.score(
        evidence(dataset(("https://x.ma/a.csv", "CSV")), reached(VALID_TABLE))
    )
    assert points == 100
    assert {name: d["points"] for name, d in dimensions.items()} == {
        "findability": 25,
        "accessibility": 20,
        "interoperability": 25,
        "reusability": 20,
        "contextuality": 10,
    }


def test_a_thin_dataset_scores_by_share_and_rates_sufficient() -> None:
    thin = dataset(
        ("https://x.ma/r.pdf", "PDF"),
        license_id="closed",
        license_is_open=False,
        description=None,
        tags=[],
        themes=[],
        frequency=None,
        contact_point=None,
        temporal_start=None,
        spatial=[],
    )
    points, dimensions = quality.score(evidence(thin, reached()))
    # attached 5, reachable 15, known format 5, a licence 5, publisher 2, titles 1.5 of 3
    assert points == 34 and quality.rating(points) == "sufficient"
    assert dimensions["contextuality"]["criteria"]["languages"]["points"] == 1.5


def test_without_tabular_resources_valid_data_follows_the_open_format_share() -> None:
    found = evidence(
        dataset(("https://x.ma/a.json", "JSON"), ("https://x.ma/b.pdf", "PDF")),
        *[reached()] * 2,
    )
    shares = quality.achieved(found)["interoperability"]
    assert shares["valid_data"] == shares["open_format"] == 0.5


def test_the_report_marks_blocking_failures_from_the_settings() -> None:
    settings = GovernanceSettings(database_url="sqlite://", blocking_checks=["open_license"])
    data = dataset(("https://x.ma/a.csv", "CSV"), license_is_open=False)
    report = quality.evaluate(data, [reached(INVALID_TABLE)], settings)
    assert report["blocking_failures"] == ["open_license"] and report["passed"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["csv_valid"]["passed"] is False and checks["csv_valid"]["blocking"] is False
    assert checks["open_license"]["stage"] == "validation"
    assert report["resources"][0]["stars"] == 3 and report["rating"] in {"good", "excellent"}
