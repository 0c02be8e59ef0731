"""Shopping for someone else: "he likes gaming n music", "my dad loves coffee", "shes into cooking"
say more about the person a present is for (a product search, within the budget given before)."""
from __future__ import annotations

import re

_LIKES = re.compile(r"^\W*(?:\w+\W+)?(?:he|she|they|him|her|hes|shes|theyre|my\s+\w+)\s*(?:'s|\s+is|\s+are|'re)?\s*"
                    r"(?:(?:really|very|totally|super|so|mostly|kinda|quite|big\s+time)\s+)?"
                    r"(?:likes?|loves?|into|enjoys?|plays?|(?:is|are)\s+(?:a\s+)?(?:big\s+)?fans?\s+of)\b"
                    r"(?!\s+(?:it|that|this|them|those|these|the\s+\w+\s+one|one)\b)", re.IGNORECASE)


def describes_recipient(text: str) -> bool:
    """Whether ``text`` tells what the person a present is for likes."""
    return bool(_LIKES.search(text or ""))
