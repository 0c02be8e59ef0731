"""Whether a message is written in another language than English ("quiero comprar una cafetera",
"meine Bestellung ist nicht angekommen"): the assistant only understands English, and should say so
instead of offering options the shopper may not read. Judged by pyspellchecker's word lists (the
spelling normaliser's library): most words are known in one other language and few in English.
A misspelt English message ("i wnat to spek to ur maneger") is not another language."""
from __future__ import annotations

import functools
import re
from typing import Optional

# pyspellchecker's word lists for the languages shoppers in its range write most
LANGUAGES = {"es": "Spanish", "de": "German", "fr": "French", "it": "Italian", "pt": "Portuguese", "nl": "Dutch"}
_WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 2
MIN_SHARE = 0.75  # of the message's words known in that language
MAX_ENGLISH = 0.5  # of them known in English
MIN_LEAD = 0.4  # that language's share over English's


@functools.lru_cache(maxsize=None)
def _word_list(code: str):
    """One language's checker, loaded once on first use (0.2-0.4 s each): never at import time."""
    from spellchecker import SpellChecker

    return SpellChecker(language=code, distance=1)


def other_language(text: Optional[str]) -> Optional[str]:
    """The name of the language ``text`` is written in when that is clearly not English, else None."""
    words = [w.lower() for w in _WORD.findall(text or "")]
    if len(words) < MIN_WORDS:
        return None
    english = sum(1 for w in words if w in _word_list("en")) / len(words)
    if english > MAX_ENGLISH:  # most fallbacks: English typed loosely, and no other list is loaded
        return None
    share = {code: sum(1 for w in words if w in _word_list(code)) / len(words) for code in LANGUAGES}
    code, best = max(share.items(), key=lambda kv: kv[1])
    if best < MIN_SHARE or english > MAX_ENGLISH or best - english < MIN_LEAD:
        return None
    if len(words) < 3 and english > 0:  # "bye bot", "im new": two words, one of them English
        return None
    return LANGUAGES[code]
