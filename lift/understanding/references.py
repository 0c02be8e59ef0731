"""What "it", "the second one", "the cheaper one", "both" and "all of them" refer to, and which
cart change a message asks for ("remove one", "make it 3", "remove all").

Products are referred to among those last shown to the shopper (the ``last_shown`` slot, a list
of SKUs in the order shown). When a reference cannot be resolved without guessing — "the second
one" when only one was shown, "add it" after four cards — the result carries a question for the
shopper and the candidates to offer, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

from lift.understanding.numbers import find_quantities

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
            "fifth": 4, "5th": 4, "sixth": 5, "6th": 5}
_ORDINAL_RE = re.compile(r"\b(?:the\s+)?(" + "|".join(ORDINALS) + r")(?:\s+(?:one|item|product|option))?\b"
                         r"|\b(?:number|no\.?|#|option)\s*([1-6])\b", re.IGNORECASE)
_LAST_RE = re.compile(r"\bthe\s+(?:last|latter|bottom)(?:\s+one)?\b|\blast\s+one\b", re.IGNORECASE)
_FORMER_RE = re.compile(r"\bthe\s+former\b|\bthe\s+top\s+one\b|\bthe\s+one\s+(?:at\s+the\s+top|on\s+top)\b", re.IGNORECASE)
_CHEAP_RE = re.compile(r"\b(?:cheaper|cheapest|less\s+expensive|least\s+expensive|lower[-\s]priced|lowest[-\s]priced|"
                       r"most\s+affordable|more\s+affordable|budget)\b", re.IGNORECASE)
_DEAR_RE = re.compile(r"\b(?:pricier|priciest|more\s+expensive|most\s+expensive|dearer|higher[-\s]priced|"
                      r"premium|fancier|the\s+(?:expensive|dear|pricey)(?:\s+one)?)\b", re.IGNORECASE)
_SMALL_NUMBERS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4}
_FIRST_N_RE = re.compile(r"\b(?:the\s+)?(first|top|last|bottom)\s+(two|2|three|3|four|4)\b", re.IGNORECASE)
_OTHER_RE = re.compile(r"\bthe\s+other(?:\s+one)?\b", re.IGNORECASE)
_BOTH_RE = re.compile(r"\b(?:both|the\s+two\s+of\s+them|the\s+pair\s+of\s+them|each\s+of\s+the\s+two)\b", re.IGNORECASE)
_ALL_RE = re.compile(r"\b(?:all\s+(?:of\s+)?(?:them|those|these|three|four|the\s+(?:products|items))|them\s+all|"
                     r"every\s*one(?:\s+of\s+them)?|each\s+of\s+them|the\s+lot)\b", re.IGNORECASE)
# "add 2 of those" after three cards: two of one of them, not two of each
_PARTITIVE_RE = re.compile(r"\b(?:\d+|two|three|four|five|six|a\s+couple|a\s+few)\s+of\s+(?:them|those|these|'?em)\b",
                           re.IGNORECASE)
# "the pro ones", "the pro version": picked by a name word
_X_ONES_RE = re.compile(r"\bthe\s+[\w-]+(?:\s+[\w-]+)?\s+(?:ones|version|model)\b", re.IGNORECASE)
_PLURAL_RE = re.compile(r"\b(?:them|those|these|those\s+ones|these\s+ones)\b", re.IGNORECASE)
_SINGULAR_RE = re.compile(r"\b(?:it|that|this|that\s+one|this\s+one|the\s+one|one|same|the\s+same)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Shown:
    """A product the shopper has seen: what references resolve to."""

    sku: str
    name: str
    price: Decimal

    @classmethod
    def all_of(cls, products) -> List["Shown"]:
        """Catalog products (anything with sku, name and price) as references resolve them."""
        return [cls(p.sku, p.name, p.price) for p in products if p is not None]


@dataclass(frozen=True)
class Resolution:
    """``skus`` resolved (in order), or a ``question`` with ``choices`` (SKUs) to offer.
    Both empty: the message refers to nothing shown (the caller decides what that means)."""

    skus: Tuple[str, ...] = ()
    question: Optional[str] = None
    choices: Tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.skus)


def _names(items: Sequence[Shown]) -> str:
    names = [i.name for i in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _which(shown: Sequence[Shown], lead: str) -> Resolution:
    return Resolution(question=f"{lead} Which one do you mean: {_names(shown)}?", choices=tuple(s.sku for s in shown))


def which_shown(shown: Sequence[Shown]) -> Resolution:
    """A question offering every shown product: "add 2" with several cards on screen names none."""
    return _which(shown, f"I showed you {len(shown)} products.") if len(shown) > 1 else Resolution()


def _one_shown(shown: Sequence[Shown]) -> Resolution:
    only = shown[0]
    return Resolution(question=f"I only showed you one product, the {only.name}. Did you mean that one?",
                      choices=(only.sku,))


def resolve_reference(text: str, shown: Sequence[Shown]) -> Resolution:
    """The shown products ``text`` refers to. Checks, in order: "all of them", "both", ordinals,
    "the last one", cheaper/pricier, then "it"/"that one"/"them"."""
    text = text or ""
    if not shown:
        return Resolution()
    n = len(shown)
    if _ALL_RE.search(text):
        return Resolution(tuple(s.sku for s in shown))
    if _BOTH_RE.search(text):
        if n == 2:
            return Resolution(tuple(s.sku for s in shown))
        if n == 1:
            return _one_shown(shown)
        return Resolution(question=f"I showed you {n} products: {_names(shown)}. Which two would you like?",
                          choices=tuple(s.sku for s in shown))
    first_n = _FIRST_N_RE.search(text)
    if first_n:  # "compare the first two", "the last 2"
        count = _SMALL_NUMBERS[first_n.group(2).lower()]
        if count <= n:
            picked = shown[:count] if first_n.group(1).lower() in ("first", "top") else shown[-count:]
            return Resolution(tuple(s.sku for s in picked))
    several = [ORDINALS[m.group(1).lower()] if m.group(1) else int(m.group(2)) - 1 for m in _ORDINAL_RE.finditer(text)]
    if len(set(several)) > 1 and all(i < n for i in several):  # "the first and the second"
        return Resolution(tuple(shown[i].sku for i in dict.fromkeys(several)))
    m = _ORDINAL_RE.search(text)
    if m:
        index = ORDINALS[m.group(1).lower()] if m.group(1) else int(m.group(2)) - 1
        if index < n:
            return Resolution((shown[index].sku,))
        if n == 1:
            return _one_shown(shown)
        return _which(shown, f"I only showed you {n} products.")
    if _LAST_RE.search(text):
        return Resolution((shown[-1].sku,))
    if _FORMER_RE.search(text):
        return Resolution((shown[0].sku,))
    for pattern, pick in ((_CHEAP_RE, min), (_DEAR_RE, max)):
        if pattern.search(text):
            if n == 1:
                return _one_shown(shown)
            best = pick(s.price for s in shown)
            winners = [s for s in shown if s.price == best]
            if len(winners) == 1:
                return Resolution((winners[0].sku,))
            return _which(winners, "Those cost the same.")
    if (_PARTITIVE_RE.search(text) or _PLURAL_RE.search(text) or _X_ONES_RE.search(text)) and n > 1:
        named = _told_apart(re.sub(r"\d+", " ", text), shown)  # "the pro ones, add 5": a name word, not a number
        if named is not None:
            return Resolution((named.sku,))
    if _PARTITIVE_RE.search(text) and n > 1:
        return _which(shown, f"I showed you {n} products.")
    if _PLURAL_RE.search(text):
        return Resolution(tuple(s.sku for s in shown))
    if _SINGULAR_RE.search(text):
        if n == 1:
            return Resolution((shown[0].sku,))
        named = _told_apart(text, shown)
        if named is not None:  # "the 27 inch one", "that office one"
            return Resolution((named.sku,))
        return _which(shown, f"I showed you {n} products.")
    return Resolution()


def _words(text: str) -> set:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _told_apart(text: str, shown: Sequence[Shown]) -> Optional[Shown]:
    """The one shown product whose name has a word of ``text`` that no other shown name has
    ("27" in "Clarity 27-inch 4K Monitor" next to the 24-inch one); None when none or several do."""
    said = _words(text)
    names = [_words(s.name) for s in shown]
    hits = [s for i, s in enumerate(shown)
            if said & (names[i] - set().union(*(names[:i] + names[i + 1:])))]
    return hits[0] if len(hits) == 1 else None


def price_direction(text: str) -> Optional[str]:
    """"cheaper" or "pricier" when ``text`` asks for a cheaper / more expensive one, else None."""
    for pattern, direction in ((_CHEAP_RE, "cheaper"), (_DEAR_RE, "pricier")):
        if pattern.search(text or ""):
            return direction
    return None


def says_other(text: str) -> bool:
    """True for "the other one", "the other"."""
    return bool(_OTHER_RE.search(text or ""))


_EMPTY_CART_RE = re.compile(
    r"\b(?:empty|clear|wipe|reset)\s+(?:out\s+)?(?:my\s+|the\s+)?(?:cart|basket|bag|everything|it\s+all)\b|"
    r"\b(?:remove|delete|take\s+out|drop|get\s+rid\s+of)\s+(?:everything|it\s+all|all\s+(?:the\s+)?(?:items|things|of\s+it))\b|"
    r"\bclear\s+everything\b", re.IGNORECASE)
_CART_LINE_RE = re.compile(r"\b(?:item|line|thing)s?\b|\bin\s+(?:my|the)\s+(?:cart|basket|bag)\b", re.IGNORECASE)


def empties_cart(text: str) -> bool:
    """True for "empty my cart", "clear everything", "remove all the items"."""
    return bool(_EMPTY_CART_RE.search(text or ""))


def cart_line_by_ordinal(text: str, lines: Sequence[Shown]) -> Optional[str]:
    """The SKU of the cart line an ordinal counts to ("remove the second item", "the first thing in
    my cart"), ``lines`` in cart order; None when the message counts no cart lines."""
    if not (_ORDINAL_RE.search(text or "") and _CART_LINE_RE.search(text or "")):
        return None
    picked = resolve_reference(text, lines)
    return picked.skus[0] if len(picked.skus) == 1 else None


def names_a_position(text: str) -> bool:
    """True for "the second one", "the last one", "the former": a product picked by its place."""
    return any(p.search(text or "") for p in (_ORDINAL_RE, _LAST_RE, _FORMER_RE))


def says_both(text: str) -> bool:
    """True for "both", "the two of them", "each of the two"."""
    return bool(_BOTH_RE.search(text or ""))


def compares_price(text: str) -> bool:
    """True for "the cheaper one", "the more expensive one": a pick between products by price."""
    return bool(_CHEAP_RE.search(text or "") or _DEAR_RE.search(text or ""))


def refers_back(text: str) -> bool:
    """True when ``text`` uses a reference word at all ("it", "that one", "the second", "both"...)."""
    return any(p.search(text or "") for p in (_ALL_RE, _BOTH_RE, _ORDINAL_RE, _LAST_RE, _FORMER_RE, _CHEAP_RE,
                                              _DEAR_RE, _PLURAL_RE, _SINGULAR_RE))


# "another one", "one more", "add 2 more", "same again", "2 more of those": more of the product the
# shopper added last (their own cart line), never a card shown or an offer made since. "Another"
# and "more" only count at the end of a clause or before a pointer, so "another question", "one
# more thing" or "tell me more" are not an order.
_CLAUSE_END = r"(?=\s*(?:$|[.,;:!?)]|please\b|pls\b|plz\b|thanks?\b|thank\s+you\b|too\b|as\s+well\b|also\b|"\
              r"to\s+(?:my|the)\s+(?:cart|basket|bag|order)\b|in(?:to)?\s+(?:my|the)\s+(?:cart|basket|bag)\b|then\b|and\b))"
_HOW_MANY = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple(?:\s+of)?|a\s+few|few|some|add|get|buy|order)"
_MORE_RE = re.compile(r"\banother(?:\s+(?:one|1|of\s+(?:those|these|them|that|it|the\s+same)))?" + _CLAUSE_END
                      + r"|\b" + _HOW_MANY + r"\s+more(?:\s+of\s+(?:those|these|them|that|it|the\s+same(?:\s+one)?))?"
                      + _CLAUSE_END
                      + r"|\bmore\s+of\s+(?:those|these|them|the\s+same(?:\s+one)?)" + _CLAUSE_END
                      + r"|\bsame\s+(?:one\s+|thing\s+)?again\b|\b(?:add|get|buy|order)\s+(?:it|that|this|one)\s+again\b",
                      re.IGNORECASE)


