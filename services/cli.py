"""``bayanat``: the operators' command line (serve, run, migrate, and each service's commands)."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from types import ModuleType
from typing import Annotated

import typer
import uvicorn
from alembic import command

from libs.db import alembic_config, upgrade

SERVICES = ("catalog", "governance", "reuse", "metrics")

app = typer.Typer(help="Bayanat, the national open-data platform.", no_args_is_help=True)


def service_app_module(name: str) -> ModuleType:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.app")


WORKER_HEALTHCHECK_SECONDS = 60

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
        # A worker that does not answer its supervisor's ping in time is killed and replaced:
        # on a busy machine, starting one (imports, the app) takes longer than uvicorn's 5 s,
        # and the workers would be replaced for ever without ever serving.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


@app.command()
def run() -> None:
    """Run the four services, each as its own process; Ctrl-C stops them all."""
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []
    for name in SERVICES:
        settings = service_app_module(name).Settings()
        process = subprocess.Popen([sys.executable, "-m", "services.cli", "serve", name])
        processes.append((name, process))
        typer.echo(
            f"  {name:<11} {settings.base_url}  (docs: {settings.base_url}/docs, "
            f"{settings.worker_count} worker processes)"
        )
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
