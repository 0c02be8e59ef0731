"""Where email goes: an SMTP server (``smtp://``/``smtps://``) or a local maildir (dev)."""
from __future__ import annotations

import mailbox
import smtplib
import urllib.parse
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """One connection per batch is not worth the complexity at our volumes: one per message."""

    def __init__(self, url: str, timeout: float = 10.0):
        u = urllib.parse.urlsplit(url)
        self.ssl = u.scheme == "smtps"
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or (465 if self.ssl else 25)
        self.user = urllib.parse.unquote(u.username) if u.username else None
        self.password = urllib.parse.unquote(u.password) if u.password else None
        self.starttls = urllib.parse.parse_qs(u.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with cls(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


class MaildirTransport:
    """Writes each message as a file into ``<dir>/new`` (readable with any mail client)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(str(self.directory), create=True).add(message)


def transport_for(url: str) -> MailTransport:
    scheme, _, rest = url.partition(":")
    if scheme == "maildir":
        return MaildirTransport(Path(rest))
    if scheme in ("smtp", "smtps"):
        return SmtpTransport(url)
    raise ValueError(f"unsupported mail URL {url!r}")


def build_message(sender: str, recipient: str, subject: str, body: str, outbox_id: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{outbox_id}")
    msg.set_content(body)
    return msg
