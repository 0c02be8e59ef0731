"""One add naming two things in two ways: a product on screen referred to ("it", "that one", "the
second") joined by "and" / "plus" to a product or a kind named in words."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker

from actions.catalog import shown_products
from actions.common import latest_text, positioned
from lift.commerce.cart import MAX_QTY_PER_LINE
from lift.understanding.numbers import Quantity, find_quantities, parse_quantity
from lift.understanding.references import Resolution, resolve_reference

_AND = re.compile(r"\b(?:and|plus|also|with)\b|&|\+", re.IGNORECASE)
# Words that point at something on screen; a bare "one" is a number ("one of the cables").
_POINTING = re.compile(r"\b(?:it|that|this|those|these|them|both|first|second|third|1st|2nd|3rd|last|"
                       r"cheaper|cheapest|pricier)\b", re.IGNORECASE)


def number_in(part: Text) -> Quantity:
    """The number written in ``part`` ("a couple" -> 2), one when none; "one" and "a" only when
    nothing else is written."""
    found = [m for m in find_quantities(part) if not re.fullmatch(r"(?i)an?|one", m.text)] or find_quantities(part)
    return parse_quantity(found[-1].text, limit=MAX_QTY_PER_LINE) if found else parse_quantity(1)


def it_and_kind(tracker: Tracker, catalog, referred: List[Any]) -> Optional[Tuple[List[Any], Dict[Text, Quantity]]]:
    """"ok add it and 2 of the usb c cables" with the camera on screen: the product referred to and
    the one product of the kind named after "and", each with the number written before it (one by
    default); None when the message names no such kind (it added 2 cameras and no cable)."""
    text = latest_text(tracker)
    joined = _AND.search(text)
    spans = positioned(tracker, "category")
    if not joined or not spans or spans[0]["start"] < joined.end():
        return None
    category = catalog.category_of(str(spans[0].get("value") or ""))
    said = text[spans[0]["start"]:spans[0]["end"]]  # "cables", the value being the department
    kind = catalog.of_kind(category.id, said, by_name=True) if category is not None else []
    extra = [p for p in kind if p.sku not in {r.sku for r in referred}]
    if len(extra) != 1:
        return None
    counts = {p.sku: number_in(text[:joined.start()]) for p in referred}
    counts[extra[0].sku] = number_in(text[joined.end():spans[0]["start"]])
    return referred + extra, counts


def it_and_named(tracker: Tracker, catalog, named: List[Any]) -> Optional[Tuple[List[Any], Dict[Text, Quantity], Resolution]]:
    """"grab me that one plus a couple usb-c cables" with a camera on screen: the shown product the
    words before "plus" point at, then the products named after it, each with its own number.
    The resolution carries the question when the pointing words fit several cards ("that one"
    after four): the named products are still added and the shopper is asked which card. None
    when nothing before the named product points at a card (it added the cables only)."""
    text = latest_text(tracker)
    spans = positioned(tracker, "product")
    if not named or not spans:
        return None
    first = min(s["start"] for s in spans)
    joins = list(_AND.finditer(text[:first]))
    if not joins or not _POINTING.search(text[:joins[-1].start()]):
        return None
    prefix = text[:joins[-1].start()]
    skus = {p.sku for p in named}
    shown = [s for s in shown_products(tracker, catalog) if s.sku not in skus]
    resolution = resolve_reference(prefix, shown)
    referred = [p for p in (catalog.get(s) for s in resolution.skus) if p is not None]
    if not referred and not resolution.question:
        return None
    counts = {p.sku: number_in(prefix) for p in referred}
    for p in named:
        counts[p.sku] = number_in(text[joins[-1].end():first])
    return referred + list(named), counts, resolution