def asks_for_more(text: str) -> bool:
    """True when ``text`` asks for more of what the shopper already added ("another one",
    "one more", "add 2 more", "same again") rather than for a product shown or named."""
    return bool(_MORE_RE.search(text or ""))


ADD, REMOVE, SET = "add", "remove", "set"
# "put" sets a quantity only with "to"/"at" ("put it to 3"); "put one in my basket" adds one.
_SET_RE = re.compile(r"\b(?:make|change|set|update|increase|decrease|reduce|lower|bump|raise|adjust)\b"
                     r"(?:\s+(?:it|that|this|them|the\s+(?:quantity|qty|amount|number)|(?:my\s+)?(?:order|cart)|"
                     r"(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,3}?))?\s+(?:to|at|into)?\s*"
                     r"|\bput\b(?:\s+(?:it|that|this|them|the\s+(?:quantity|qty|amount|number)))?\s+(?:up\s+|down\s+)?(?:to|at)\s+"
                     r"|\b(?:only|just)\s+(?:keep|need|want)\s+|\binstead\s+of\s+\w+\s*$|\bi\s+want\s+(?=\S+\s+instead\b)"
                     # "oops i meant 2", "actually 2 not 3": the number just given, corrected
                     r"|\bi\s+meant\s+(?=\S+\W*$|\S+\s+not\b)|^\W*(?:(?:actually|no|nah|wait|sorry|oops|ok|okay|oh)\W+)*"
                     r"(?=\S+\s+not\s+\S+\W*$)"
                     # "Actually I'll have four of those", "no wait, we'll take 3": a new number for what was just added
                     r"|^\W*(?:(?:actually|no|nah|wait|sorry|oops|hmm+|oh)\W+)+(?:i'?ll|i\s+will|we'?ll|we\s+will|let'?s)\s+"
                     r"(?:have|take|get|do|go\s+with|need)\s+(?=\S+(?:\s+of\s+(?:those|them|these|that|it))?"
                     r"\W*(?:(?:please|pls|then|instead|thanks?)\W*)*$)"
                     # "Actually two will do, we've only got so much counter space": the number is enough
                     r"|^\W*(?:(?:actually|ok|okay|no|nah|hmm+|fine|alright|on\s+second\s+thought|thinking\s+about\s+it)\W+)*"
                     r"(?=\S+\s+(?:will|would|should)\s+(?:do|be\s+(?:enough|plenty|fine))\b|\S+\s+is\s+(?:enough|plenty)\b)"
                     # "drop it to 2 earbuds", "bring them down to one": a new number, not 2 fewer
                     r"|\b(?:drop|cut|bring|knock|take|go)\b(?:\s+(?:it|that|this|them|the\s+\w+))?\s+(?:back\s+|down\s+)?to\s+"
                     # "actually just one", "no wait, only 2 please": the whole message is the new number
                     r"|^\W*(?:(?:actually|no|nah|nope|wait|sorry|oops|hmm+|ok|okay|oh|too\s+many|too\s+much|that'?s\s+too\s+many)"
                     r"\W+)*(?:just|only)\s+"
                     # ("actually just 1 pack of bulbs": what it is a number of; "just 2 of the aria" stays an add)
                     r"(?=\S+\s*(?:pieces?|pairs?|units?|items?|of\s+them|"
                     r"(?:packs?|boxes?|sets?)(?:\s+of\b(?:\s+(?:the\s+)?[a-z][\w-]*(?:\s+[a-z][\w-]*)?)?)?)?\W*"
                     r"(?:(?:please|pls|then|thanks?|needed|is\s+enough|is\s+fine)\W*)?"
                     # "actually only 2, my mum doesnt need one": a reason after it, but no other change
                     r"(?:[,;:-]\s*(?![^,;:]*\b(?:add|put|plus|also|remove|and\s+(?:a|an|the|some|\d+))\b).*)?$)",
                     re.IGNORECASE)
