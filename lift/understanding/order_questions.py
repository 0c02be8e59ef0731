"""Questions about an order the shopper already has, told apart from questions asked before buying:
"when will my package arrive" (track that order) versus "how long would it take if i order today"
(the delivery policy)."""
from __future__ import annotations

import re
from typing import Any

# "when will my package arrive", "how soon can i expect my order": the shopper's own order, already
# placed (not "how long would it take if i order today").
_MY_ORDER = re.compile(r"\b(?:my|our)\s+(?:(?:\w+\s+){0,2}?)(?:order|package|parcel|delivery|shipment|purchase|item|"
                       r"article|product|stuff|things|items)\b", re.IGNORECASE)
_ARRIVAL = re.compile(r"\b(?:arriv\w*|expect\w*|get\s+(?:here|to\s+me)|turn\s+up|show\s+up|be\s+delivered|"
                      r"com(?:e|es|ing)|reach\w*|eta)\b", re.IGNORECASE)
_BEFORE_BUYING = re.compile(r"\b(?:if|when|once|before)\s+(?:i|we)\s+(?:order|buy|purchase|place|get|pick|choose)\b|"
                            r"\b(?:order(?:ed)?|buy|bought|purchase[sd]?)\s+(?:it\s+|them\s+)?(?:today|now|tonight|"
                            r"this\s+(?:morning|afternoon|evening|week))\b|\bwould\b", re.IGNORECASE)


def asks_own_order_arrival(text: Any) -> bool:
    """True for "when will my package arrive" / "how do i check when my order is gonna arrive": the
    arrival of an order the shopper has placed, which tracking that order answers (not the policy's
    general delivery times, which "how long would it take if i order today" asks for)."""
    text = str(text or "")
    return bool(_MY_ORDER.search(text) and _ARRIVAL.search(text)) and not _BEFORE_BUYING.search(text)
