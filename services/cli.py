"""``bayanat``: the operators' command line (serve, run, migrate, and each service's commands)."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
import uvicorn
from alembic import command

from libs.db import alembic_config, upgrade
from libs.settings import var_dir
from services.demo.loader import Urls
from services.demo.plan import Scale
from services.demo.runner import demo_wanted, first_run, run_demo

SERVICES = ("catalog", "governance", "reuse", "metrics")
WORKER_START_SECONDS = 120

app = typer.Typer(help="Bayanat, the national open-data platform.", no_args_is_help=True)


def service_app_module(name: str) -> ModuleType:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.app")


ServiceName = Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")]


@app.command()
def serve(
    service: ServiceName,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: the service's setting)")
    ] = None,
) -> None:
    """Run one service with uvicorn on its configured host and port, in worker processes."""
    module = service_app_module(service)
    settings = module.Settings()
    count = workers or settings.worker_count
    if count > 1 and settings.run_migrations:
        # Once, before the workers start, rather than in each of them at the same time.
        upgrade(module.MIGRATIONS_DIR, settings.sqlalchemy_url)
        os.environ[f"{settings.env_prefix}RUN_MIGRATIONS"] = "false"
    uvicorn.run(
        f"services.{service}.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.bind_port,
        workers=count if count > 1 else None,
        log_config=None,
        access_log=False,
        # A worker answers the supervisor's pings once it has imported the service, which
        # takes seconds on a busy machine; uvicorn's 5 s would kill and respawn it for ever.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
    )


@app.command()
def run() -> None:
    """Run the four services, each as its own process; Ctrl-C stops them all.

    On empty databases, once the four are ready, the demo is loaded in the background with a
    new national admin whose credentials are printed (BAYANAT_DEMO=false: not; production:
    never).
    """
    no_demo = demo_wanted()
    if no_demo is None:
        # The demo's live feeds fall overdue as soon as their period is past.
        os.environ.setdefault("GOVERNANCE_OVERDUE_GRACE_DAYS", "0")
    # Governance fetches the files under review from the catalog, wherever it listens.
    os.environ.setdefault("GOVERNANCE_CATALOG_URL", _local_url("catalog"))
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []
    for name in SERVICES:
        settings = service_app_module(name).Settings()
        process = subprocess.Popen([sys.executable, "-m", "services.cli", "serve", name])
        processes.append((name, process))
        typer.echo(
            f"  {name:<11} {settings.base_url}  (docs: {settings.base_url}/docs, "
            f"{settings.worker_count} worker processes)"
        )
    if no_demo is None:
        urls = Urls(**{name: _local_url(name) for name in SERVICES})
        mails = service_app_module("reuse").Settings().mail_directory
        threading.Thread(
            target=first_run, args=(urls, var_dir(), mails, typer.echo), daemon=True
        ).start()
    else:
        typer.echo(f"  demo: not loaded ({no_demo})")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, process in processes:
                if process.poll() is not None:
                    typer.echo(f"{name} exited with {process.returncode}; stopping", err=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        typer.echo("services stopped")


@app.command()
def migrate(
    service: Annotated[str, typer.Argument(help="A service, or 'all'")] = "all",
) -> None:
    """Apply the database migrations (services also apply them at start-up)."""
    for name in SERVICES if service == "all" else (service,):
        module = service_app_module(name)
        settings = module.Settings()
        upgrade(module.MIGRATIONS_DIR, settings.sqlalchemy_url)
        typer.echo(f"{name}: migrated ({settings.sqlalchemy_url.split('@')[-1]})")


@app.command()
def revision(
    service: ServiceName,
    message: Annotated[str, typer.Option("-m", "--message")],
) -> None:
    """Write a new migration for a service from the difference between its models and database."""
    module = service_app_module(service)
    settings = module.Settings()
    upgrade(module.MIGRATIONS_DIR, settings.sqlalchemy_url)
    versions = module.MIGRATIONS_DIR / "versions"
    rev_id = f"{len(list(versions.glob('[0-9]*.py'))) + 1:04d}"
    script = command.revision(
        alembic_config(module.MIGRATIONS_DIR, settings.sqlalchemy_url),
        message=message,
        autogenerate=True,
        rev_id=rev_id,
    )
    paths = [s.path for s in (script if isinstance(script, list) else [script]) if s]
    for ruff in (["check", "--fix", "-q"], ["format", "-q"]):
        subprocess.run([sys.executable, "-m", "ruff", *ruff, *paths], check=False)


def _local_url(name: str) -> str:
    """Where this machine reaches a service: its public URL, else its bind address."""
    settings = service_app_module(name).Settings()
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.bind_port}"


@app.command()
def demo(
    admin_email: Annotated[str, typer.Option(help="A national admin's e-mail address")],
    scale: Annotated[
        str,
        typer.Option(
            help="full (20 institutions, ~300 datasets, 25 reuses), small (3, 12, 4), "
            "or institutions:datasets:reuses"
        ),
    ] = "full",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the admin's password from standard input")
    ] = False,
    mail_dir: Annotated[
        str | None,
        typer.Option(help="Where the reuse service keeps its mails (default: its REUSE_MAIL_DIR)"),
    ] = None,
) -> None:
    """Load the demo picture through the four services' public APIs (they must be running).

    The admin's password is read from standard input (--password-stdin), else from
    BAYANAT_ADMIN_PASSWORD, else asked for. The institutions' stewards and reviewers
    (steward@<slug>.demo.example, reviewer@<slug>.demo.example) get the same password.
    """
    try:
        plan_scale = Scale.parse(scale)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scale") from exc
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = os.environ.get("BAYANAT_ADMIN_PASSWORD") or typer.prompt(
            "Admin password", hide_input=True
        )
    mails = Path(mail_dir) if mail_dir else service_app_module("reuse").Settings().mail_directory
    urls = Urls(**{name: _local_url(name) for name in SERVICES})
    if not run_demo(urls, plan_scale, admin_email, password, mails, typer.echo):
        raise typer.Exit(1)


def _add_service_commands() -> None:
    # A service with operator commands exposes a Typer app as ``services.<name>.cli:app``.
    for name in SERVICES:
        try:
            module = importlib.import_module(f"services.{name}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{name}.cli":
                raise
            continue
        app.add_typer(module.app, name=name)


_add_service_commands()


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":
    main()
