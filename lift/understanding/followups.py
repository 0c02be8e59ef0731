"""Follow-ups about something already placed or booked: "when will my package arrive" (track that
order) told apart from "how long would it take if i order today" (the delivery policy), and what a
message says about a demo booked earlier ("did that go through?", "can we move it", "cancel the demo"),
and a parcel shown as delivered that never turned up."""
from __future__ import annotations

import re
from typing import Any, Optional

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


# "two weeks and still no refund, where's my money?", "status of my refund": a refund of the shopper's
# own, which its order's record answers (not "how long do refunds usually take", the policy's).
_OWN_REFUND = re.compile(r"\b(?:my|our)\s+(?:\w+\s+)?(?:refund|money)\b|\b(?:still|yet)\b.*\b(?:refund|money)\b|"
                         r"\b(?:refund|money)\b.*\b(?:yet|still)\b|\bwhere'?s?\b.*\b(?:refund|money)\b|"
                         r"\brefund\s+status\b|\bstatus\s+of\s+(?:the|my|our)\s+refund\b", re.IGNORECASE)
_REFUND_IN_GENERAL = re.compile(r"\b(?:how\s+long|how\s+many\s+days|usually|normally|typically|in\s+general|"
                                r"policy|do\s+refunds|does\s+a\s+refund)\b", re.IGNORECASE)


# "I returned the Aria headphones three weeks ago and haven't seen a penny back", "sent back the earbuds,
# still no money on my card": a return made, its money not seen
_SENT_BACK = re.compile(r"\b(?:returned|sent\s+(?:[\w-]+\s+){0,4}?back|posted\s+(?:[\w-]+\s+){0,4}?back|"
                        r"dropped\s+(?:[\w-]+\s+){0,4}?off\s+at)\b", re.IGNORECASE)
_NOT_SEEN = re.compile(r"\b(?:haven'?t|have\s+not|hasn'?t|has\s+not|not|no|never|still|yet|nothing)\b[^.?!]{0,40}?"
                       r"\b(?:money|refund\w*|penny|cent|credit(?:ed)?|reimburs\w*)\b", re.IGNORECASE)


def awaits_refund(text: Any) -> bool:
    """True for a return sent whose money has not come ("sent back the earbuds, still no money on my card")."""
    text = str(text or "")
    return bool(_SENT_BACK.search(text) and _NOT_SEEN.search(text))


def asks_own_refund(text: Any) -> bool:
    """True for "Wow, two weeks and still no refund. Where's my money?": the state of a refund the
    shopper is owed, which the order form finds (asking which order), not the refund policy."""
    text = str(text or "")
    return bool(_OWN_REFUND.search(text) or awaits_refund(text)) and not _REFUND_IN_GENERAL.search(text)


# After a demo is booked in a chat: "did that go through?", "when is our demo again" (status),
# "can we move it to thursday", "i can't make that time" (move), "cancel the demo" (cancel).
_DEMO_WORD = r"(?:demo|meeting|call|booking|appointment|session|slot)"
# ("i don't need a demo" declines one: lift.nlu.scope.declines_demo, not a cancel)
_DEMO_CANCEL = re.compile(rf"\b(?:cancel\w*|call\s+off|scrap|drop)\s+(?:the\s+|my\s+|our\s+|that\s+|this\s+)?{_DEMO_WORD}\b",
                          re.IGNORECASE)
_DEMO_MOVE = re.compile(
    rf"\b(?:move|moving|reschedul\w*|rebook\w*|re-book\w*|push|postpone|bring\s+(?:it\s+)?forward|shift|change)\s+"
    rf"(?:it|that|this|the\s+{_DEMO_WORD}|my\s+{_DEMO_WORD}|our\s+{_DEMO_WORD}|the\s+time|the\s+date|the\s+day)\b|"
    rf"\breschedul\w*\b|\b(?:a\s+)?(?:different|another|other|later|earlier|new)\s+(?:time|day|date|slot)\b|"
    rf"\bcan'?t\s+(?:make|do)\s+(?:it|that|then|the\s+{_DEMO_WORD}|that\s+time)\b|\binstead\b", re.IGNORECASE)
