"""Who may see and change an order.

The conversation that placed an order owns it (``orders.sender_id``). Any other conversation
must prove it: the email on the order, then a one-time code sent to that email. Codes are
stored only as a keyed hash, expire after :data:`CODE_TTL`, are compared in constant time
and accept spaces or dashes ("482 913"); :data:`MAX_ATTEMPTS` wrong codes lock the order for
that conversation. A correct code links the conversation to the order (``order_access``).
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Callable, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lift.commerce import emails
from lift.commerce.validation import normalize_email
from lift.notify.outbox import enqueue
from lift.store.engine import session_scope
from lift.store.models import Order, OrderAccess, utcnow

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_CODES = 5  # codes one conversation may have sent for one order (the owner's inbox is not a target)

_CODE_RE = re.compile(r"^\d{%d}$" % CODE_DIGITS)


class Access(enum.Enum):
    OWNER = "owner"      # placed it
    LINKED = "linked"    # proved it with email + code
    LOCKED = "locked"    # too many wrong codes from this conversation
    NONE = "none"        # nothing proven yet

    @property
    def allowed(self) -> bool:
        return self in (Access.OWNER, Access.LINKED)


def _row(session: Session, order_id: str, sender_id: str) -> Optional[OrderAccess]:
    return session.execute(sa.select(OrderAccess).where(OrderAccess.order_id == order_id,
                                                        OrderAccess.sender_id == sender_id)).scalar_one_or_none()


def access_of(engine: Engine, order: Order, sender_id: str) -> Access:
    if order.sender_id is not None and hmac.compare_digest(order.sender_id.encode(), sender_id.encode()):
        return Access.OWNER
    with session_scope(engine) as s:
        row = _row(s, order.order_id, sender_id)
    if row is None:
        return Access.NONE
    if row.verified_at is not None:
        return Access.LINKED
    return Access.LOCKED if row.locked_at is not None else Access.NONE


# Six digits (maybe split 3+3) standing as their own word inside a sentence: "The code is 395 536, thanks".
_CODE_IN_TEXT = re.compile(r"(?<![\w-])(\d{3})[\s-]?(\d{3})(?![\w-])")


def normalize_code(typed: object) -> Optional[str]:
    """'482 913', '482-913', ' 482913 ' -> '482913'; so is a message holding exactly one such code
    among words ("The code is 395536, thank you", "Code: 474318"); anything else None."""
    raw = str(typed or "")
    text = re.sub(r"[\s\-]", "", raw)[:32]
    if _CODE_RE.match(text):
        return text
    found = {a + b for a, b in _CODE_IN_TEXT.findall(raw[:500])}
    return found.pop() if len(found) == 1 and len(re.findall(r"\d", raw)) == 6 else None


_NO_CODE = re.compile(
    r"\b(?:never\s+(?:got|received|came|arrived)|(?:did\s*n'?t|didnt|did\s+not|have\s*n'?t|havent|not)\s+"
    r"(?:get|got|receive[d]?|come|arrive[d]?)|no\s+(?:code|email)|re-?send|send\s+(?:it(?!\s+back)|another|a\s+new|me\s+a\s+new|"
    r"the\s+code)\s*(?:again|one|code)?|new\s+code|another\s+code|where\s+is\s+(?:the|my)\s+code|"
    r"(?:do\s*n'?t|do\s+not|dont)\s+have\s+(?:a|the|any|that)\s+code)\b",
    re.IGNORECASE)


def asks_for_a_new_code(typed: object) -> bool:
    """True for "i never got the code", "can you resend it", "send another one" (no code in it)."""
    text = str(typed or "")
    return not re.search(r"\d", text) and bool(_NO_CODE.search(text))


# "I cannot find any code, I do not really know how to look at that email account. Is there another
# way?": the code can't be had from that mailbox; the ways out, not "that doesn't look like the code"
_CANT_USE_CODE = re.compile(
    r"\b(?:can'?t|cannot|can\s+not|unable\s+to|don'?t\s+know\s+how\s+to)\s+(?:find|see|get\s+(?:in|into|to)|access|open|"
    r"check|log\s*in|look)|\b(?:can'?t|cannot|can\s+not|unable\s+to)\s+(?:get|receive|read)\s+(?:the|that|this|a|any|your)\s+code\b|\b(?:another|other|different)\s+way\b|\bno\s+(?:longer\s+)?access\b|"
    r"\b(?:old|lost|closed)\s+(?:email|e-?mail\s+account|account|inbox)\b", re.IGNORECASE)


NO_MAILBOX_HELP = ("No problem. A person from our team can check the order with you another way, or I can send a new "
                   "code for when you can get into that mailbox.")


def cannot_use_code(typed: object) -> bool:
    """True when the shopper says they can't get at the code ("i can't get into that email", "is
    there another way, e.g. the postcode 62701?"); never for a message holding a code."""
    text = str(typed or "")
    return normalize_code(text) is None and bool(_CANT_USE_CODE.search(text))


