"""Email addresses and phone numbers: the one place that parses them.

What a shopper types into a form is checked with maintained libraries (``email-validator``
for addresses, ``phonenumbers`` for international numbers); :data:`EMAIL_IN_TEXT` and
:data:`PHONE_IN_TEXT` find them inside free text, which the redaction of recorded values
(:mod:`lift.measure.redaction`) relies on, so they err on the side of matching.
"""
from __future__ import annotations

import re
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# Any dotted domain: free text is searched generously (an address with an odd TLD is still
# personal data), while form input is validated by email-validator.
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A run of digits with phone separators; letters or '-' right before it mean an identifier
# (SKU, order id), not a phone number.
PHONE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_\-])\+?\(?\d[\d\s().\-/]{5,}\d")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]{7,24}$")
_NOT_DIGIT = re.compile(r"\D")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15  # E.164 allows at most 15


def phone_digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def find_email(text: str) -> Optional[str]:
    """The first email address in ``text``, lower-cased, or ``None``."""
    m = EMAIL_IN_TEXT.search(text)
    return m.group(0).lower() if m else None


def parse_email(text: str) -> Optional[str]:
    """A syntactically valid address (no DNS lookup), lower-cased; ``None`` otherwise."""
    text = text.strip(" .,;<>\"'")
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def parse_phone(text: str) -> Optional[str]:
    """``+<country><number>`` (E.164) for an international number that can exist, or the
    7 to 15 digits of a national one (no country to check it against); ``None`` otherwise."""
    if not _PHONE_CHARS.match(text):
        return None
    digits = phone_digits(text)
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    if not text.startswith("+"):
        return digits
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
