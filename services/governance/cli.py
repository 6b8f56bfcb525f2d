"""Operator commands of the governance service, mounted as ``bayanat governance ...``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

import typer

from libs.db import make_engine, upgrade
from libs.http.problems import Problem
from libs.messaging.outbox import Outbox
from libs.uow import UnitOfWorkFactory
from services.governance.domain import accounts
from services.governance.domain.audit import Actor
from services.governance.domain.continuity import check_overdue
from services.governance.models import messaging
from services.governance.settings import GovernanceSettings

app = typer.Typer(help="Governance: national admins, overdue checks.", no_args_is_help=True)

PASSWORD_ENV = "BAYANAT_ADMIN_PASSWORD"
CLI_ACTOR = Actor(name="cli")


@contextlib.contextmanager
def _units(settings: GovernanceSettings) -> Iterator[UnitOfWorkFactory]:
    """Units of work on the service's database, migrated first. Their events wait in the
    outbox for the running service's relay."""
    from services.governance.app import MIGRATIONS_DIR

    upgrade(MIGRATIONS_DIR, settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        yield UnitOfWorkFactory(engine, Outbox(messaging.outbox, settings.service_name))
    finally:
        engine.dispose()


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
    try:
        command = accounts.AccountCreate(
            email=email, display_name=name, password=password, is_admin=True
        )
    except ValueError as exc:
        typer.echo(f"invalid input: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        with _units(settings) as units, units() as uow:
            account = accounts.create_account(
                uow,
                CLI_ACTOR,
                email=command.email,
                display_name=command.display_name,
                password=command.password,
                is_admin=True,
                password_min_length=settings.password_min_length,
            )
            uow.commit()
    except Problem as exc:
        typer.echo(f"cannot create the admin: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"national admin created: {account.email} ({account.id})")


@app.command("check-overdue")
def check_overdue_command() -> None:
    """Flags overdue datasets now (the service also does it on a schedule).

    The alerts are written to the outbox; the running governance service relays them.
    """
    settings = GovernanceSettings()
    grace = timedelta(days=settings.overdue_grace_days)
    with _units(settings) as units, units() as uow:
        alerts = check_overdue(uow, CLI_ACTOR, grace=grace)
        uow.commit()
    for alert in alerts:
        typer.echo(f"overdue: dataset {alert.dataset_id} (due {alert.due_at.isoformat()})")
    typer.echo(f"{len(alerts)} dataset(s) flagged")
