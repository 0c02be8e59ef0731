"""Email addresses and phone numbers: the one place that parses them.

What a shopper types into a form is checked with maintained libraries (``email-validator``
for addresses, ``phonenumbers`` for international numbers); :data:`EMAIL_IN_TEXT` and
:data:`PHONE_IN_TEXT` find them inside free text, which the redaction of recorded values
(:mod:`lift.measure.redaction`) relies on, so they err on the side of matching.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

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


def without_emails(text: str) -> str:
    """``text`` with every email address blanked: its words are nobody's request, and "shopper1"
    in shopper1@example.com is no coupon code."""
    return EMAIL_IN_TEXT.sub(" ", text or "")


# "the email on the order is jo@x.com", "my email is ...", "it was placed under ...": the address the
# shopper already uses (an order's or account's), said just before it in the same clause.
_CURRENT_EMAIL_CUE = re.compile(
    r"(?:\be-?mail(?:\s+address)?\s+(?:on|for|of|i\s+used\s+for|used\s+for)\s+(?:the|my|this|that|our)\s+"
    r"(?:order|account|purchase|booking)|\b(?:my\s+)?e-?mail(?:\s+address)?|\b(?:placed|ordered|booked|registered|"
    r"bought)\s+(?:it\s+|them\s+|this\s+)?(?:with|under|using)|\bunder|"
    # "..., old one is demo@x.com", "the present one is ..."
    r"\b(?:old|current|existing|present|previous|original)\s+(?:one|e-?mail|address)(?:\s+address)?)"
    r"\s*(?:is|was|:|=|-)?\s*$", re.IGNORECASE)
# ... unless the clause says it is a new one ("change my email to ...", "my new email is ...").
_NEW_EMAIL_CUE = re.compile(r"\b(?:new|change|changed|update|updated|switch|replace|correct|instead)\b|\bto\s*$",
                            re.IGNORECASE)


def current_email_mention(text: str) -> Optional[Tuple[str, str]]:
    """(the email, the text without the clause naming it) for an email a message names as the one
    already on the order or account ("The email on the order is demo@x.com", "my email is ...",
    "booked under ..."); ``None`` when it names none or names a new one ("change it to ...",
    "my new email is ...")."""
    text = text or ""
    for m in EMAIL_IN_TEXT.finditer(text[:10_000]):
        clause = re.split(r"[.;!?\n]\s|,\s+(?:(?:and|but)\s+)?", text[max(0, m.start() - 120):m.start()])[-1]
        if _CURRENT_EMAIL_CUE.search(clause) and not _NEW_EMAIL_CUE.search(clause):
            return m.group(0).lower(), text[:m.start() - len(clause)] + text[m.end():]
    return None


def current_email_named(text: str) -> Optional[str]:
    """The email of :func:`current_email_mention`, or ``None``."""
    mention = current_email_mention(text)
    return mention[0] if mention else None


def parse_email(text: str) -> Optional[str]:
    """A syntactically valid address (no DNS lookup), lower-cased; ``None`` otherwise."""
    text = text.strip(" .,;<>\"'")
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


# Mistyped parts of the commonest mail domains, and top-level domains that do not exist ("gmail.con"):
# a confirmation sent there would never arrive
_DOMAIN_TYPOS = {"gmial": "gmail", "gamil": "gmail", "gmai": "gmail", "gmal": "gmail", "gnail": "gmail", "gmaill": "gmail",
                 "hotmial": "hotmail", "hotmal": "hotmail", "hotmai": "hotmail", "homtail": "hotmail",
                 "yahooo": "yahoo", "yaho": "yahoo", "yhoo": "yahoo", "outlok": "outlook", "outloo": "outlook",
                 "iclod": "icloud", "icoud": "icloud"}
_TLD_TYPOS = {"con": "com", "cm": "com", "om": "com", "comm": "com", "cmo": "com", "ocm": "com", "coom": "com", "vom": "com",
              "xom": "com", "nte": "net", "ent": "net", "ogr": "org", "co.uj": "co.uk"}


def email_typo_fixed(email: Optional[str]) -> Optional[str]:
    """``email`` with a mistyped common domain or a top-level domain that does not exist put right
    ("tiredmum3@gmail.con" -> "tiredmum3@gmail.com", "jen@gmial.com" -> "jen@gmail.com"); None when nothing is."""
    if not email or "@" not in email:
        return None
    local, domain = email.rsplit("@", 1)
    name, _, tld = domain.partition(".")
    fixed_name = _DOMAIN_TYPOS.get(name.lower(), name)
    fixed_tld = _TLD_TYPOS.get(tld.lower(), tld)
    fixed = f"{local}@{fixed_name}.{fixed_tld}" if tld else None
    return fixed if fixed and fixed != email else None


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
