"""Misspelt words read as the training word they were meant to be.

Shoppers type "I want to teack order", "do ya shiup to Hungary", "how do i list the pament
modalities". A word no model feature has seen carries nothing: the word counts drop it and its
char n-grams lean anywhere. :class:`Speller` replaces such a word, for the intent features only,
by the training word one edit away (two for words of eight letters or more), or splits two run-
together training words ("tosomebody", "needhelp").

A word is only touched when it is no English word at all: not in the training data, not in the
MiniLM encoder's vocabulary and not in pyspellchecker's English dictionary (word frequencies from
OpenSubtitles and other corpora, shipped in the package). So "captcha", "debited", "reorder" or
"sitting" stay as they are, while "acount" becomes "account". Chosen on the dev split
(``scripts/eval_nlu.py --split dev``, never the reporting split); the figures are in the README.

Plain Python: :mod:`lift.rasa_plugins.spelling` applies it inside the Rasa pipeline.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Mapping, Optional

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

# Token data key: the correction of a token's word, as [end of the word, replacement text];
# set by the pipeline component, read by the sentence featurizer (lift.rasa_plugins.minilm_featurizer).
SPELLED = "spelled"

MIN_LENGTH = 4  # shorter words are too often abbreviations ("thx", "pls", "ty")
TWO_EDITS_FROM = 8  # words this long may be two edits from what was meant
SPLIT_FROM = 7  # run-together words this long may be split into two training words
MIN_TARGET_COUNT = 2  # a training word seen once may itself be a typo

_LETTERS = re.compile(r"^[a-z]+$")


@lru_cache(maxsize=1)
def english_words() -> FrozenSet[str]:
    """Known English words: pyspellchecker's English dictionary and the MiniLM vocabulary's whole
    words. Read from the installed packages (nothing is downloaded), once per process."""
    from spellchecker import SpellChecker

    from lift.retrieval.encoder import model_path

    words = set(SpellChecker(language="en").word_frequency.dictionary)
    vocab = model_path() / "vocab.txt"
    if vocab.is_file():
        words.update(w for w in vocab.read_text(encoding="utf-8").split() if _LETTERS.match(w))
    return frozenset(words)


class Speller:
    """Corrects words against a training vocabulary (word -> count)."""

    def __init__(self, counts: Mapping[str, int], known: Iterable[str] = ()) -> None:
        self._counts: Dict[str, int] = {str(w): int(c) for w, c in counts.items()}
        self._known = frozenset(known) | frozenset(self._counts)
        self._targets = [w for w, c in self._counts.items() if c >= MIN_TARGET_COUNT and len(w) >= 3]
        self._cache: Dict[str, Optional[str]] = {}

    def correct(self, word: str) -> Optional[str]:
        """The replacement for ``word`` (lower-case letters), or None to keep it. A replacement
        may be two words ("need help")."""
        if word in self._cache:
            return self._cache[word]
        fixed = self._correct(word)
        if len(self._cache) < 10_000:
            self._cache[word] = fixed
        return fixed

    def _correct(self, word: str) -> Optional[str]:
        if len(word) < MIN_LENGTH or word in self._known or not _LETTERS.match(word):
            return None
        # one edit; else two run-together training words; else, for long words, two edits
        for edits in (1, 2):
            if edits == 2:
                split = self._split(word)
                if split or len(word) < TWO_EDITS_FROM:
                    return split
            found = process.extract(word, self._targets, scorer=DamerauLevenshtein.distance,
                                    score_cutoff=edits, limit=None)
            if found:
                # fewest edits first, then the word the training data uses most, then alphabetical
                return min(found, key=lambda hit: (hit[1], -self._counts[hit[0]], hit[0]))[0]
        return None

    def _split(self, word: str) -> Optional[str]:
        if len(word) < SPLIT_FROM:
            return None
        for i in range(2, len(word) - 1):
            head, tail = word[:i], word[i:]
            if head in self._counts and tail in self._counts:
                return f"{head} {tail}"
        return None

    def correct_text(self, text: str) -> str:
        """``text`` with every misspelt word replaced (for scripts and tests; the pipeline
        corrects tokens)."""
        def fix(match: "re.Match[str]") -> str:
            return self.correct(match.group(0).lower()) or match.group(0)

        return re.sub(r"[A-Za-z]+", fix, text)
