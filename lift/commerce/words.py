"""English word forms: the one place that knows how plurals and verb endings look.

* :func:`singular` — "headphones" -> "headphone", "accessories" -> "accessory": catalog
  matching (:mod:`lift.commerce.matching`) keeps word shape otherwise, so "charger" and
  "charging" stay apart there.
* :func:`plural_forms` — a phrase with its simple plural or singular, for the spaCy entity
  patterns (``scripts/build_spacy_pipeline.py``).
* :func:`stem` — :func:`singular` plus the verb endings "-ing"/"-ed", so BM25
  (:mod:`lift.retrieval.text`) meets "returns"/"returned"/"return" and "shipping"/"ship" half-way.

No stemming library is among the pinned dependencies (NLTK, snowballstemmer and PyStemmer are
not installed), and a full Porter/Snowball stemmer would also merge catalog words that must
stay apart; these rules are small, shared, and tested in ``tests/unit/test_words.py``.
"""
from __future__ import annotations

from typing import List

_IRREGULAR = {
    "lens": "lens", "lenses": "lens", "mice": "mouse", "knives": "knife", "shelves": "shelf",
    "series": "series", "glasses": "glass", "accessories": "accessory", "boxes": "box",
}
_SIBILANT_PLURALS = ("sses", "xes", "ches", "shes", "zes")
_NOT_PLURAL_S = ("ss", "us", "is")
_VERB_SUFFIXES = ("ing", "ed")


def singular(token: str) -> str:
    """Singular form of a lower-case word, by the regular English rules plus a few irregulars."""
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(_SIBILANT_PLURALS):
        return token[:-2]
    if token.endswith("s") and not token.endswith(_NOT_PLURAL_S):
        return token[:-1]
    return token


def stem(token: str) -> str:
    """A light stem of a lower-case word: its :func:`singular`, else without "-ing"/"-ed"
    (and a doubled final consonant: "shipping" -> "shipp" -> "ship")."""
    if len(token) <= 3 or token.isdigit():
        return token
    base = singular(token)
    if base != token:
        return base
    for suffix in _VERB_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            if len(token) >= 4 and token[-1] == token[-2] and token[-1] not in "aeiouls":
                token = token[:-1]
            break
    return token


def plural_forms(phrase: str) -> List[str]:
    """The phrase plus its simple plural or singular ("speaker" <-> "speakers"), sorted."""
    head, _, last = phrase.rpartition(" ")
    forms = {phrase}
    one = singular(last)
    if one != last:
        forms.add(one)
    elif last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
        forms.add(last[:-1] + "ies")
    elif last.endswith(("ch", "sh", "x", "ss")):
        forms.add(last + "es")
    elif last.isalpha() and len(last) > 2 and not last.endswith("s"):
        forms.add(last + "s")
    return sorted({(f"{head} {f}" if head else f) if f != phrase else f for f in forms})


def plural(phrase: str) -> str:
    """The phrase in the plural: "laptop" -> "laptops"; one already plural ("headphones", "mice") stays."""
    last = phrase.rsplit(" ", 1)[-1]
    if singular(last) != last:
        return phrase
    return next((f for f in plural_forms(phrase) if f != phrase), phrase)
