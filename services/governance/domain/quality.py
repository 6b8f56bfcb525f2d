"""Automatic quality checks of a submitted dataset, and its 0–100 quality score.

The checks (their names are the ones ``GOVERNANCE_BLOCKING_CHECKS`` lists):

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
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from libs.events.schemas import DatasetSubmitted, ResourceSummary
from libs.vocabularies import FORMATS, FREQUENCIES, normalise_format
from services.governance.domain.audit import utcnow
from services.governance.domain.csvcheck import validate_table
from services.governance.domain.urlguard import RefusedTarget, guarded_client
from services.governance.settings import CHECK_NAMES, GovernanceSettings

log = logging.getLogger("bayanat.governance.quality")

CHECK_STAGES: dict[str, str] = {
    "resources_present": "collection",
    "resources_reachable": "collection",
    "classification": "classification",
    "open_license": "validation",
    "machine_readable": "validation",
    "metadata_completeness": "validation",
    "csv_valid": "validation",
}
assert tuple(CHECK_STAGES) == CHECK_NAMES

CHECK_TITLES: dict[str, dict[str, str]] = {
    "resources_present": {
        "fr": "Au moins une ressource est jointe",
        "ar": "إرفاق مورد واحد على الأقل",
        "en": "At least one resource is attached",
    },
    "resources_reachable": {
        "fr": "Toutes les ressources sont accessibles en ligne",
        "ar": "جميع الموارد متاحة على الخط",
        "en": "Every resource URL is reachable",
    },
    "classification": {
        "fr": "Thèmes, mots-clés, licence et fréquence renseignés",
        "ar": "المواضيع والكلمات المفتاحية والرخصة والوتيرة محددة",
        "en": "Themes, tags, licence and frequency are set",
    },
    "open_license": {
        "fr": "Licence ouverte",
        "ar": "رخصة مفتوحة",
        "en": "Open licence",
    },
    "machine_readable": {
        "fr": "Au moins un format ouvert lisible par machine (3 étoiles)",
        "ar": "صيغة مفتوحة واحدة على الأقل قابلة للقراءة الآلية (3 نجوم)",
        "en": "At least one open machine-readable format (3 stars)",
    },
    "metadata_completeness": {
        "fr": "Métadonnées complètes",
        "ar": "اكتمال البيانات الوصفية",
        "en": "Complete metadata",
    },
    "csv_valid": {
        "fr": "Les fichiers CSV sont valides",
        "ar": "ملفات CSV سليمة",
        "en": "CSV files are valid",
    },
}

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
assert sum(sum(d.values()) for d in SCORE_WEIGHTS.values()) == 100

RATINGS = ((87, "excellent"), (55, "good"), (30, "sufficient"), (0, "bad"))
TABULAR = {"CSV": "csv", "TSV": "tsv"}


@dataclass
class Probe:
    """What fetching one resource URL found."""

    reachable: bool
    status: int | None = None
    error: str | None = None  # refused-target, timeout, connection-error, http-error, invalid-url…
    detail: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    table: dict[str, Any] | None = None  # the tabular validation summary


def resource_format(resource: ResourceSummary) -> str | None:
    """The declared format, else the media type, else the URL's file extension."""
    extension = posixpath.splitext(urlsplit(resource.url).path)[1]
    return (
        normalise_format(resource.format)
        or normalise_format(resource.media_type)
        or normalise_format(extension)
    )


def stars(fmt: str | None) -> int:
    """5-star openness of a resource in this format (any format on the web earns the first)."""
    return FORMATS[fmt].stars if fmt in FORMATS else 1


# --- fetching ---------------------------------------------------------------------------------


async def probe(
    client: httpx.AsyncClient,
    resource: ResourceSummary,
    settings: GovernanceSettings,
    semaphore: asyncio.Semaphore,
) -> Probe:
    url = resource.url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Probe(False, error="invalid-url", detail="only absolute http(s) URLs are checked")
    tabular = TABULAR.get(resource_format(resource) or "")
    async with semaphore:
        try:
            # The per-operation timeout of the client does not bound a slow trickle of bytes.
            return await asyncio.wait_for(
                _fetch(client, url, tabular, settings),
                settings.quality_http_timeout_seconds * 6,
            )
        except RefusedTarget as exc:
            return Probe(False, error="refused-target", detail=str(exc))
        except (httpx.TimeoutException, TimeoutError):
            return Probe(False, error="timeout", detail="no answer in time")
        except httpx.TooManyRedirects:
            return Probe(False, error="too-many-redirects", detail="too many redirects")
        except httpx.HTTPError as exc:
            return Probe(False, error="connection-error", detail=str(exc) or type(exc).__name__)


