"""The development mail sender: each message in the log and as a file a developer can open."""

from __future__ import annotations

import logging
import stat
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from services.reuse.mail import LogSender, MailUnavailable, SmtpSender, make_sender
from services.reuse.settings import ReuseSettings


def message(to: str, link: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Bayanat <no-reply@data.gov.ma>"
    mail["To"] = to
    mail["Subject"] = "Bayanat : confirmez votre adresse — أكّد عنوانك"
    mail.set_content(f"Bonjour,\n\n{link}\n\nمرحبا\n")
    return mail


def test_each_message_is_logged_and_kept_whole_as_a_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sender = LogSender(tmp_path / "mail")
    with caplog.at_level(logging.INFO, logger="bayanat.reuse.mail"):
        sender.send(message("salma@example.org", "https://reuse.example.org/v?token=first"))
        sender.send(message("omar@example.org", "https://reuse.example.org/v?token=second"))
    assert "token=first" in caplog.text and "token=second" in caplog.text

    files = sorted((tmp_path / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # nothing half-written left beside
    kept = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(str(m["To"]) for m in kept) == ["omar@example.org", "salma@example.org"]
    for mail, path in zip(kept, files, strict=True):
        body = mail.get_body(("plain",))
        assert body is not None and "مرحبا" in body.get_content()
        assert "أكّد عنوانك" in str(mail["Subject"])
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # the link is the owner's only


def test_a_mail_that_cannot_be_kept_is_a_503_and_says_so(tmp_path: Path) -> None:
    blocked = tmp_path / "mail"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(MailUnavailable):
        LogSender(blocked).send(message("salma@example.org", "https://x.example.org/?token=t"))


def test_the_settings_choose_the_sender_and_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAYANAT_VAR", str(tmp_path / "var"))
    default = make_sender(ReuseSettings())
    assert isinstance(default, LogSender) and default.directory == tmp_path / "var" / "mail"
    chosen = make_sender(ReuseSettings(mail_dir=str(tmp_path / "inbox")))
    assert isinstance(chosen, LogSender) and chosen.directory == tmp_path / "inbox"
    assert isinstance(make_sender(ReuseSettings(mail_sender="smtp")), SmtpSender)
