"""Automatic quality checks of a submitted dataset, and its 0–100 quality score.

Each check is one function, declared once with ``@check``: its name (the one
``GOVERNANCE_BLOCKING_CHECKS`` lists), the review stage it belongs to, its bilingual title and
whether it blocks approval by default. The registry, ``CHECKS``, keeps them in declaration
order, which is the order of a report and of the guide:

- resources_present (collection): at least one resource is attached;
- resources_reachable (collection): every resource URL answers (2xx after redirects);
- classification (classification): themes, tags, a licence and an update frequency are set;
- open_license (validation): the licence is open (Open Definition);
- machine_readable (validation): at least one resource has 3 stars or more (an open,
  machine-readable format);
- metadata_completeness (validation): languages (title and description in Arabic and French),
  description length, themes, tags, contact point, temporal and spatial coverage, frequency;
- csv_valid (validation): every tabular resource (CSV, TSV) validates with frictionless.

The score is modelled on the data.europa.eu Metadata Quality Assessment: the same five
dimensions, with points rescaled to a total of 100 (``SCORE_WEIGHTS``). Per-resource criteria
count the share of resources that meet them. In short:

- findability 25: tags 7, themes 8, spatial coverage 5, temporal coverage 5;
- accessibility 20: a resource is attached 5, share of reachable resource URLs 15;
- interoperability 25: share in a known format 5, machine-readable (2+ stars) 5, open and
  machine-readable (3+ stars) 8, tabular data that validates 7 (without tabular resources
  these 7 points follow the 3-star share);
- reusability 20: a licence 5, an open licence 8, a contact point 5, a publisher 2 (always:
  every dataset belongs to an institution);
- contextuality 10: a description of the minimum length 4 (pro rata below it), title and
  description in Arabic and French 3 (a quarter per text), an update frequency 3.

The rating bands are MQA's, rescaled: excellent ≥ 87, good ≥ 55, sufficient ≥ 30, else bad.

Fetching (``run_checks``) does network I/O; everything from ``evaluate`` on is pure.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import posixpath
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import httpx

from libs.db import utcnow
from libs.events.schemas import DatasetSubmitted, ResourceSummary
from libs.http.urlguard import RefusedTarget, guarded_client
from libs.vocabularies import FORMATS, FREQUENCIES, normalise_format
from services.governance.domain.csvcheck import validate_table

if TYPE_CHECKING:
    from services.governance.settings import GovernanceSettings

log = logging.getLogger("bayanat.governance.quality")

# The review stages an automatic check can belong to (the guide's, after selection).
CheckStage = Literal["collection", "classification", "validation"]

SCORE_WEIGHTS: dict[str, dict[str, float]] = {
    "findability": {"tags": 7, "themes": 8, "spatial": 5, "temporal": 5},
    "accessibility": {"resources": 5, "reachable": 15},
    "interoperability": {
        "known_format": 5,
        "machine_readable": 5,
        "open_format": 8,
        "valid_data": 7,
    },
    "reusability": {"license": 5, "open_license": 8, "contact_point": 5, "publisher": 2},
    "contextuality": {"description": 4, "languages": 3, "frequency": 3},
}

RATINGS = ((87, "excellent"), (55, "good"), (30, "sufficient"), (0, "bad"))
TABULAR = {"CSV": "csv", "TSV": "tsv"}


@dataclass
class Probe:
    """What fetching one resource URL found."""

    reachable: bool
    status: int | None = None
    # refused-target, timeout, connection-error, http-error, invalid-url, checksum-mismatch…
    error: str | None = None
    detail: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    table: dict[str, Any] | None = None  # the tabular validation summary


def resource_format(resource: ResourceSummary) -> str | None:
    """The declared format, else the media type, else the URL's file extension."""
    try:
        extension = posixpath.splitext(urlsplit(resource.url).path)[1]
    except ValueError:  # an unparsable URL has no extension; probing it says what is wrong
        extension = ""
    return (
        normalise_format(resource.format)
        or normalise_format(resource.media_type)
        or normalise_format(extension)
    )


def stars(fmt: str | None) -> int:
    """5-star openness of a resource in this format (any format on the web earns the first)."""
    return FORMATS[fmt].stars if fmt in FORMATS else 1


# --- what the checks read -----------------------------------------------------------------------


