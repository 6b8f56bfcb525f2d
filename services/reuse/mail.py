"""Delivering mail to developers, by a sender the settings choose.

- ``SmtpSender``: through an SMTP server (``REUSE_SMTP_*``: host, port, STARTTLS or TLS,
  credentials).
- ``LogSender``, the default: writes the message (and so its link) to the service's log, for a
  developer's machine where no mail server runs.

A router sends a message once the domain has done its work and before it commits: a message
that cannot be sent fails the request (503) and nothing of it is kept.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from libs.http.problems import Problem
from services.reuse.settings import ReuseSettings

log = logging.getLogger("bayanat.reuse.mail")


class MailUnavailable(Problem):
    status, title, code = 503, "Mail unavailable", "mail-unavailable"


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class LogSender:
    """Writes each message to the log instead of sending it."""

    def send(self, message: EmailMessage) -> None:
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], text)


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
    return SmtpSender(settings) if settings.mail_sender == "smtp" else LogSender()
