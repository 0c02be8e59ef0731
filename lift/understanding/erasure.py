"""A request to delete the shopper's personal data or account, made in the chat ("please delete all my
data", "i want my account gone"), told apart from a question about how to ask for that ("how do i
delete my account?"), which the privacy policy answers. The policy (kb/policies/privacy.md) says the
request can be sent "through the assistant"; the assistant passes it to a person, who confirms the
shopper's identity by email and runs ``lift privacy erase``."""
from __future__ import annotations

import re
from typing import Any

_ERASE = re.compile(
    r"\b(?:delete|erase|remove|wipe|destroy|purge)\s+(?:all\s+)?(?:of\s+)?(?:my|our)\s+(?:personal\s+)?"
    r"(?:data|info(?:rmations?)?|details|account|profile|records?|everything)\b|"
    r"\b(?:delete|erase|wipe)\s+(?:it\s+all|everything)\b|"
    r"\b(?:my|our)\s+(?:personal\s+)?(?:data|account|profile|info(?:rmation)?)\s+(?:deleted|erased|removed|wiped|gone|closed)\b|"
    r"\b(?:delete|erase|remove|wipe|destroy|purge)\s+(?:all|every|everything|anything|whatever|any)\s+(?:(?:of\s+)?(?:the|my)\s+)?"
    r"(?:personal\s+)?(?:(?:data|info\w*|details)\s+)?(?:(?:that\s+)?you\s+)?(?:hold|have|keep|store|got)\s+(?:about|on)\s+(?:me|us)\b|"
    r"\b(?:everything|all|anything|whatever)\s+(?:(?:that\s+)?you\s+)?(?:hold|have|keep|store|got)\s+(?:about|on)\s+(?:me|us)\s+"
    r"(?:deleted|erased|removed|wiped|gone)\b|"
    r"\bdata\s+(?:deletion|erasure)\s+request\b|\bforget\s+(?:me|about\s+me)\b|\bright\s+to\s+(?:be\s+forgotten|erasure)\b",
    re.IGNORECASE)
# "how do i delete my account?", "can i delete my data later", "is my data deleted when i close my
# account?": how to ask, or a question, not the request itself
_HOW_TO = re.compile(r"^\W*(?:how|where|what|when|why|is|are|does|do\s+(?:you|u)\s+(?:keep|store)|"
                     r"can\s+i|could\s+i|if\s+i|will)\b", re.IGNORECASE)


def asks_erasure(text: Any) -> bool:
    """True for a request made now to delete the shopper's data or account."""
    text = str(text or "")
    return bool(_ERASE.search(text)) and not _HOW_TO.search(text)
