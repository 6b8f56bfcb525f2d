"""Bad input at scale: schemathesis against a running service's OpenAPI document.

For every operation, every caller (anonymous, and each kind of credential), :func:`fuzz`
draws requests from the document (with random path parameters, then with the ids of objects
the run created), sends them, and checks that:

- nothing answers 5xx;
- every status code, content type and body conforms to what the document says;
- a write that fails leaves every table as it was (the tables are fingerprinted around each
  failing POST/PUT/PATCH/DELETE), except the bookkeeping a refusal is meant to write (failed
  logins, rate-limit counters, a revoked token family: ``DELIBERATE``).

Shrinking is off and the examples per operation are bounded (``BAYANAT_FUZZ_EXAMPLES``), so
that the run fits in CI's time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Err
from sqlalchemy.engine import make_url

EXAMPLES = int(os.environ.get("BAYANAT_FUZZ_EXAMPLES", "6"))
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Tables a refused request is meant to write: failed logins counted, a replayed refresh
# token's family revoked (and the revocation announced), rate limits counted.
DELIBERATE = frozenset(
    {"login_attempt", "refresh_token", "token_revocation", "outbox", "audit_entry", "rate_limit"}
)
# Columns a refused request is meant to write: an API key's last use (to the minute) is
# recorded once the key is recognised, whatever the request then gets.
DELIBERATE_COLUMNS: Mapping[str, tuple[str, ...]] = {"api_key": ("last_used_at",)}


@dataclass
class Finding:
    operation: str
    caller: str
    problem: str


@dataclass
class FuzzReport:
    service: str
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: int) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


def fingerprint(database_url: str, skip: Iterable[str] = DELIBERATE) -> dict[str, str]:
    """Every table's content, hashed (PostgreSQL), but those in ``skip``."""
    url = make_url(database_url).set(drivername="postgresql")
    skipped = set(skip)
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            if name not in skipped and name != "alembic_version"
        ]
        prints: dict[str, str] = {}
        for name in tables:
            dropped = "".join(f" - '{column}'" for column in DELIBERATE_COLUMNS.get(name, ()))
            row_text = f"(to_jsonb(t){dropped})::text" if dropped else "t::text"
            row = db.execute(
                f"SELECT md5(coalesce(string_agg(md5({row_text}), '' ORDER BY md5({row_text})),"
                f" '')) FROM \"{name}\" t"
            ).fetchone()
            prints[name] = row[0] if row else ""
    return prints


def fuzz(
    service: str,
    base_url: str,
    database_url: str,
    callers: Mapping[str, Mapping[str, str]],
    known: Callable[[str, str], Mapping[str, Any]],
    *,
    examples: int = EXAMPLES,
    last: Callable[[str, str], bool] = lambda method, path: method == "DELETE",
) -> FuzzReport:
    """Fuzz every operation of the service at ``base_url`` as each caller.

    ``known(method, path)`` gives, for an operation, path parameters naming objects the run
    created (a dataset, a review…); ``last`` says which operations run after the others (the
    deletes, which would take those objects away)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    report = FuzzReport(service)
    started = time.monotonic()
    session = requests.Session()
    session.trust_env = False
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise AssertionError(f"{service}'s OpenAPI document has an invalid operation: {result}")
        operations.append(result.ok())
    operations.sort(key=lambda op: (last(op.method.upper(), op.path), op.path, op.method))
    for operation in operations:
        method = operation.method.upper()
        for caller, headers in callers.items():
            strategies = [operation.as_strategy()]
            fixed = dict(known(method, operation.path))
            if fixed:
                strategies.append(operation.as_strategy(path_parameters=fixed))
            for strategy in strategies:
                _run(
                    operation.label,
                    caller,
                    dict(headers),
                    strategy,
                    method,
                    base_url,
                    database_url,
                    session,
                    report,
                    examples,
                )
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _run(
    label: str,
    caller: str,
    headers: dict[str, str],
    strategy: st.SearchStrategy[Case],
    method: str,
    base_url: str,
    database_url: str,
    session: requests.Session,
    report: FuzzReport,
    examples: int,
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def exercise(case: Case) -> None:
        before = fingerprint(database_url) if method in WRITES else None
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        report.count(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # a failed check: kept, with its request
            report.findings.append(
                Finding(label, caller, f"{exc}\n{case.as_curl_command(headers=headers)}")
            )
            return
        if before is not None and response.status_code >= 400:
            after = fingerprint(database_url)
            changed = sorted(name for name in after if after[name] != before.get(name))
            if changed:
                report.findings.append(
                    Finding(
                        label,
                        caller,
                        f"answered {response.status_code} but wrote to {changed}\n"
                        f"{case.as_curl_command(headers=headers)}",
                    )
                )

    exercise()
