"""``bayanat demo`` and the demo ``make run`` loads once: a run, its summary, the agreement of
the four services' figures, and where to look."""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from services.demo.loader import DemoError, Outcome, Urls, expect, load
from services.demo.plan import Scale, make_plan

Say = Callable[[str], None]
DEMO_ADMIN_EMAIL = "admin@demo.bayanat.example"
AGREEMENT_SECONDS = 180
ADMIN_COMMAND = (sys.executable, "-m", "services.cli", "governance", "create-admin")


def figures(urls: Urls) -> dict[str, float]:
    """The counts each service answers for, and the metrics service's figures of them."""
    with httpx.Client(timeout=30, trust_env=False) as http:

        def total(url: str, **params: str) -> int:
            return int(expect(http.get(url, params={**params, "page_size": 1}), 200)["total"])

        def indicator(code: str) -> dict[str, Any]:
            return dict(expect(http.get(f"{urls.metrics}/api/v1/indicators/{code}"), 200))

        return {
            "catalog published datasets": total(f"{urls.catalog}/api/v1/datasets"),
            "metrics datasets_published": indicator("datasets_published")["value"],
            "governance enrolled institutions": total(
                f"{urls.governance}/api/v1/institutions", status="enrolled"
            ),
            "metrics institutions_taking_part": indicator("institutions_taking_part")["value"],
            "reuse verified reuses": total(f"{urls.reuse}/api/v1/reuses", verified="true"),
            "metrics reuse_initiatives": indicator("reuse_initiatives")["value"],
        }


def agreed(counts: dict[str, float]) -> bool:
    values = list(counts.values())
    return all(values[i] == values[i + 1] for i in range(0, len(values), 2))


def wait_for_agreement(urls: Urls, timeout: float = AGREEMENT_SECONDS) -> dict[str, float]:
    """The figures once each count agrees with the metrics (events take a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        counts = figures(urls)
        if agreed(counts) or time.monotonic() > deadline:
            return counts
        time.sleep(1)


def run_demo(
    urls: Urls, scale: Scale, admin_email: str, password: str, mail_directory: Path, say: Say
) -> bool:
    """One run, and what it did; False when the platform refused a step."""
    started = time.monotonic()
    try:
        outcome = load(
            urls,
            make_plan(scale),
            admin_email=admin_email,
            admin_password=password,
            mail_directory=mail_directory,
            say=lambda step: say(f"demo: {step}"),
        )
    except (DemoError, httpx.HTTPError) as exc:
        say(f"demo: stopped: {exc}")
        return False
    if outcome.already_loaded:
        say(
            "demo: the platform already holds the demo's institutions (an earlier run): "
            "nothing done"
        )
        return True
    counts = wait_for_agreement(urls)
    say(summary(outcome, counts, time.monotonic() - started))
    return agreed(counts)


def summary(outcome: Outcome, counts: dict[str, float], seconds: float) -> str:
    datasets = ", ".join(f"{n} {fate.replace('_', ' ')}" for fate, n in outcome.datasets.items())
    lines = [
        f"demo: loaded in {seconds:.0f} s: {outcome.institutions} institutions, "
        f"{sum(outcome.datasets.values())} datasets ({datasets}), {outcome.developers} developers, "
        f"{outcome.reuses} reuses ({outcome.verified} verified), {outcome.overdue} overdue",
        "demo: the services agree:" if agreed(counts) else "demo: the services DISAGREE:",
        *(f"  {name:<36} {value:g}" for name, value in counts.items()),
    ]
    return "\n".join(lines)


# --- make run: once, on empty databases ----------------------------------------------------------


def demo_wanted() -> str | None:
    """Why ``make run`` must not load the demo, or None: BAYANAT_DEMO=false, or production
    (BAYANAT_ENV=production, or RS256 tokens, which only a production deployment signs)."""
    if os.environ.get("BAYANAT_DEMO", "true").strip().lower() in ("0", "false", "no", "off"):
        return "BAYANAT_DEMO is off"
    if os.environ.get("BAYANAT_ENV", "").strip().lower() == "production":
        return "BAYANAT_ENV is production"
    if os.environ.get("JWT_ALGORITHM", "HS256").strip().upper() == "RS256":
        return "JWT_ALGORITHM is RS256 (production)"
    return None


def ready(urls: Urls) -> bool:
    try:
        return all(
            httpx.get(f"{url}/readyz", timeout=2, trust_env=False).is_success
            for url in (urls.catalog, urls.governance, urls.reuse, urls.metrics)
        )
    except httpx.HTTPError:
        return False


def new_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "-".join("".join(secrets.choice(alphabet) for _ in range(6)) for _ in range(4))


def first_run(urls: Urls, var: Path, mail_directory: Path, say: Say) -> None:
    """On a platform without any institution: a national admin with a random password
    (printed once, kept in ``var/demo-admin.json``), then the full demo."""
    while not ready(urls):
        time.sleep(1)
    credentials = var / "demo-admin.json"
    if credentials.exists():
        say("demo: loaded before; BAYANAT_DEMO=false to skip")
        say(where_to_look(urls, credentials))
        return
    empty = httpx.get(
        f"{urls.governance}/api/v1/institutions", params={"page_size": 1}, trust_env=False
    )
    if not empty.is_success or empty.json()["total"]:
        say("demo: the platform holds institutions already: no demo loaded")
        return
    password = new_password()
    created = subprocess.run(
        [*ADMIN_COMMAND, "--email", DEMO_ADMIN_EMAIL, "--name", "Demo admin", "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0:
        say(f"demo: no admin created, no demo loaded: {created.stderr.strip()}")
        return
    credentials.touch(mode=0o600)
    credentials.write_text(json.dumps({"email": DEMO_ADMIN_EMAIL, "password": password}) + "\n")
    say(
        f"demo: loading in the background; the admin (and every demo steward and reviewer) "
        f"signs in with {DEMO_ADMIN_EMAIL} / {password} (kept in {credentials})"
    )
    if run_demo(urls, Scale.parse("full"), DEMO_ADMIN_EMAIL, password, mail_directory, say):
        say(where_to_look(urls, credentials))


def where_to_look(urls: Urls, credentials: Path) -> str:
    return "\n".join(
        [
            "demo: where to look",
            f"  sign in as       {DEMO_ADMIN_EMAIL} (password in {credentials})",
            f"  dashboard        {urls.metrics}/",
            f"  catalog API      {urls.catalog}/docs",
            f"  governance API   {urls.governance}/docs",
            f"  reuse API        {urls.reuse}/docs",
            f"  metrics API      {urls.metrics}/docs",
            f"  curl '{urls.catalog}/api/v1/datasets?q=budget&page_size=5'",
            f"  curl '{urls.reuse}/api/v1/reuses?verified=true'",
            f"  curl '{urls.metrics}/api/v1/indicators/datasets_published'",
        ]
    )
