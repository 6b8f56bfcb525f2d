"""Operator commands of the governance service, mounted as ``bayanat governance ...``."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from sqlmodel import Session

from libs.db import make_engine, upgrade
from libs.http.problems import Problem
from services.governance.domain import accounts
from services.governance.domain.audit import Actor
from services.governance.domain.continuity import check_overdue
from services.governance.settings import GovernanceSettings

app = typer.Typer(help="Governance: national admins, overdue checks.", no_args_is_help=True)

PASSWORD_ENV = "BAYANAT_ADMIN_PASSWORD"
CLI_ACTOR = Actor(name="cli")


def _engine(settings: GovernanceSettings):  # type: ignore[no-untyped-def]
    from services.governance.app import MIGRATIONS_DIR

    upgrade(MIGRATIONS_DIR, settings.sqlalchemy_url)
    return make_engine(settings.sqlalchemy_url)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise typer.BadParameter("the password is empty")
    return password


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="Email of the national admin")],
    name: Annotated[str, typer.Option(help="Display name")] = "National admin",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Creates a national admin account (the first one is created this way).

    The password is read from standard input (--password-stdin), else from the
    BAYANAT_ADMIN_PASSWORD environment variable, else asked for at a prompt. There is no
    default password.
    """
    settings = GovernanceSettings()
    password = _read_password(password_stdin)
    engine = _engine(settings)
    try:
        command = accounts.AccountCreate(
            email=email, display_name=name, password=password, is_admin=True
        )
    except ValueError as exc:
        typer.echo(f"invalid input: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        with Session(engine, expire_on_commit=False) as session:
            account = accounts.create(
                session, CLI_ACTOR, command, password_min_length=settings.password_min_length
            )
    except Problem as exc:
        typer.echo(f"cannot create the admin: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(f"national admin created: {account.email} ({account.id})")


@app.command("check-overdue")
def check_overdue_command() -> None:
    """Flags overdue datasets now (the service also does it on a schedule).

    The alerts are written to the outbox; the running governance service relays them.
    """
    settings = GovernanceSettings()
    engine = _engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            alerts = check_overdue(session, settings, actor=CLI_ACTOR)
    finally:
        engine.dispose()
    for alert in alerts:
        typer.echo(f"overdue: dataset {alert.dataset_id} (due {alert.due_at.isoformat()})")
    typer.echo(f"{len(alerts)} dataset(s) flagged")