async def _fetch(
    client: httpx.AsyncClient, url: str, tabular: str | None, settings: GovernanceSettings
) -> Probe:
    async with client.stream("GET", url) as response:
        found = Probe(
            reachable=response.is_success,
            status=response.status_code,
            content_type=response.headers.get("content-type"),
            final_url=str(response.url),
        )
        if not response.is_success:
            found.error, found.detail = "http-error", f"HTTP {response.status_code}"
            return found
        if tabular is None:
            return found  # reachability only: the body is not read
        limit = settings.quality_csv_max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            found.table = _not_validated("too-large", f"{declared} bytes, above {limit}")
            return found
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body.extend(chunk)
            if len(body) > limit:
                found.table = _not_validated("too-large", f"more than {limit} bytes")
                return found
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
        timeout=settings.quality_http_timeout_seconds,
        max_redirects=settings.quality_max_redirects,
        user_agent=settings.quality_user_agent,
        max_connections=settings.quality_max_concurrency,
    ) as client:
        probes = await asyncio.gather(
            *(probe(client, resource, settings, semaphore) for resource in dataset.resources)
        )
    return evaluate(dataset, list(probes), settings)


# --- evaluation (pure) ------------------------------------------------------------------------


def _check(name: str, passed: bool, summary: str, **details: Any) -> dict[str, Any]:
    return {
        "name": name,
        "stage": CHECK_STAGES[name],
        "title": CHECK_TITLES[name],
        "passed": passed,
        "summary": summary,
        "details": details,
    }


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate(
    dataset: DatasetSubmitted, probes: list[Probe], settings: GovernanceSettings
) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    for resource, found in zip(dataset.resources, probes, strict=True):
        fmt = resource_format(resource)
        resources.append(
            {
                "id": str(resource.id),
                "title": resource.title.model_dump(exclude_none=True) if resource.title else None,
                "url": resource.url,
                "format": fmt,
                "stars": stars(fmt),
                **asdict(found),
            }
        )

    checks: list[dict[str, Any]] = []
    checks.append(
        _check(
            "resources_present",
            bool(resources),
            f"{len(resources)} resource(s) attached" if resources else "no resource attached",
            count=len(resources),
        )
    )

    unreachable = [r for r in resources if not r["reachable"]]
    refused = [r for r in unreachable if r["error"] == "refused-target"]
    summary = (
        "every resource URL is reachable"
        if resources and not unreachable
        else "no resource to reach"
        if not resources
        else f"{len(unreachable)} of {len(resources)} resource URL(s) not reachable"
        + (f", {len(refused)} refused (internal address)" if refused else "")
    )
    checks.append(
        _check(
            "resources_reachable",
            bool(resources) and not unreachable,
            summary,
            unreachable=[
                {"id": r["id"], "url": r["url"], "error": r["error"], "detail": r["detail"]}
                for r in unreachable
            ],
        )
    )

    frequency_known = dataset.frequency in FREQUENCIES and dataset.frequency != "UNKNOWN"
    classification = {
        "themes": bool(dataset.themes),
        "tags": bool(dataset.tags),
        "license": bool(dataset.license_id),
        "frequency": frequency_known,
    }
    missing = [name for name, present in classification.items() if not present]
    checks.append(
        _check(
            "classification",
            not missing,
            "themes, tags, licence and frequency are set"
            if not missing
            else f"missing: {', '.join(missing)}",
            missing=missing,
        )
    )

    open_license = bool(dataset.license_id) and dataset.license_is_open
    checks.append(
        _check(
            "open_license",
            open_license,
            f"licence {dataset.license_id} is open"
            if open_license
            else f"licence {dataset.license_id} is not open"
            if dataset.license_id
            else "no licence",
            license_id=dataset.license_id,
        )
    )

    best = max((r["stars"] for r in resources), default=0)
    checks.append(
        _check(
            "machine_readable",
            best >= 3,
            f"best resource: {best} star(s)"
            + ("" if best >= 3 else "; publish at least one CSV, JSON, XML, GeoJSON… resource"),
            stars={r["id"]: r["stars"] for r in resources},
        )
    )

    descriptions = dataset.description.model_dump() if dataset.description else {}
    longest = max((len(v or "") for v in descriptions.values()), default=0)
    minimum = settings.quality_min_description_length
    texts = {
        "title.ar": bool(dataset.title.ar),
        "title.fr": bool(dataset.title.fr),
        "description.ar": bool(descriptions.get("ar")),
        "description.fr": bool(descriptions.get("fr")),
    }
    contact = dataset.contact_point or {}
    fields = {
        "languages": all(texts.values()),
        "description": longest >= minimum,
        "themes": bool(dataset.themes),
        "tags": bool(dataset.tags),
        "contact_point": bool(contact.get("email") or contact.get("name")),
        "temporal_coverage": dataset.temporal_start is not None,
        "spatial_coverage": bool(dataset.spatial),
        "frequency": frequency_known,
    }
    missing = [name for name, present in fields.items() if not present]
    checks.append(
        _check(
            "metadata_completeness",
            not missing,
            "metadata complete" if not missing else f"missing or too short: {', '.join(missing)}",
            fields=fields,
            missing=missing,
            completeness=round(_share(list(fields.values())), 3),
            languages=texts,
            description_length=longest,
            description_min_length=minimum,
        )
    )

    tables = [r for r in resources if r["format"] in TABULAR]
    invalid = [r for r in tables if r["table"] and r["table"].get("valid") is False]
    not_validated = [r for r in tables if not (r["table"] and r["table"].get("validated"))]
    checks.append(
        _check(
            "csv_valid",
            not invalid,
            "no tabular resource"
            if not tables
            else f"{len(invalid)} of {len(tables)} tabular resource(s) with errors"
            if invalid
            else f"{len(tables) - len(not_validated)} tabular resource(s) valid"
            + (f", {len(not_validated)} not validated" if not_validated else ""),
            invalid=[
                {
                    "id": r["id"],
                    "url": r["url"],
                    "errors_by_type": r["table"]["errors_by_type"],
                    "first_errors": r["table"]["first_errors"][:3],
                }
                for r in invalid
            ],
            not_validated=[r["id"] for r in not_validated],
        )
    )

    for check in checks:
        check["blocking"] = check["name"] in settings.blocking_checks

    score, dimensions = _score(dataset, resources, fields, texts, longest, minimum, open_license)
    failing = [c["name"] for c in checks if c["blocking"] and not c["passed"]]
    return {
        "generated_at": utcnow().isoformat(),
        "score": score,
        "rating": next(label for floor, label in RATINGS if score >= floor),
        "dimensions": dimensions,
        "checks": checks,
        "blocking_failures": failing,
        "passed": not failing,
        "resources": resources,
    }


