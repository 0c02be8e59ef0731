"""Readings that would take the conversation somewhere (a form opens or closes, the checkout
starts, the chat ends) and are too weak to act on: the fallback asks instead."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

BYE_CUE = re.compile(r"\b(?:bye+|goodbye|see\s+(?:you|ya|u)|later|cya|ttyl|night|ciao|cheerio|farewell|adios|"
                      r"gotta\s+go|have\s+to\s+go|signing\s+off)\b", re.IGNORECASE)


# Intents whose action takes the conversation somewhere (a form opens or closes, the checkout
# starts, the chat ends, a person is called in). Read weakly and with none of their own words, they were wrong on the dev
# split every time ("how many in stock" -> request_demo 0.28, "notify me pls" -> checkout 0.20,
# "the first, 1x pls" -> start_onboarding 0.25): the fallback's likeliest offers are asked instead.
TAKEOVER_FLOOR = 0.4
_TAKEOVER_CUES = {
    "checkout": re.compile(r"\b(?:check\s*-?\s*out|pay|payment|buy|purchase|order|proceed)\b", re.IGNORECASE),
    "request_demo": re.compile(r"\b(?:demo|sales|business|company|team|bulk|quote|call|meeting)\b", re.IGNORECASE),
    "start_onboarding": re.compile(r"\b(?:account|sign\s*-?\s*up|register|join|new\s+here|get\s+started|onboard\w*|"
                                   r"first\s+time)\b", re.IGNORECASE),
    "stop": re.compile(r"\b(?:stop|cancel|quit|forget|never\s*mind|nvm|enough|leave|exit|skip|don'?t|no)\b", re.IGNORECASE),
    "goodbye": BYE_CUE,
    # a ticket opens and the chat waits for a person ("where is your company located" -> 0.19)
    "contact_customer_service": re.compile(r"\b(?:contact|reach|touch|call|phone|ring|email|e-mail|write|speak|talk|chat|"
                                           r"support|service|help\s*desk|team|staff|someone|somebody|person|human|agent|"
                                           r"representative|rep|complain\w*)\b", re.IGNORECASE),
}
_TAKEOVER_CUES["contact_human_agent"] = _TAKEOVER_CUES["contact_customer_service"]


def weak_takeover(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """A weak reading (< :data:`TAKEOVER_FLOOR`) of an intent in :data:`_TAKEOVER_CUES` whose
    message has none of its words: confidence 0, so FallbackClassifier offers the likeliest things."""
    name = (intent or {}).get("name")
    cue = _TAKEOVER_CUES.get(name or "")
    if cue is None or float((intent or {}).get("confidence") or 0.0) >= TAKEOVER_FLOOR or cue.search(text or ""):
        return None
    return {"name": name, "confidence": 0.0}