# "..., not 10" ending a message that gave a number before: that number replaces the 10
_NOT_THAT_MANY = re.compile(r"(?:^|[\s,;(-])(?:and\s+|but\s+)?not\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|"
                            r"eleven|twelve|fifteen|twenty)\b(?:\s+\w+){0,2}\W*$", re.IGNORECASE)
_REMOVE_RE = re.compile(r"\b(?:remove|delete|drop|take\s+(?:out|off|away)|take\b(?=.*\b(?:out|off)\b)|"
                        r"get\s+rid\s+of|cancel|minus|less(?!\s+(?:expensive|pricey|costly|dear|heavy|bulky))|"
                        r"don'?t\s+want|no\s+longer\s+want|"
                        # a verb, not "a clear case" / "an empty box": "clear my cart", "empty it", "clear"
                        r"(?:clear|empty)(?=\s+(?:out|my|the|it|them|everything|all|cart|basket|bag)\b|\W*$))\b",
                        re.IGNORECASE)
_ONE_BY_ARTICLE_RE = re.compile(r"\b(?:remove|delete|drop|take|minus|less)\s+an?\b(?!\s+(?:few|couple|lot|bunch|pair|"
                                r"dozen|number)\b)(?=\s)", re.IGNORECASE)
_ALL_OF_LINE_RE = re.compile(r"\b(?:all|everything|every\s+one|entirely|completely|altogether|the\s+lot|"
                             r"them\s+all|all\s+of\s+(?:them|it))\b", re.IGNORECASE)