def _score(
    dataset: DatasetSubmitted,
    resources: list[dict[str, Any]],
    fields: dict[str, bool],
    texts: dict[str, bool],
    description_length: int,
    description_minimum: int,
    open_license: bool,
) -> tuple[int, dict[str, Any]]:
    tables = [r for r in resources if r["format"] in TABULAR]
    open_share = _share([r["stars"] >= 3 for r in resources])
    valid_data = (
        _share([bool(r["table"] and r["table"].get("valid")) for r in tables])
        if tables
        else open_share
    )
    achieved: dict[str, dict[str, float]] = {
        "findability": {
            "tags": float(fields["tags"]),
            "themes": float(fields["themes"]),
            "spatial": float(fields["spatial_coverage"]),
            "temporal": float(fields["temporal_coverage"]),
        },
        "accessibility": {
            "resources": float(bool(resources)),
            "reachable": _share([r["reachable"] for r in resources]),
        },
        "interoperability": {
            "known_format": _share([r["format"] is not None for r in resources]),
            "machine_readable": _share([r["stars"] >= 2 for r in resources]),
            "open_format": open_share,
            "valid_data": valid_data,
        },
        "reusability": {
            "license": float(bool(dataset.license_id)),
            "open_license": float(open_license),
            "contact_point": float(fields["contact_point"]),
            "publisher": 1.0,
        },
        "contextuality": {
            "description": min(1.0, description_length / description_minimum)
            if description_minimum
            else 1.0,
            "languages": _share(list(texts.values())),
            "frequency": float(fields["frequency"]),
        },
    }
    dimensions: dict[str, Any] = {}
    total = 0.0
    for dimension, weights in SCORE_WEIGHTS.items():
        criteria = {
            name: {"points": round(weight * achieved[dimension][name], 2), "max": weight}
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
