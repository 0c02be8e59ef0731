"""Word-level matching of what shoppers type against catalog names.

Tokenising, singularising (:func:`lift.commerce.words.singular`) and the stopwords that carry no product identity; used by
:class:`lift.commerce.catalog.Catalog` (typo correction there uses rapidfuzz's OSA distance).
"""
from __future__ import annotations

import re
from typing import List, Tuple

from rapidfuzz.distance import OSA

from lift.commerce.words import singular

# Words that carry no product identity in a shopper's mention ("the Aria", "do you have a ...").
# They are dropped before matching and never typo-corrected: without this, "have" is one edit
# away from the "Haven" thermostat.
STOPWORDS = frozenset(
    """a an the this that these those it its my your our their me i we you he she they
    some any please pls thanks thank hi hello hey and or with without for of to in into on
    at by from about do does did doing have has had having is are was were be been am can could
    would will should shall may might must want wanted need needs needed like love looking look
    find show see get got buy buying purchase order add put cart basket price prices cost costs
    how much many what which who where when why there here something anything thing things stuff
    item items product products available stock sell sells selling carry recommend suggest good
    best cheap cheaper cheapest new just also too very really more most less under below over above
    than than then so if not no yes ok okay sure maybe tell know about kind type sort
    im ive id youre youve weve theyre theyve shes hes thats whats wheres dont doesnt didnt isnt
    arent cant wont wanna gonna gotta lemme gimme u ur ya yeah yep hmm um plz thx after
    interested mostly mainly probably ideally preferably usually generally guys folks mate them him her kinda sorta lotta yo hiya heya sup
    all fine alright actually well cool whatever else instead again even still only perhaps wat wot wut
    require requires required requiring seek seeking store stores shop shops other others another""".split()
)

# Who, what occasion or what everyday use a search is for ("gift ideas for my sister", "laptops
# for school"), and budget words: not product properties, so a product is not a partial match
# for lacking them (Catalog.unmatched, Catalog.missing_from).
OCCASION_WORDS = frozenset(
    """gift present idea birthday christmas anniversary wedding occasion someone mum mom mother dad
    father sister brother wife husband son daughter friend kid child partner girlfriend boyfriend
    grandma grandpa nan gran teen teenager colleague boss school student college university uni work
    everyday daily budget affordable inexpensive""".split()
)

SKU_IN_TEXT = re.compile(r"\b([a-z]{3})[\s_-]?(\d{3})\b")


def _raw_tokens(text: str) -> List[str]:
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.findall(r"[a-z0-9]+", text)


def content_tokens(text: str) -> Tuple[str, ...]:
    """Normalised tokens of ``text`` without stopwords (checked before and after singularising)."""
    out = []
    for raw in _raw_tokens(text):
        stem = singular(raw)
        if raw not in STOPWORDS and stem not in STOPWORDS:
            out.append(stem)
    return tuple(out)


def typed_content_words(text: str) -> Tuple[str, ...]:
    """The words of ``text`` as typed (lower-cased, once each) that name something: no stopword,
    misspelt stopword or bare number ("do u have the ps5?" -> ("ps5",))."""
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", (text or "").lower())
    return tuple(dict.fromkeys(w for w in words if not w.isdigit() and content_tokens(w) and not near_stopword(w)))


def near_stopword(word: str) -> bool:
    """A misspelt stopword ("cheapst", "avaliable"): one edit from one of 6+ letters (shorter
    words are too close to real ones: "dell" is one edit from "sell")."""
    return len(word) >= 6 and any(len(s) >= 6 and OSA.distance(word, s) <= 1 for s in STOPWORDS)


def shares_name_word(text: str, name: str) -> bool:
    """Whether ``text`` uses a word of the product ``name`` ("does the mouse..." and "Glide
    Wireless Mouse"), after the same normalisation as catalog matching."""
    return bool(set(content_tokens(text)) & set(content_tokens(name)))


_WORD = re.compile(r"[\w'-]+$")


def modifier_words(text: str, start: int, end: int, limit: int = 3) -> Tuple[str, ...]:
    """The words that qualify the product type typed at ``text[start:end]``, lower-cased: up to
    ``limit`` right before it ("samsung galaxy phones") and a maker after "from" / "by" ("phones
    from samsung"); a stopword or punctuation ends them. What a shopper says elsewhere ("a
    laptop for my son, he studies programming") does not describe the product."""
    out: List[str] = []
    for tok in reversed(re.findall(r"[\w'-]+|[^\w\s]", text[:start])):
        if not _WORD.match(tok) or tok.lower() in STOPWORDS or len(out) == limit:
            break
        out.insert(0, tok.lower())
    after = re.match(r"\s+(?:from|by|made\s+by)\s+([\w'-]+(?:\s+[\w'-]+)?)", text[end:], re.IGNORECASE)
    if after:
        out += [w.lower() for w in after.group(1).split() if w.lower() not in STOPWORDS]
    return tuple(out)


def numbered_parts(name: str) -> List[str]:
    """The runs of two or more words of a product name that hold its number ("16 pro", "nimbus 16"
    of "Nimbus 16 Pro Laptop"): the way a shopper names it, never a quantity."""
    words = name.split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1)
            if any(ch.isdigit() for w in words[i:j] for ch in w)]
