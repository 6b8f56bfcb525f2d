"""Delivering mail to developers, by a sender the settings choose.

- ``SmtpSender``: through an SMTP server (``REUSE_SMTP_*``: host, port, STARTTLS or TLS,
  credentials).
- ``LogSender``, the default: writes the message (and so its link) to the service's log, and
  as a file in ``REUSE_MAIL_DIR`` (``var/mail/`` by default), for a developer's machine where
  no mail server runs: the link can be read there as from a mailbox.

A router sends a message once the domain has done its work and before it commits: a message
that cannot be sent fails the request (503) and nothing of it is kept.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from libs.db import utcnow
from libs.http.problems import Problem
from services.reuse.settings import ReuseSettings

log = logging.getLogger("bayanat.reuse.mail")


class MailUnavailable(Problem):
    status, title, code = 503, "Mail unavailable", "mail-unavailable"


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class LogSender:
    """Writes each message to the log, and to a file of its own in ``directory``, instead of
    sending it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], text)
        try:
            self.keep(message)
        except OSError as exc:
            log.error("mail to %s not kept in %s: %r", message["To"], self.directory, exc)
            raise MailUnavailable(
                "the message could not be kept; nothing was kept, please try again later"
            ) from exc

    def keep(self, message: EmailMessage) -> Path:
        """The message as ``<moment>-<random>.eml`` (RFC 5322), readable by its owner only.
        It appears whole: written under a hidden name, then renamed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        draft = self.directory / f".{name}"
        draft.touch(mode=0o600)
        draft.write_bytes(message.as_bytes())
        return draft.rename(self.directory / name)


class SmtpSender:
    def __init__(self, settings: ReuseSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        settings = self.settings
        timeout = settings.smtp_timeout_seconds
        try:
            if settings.smtp_security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.smtp_host,
                    settings.smtp_port,
                    timeout=timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
            with client:
                if settings.smtp_security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    password = (
                        settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                    )
                    client.login(settings.smtp_username, password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("mail to %s not sent: %r", message["To"], exc)
            raise MailUnavailable(
                "the message could not be sent; nothing was kept, please try again later"
            ) from exc


def make_sender(settings: ReuseSettings) -> MailSender:
    if settings.mail_sender == "smtp":
        return SmtpSender(settings)
    return LogSender(settings.mail_directory)