# "i dont have the order number", "my aunt bought it", "its not in my inbox", "i'm just shopping"
_NO_NUMBER = re.compile(
    r"\b(?:do\s*n'?t|dont|do\s+not|don.t|never)\s+(?:have|got|get|know|remember)\b|\bno\s+(?:order|number|idea)\b|"
    r"^\W*(?:idk|dunno|no\s+clue|not\s+sure)\b|"
    r"\b(?:lost|deleted|can'?t\s+find|cannot\s+find|cant\s+find|not\s+in\s+my\s+inbox|forg[oe]t)\b|"
    r"\bjust\s+(?:shopping|browsing|looking)\b|\bsomeone\s+else\b|"
    r"\b(?:my\s+\w+|she|he|they|somebody)\s+(?:bought|ordered|paid)\b|\bwhere\s+(?:do|can|would)\s+i\s+find\b|"
    # "can't you look it up with my email? it's ...", "its under demo.customer@example.com"
    r"\b(?:look|find|search)\s+(?:it\s+|them\s+|me\s+)?(?:up\s+)?(?:with|by|using|from|under)\s+(?:my\s+)?(?:e-?mail|name|phone)|"
    r"\b(?:it'?s|its|it\s+is|they'?re|order\s+is)\s+under\s+(?:my\s+)?\S+@",
    re.IGNORECASE)
ORDER_NUMBER_HELP = ("Your order number is in the order confirmation email: LFT followed by 6 digits, like LFT123456. "
                     "If you can't find it, a person from our team can look the order up for you; or we can do "
                     "something else.")


def lacks_order_number(typed: object) -> bool:
    """True when the shopper says they have no order number to give ("i dont have it", "my aunt
    bought it", "where do i find the order number", "i'm just shopping"); never for a number."""
    text = str(typed or "")
    return not re.search(r"\d{5}", text) and bool(_NO_NUMBER.search(text))


def _hash(key: str, order_id: str, sender_id: str, code: str) -> str:
    msg = f"{order_id}\x00{sender_id}\x00{code}".encode()
    return hmac.new(key.encode(), msg, hashlib.sha256).hexdigest()


def _ensure_row(engine: Engine, order_id: str, sender_id: str) -> None:
    try:
        with session_scope(engine) as s:
            if _row(s, order_id, sender_id) is None:
                s.add(OrderAccess(order_id=order_id, sender_id=sender_id, codes_sent=0, failed_attempts=0))
    except IntegrityError:
        pass  # a parallel turn of the same conversation created it


@dataclass(frozen=True)
class CodeRequest:
    sent: bool          # a code went into the outbox (only when the email matched)
    refused: Optional[str] = None  # why nothing can be sent (locked, too many codes); shopper-safe


