"""Changing an earlier checkout answer in the middle of checkout.

A shopper at the delivery question or the order summary says "actually express instead",
"wait, wrong address, use 40 Oak Ave, Portland OR 97201", "use jane@work.com instead",
"can I change the address" or "go back". :func:`checkout_amendments` reads such a message
into the checkout slots it changes: a new value, or ``None`` for "ask me that again". It
reads words only; the caller validates values with the same rules as the form's answers.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Optional, Sequence

from lift.commerce.orders import asks_which_option, parse_shipping_method
from lift.commerce.validation import find_email, normalize_address, normalize_email, street_shaped, unit_before

# The checkout questions in the order they are asked.
CHECKOUT_STEPS = ("email", "shipping_address", "shipping_method", "checkout_confirmed")

# Words that mark a message as changing something already said.
_CHANGE = re.compile(
    r"\b(?:instead|actually|change|changed|switch|swap|make it|rather|prefer|go with|use|upgrade|downgrade|"
    r"let'?s do|i'?ll take|i'?ll have|i want|i'?d like|can i (?:get|have|do)|wrong|different|edit|update|"
    r"correct|fix|not|no wait|wait|oops|sorry|ship (?:it )?to|send (?:it )?to|deliver (?:it )?to)\b",
    re.IGNORECASE)
# A question about the options is not a choice of one ("how much is express?").
_PRICE_QUESTION = re.compile(r"\b(?:how much|cost|costs|price|prices|fee|what(?:'s| is) the difference)\b|\?\s*$",
                             re.IGNORECASE)
# A question about an option ("and what would next day be"), not a request for it ("can I get next day").
_ASKS = re.compile(r"^\W*(?:(?:and|so|hmm|ok|okay|um)\W+)?(?:what|how|which|is|are|does|do|would|will|when)\b", re.IGNORECASE)
_GO_BACK = re.compile(r"\b(?:go back|back a step|step back|previous (?:step|question)|undo)\b", re.IGNORECASE)
_REDO = re.compile(r"\b(?:change|edit|update|fix|correct|wrong|different|another|other|new|redo)\b", re.IGNORECASE)
_FIELDS = (
    ("shipping_address", re.compile(r"\b(?:address|street|ship(?:ping)? to|deliver(?:y)? to|postcode|zip)\b", re.I)),
    ("email", re.compile(r"\b(?:e-?mail|mail address)\b", re.I)),
    ("shipping_method", re.compile(r"\b(?:shipping|delivery|method|option|speed|courier)\b", re.I)),
)
# An address inside a sentence starts at its house number ("use 40 Oak Ave, Portland ...") or a PO box.
# "55 W 12th St", "350 5th Ave": a compass letter or a numbered street after the number.
_ADDRESS_START = re.compile(r"(?<![\w@.-])(?:\d{1,6}[A-Za-z]?\s+(?:(?:[NSEW]|NE|NW|SE|SW)\.?\s+)?"
                            r"(?:[^\W\d_]{2,}|\d{1,4}(?:st|nd|rd|th)\b)|p\.?\s*o\.?\s*box\b|post\s+office\s+box\b"
                            # "Friedrichstr. 10, 10117 Berlin": the street's name before its number
                            r"|[^\W\d_][^\W\d_-]*(?:str\.|stra(?:ß|ss)e|weg|gasse|platz|allee|damm|ring|laan|straat|gatan|vej)"
                            r"\s*\d{1,5}[a-z]?\b)",
                            re.IGNORECASE)
_TRAILING = re.compile(r"[\s,;:.!?]*(?:\binstead\b|\bplease\b|\bthanks?\b|\bthank you\b)[\s,;:.!]*$", re.IGNORECASE)


# "buy 1 aria pro headphones ship express to 500 Oak Ave, ...": the address is the number after "to".
_LEAD_IN = re.compile(r"\b(?:to|at|address(?:\s+is)?|address:)\s*$", re.IGNORECASE)


def address_in(text: str) -> Optional[str]:
    """The street address inside a sentence (\"ship it to 500 Oak Ave, Austin TX 78701 please\"), else None."""
    starts = list(_ADDRESS_START.finditer(text))
    # after "to" / "address", else after a comma or colon ("…then check out: a@b.io, 17 Harbor Rd, …" — not the
    # "65W charger" earlier in the message), else the first
    m = next((s for s in starts if _LEAD_IN.search(text[:s.start()])),
             next((s for s in starts if re.search(r"(?:^|[,:;])\s*$", text[:s.start()])), starts[0] if starts else None))
    if not m:
        return None
    unit = unit_before(text[:m.start()])  # "send it to flat 2b 14 rose court": the flat too
    tail = text[m.start() if unit is None else unit:]
    while True:
        trimmed = _TRAILING.sub("", tail)
        if trimmed == tail:
            break
        tail = trimmed
    return normalize_address(tail) if street_shaped(tail) else None


# "its unit 21 not 12", "the zip is 97210 not 97201", "crap wrong address its 19 birch lane not 9 can u fix": one
# part of the address put right, the rest kept
_PART_NOT = re.compile(r"(?:^|\b(?:it'?s|its|it\s+is|that'?s|should\s+be|address\s+is)\s+|[,:;.!]\s*)"
                       r"(?P<part>(?:the\s+)?(?:unit|apt|apartment|flat|suite|house(?:\s+number)?|number|no\.?|#|"
                       r"zip(?:\s+code)?|post\s*code|street(?:\s+number)?)\s+(?:is\s+|number\s+)?)?"
                       r"(?P<new>[\w-]+(?:\s+[\w-]+){0,3}?)\s*,?\s+not\s+(?P<old>[\w-]+)\b"
                       r"(?P<rest>[\s,.!?]*(?:(?:pls|please|thanks|thx|ta|can\s+(?:u|you)\s+(?:fix|change)(?:\s+it)?|"
                       r"sorry|oops)[\s,.!?]*)*)$", re.IGNORECASE)


_PART_WORD = re.compile(r"\b(?:unit|apt|apartment|flat|suite|house|number|no\.?|zip|post\s*code|street)\b", re.IGNORECASE)


def corrected_address(text: Any, address: Optional[str]) -> Optional[str]:
    """``address`` with the part ``text`` corrects ("its unit 21 not 12"), when the wrong part is in it
    once; None otherwise. A bare small number ("2 not 3") is left to the cart unless a part is named.
    Words typed after the new part that already follow the old one are not doubled ("19 birch lane
    not 9" in "9 Birch Lane, Leeds" -> "19 Birch Lane, Leeds")."""
    m = _PART_NOT.search(" ".join(str(text or "").split()))
    if not m or not address:
        return None
    old, new = m.group("old"), m.group("new").split()
    hits = list(re.finditer(rf"(?<![\w-]){re.escape(old)}(?![\w-])", address, re.IGNORECASE))
    if len(hits) != 1:
        return None
    after = address[hits[0].end():].lower()
    while len(new) > 1 and not after.lstrip(" ,").startswith(" ".join(new[1:]).lower()):
        new = new[1:]  # "its 19 not 9": the words before the new part are not part of it
    street_said = len(new) > 1  # "19 birch lane not 9": the street's own words follow
    new = new[:1]
    if new[0].lower() == old.lower():
        return None
    part = m.group("part") or _PART_WORD.search(m.group("new"))
    if old.isdigit() and int(old) <= 20 and not (part or street_said or hits[0].start() == 0):
        return None  # "actually 2 not 12" with "Unit 12" in the address: the cart's number, not the address
    return address[:hits[0].start()] + new[0] + address[hits[0].end():]


# "oops i meant .com not .con", "its gmail not gmial": a part of the email put right
_EMAIL_PART_NOT = re.compile(r"(?P<new>\.?[\w+-]+(?:\.[\w-]+)*)\s*,?\s+not\s+(?P<old>\.?[\w+-]+(?:\.[\w-]+)*)\W*$",
                             re.IGNORECASE)


def corrected_email(text: Any, email: Optional[str]) -> Optional[str]:
    """``email`` with the part of its domain ``text`` corrects, when that part is in it once and the result is an address."""
    m = _EMAIL_PART_NOT.search(" ".join(str(text or "").split()))
    if not m or not email or "@" not in email or not re.search(r"[a-z]", m.group("old"), re.IGNORECASE):
        return None
    domain = email.rsplit("@", 1)[1].lower()  # (only the domain: "21 not 12" is never bob12@…)
    if domain.count(m.group("old").lower()) != 1:
        return None
    at = len(email) - len(domain) + domain.index(m.group("old").lower())
    fixed = normalize_email(email[:at] + m.group("new") + email[at + len(m.group("old")):])
    return fixed if fixed and fixed != email else None


def checkout_amendments(text: Any, requested_slot: Optional[str], filled: Dict[str, Any],
                        steps: Sequence[str] = CHECKOUT_STEPS) -> Dict[str, Optional[str]]:
    """The checkout slots ``text`` changes while the form asks ``requested_slot``.

    A value is a new answer (raw text: the caller validates it); ``None`` asks that question
    again. The slot being asked is never in the result: answering the current question is the
    form's ordinary work. Values the message carries win over "ask again"."""
    text = " ".join(str(text or "").split())
    if not text or len(text) > 2000:
        return {}
    found: Dict[str, Optional[str]] = {}
    email = find_email(text)
    changing = bool(_CHANGE.search(text))
    # "no wait wrong email, its ella.b@x.com": the new one, even when the slot mapping already took it
    if email and requested_slot != "email" and (email != filled.get("email") or changing or _REDO.search(text)):
        found["email"] = email
    elif not email and requested_slot != "email" and corrected_email(text, filled.get("email")):
        found["email"] = corrected_email(text, filled.get("email"))  # "oops i meant .com not .con"
    without_email = text.replace(email, " ") if email else text
    fixed = corrected_address(text, filled.get("shipping_address")) if requested_slot != "shipping_address" else None
    address = address_in(without_email) if requested_slot != "shipping_address" and not fixed else None
    if address and (changing or re.search(r"\baddress\b", text, re.I)) and address != filled.get("shipping_address"):
        found["shipping_address"] = address
    if fixed:  # "its unit 21 not 12" (read as a quantity of 21), "its 19 birch lane not 9" (taken as the whole address)
        found["shipping_address"] = fixed
    method = parse_shipping_method(without_email if not address else without_email.replace(address, " "))
    # at the order summary naming another option ("next day") is a change; earlier it needs a cue
    if (method and requested_slot not in ("shipping_method", "shipping_address")
            and (changing or requested_slot == "checkout_confirmed" and not (_ASKS.match(text) or asks_which_option(text)))
            and not _PRICE_QUESTION.search(text) and method != filled.get("shipping_method")):
        found["shipping_method"] = method
    if found:
        return found
    if _REDO.search(text):
        for slot, words in _FIELDS:
            if words.search(text) and slot != requested_slot and filled.get(slot):
                return {slot: None}
    if _GO_BACK.search(text) and requested_slot in steps:
        earlier = [s for s in steps[:steps.index(requested_slot)] if filled.get(s)]
        if earlier:
            return {earlier[-1]: None}
    return {}


def carried_answers(text: Any) -> Dict[str, str]:
    """Every checkout answer a message carries ("fay@example.com, 15 Aspen Ct, Boulder CO 80301,
    express"): email, street address and delivery option, as raw values to validate. A delivery
    word at the end of the address ("…, 80301, express") is the option, not part of the address."""
    text = " ".join(str(text or "").split())
    if not text or len(text) > 2000:
        return {}
    found: Dict[str, str] = {}
    email = find_email(text)
    rest = text.replace(email, " ") if email else text
    if email:
        found["email"] = email
    address = address_in(rest)
    if address:
        digits = list(re.finditer(r"\d+", address))
        end = digits[-1].end() if digits else 0
        if end and parse_shipping_method(address[end:]):  # "…, 80301, express", "…80301 and next day"
            address = normalize_address(address[:end])
        rest = rest.replace(address or "", " ")
    if address:
        found["shipping_address"] = address
    method = parse_shipping_method(rest)
    if method and not _PRICE_QUESTION.search(rest):
        found["shipping_method"] = method
    return found