@dataclass(frozen=True)
class CartChange:
    """``op`` is add/remove/set; ``qty`` None means 'all of that line' for remove and '1' for add."""

    op: str
    qty: Optional[int] = None
    qty_text: Optional[str] = None


# ways of saying it that parse_cart_change leaves to the removal it was asked for anyway
_REMOVAL_MORE = re.compile(r"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:really\s+)?need|\bnot\s+(?:needed|anymore|any\s+more)\b|"
                           r"\b(?:ditch|scrap|toss|nix|axe|bin|lose|forget)\s+(?:the|that|this|it|them|those)\b|"
                           r"\bout\s+of\s+(?:my|the)\s+(?:cart|basket|bag|trolley)\b|\bchanged?\s+my\s+mind\b|"
                           r"\b(?:without|no)\s+(?:the\s+)?[\w-]+\s*$", re.IGNORECASE)


def says_removal(text: str) -> bool:
    """True when ``text`` has a word for taking something out ("remove", "drop", "don't need", "clear my cart")."""
    return bool(_REMOVE_RE.search(text or "") or _REMOVAL_MORE.search(text or ""))


def parse_cart_change(text: str, default_op: str = ADD, skip: Sequence[Tuple[int, int]] = ()) -> CartChange:
    """The cart change ``text`` asks for: 'make it 3' -> set 3; 'remove one of the X' -> remove 1;
    'remove all' -> remove (all); 'add 2' -> add 2. ``skip`` spans (product names) hold no quantity."""
    text = text or ""
    mentions = [m for m in find_quantities(text, skip) if not _inside_reference(text, m.start)]
    qty = mentions[0].value if mentions else None
    qty_text = mentions[0].text if mentions else None
    set_m = _SET_RE.search(text)
    if set_m and mentions and any(m.start >= set_m.start() for m in mentions):
        return CartChange(SET, qty, qty_text)
    if len(mentions) > 1 and _NOT_THAT_MANY.search(text[mentions[0].end:]) and not _MORE_RE.search(text):
        return CartChange(SET, qty, qty_text)  # "I want 12 chairs in my cart, not 10": 12 in all
    removal = _REMOVE_RE.search(text)
    if removal and re.match(r"(?i)don|no\s+longer", removal.group(0)) and re.search(r"\badd\b", text[removal.end():], re.I):
        removal = None  # "i dont want a sales call, just add 12 glide wireless mouse": the add
    if removal or (default_op == REMOVE and not re.search(r"\badd\b", text, re.IGNORECASE)):
        if _ALL_OF_LINE_RE.search(text) and not mentions:
            return CartChange(REMOVE, None)
        if qty is None and _ONE_BY_ARTICLE_RE.search(text):
            return CartChange(REMOVE, 1, "1")  # "remove a mouse": one of them, not the whole line
        return CartChange(REMOVE, qty, qty_text)
    return CartChange(ADD, qty, qty_text)


