"""A local SMTP server (aiosmtpd) that requires a login and keeps every message it accepts:
where the reuse service sends its verification mail in tests."""

from __future__ import annotations

import contextlib
import email
import re
import threading
import time
import warnings
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.brokers import free_port

SMTP_LOGIN, SMTP_PASSWORD = "bayanat", "mail-secret"
LINK_TOKEN = re.compile(r"/api/v1/developers/verification\?token=([A-Za-z0-9_-]+)")


class Mailbox:
    """What the local SMTP server accepted, and who logged in to send it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        accepted = (
            isinstance(data, LoginPassword)
            and data.login == SMTP_LOGIN.encode()
            and data.password == SMTP_PASSWORD.encode()
        )
        if accepted:
            self.logins.append(data.login.decode())
        return AuthResult(success=accepted)

    def to(self, address: str, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages sent to ``address`` so far (waiting for at least one)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [m for m in self.messages if m["To"] == address]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def last_token(self, address: str) -> str:
        messages = self.to(address)
        assert messages, f"no mail to {address}"
        match = LINK_TOKEN.search(messages[-1].get_content())
        assert match, messages[-1].get_content()
        return match.group(1)


class _Controller(Controller):
    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            # It warns of a login without TLS: this is a local test server.
            warnings.simplefilter("ignore", UserWarning)
            return super().factory()


@contextlib.contextmanager
def running_mailbox() -> Iterator[Mailbox]:
    """A local SMTP server on a free port that requires a login (SMTP_LOGIN/SMTP_PASSWORD)."""
    box = Mailbox()
    box.port = free_port()
    controller = _Controller(
        box,
        hostname="127.0.0.1",
        port=box.port,
        authenticator=box.authenticate,
        auth_required=True,
        auth_require_tls=False,  # a local test server: the login goes in clear
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
