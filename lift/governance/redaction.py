"""Masking personal data at the edges: every log record of a Lift process, and the handoff
summary an agent sees.

:func:`install` wraps the process's ``logging`` record factory, so every record (stdlib and
structlog, which Rasa renders through stdlib ``logging``) is masked when it is created, before any
handler sees it, including handlers added later and formatted tracebacks. Installed by the CLI
(``lift ...``), the Rasa tracker store plugin and the action server plugin.

Masked: email addresses, phone numbers (``phonenumbers``' matcher, any region's format with a
leading ``+``, else the default region) and card-like numbers (13-19 digits, spaces/dashes allowed).
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any, Optional

import phonenumbers

EMAIL_MASK, PHONE_MASK, CARD_MASK = "[email]", "[phone]", "[card]"
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_CARD_RE = re.compile(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])")
_DIGITS_RE = re.compile(r"\d")
_LEAD_RE = re.compile(r"\+?\(?\d")
_DECIMAL_AFTER = re.compile(r"[.,]\d")
_DECIMAL_BEFORE = re.compile(r"\d[.,]$")
_DECIMAL_TAIL = re.compile(r"\d[.,]\d{1,2}$")
DEFAULT_REGION = "US"

_lock = threading.Lock()
_installed = False


def _mask_phones(text: str, region: str) -> str:
    if len(_DIGITS_RE.findall(text)) < 7:
        return text
    out, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        if (_DECIMAL_AFTER.match(text, match.end) or _DECIMAL_BEFORE.search(text, 0, match.start)
                or _DECIMAL_TAIL.search(match.raw_string)):
            continue  # part of a decimal number (timestamps, amounts), not a phone number
        out.append(text[last:match.start])
        out.append(PHONE_MASK)
        last = match.end
    out.append(text[last:])
    return "".join(out)


def mask(text: str, region: str = DEFAULT_REGION) -> str:
    """``text`` with emails, card-like numbers and phone numbers masked."""
    if not text or (not _LEAD_RE.search(text) and "@" not in text):
        return text
    text = _EMAIL_RE.sub(EMAIL_MASK, text)
    text = _CARD_RE.sub(CARD_MASK, text)
    return _mask_phones(text, region)


def mask_email_for_agent(email: str) -> str:
    """``j***@example.com``: enough for an agent to confirm with the shopper, not to contact them."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else EMAIL_MASK


def agent_summary(summary: str, mode: str = "masked") -> str:
    """The handoff summary as the policy (``redaction.handoff_summary``) lets agents see it."""
    if mode == "clear":
        return summary
    partial = _EMAIL_RE.sub(lambda m: mask_email_for_agent(m.group(0)), summary)
    return mask(partial)


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string: keep what the logger was given
        message = str(record.msg)
    masked = mask(message)
    if masked != message or record.args:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)


def install() -> None:
    """Mask every log record created in this process from now on (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _mask_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def installed() -> bool:
    return _installed


def _reset_for_tests(factory: Optional[Any] = None) -> None:
    global _installed
    with _lock:
        if factory is not None:
            logging.setLogRecordFactory(factory)
        _installed = False