def request_code(engine: Engine, order: Order, sender_id: str, email: object, key: str,
                 now: Optional[dt.datetime] = None) -> CodeRequest:
    """Send a fresh code to the order's email if ``email`` is that email. The shopper is told
    the same thing either way, so the bot never confirms or denies an address."""
    now = now or utcnow()
    _ensure_row(engine, order.order_id, sender_id)
    typed = normalize_email(email) or ""
    matches = hmac.compare_digest(typed.encode(), (order.email or "").strip().lower().encode())
    with session_scope(engine) as s:
        row = s.execute(sa.select(OrderAccess).where(OrderAccess.order_id == order.order_id,
                                                     OrderAccess.sender_id == sender_id)
                        .with_for_update()).scalar_one()
        if row.locked_at is not None:
            return CodeRequest(False, "This order is locked for this conversation after too many wrong codes.")
        if row.codes_sent >= MAX_CODES:
            return CodeRequest(False, "I've already sent as many codes for this order as I can.")
        if not matches:
            return CodeRequest(False)
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        row.code_hash = _hash(key, order.order_id, sender_id, code)
        row.code_expires_at = now + CODE_TTL
        row.codes_sent += 1
        subject, body = emails.verification_code(order.order_id, code, int(CODE_TTL.total_seconds() // 60))
        enqueue(s, kind="verification_code", recipient=order.email, subject=subject, body=body)
    return CodeRequest(True)


@dataclass(frozen=True)
class Verification:
    ok: bool
    attempts_left: int
    locked: bool = False
    expired: bool = False
    malformed: bool = False


def verify_code(engine: Engine, order: Order, sender_id: str, typed: object, key: str,
                now: Optional[dt.datetime] = None) -> Verification:
    """Check a typed code; a correct one links the conversation to the order. A malformed entry
    ('lots', '12') costs no attempt; a wrong or expired code does."""
    now = now or utcnow()
    code = normalize_code(typed)
    _ensure_row(engine, order.order_id, sender_id)
    with session_scope(engine) as s:
        row = s.execute(sa.select(OrderAccess).where(OrderAccess.order_id == order.order_id,
                                                     OrderAccess.sender_id == sender_id)
                        .with_for_update()).scalar_one()
        left = MAX_ATTEMPTS - row.failed_attempts
        if row.verified_at is not None:
            return Verification(True, left)
        if row.locked_at is not None:
            return Verification(False, 0, locked=True)
        if code is None:
            return Verification(False, left, malformed=True)
        expected = row.code_hash or ""
        given = _hash(key, order.order_id, sender_id, code)
        fresh = row.code_expires_at is not None and row.code_expires_at >= now
        if hmac.compare_digest(given, expected) and fresh and expected:
            row.verified_at, row.code_hash, row.code_expires_at = now, None, None
            return Verification(True, left)
        # Counted with an atomic increment, so parallel wrong guesses are all counted (SQLite
        # has no SELECT ... FOR UPDATE).
        s.execute(sa.update(OrderAccess).where(OrderAccess.id == row.id)
                  .values(failed_attempts=OrderAccess.failed_attempts + 1))
        s.execute(sa.update(OrderAccess).where(OrderAccess.id == row.id,
                                               OrderAccess.failed_attempts >= MAX_ATTEMPTS)
                  .values(locked_at=now, code_hash=None))
        s.expire(row)
        left = MAX_ATTEMPTS - row.failed_attempts
        return Verification(False, max(left, 0), locked=left <= 0, expired=bool(expected) and not fresh)


def unlock(engine: Engine, order_id: str, sender_id: str,
           record: Optional[Callable[[Session], None]] = None) -> bool:
    """An agent lifts a lock (after checking the shopper some other way); ``record(session)``
    runs in the same transaction when there was a lock to lift."""
    with session_scope(engine) as s:
        row = _row(s, order_id, sender_id)
        if row is None or row.locked_at is None:
            return False
        row.locked_at, row.failed_attempts = None, 0
        if record is not None:
            record(s)
        return True
