"""Numbers written in words ("twenty five", "a hundred and two"): the word tables, a regex for
them and :func:`words_to_int`, shared by quantities (:mod:`lift.understanding.numbers`) and
spending limits (:mod:`lift.understanding.prices`)."""
from __future__ import annotations

import re
from typing import Optional

from lift.commerce.validation import NUMBER_WORDS

# Collective nouns that are quantities on their own ("a couple of", "a pair of", "a dozen").
COLLECTIVES = {w: NUMBER_WORDS[w] for w in ("couple", "pair", "dozen", "single")}
_PLAIN = {w: v for w, v in NUMBER_WORDS.items() if w not in COLLECTIVES and w not in ("a", "an")}
UNITS = {w: v for w, v in _PLAIN.items() if v < 20}
TENS = {w: v for w, v in _PLAIN.items() if 20 <= v < 100}
SCALES = {w: v for w, v in _PLAIN.items() if v >= 100}

NUMBER_WORD = "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True))
# Words of one number are joined by a space or hyphen, and by "and" only after a scale word
# ("one hundred and two"): "two orbit cases and one cable" (product names blanked out) is 2 and 1, not 3.
_JOIN = r"(?:(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+|\s{1,2}|-)"
SPELLED = rf"(?:{NUMBER_WORD})(?:{_JOIN}(?:{NUMBER_WORD}))*"


def words_to_int(text: str) -> Optional[int]:
    """'twenty five' -> 25, 'one hundred and two' -> 102, 'a thousand' -> 1000; None if not a number."""
    tokens = [t for t in re.split(r"[\s-]+", text.lower().strip()) if t and t != "and"]
    if not tokens:
        return None
    if tokens[0] in ("a", "an") and len(tokens) > 1 and tokens[1] in SCALES:
        tokens[0] = "one"
    total, current, seen = 0, 0, False
    for tok in tokens:
        if tok in UNITS:
            current += UNITS[tok]
        elif tok in TENS:
            current += TENS[tok]
        elif tok in SCALES:
            current = max(current, 1) * SCALES[tok]
            if SCALES[tok] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None