def _share(values: Iterable[bool]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Evidence:
    """What the checks and the score read: the dataset as submitted, one row per resource
    (what fetching it found), and the figures several checks and the score share."""

    dataset: DatasetSubmitted
    resources: list[dict[str, Any]]
    description_minimum: int

    @classmethod
    def of(
        cls, dataset: DatasetSubmitted, probes: list[Probe], description_minimum: int
    ) -> Evidence:
        rows = []
        for resource, found in zip(dataset.resources, probes, strict=True):
            fmt = resource_format(resource)
            rows.append(
                {
                    "id": str(resource.id),
                    "title": resource.title.model_dump(exclude_none=True)
                    if resource.title
                    else None,
                    "url": resource.url,
                    "format": fmt,
                    "stars": stars(fmt),
                    **asdict(found),
                }
            )
        return cls(dataset, rows, description_minimum)

    @cached_property
    def tables(self) -> list[dict[str, Any]]:
        """The tabular resources (CSV, TSV)."""
        return [r for r in self.resources if r["format"] in TABULAR]

    @cached_property
    def frequency_known(self) -> bool:
        frequency = self.dataset.frequency
        return frequency in FREQUENCIES and frequency != "UNKNOWN"

    @cached_property
    def open_license(self) -> bool:
        return bool(self.dataset.license_id) and self.dataset.license_is_open

    @cached_property
    def descriptions(self) -> dict[str, Any]:
        description = self.dataset.description
        return description.model_dump() if description else {}

    @cached_property
    def description_length(self) -> int:
        """The length of the longest description, whatever its language."""
        return max((len(v or "") for v in self.descriptions.values()), default=0)

    @cached_property
    def texts(self) -> dict[str, bool]:
        """Which of the title and the description are given in Arabic and in French."""
        return {
            "title.ar": bool(self.dataset.title.ar),
            "title.fr": bool(self.dataset.title.fr),
            "description.ar": bool(self.descriptions.get("ar")),
            "description.fr": bool(self.descriptions.get("fr")),
        }

    @cached_property
    def metadata(self) -> dict[str, bool]:
        """Which of the expected metadata fields are filled in."""
        dataset = self.dataset
        contact = dataset.contact_point or {}
        return {
            "languages": all(self.texts.values()),
            "description": self.description_length >= self.description_minimum,
            "themes": bool(dataset.themes),
            "tags": bool(dataset.tags),
            "contact_point": bool(contact.get("email") or contact.get("name")),
            "temporal_coverage": dataset.temporal_start is not None,
            "spatial_coverage": bool(dataset.spatial),
            "frequency": self.frequency_known,
        }


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    passed: bool
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


CheckFunction = Callable[[Evidence], Verdict]


@dataclass(frozen=True)
class Check:
    name: str
    stage: CheckStage
    title: dict[str, str]  # ar, fr and en
    blocking: bool  # by default: GOVERNANCE_BLOCKING_CHECKS decides
    run: CheckFunction


CHECKS: dict[str, Check] = {}
"""Every automatic check, by name, in the order they were declared."""


def check(
    name: str, *, stage: CheckStage, title: dict[str, str], blocking: bool
) -> Callable[[CheckFunction], CheckFunction]:
    """Declares an automatic check: ``@check("csv_valid", stage=..., title=..., blocking=...)``."""

    def register(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"the check {name!r} is declared twice")
        if not {"ar", "fr"} <= title.keys():
            raise ValueError(f"the check {name!r} needs a title in Arabic and French")
        CHECKS[name] = Check(name, stage, title, blocking, function)
        return function

    return register


def default_blocking_checks() -> list[str]:
    return [c.name for c in CHECKS.values() if c.blocking]


def unknown_checks(names: Iterable[str]) -> list[str]:
    return sorted(set(names) - CHECKS.keys())


def checks_of_stage(stage: str) -> list[Check]:
    return [c for c in CHECKS.values() if c.stage == stage]


# --- the checks ---------------------------------------------------------------------------------


@check(
    "resources_present",
    stage="collection",
    title={
        "fr": "Au moins une ressource est jointe",
        "ar": "إرفاق مورد واحد على الأقل",
        "en": "At least one resource is attached",
    },
    blocking=True,
)
def resources_present(evidence: Evidence) -> Verdict:
    count = len(evidence.resources)
    summary = f"{count} resource(s) attached" if count else "no resource attached"
    return Verdict(bool(count), summary, {"count": count})


@check(
    "resources_reachable",
    stage="collection",
    title={
        "fr": "Toutes les ressources sont accessibles en ligne",
        "ar": "جميع الموارد متاحة على الخط",
        "en": "Every resource URL is reachable",
    },
    blocking=True,
)
def resources_reachable(evidence: Evidence) -> Verdict:
    resources = evidence.resources
    unreachable = [r for r in resources if not r["reachable"]]
    refused = [r for r in unreachable if r["error"] == "refused-target"]
    mismatched = [r for r in unreachable if r["error"] == "checksum-mismatch"]
    if not resources:
        summary = "no resource to reach"
    elif not unreachable:
        summary = "every resource URL is reachable"
    else:
        summary = f"{len(unreachable)} of {len(resources)} resource URL(s) not reachable"
        if refused:
            summary += f", {len(refused)} refused (internal address)"
        if mismatched:
            summary += f", {len(mismatched)} not the file submitted (its SHA-256 differs)"
    return Verdict(
        bool(resources) and not unreachable,
        summary,
        {
            "unreachable": [
                {"id": r["id"], "url": r["url"], "error": r["error"], "detail": r["detail"]}
                for r in unreachable
            ]
        },
    )


@check(
    "classification",
    stage="classification",
    title={
        "fr": "Thèmes, mots-clés, licence et fréquence renseignés",
        "ar": "المواضيع والكلمات المفتاحية والرخصة والوتيرة محددة",
        "en": "Themes, tags, licence and frequency are set",
    },
    blocking=True,
)
def classification(evidence: Evidence) -> Verdict:
    dataset = evidence.dataset
    present = {
        "themes": bool(dataset.themes),
        "tags": bool(dataset.tags),
        "license": bool(dataset.license_id),
        "frequency": evidence.frequency_known,
    }
    missing = [name for name, is_present in present.items() if not is_present]
    summary = (
        f"missing: {', '.join(missing)}"
        if missing
        else "themes, tags, licence and frequency are set"
    )
    return Verdict(not missing, summary, {"missing": missing})


@check(
    "open_license",
    stage="validation",
    title={"fr": "Licence ouverte", "ar": "رخصة مفتوحة", "en": "Open licence"},
    blocking=True,
)
def open_license(evidence: Evidence) -> Verdict:
    license_id = evidence.dataset.license_id
    if evidence.open_license:
        summary = f"licence {license_id} is open"
    elif license_id:
        summary = f"licence {license_id} is not open"
    else:
        summary = "no licence"
    return Verdict(evidence.open_license, summary, {"license_id": license_id})


@check(
    "machine_readable",
    stage="validation",
    title={
        "fr": "Au moins un format ouvert lisible par machine (3 étoiles)",
        "ar": "صيغة مفتوحة واحدة على الأقل قابلة للقراءة الآلية (3 نجوم)",
        "en": "At least one open machine-readable format (3 stars)",
    },
    blocking=True,
)
def machine_readable(evidence: Evidence) -> Verdict:
    best = max((r["stars"] for r in evidence.resources), default=0)
    summary = f"best resource: {best} star(s)"
    if best < 3:
        summary += "; publish at least one CSV, JSON, XML, GeoJSON… resource"
    return Verdict(best >= 3, summary, {"stars": {r["id"]: r["stars"] for r in evidence.resources}})


@check(
    "metadata_completeness",
    stage="validation",
    title={
        "fr": "Métadonnées complètes",
        "ar": "اكتمال البيانات الوصفية",
        "en": "Complete metadata",
    },
    blocking=False,
)
def metadata_completeness(evidence: Evidence) -> Verdict:
    fields = evidence.metadata
    missing = [name for name, present in fields.items() if not present]
    summary = f"missing or too short: {', '.join(missing)}" if missing else "metadata complete"
    return Verdict(
        not missing,
        summary,
        {
            "fields": fields,
            "missing": missing,
            "completeness": round(_share(fields.values()), 3),
            "languages": evidence.texts,
            "description_length": evidence.description_length,
            "description_min_length": evidence.description_minimum,
        },
    )


@check(
    "csv_valid",
    stage="validation",
    title={
        "fr": "Les fichiers CSV sont valides",
        "ar": "ملفات CSV سليمة",
        "en": "CSV files are valid",
    },
    blocking=True,
)
def csv_valid(evidence: Evidence) -> Verdict:
    tables = evidence.tables
    invalid = [r for r in tables if r["table"] and r["table"].get("valid") is False]
    not_validated = [r for r in tables if not (r["table"] and r["table"].get("validated"))]
    if not tables:
        summary = "no tabular resource"
    elif invalid:
        summary = f"{len(invalid)} of {len(tables)} tabular resource(s) with errors"
    else:
        summary = f"{len(tables) - len(not_validated)} tabular resource(s) valid"
        if not_validated:
            summary += f", {len(not_validated)} not validated"
    return Verdict(
        not invalid,
        summary,
        {
            "invalid": [
                {
                    "id": r["id"],
                    "url": r["url"],
                    "errors_by_type": r["table"]["errors_by_type"],
                    "first_errors": r["table"]["first_errors"][:3],
                }
                for r in invalid
            ],
            "not_validated": [r["id"] for r in not_validated],
        },
    )


# --- the score ----------------------------------------------------------------------------------


def achieved(evidence: Evidence) -> dict[str, dict[str, float]]:
    """The share (0 to 1) of each criterion of ``SCORE_WEIGHTS`` the dataset meets."""
    resources = evidence.resources
    fields = evidence.metadata
    open_share = _share(r["stars"] >= 3 for r in resources)
    tables = evidence.tables
    valid_data = (
        _share(bool(r["table"] and r["table"].get("valid")) for r in tables)
        if tables
        else open_share
    )
    minimum = evidence.description_minimum
    return {
        "findability": {
            "tags": float(fields["tags"]),
            "themes": float(fields["themes"]),
            "spatial": float(fields["spatial_coverage"]),
            "temporal": float(fields["temporal_coverage"]),
        },
        "accessibility": {
            "resources": float(bool(resources)),
            "reachable": _share(r["reachable"] for r in resources),
        },
        "interoperability": {
            "known_format": _share(r["format"] is not None for r in resources),
            "machine_readable": _share(r["stars"] >= 2 for r in resources),
            "open_format": open_share,
            "valid_data": valid_data,
        },
        "reusability": {
            "license": float(bool(evidence.dataset.license_id)),
            "open_license": float(evidence.open_license),
            "contact_point": float(fields["contact_point"]),
            "publisher": 1.0,
        },
        "contextuality": {
            "description": min(1.0, evidence.description_length / minimum) if minimum else 1.0,
            "languages": _share(evidence.texts.values()),
            "frequency": float(fields["frequency"]),
        },
    }


def score(evidence: Evidence) -> tuple[int, dict[str, Any]]:
    """The 0–100 score and its points by dimension and criterion."""
    shares = achieved(evidence)
    dimensions: dict[str, Any] = {}
    total = 0.0
    for dimension, weights in SCORE_WEIGHTS.items():
        criteria = {
            name: {"points": round(weight * shares[dimension][name], 2), "max": weight}
            for name, weight in weights.items()
        }
        points = sum(c["points"] for c in criteria.values())
        total += points
        dimensions[dimension] = {
            "points": round(points, 2),
            "max": sum(weights.values()),
            "criteria": criteria,
        }
    return round(total), dimensions


def rating(points: int) -> str:
    return next(label for floor, label in RATINGS if points >= floor)


# --- the report ---------------------------------------------------------------------------------


def run_check(check: Check, evidence: Evidence, blocking_checks: Collection[str]) -> dict[str, Any]:
    verdict = check.run(evidence)
    return {
        "name": check.name,
        "stage": check.stage,
        "title": check.title,
        "passed": verdict.passed,
        "summary": verdict.summary,
        "details": verdict.details,
        "blocking": check.name in blocking_checks,
    }


def evaluate(
    dataset: DatasetSubmitted, probes: list[Probe], settings: GovernanceSettings
) -> dict[str, Any]:
    """The report: every registered check, the score, what blocks approval."""
    evidence = Evidence.of(dataset, probes, settings.quality_min_description_length)
    checks = [run_check(c, evidence, settings.blocking_checks) for c in CHECKS.values()]
    points, dimensions = score(evidence)
    failing = [c["name"] for c in checks if c["blocking"] and not c["passed"]]
    return {
        "generated_at": utcnow().isoformat(),
        "score": points,
        "rating": rating(points),
        "dimensions": dimensions,
        "checks": checks,
        "blocking_failures": failing,
        "passed": not failing,
        "resources": evidence.resources,
    }


# --- fetching -----------------------------------------------------------------------------------


async def probe(
    client: httpx.AsyncClient,
    resource: ResourceSummary,
    settings: GovernanceSettings,
    semaphore: asyncio.Semaphore,
) -> Probe:
    """What fetching one resource finds. Whatever goes wrong is this resource's finding, never
    the whole run's: one unparsable or refused URL marks that resource only."""
    try:
        return await _probe(client, resource, settings, semaphore)
    except Exception as exc:  # an input nobody foresaw must not fail the other resources
        log.exception("probing a resource failed", extra={"resource_id": str(resource.id)})
        return Probe(False, error="unexpected-error", detail=type(exc).__name__)


async def _probe(
    client: httpx.AsyncClient,
    resource: ResourceSummary,
    settings: GovernanceSettings,
    semaphore: asyncio.Semaphore,
) -> Probe:
    url = resource.url
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        return Probe(False, error="invalid-url", detail=f"cannot be parsed: {exc}")
    if not valid:
        return Probe(False, error="invalid-url", detail="only absolute http(s) URLs are checked")
    tabular = TABULAR.get(resource_format(resource) or "")
    async with semaphore:
        try:
            # The per-operation timeout of the client does not bound a slow trickle of bytes.
            return await asyncio.wait_for(
                _fetch(client, resource, tabular, settings),
                settings.quality_http_timeout_seconds * 6,
            )
        except RefusedTarget as exc:  # says the kind of address, never the address
            return Probe(False, error="refused-target", detail=str(exc))
        except (httpx.TimeoutException, TimeoutError):
            return Probe(False, error="timeout", detail="no answer in time")
        except httpx.TooManyRedirects:
            return Probe(False, error="too-many-redirects", detail="too many redirects")
        except httpx.InvalidURL as exc:
            return Probe(False, error="invalid-url", detail=f"cannot be fetched: {exc}")
        except httpx.HTTPError as exc:
            return Probe(False, error="connection-error", detail=str(exc) or type(exc).__name__)


async def _fetch(
    client: httpx.AsyncClient,
    resource: ResourceSummary,
    tabular: str | None,
    settings: GovernanceSettings,
) -> Probe:
    expected = (resource.sha256 or "").lower() or None
    async with client.stream("GET", resource.url) as response:
        found = Probe(
            reachable=response.is_success,
            status=response.status_code,
            content_type=response.headers.get("content-type"),
            final_url=str(response.url),
        )
        if not response.is_success:
            found.error, found.detail = "http-error", f"HTTP {response.status_code}"
            return found
        # The body is read when it is to be validated (kept up to the limit) or checked
        # against the checksum the submission gives (hashed to its end); else only
        # reachability is checked.
        limit = settings.quality_csv_max_bytes
        keep = tabular is not None
        declared = response.headers.get("content-length")
        if keep and declared and declared.isdigit() and int(declared) > limit:
            found.table = _not_validated("too-large", f"{declared} bytes, above {limit}")
            keep = False
        if not keep and expected is None:
            return found
        digest = hashlib.sha256()
        body = bytearray()
        async for chunk in response.aiter_bytes():
            digest.update(chunk)
            if keep:
                body.extend(chunk)
                if len(body) > limit:
                    found.table = _not_validated("too-large", f"more than {limit} bytes")
                    keep, body = False, bytearray()
                    if expected is None:
                        return found
    if expected is not None and digest.hexdigest() != expected:
        found.reachable = False
        found.error = "checksum-mismatch"
        found.detail = (
            f"the file's SHA-256 is {digest.hexdigest()}, not the {expected} of the submission"
        )
        found.table = None  # not the file that was submitted: nothing to validate
        return found
    if keep and tabular is not None:
        found.table = await asyncio.to_thread(validate_table, bytes(body), fmt=tabular)
    return found


def _not_validated(reason: str, detail: str) -> dict[str, Any]:
    return {"validated": False, "valid": None, "reason": reason, "detail": detail}


async def run_checks(snapshot: dict[str, Any], settings: GovernanceSettings) -> dict[str, Any]:
    """Fetches every resource (bounded concurrency) and evaluates the dataset: the report."""
    dataset = DatasetSubmitted.model_validate(snapshot)
    semaphore = asyncio.Semaphore(settings.quality_max_concurrency)
    async with guarded_client(
        settings.quality_url_allowlist,
        # The catalog serves the files of datasets under review (signed URLs): its origin is
        # reached even on a private network or on this machine's loopback.
        trusted_origins=[settings.catalog_url],
        timeout=settings.quality_http_timeout_seconds,
        max_redirects=settings.quality_max_redirects,
        user_agent=settings.quality_user_agent,
        max_connections=settings.quality_max_concurrency,
    ) as client:
        probes = await asyncio.gather(
            *(probe(client, resource, settings, semaphore) for resource in dataset.resources)
        )
    return evaluate(dataset, list(probes), settings)