def _inside_reference(text: str, start: int) -> bool:
    """'the two of them' / 'number 2' are references, not quantities."""
    before = text[max(0, start - 8):start].lower()
    return bool(re.search(r"(?:number|no\.?|#|option)\s*$", before))


# "does it have mic?", "do they come with a case", "has the nimbus got a backlit keyboard": the words
# after are a feature of the product referred to, not another product named.
_FEATURE_BEFORE = re.compile(
    r"\b(?:(?:does|do|did|will|would|can|could)\s+(?:it|they|this|that|these|those|this\s+one|that\s+one|"
    r"the\s+[\w-]+(?:\s+[\w-]+){0,2})\s+(?:have|come\s+with|include|support|feature|got)|"
    r"(?:has|have)\s+(?:it|they|this|that|this\s+one|that\s+one|the\s+[\w-]+(?:\s+[\w-]+){0,2})\s+got|"
    r"(?:it|they|this|that)\s+(?:has|have|comes\s+with|includes)|with\s+(?:a\s+)?built[-\s]?in)\s+(?:a\s+|an\s+|any\s+|the\s+|its\s+own\s+|a\s+built[-\s]?in\s+|built[-\s]?in\s+)?$",
    re.IGNORECASE)


# "is there a microphone built in?", "a mic on it?": the words after make it a feature
_FEATURE_AFTER = re.compile(r"^\s*(?:built[-\s]?in|on\s+(?:it|them|this|that|these)|in\s+(?:it|them)|included)\b", re.IGNORECASE)


