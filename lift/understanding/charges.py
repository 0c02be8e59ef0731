"""A charge the shopper does not recognise ("theres a charge from you guys on my card, i never ordered
anything", "unauthorised payment"): not a declined or double payment the FAQ explains, but something
only a person can look into (the card may have been used by someone else)."""
from __future__ import annotations

import re
from typing import Any

_UNKNOWN_CHARGE = re.compile(
    r"\b(?:never|didn'?t|did\s+not|have\s*n'?t|havent)\s+(?:even\s+)?(?:order(?:ed)?|buy|bought|purchase[d]?|made\s+(?:an?\s+)?"
    r"(?:order|purchase))\b(?!\s+(?:the|a|an|this|that|these|those)\s+\w+\s+(?:you|u)\s+sent)|"
    r"\b(?:unauthori[sz]ed|fraudulent|unknown|unrecogni[sz]ed|strange|mystery)\s+(?:charge|payment|transaction)s?\b|"
    r"\b(?:don'?t|do\s+not|can'?t|cannot)\s+recogni[sz]e\s+(?:this|the|a|that)\s+(?:charge|payment|transaction)\b|"
    # "a debit on my bank statement from LIFT STORE 59.00 which I do not recognise"
    r"\b(?:charge|payment|transaction|debit)\b(?:(?![.?!]\s)[^?!]){0,80}?\b(?:which|that)\s+i\s+(?:don'?t|do\s+not|can'?t|cannot)\s+"
    r"recogni[sz]e\b",
    re.IGNORECASE)
_MONEY_TAKEN = re.compile(r"\b(?:charg\w*|card|bank|statement|paid|payment|debit\w*|transaction|money)\b", re.IGNORECASE)


def unknown_charge(text: Any) -> bool:
    """True for a charge or payment the shopper says they never made."""
    text = str(text or "")
    return bool(_UNKNOWN_CHARGE.search(text)) and bool(_MONEY_TAKEN.search(text))
