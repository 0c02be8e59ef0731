"""Quantities in digits and words, and why a quantity is refused.

:func:`find_quantities` finds every quantity mention in a sentence with its character span;
:func:`parse_quantity` turns one mention (or an entity value) into a whole number, or a reason
the bot can say ("How many exactly?", "at most 20").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from lift.understanding.prices import cap_spans
from lift.understanding.spelled import COLLECTIVES, SPELLED, words_to_int

# Words that mean "more than one" without saying how many.
VAGUE_WORDS = ("lots", "a lot", "loads", "plenty", "tons", "heaps", "many", "several", "a few", "a bunch",
               "a ton", "some", "a load", "a number of", "multiple", "as many as possible", "infinite", "all you have")

# "one" after these is a reference ("that one", "the second one", "the cheaper one"), not a count.
_REFERENCE_BEFORE_ONE = frozenset("""the that this which each every any no other same another last first second
third fourth fifth sixth next previous latter former cheap cheaper cheapest expensive pricier priciest dearer
bigger biggest smaller smallest better best new newer newest older right left top bottom middle
inch inches gb tb mah core k pro mini max plus lite wireless wired big small large little black white silver grey
gray blue red green pink gold""".split())

# "the gaming one", "that matte black one": a determiner a word or two before "one" makes it a reference
_THE_X_ONE = re.compile(r"\b(?:the|that|this|which|those|these|a|an)\s+(?:(?!(?:and|or|plus|with|also|then)\b)[^\W\d_]+[\s-]+){1,2}$",
                        re.IGNORECASE)

_DIGITS = r"[-+−]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[+-]?\d+)?"
_QUANTITY_RE = re.compile(
    rf"""(?<![\w.@/#-])(?:
        (?P<half>half\s+(?:a\s+)?dozen)
      | (?:an?\s+)?(?P<coll>couple|pair)(?:\s+of)?
      | (?P<mult>{SPELLED}|\d+)\s+dozen
      | (?:an?\s+)?(?P<dozen>dozen)
      | (?:x\s?)?(?P<digits>{_DIGITS})(?:\s?x)?
      | (?P<spelled>{SPELLED})
    )(?![\w@/-]|\.\d)""",
    re.IGNORECASE | re.VERBOSE,
)
# A number followed by one of these is a measure ("the 27 inch one", "the 20000 mah power bank").
_UNIT_AFTER_RE = re.compile(r"\s*(?:inch(?:es)?\b|\"|''|cm\b|mm\b|gb\b|tb\b|mb\b|w\b|watts?\b|mah\b|mp\b|"
                            r"megapixels?\b|hz\b|hours?\b|hrs?\b|kg\b|lbs?\b|oz\b|litres?\b|liters?\b|fps\b|"
                            r"mbps\b|mph\b|core\b|percent\b|%|-?\s*pack\b(?!\s+of\b)|-?\s*pk\b)", re.IGNORECASE)  # "a 4-pack": its size ("1 pack of": a count)
_VAGUE_RE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A quantity in a text: ``value`` (None when it is not a whole number, e.g. "2.5") and its span."""

    value: Optional[int]
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quantity:
    """A checked quantity: ``value`` when usable, else ``problem`` (a sentence for the shopper)."""

    value: Optional[int]
    problem: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.value is not None


def _digits_value(raw: str) -> Optional[int]:
    raw = raw.replace(",", "").replace("−", "-")
    try:
        number = float(raw)
    except ValueError:
        return None
    if number != number or abs(number) == float("inf") or not number.is_integer():
        return None
    return int(number)


def _value(m: "re.Match[str]") -> Optional[int]:
    if m.group("half"):
        return 6
    if m.group("coll"):
        return COLLECTIVES[m.group("coll").lower()]
    if m.group("mult"):
        base = m.group("mult")
        n = int(base) if base.isdigit() else words_to_int(base)
        return None if n is None else n * 12
    if m.group("dozen"):
        return 12
    if m.group("digits"):
        return _digits_value(m.group("digits"))
    return words_to_int(m.group("spelled"))


def _previous_word(text: str, start: int) -> str:
    words = re.findall(r"[a-z]+", text[:start].lower())
    return words[-1] if words else ""


# "a pair of the aria headphones", "put a black pair in": one pair is one item of these
_PAIRED = re.compile(r"\b(?:head\s*phones?|ear\s*buds?|ear\s*phones?|buds|headsets?|ear\s*muffs|glasses|goggles|"
                     r"shoes|socks|gloves|jeans|trousers|pants|shorts|boots|sneakers|trainers|scissors|pliers)\b",
                     re.IGNORECASE)


def sold_in_pairs(name: str) -> bool:
    """Whether one item named ``name`` is itself a pair ("Aria Wireless Headphones"): "a pair of
    them" is one."""
    return bool(_PAIRED.search(name or ""))


def _one_pair(text: str, m: "re.Match[str]") -> bool:
    """Whether "pair" here counts one item: a pair of headphones (not of speakers: two), or a pair
    described without "of" ("a black pair") after one of those was named or shown."""
    after = text[m.end():m.end() + 60]
    if _PAIRED.search(after.split(".")[0]):
        return True
    described = not m.group(0).lower().startswith(("a ", "an ")) and _previous_word(text, m.start()) not in ("", "a", "an")
    return described and not re.match(r"\s+of\b", after, re.IGNORECASE)


_OF_THE = re.compile(r"\b(?:of|between)\s+the\s*$", re.IGNORECASE)


def find_quantities(text: str, skip: Sequence[Tuple[int, int]] = ()) -> List[Mention]:
    """Every quantity mentioned in ``text``, left to right, outside the ``skip`` spans (e.g. a
    product name such as "Nimbus 14", an order number or an email address)."""
    skip = list(skip) + cap_spans(text or "")  # "a laptop under 1000": money, not a quantity
    found: List[Mention] = []
    for m in _QUANTITY_RE.finditer(text or ""):
        start, end = m.span()
        if any(start < s_end and s_start < end for s_start, s_end in skip):
            continue
        if m.group("digits") and _UNIT_AFTER_RE.match(text, end):
            continue
        if _previous_word(text, start) in ("those", "these") or _OF_THE.search(text[:start]):
            continue  # "the cheaper of those two", "which of the 3 is best": the cards counted, not an order
        spelled = (m.group("spelled") or "").lower()
        if spelled == "one" and (_previous_word(text, start) in _REFERENCE_BEFORE_ONE or _THE_X_ONE.search(text[:start])):
            continue
        value = 1 if (m.group("coll") or "").lower() == "pair" and _one_pair(text, m) else _value(m)
        found.append(Mention(value, start, end, m.group(0)))
    return found


def quantities_per_item(text: str, spans: Sequence[Tuple[int, int]]) -> List[Optional[Mention]]:
    """For items named at ``spans`` (in text order), the quantity written after the previous item
    and before this one: "3 aria headphones and a boom speaker" -> [3, None]. None: no number there
    (the caller's default, one)."""
    mentions = find_quantities(text, spans)
    out: List[Optional[Mention]] = []
    previous_end, claimed = 0, None
    for i, (start, end) in enumerate(spans):
        before = [m for m in mentions if previous_end <= m.start and m.end <= start and m != claimed]
        following = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        after = [m for m in mentions if end <= m.start and m.end <= following and _counts_item(text, end, m)]
        claimed = None if before or not after else after[0]
        out.append(before[-1] if before else claimed)
        previous_end = end
    return out


# "the nimbus 14, two pieces", "aria headphones x2", "nimbus 14 x 2", "kettle qty 3": a count written
# after the item it counts (never "nimbus 14, two aria headphones": that two is the next item's).
_BETWEEN_ITEM_AND_COUNT = re.compile(r"^[\s,:;-]*(?:(?P<x>x|qty|quantity)\s*:?\s*)?$", re.IGNORECASE)
_COUNT_NOUN_AFTER = re.compile(r"^\s*(?:pieces?|pcs|units?|of\s+(?:them|those|these|it)|times)\b", re.IGNORECASE)


def _counts_item(text: str, item_end: int, mention: Mention) -> bool:
    between = _BETWEEN_ITEM_AND_COUNT.match(text[item_end:mention.start])
    return bool(between) and bool(between.group("x") or re.search(r"x", mention.text, re.IGNORECASE)
                                  or _COUNT_NOUN_AFTER.match(text[mention.end:]))


def is_vague(text: str) -> bool:
    """True when ``text`` asks for 'lots' / 'a few' / 'several' without a number."""
    return bool(_VAGUE_RE.search(text or ""))


def parse_quantity(value, *, limit: Optional[int] = None) -> Quantity:
    """A whole number from an entity value or a typed answer ('2', 'two', 'a couple', '3x'), checked
    against 1..``limit``. Refusals carry a reason the bot can say."""
    if isinstance(value, bool):
        return Quantity(None, "How many would you like? Please give a number, e.g. 2.")
    if isinstance(value, (int, float)):
        number: Optional[int] = int(value) if float(value).is_integer() else None
        if number is None:
            return Quantity(None, "Please give a whole number, e.g. 2.")
    else:
        text = str(value or "").strip()
        mentions = [m for m in find_quantities(text) if m.text.strip()]
        if not mentions:
            if is_vague(text):
                return Quantity(None, "How many exactly? Please give a number, e.g. 3.")
            return Quantity(None, "How many would you like? Please give a number, e.g. 2.")
        if len({m.value for m in mentions}) > 1:
            return Quantity(None, "I saw more than one number there. How many would you like?")
        number = mentions[0].value
        if number is None:
            return Quantity(None, "Please give a whole number, e.g. 2.")
    if number < 1:
        return Quantity(number, "The quantity has to be at least 1.")
    if limit is not None and number > limit:
        return Quantity(number, f"You can order at most {limit} of one product per order.")
    return Quantity(number)