_DEMO_STATUS = re.compile(
    rf"\b(?:did|has|have)\s+(?:that|it|this|my\s+\w+|the\s+\w+)\s+(?:actually\s+|really\s+)?"
    rf"(?:go(?:ne)?\s+(?:through|thru)|work(?:ed)?|been\s+booked|book(?:ed)?)\b|"
    rf"\b(?:is|was)\s+(?:it|that|my\s+{_DEMO_WORD}|our\s+{_DEMO_WORD}|the\s+{_DEMO_WORD})\s+(?:still\s+)?"
    rf"(?:booked|confirmed|on|set|happening|going\s+ahead)\b|\b(?:my|our|the)\s+{_DEMO_WORD}\s+(?:booking\s+)?(?:still\s+)?on\b|"
    rf"\bwhat'?s\s+booked\b|\b(?:confirm|check)\s+(?:my|our|the)\s+{_DEMO_WORD}\b|"
    rf"\bdid\s+(?:you|u)\s+(?:book|schedule|confirm)\b|"
    rf"\b(?:when|what\s+time|what\s+day)\s+(?:is|was|'?s)\s+(?:my|our|the)\s+{_DEMO_WORD}\b|\bwhen'?s\s+(?:my|our|the)\s+{_DEMO_WORD}\b",
    re.IGNORECASE)


# "can i change the time of delivery" is about an order, not the demo.
_ABOUT_ORDERS = re.compile(r"\b(?:deliver\w*|order\w*|ship\w*|parcel|package|refund\w*|cart|return\w*|checkout)\b",
                           re.IGNORECASE)


# "cancel it", "hmm actually my boss says cancel that": nothing named, so the thing just booked or placed.
_BARE_CANCEL = re.compile(r"\b(?:cancel\w*|call\s+off|scrap)\s+(?:it|that|this)\b(?!\s+(?:one\s+)?(?:order|item|product))|"
                          r"^\W*(?:pls\s+|please\s+)?cancel\W*(?:pls|please|plz)?\W*$", re.IGNORECASE)


def bare_cancel(text: object) -> bool:
    """True for "cancel it" / "cancel that please" / "cancel": a cancel that names nothing."""
    return bool(_BARE_CANCEL.search(str(text or "")))


def demo_followup(text: object, just_booked: bool = False) -> Optional[str]:
    """What a message says about a demo already booked: "cancel", "move" or "status"; None when it
    says nothing of the kind (a new request, something about orders, anything else).
    ``just_booked``: the demo is the last thing this chat booked or placed, so a bare "cancel it"
    means it."""
    text = str(text or "")
    if _ABOUT_ORDERS.search(text):
        return None
    if just_booked and bare_cancel(text):
        return "cancel"
    for kind, pattern in (("cancel", _DEMO_CANCEL), ("move", _DEMO_MOVE), ("status", _DEMO_STATUS)):
        if pattern.search(text):
            return kind
    return None


# "Tracking says my parcel was delivered yesterday but there's nothing here", "the courier's app says it
# was left on the doorstep but it's not there": a parcel missing after delivery
_SAYS_DELIVERED = re.compile(r"\b(?:says?|said|shows?|showed|marked|status\s+is|tracking\s+is)\b[^.?!]{0,40}?"
                             r"\b(?:delivered|left|dropped\s+off)\b", re.IGNORECASE)
_NOT_HERE = re.compile(r"\b(?:nothing|no\s+(?:parcel|package|box|sign))\b|\b(?:not|isn'?t|is\s+not|wasn'?t|never)\s+"
                       r"(?:here|there|got|received|arrived|came|turned\s+up)\b|\bcan'?t\s+find\b|\bcannot\s+find\b|"
                       r"\b(?:missing|stolen|nicked|gone)\b", re.IGNORECASE)


def reports_missing_delivery(text: str) -> bool:
    """Whether ``text`` says a parcel shows as delivered (or left) but is not there."""
    return bool(_SAYS_DELIVERED.search(text or "") and _NOT_HERE.search(text or ""))