def in_feature_position(text: str, start: int, end: Optional[int] = None) -> bool:
    """True when the words ending at ``start`` ask whether the product referred to has something
    ("does it have ", "do they come with a "), or those after ``end`` say it is part of it ("… built
    in?"): a feature, not a product named."""
    text = text or ""
    return bool(_FEATURE_BEFORE.search(text[max(0, start - 80):start])
                or (end is not None and _FEATURE_AFTER.match(text[end:end + 40])))


# "something to keep my coffee hot at my desk", "a lamp on the nightstand by my bed": where it goes, not
# the thing wanted; "no not a desk, like a mug": the thing not wanted
_PLACE_BEFORE = re.compile(r"\b(?:(?:at|on|by|beside|next\s+to|near|under|behind|beneath|above|in\s+front\s+of)\s+"
                           r"(?:my|our|the|his|her|their|your)\s+(?:(?:home|work|new|old|small|little|office|own)\s+)?|"
                           r"(?:not|isn'?t|never)\s+(?:a|an|the|any)\s+)$", re.IGNORECASE)


def in_place_position(text: str, start: int) -> bool:
    """True when the words ending at ``start`` make the kind named there a place ("at my ") or a
    thing refused ("not a "): not the kind of product asked for."""
    return bool(_PLACE_BEFORE.search((text or "")[max(0, start - 40):start]))


# "bulbs you can switch from your phone", "works with my phone": the means, not the thing wanted;
# "headphones for office", "a charger for my laptop": what the thing named before is for
_MEANS_BEFORE = re.compile(r"\b(?:from|with|via|using|through)\s+(?:my|your|our|the|a|his|her|their)\s+$", re.IGNORECASE)
_FOR_BEFORE = re.compile(r"\bfor\s+(?:(?:my|our|the|his|her|their)\s+)?(?:(?:home|work|new|small|little|own)\s+)?$",
                         re.IGNORECASE)


def in_use_position(text: str, start: int, after_a_kind: bool) -> bool:
    """True when the kind named at ``start`` is the means ("from your phone") or, after another kind
    (``after_a_kind``), what that one is for ("headphones for office"): not the kind asked for."""
    before = (text or "")[max(0, start - 40):start]
    return bool(_MEANS_BEFORE.search(before) or after_a_kind and _FOR_BEFORE.search(before))


_PLACE_PHRASE = re.compile(r"\b(?:at|on|by|beside|next\s+to|near|under|behind|in\s+front\s+of|from|with|via|using)\s+"
                           r"(?:my|our|the|his|her|their|your)\s+(?:(?:home|work|new|old|small|little|office|own)\s+)?[\w-]+",
                           re.IGNORECASE)


def without_places(text: str) -> str:
    """``text`` without where or with what a thing is used ("keep my tea warm on the desk" -> "keep my tea
    warm"), for a free-text search that should not match the desk."""
    return _PLACE_PHRASE.sub(" ", text or "")

