"""Query normalisation: chat shorthand and misspellings mapped onto the knowledge base's words.

MiniLM splits an unknown word into word pieces ("retrun" -> "re", "##tr", "##un"), so a
single typo can move a short question far from its answer, and BM25 sees no match at all.
A query word is corrected only when

* it is not a word the model knows (a whole word of its WordPiece vocabulary) nor a word of
  the knowledge base, and
* one knowledge-base word is within a small edit distance of it: 1 edit for words up to 6
  letters, 2 beyond, never for words under 4 letters (rapidfuzz's optimal string alignment,
  as in the catalog's product-name matching: a swap of neighbours is one edit); the more
  frequent word wins a tie;

a run-together word ("giftcard", "preorder", "dont") becomes the knowledge base's two words
or hyphenated / apostrophised form. A handful of generic chat abbreviations ("u", "ur", "pls",
"wanna") are spelled out, and contractions typed without the apostrophe ("cant", "havent",
"youre") get it back before any correction could drop the negation. The vocabulary comes from the indexed documents, so nothing here knows the
evaluation questions.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Iterable, Optional

# Generic chat shorthand, not knowledge-base vocabulary.
SHORTHAND = {
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "wat": "what", "wats": "what's", "b4": "before", "w/": "with", "w/o": "without", "im": "I'm",
    "ive": "I've", "id": "I'd", "ill": "I'll", "abt": "about", "bc": "because", "cuz": "because",
    "wanna": "want to", "gonna": "going to", "gotta": "have to", "rn": "right now", "tho": "though",
    "thru": "through", "ya": "you", "yea": "yes", "yeah": "yes", "asap": "as soon as possible",
}

# Other countries' words for the store's (a US store: "do you charge vat on top" is its sales tax).
REGIONAL = {"vat": "sales tax", "postcode": "zip code"}

# English contractions typed without the apostrophe. Checked before spelling correction, which
# would otherwise turn "cant" into "can" and "havent" into "haven" (dropping the negation) or
# "youre" into "your". Generic English, not knowledge-base vocabulary.
CONTRACTIONS = {
    "cant": "can't", "wont": "won't", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
    "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "hasnt": "hasn't",
    "havent": "haven't", "hadnt": "hadn't", "couldnt": "couldn't", "shouldnt": "shouldn't",
    "wouldnt": "wouldn't", "youre": "you're", "youve": "you've", "theyre": "they're",
    "wheres": "where's", "whats": "what's", "theres": "there's", "thats": "that's", "hows": "how's",
    "whos": "who's", "its": None, "ive": "I've", "im": "I'm", "itll": "it'll",
}

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|w/o?|b4")
_KB_WORD_RE = re.compile(r"[a-z]+(?:['\-][a-z]+)*")


def _max_edits(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 6 else 2


class SpellingNormalizer:
    """Built once per retriever from the document texts and the encoder's vocabulary."""

    def __init__(self, texts: Iterable[str], model_vocab: Iterable[str] = ()):
        freq: Counter = Counter()
        joined: Dict[str, str] = {}
        for text in texts:
            words = _KB_WORD_RE.findall(text.lower())
            freq.update(w for w in words if "-" not in w and "'" not in w)
            for w in words:
                if "-" in w or "'" in w:
                    joined.setdefault(re.sub(r"['\-]", "", w), w)  # preorder -> pre-order, dont -> don't
                    freq.update(re.split(r"['\-]", w))
            for a, b in zip(words, words[1:]):
                if len(a) >= 3 and len(b) >= 3:
                    joined.setdefault(a + b, f"{a} {b}")  # giftcard -> gift card
        self._freq = freq
        self._vocab = [w for w in freq if len(w) >= 3]
        self._joined = {k: v for k, v in joined.items() if k not in freq}
        self._known = set(freq) | {w for w in model_vocab if w.isalpha()}

    def correct_word(self, word: str) -> Optional[str]:
        """The replacement for one word, or None to keep it."""
        low = word.lower()
        if low in CONTRACTIONS:
            return CONTRACTIONS[low]
        if low in SHORTHAND:
            return SHORTHAND[low]
        if low in REGIONAL:
            return REGIONAL[low]
        if low in self._joined:
            return self._joined[low]
        if low in self._known or not low.isalpha():
            return None
        edits = _max_edits(low)
        if not edits:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(low, self._vocab, scorer=OSA.distance,
                                score_cutoff=edits, limit=8)
        if not found:
            return None
        best = min(found, key=lambda m: (m[1], -self._freq[m[0]], m[0]))
        return best[0]

    def normalize(self, query: str) -> str:
        """The query with shorthand expanded and misspellings corrected (else unchanged)."""
        def fix(m: re.Match) -> str:
            word = m.group(0)
            return self.correct_word(word) or word

        return _WORD_RE.sub(fix, query)
