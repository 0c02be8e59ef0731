"""Cart messages that do two things: add a product on screen referred to ("it", "that one", "the
second") and one named in words, joined by "and" / "plus"; or remove one line and add another."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.cart_idle import idle_clock
from actions.cart_add import put_in_cart
from actions.catalog import MAX_CARDS, shown_products
from actions.common import latest_text, positioned
from actions.mentions import THE_X_ONE
from lift.commerce.cards import cards_message
from lift.commerce.cart import MAX_QTY_PER_LINE, remove_item
from lift.commerce.stock import live_all
from lift.commerce.words import singular
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
    if not found:
        return parse_quantity(1)
    last = found[-1]
    return parse_quantity(last.value if last.value is not None else last.text, limit=MAX_QTY_PER_LINE)


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
    one = None if spans else THE_X_ONE.search(text)  # "add it pls, and the drip one too"
    if not named or not (spans or one):
        return None
    first = min(s["start"] for s in spans) if spans else one.start()
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


# "remove the mesh one if its there, and add a desk lamp too": a removal, then an add of something
# named after it (not a swap: "instead" / "swap" / "replace" are lift's swap_line).
_REMOVE_THEN_ADD = re.compile(r"\b(?:remove|take\s+out|drop|delete|get\s+rid\s+of)\b.*?[,;.]?\s*(?:\b(?:and|then|also|plus)\s+)*"
                              r"(?:(?:pls|please)\s+)?(?P<add>\b(?:add|put|throw|chuck|include)\b)", re.IGNORECASE)
_SWAP_WORD = re.compile(r"\b(?:instead|swap|switch|replace|exchange|rather\s+than)\b", re.IGNORECASE)
_ONE_NAMED = re.compile(r"\bthe\s+([\w-]+)\s+ones?\b", re.IGNORECASE)
_NOT_A_LINE = frozenset("remove take out drop delete get rid the and then also please pls its there this that".split())


def _words(text: Text) -> set:
    """Words of three letters or more, as typed and singular ("mice" -> "mouse")."""
    words = [w for w in re.findall(r"[a-z]+", (text or "").lower()) if len(w) > 2]
    return set(words) | {singular(w) for w in words}


def remove_then_add(tracker: Tracker, catalog, cart: List[Dict[Text, Any]]):
    """(the cart line to remove or None, what the removal named when no line has it, the products to
    add with their numbers) for "remove X and add Y"; None when the message is not that. The
    removal counts only what is written before "add", the add only what is written after it."""
    text = latest_text(tracker)
    split = _REMOVE_THEN_ADD.search(text)
    if not split or _SWAP_WORD.search(text):
        return None
    cut = split.start("add")
    spans = positioned(tracker, "product")
    adds = []
    for e in spans:
        p = catalog.find(str(e.get("value") or "")) if e["start"] >= cut else None
        if p is not None and p not in adds:
            adds.append(p)
    if not adds:
        return None
    lines = [p for p in (catalog.get(i["sku"]) for i in cart) if p is not None]
    before = [catalog.find(str(e.get("value") or "")) for e in spans if e["end"] <= cut]
    target = next((p for p in before if p is not None and p in lines), None)
    said = next((p.name for p in before if p is not None), None)
    if target is None and said is None:
        one = _ONE_NAMED.search(text[:cut])  # "the mesh one": a word of a cart line's name
        word = one.group(1) if one else None
        hits = [p for p in lines if word and word.lower() in p.name.lower().split()]
        if not word:  # "remove the mouse, add 2 of the usb-c cables": a word of the line's name
            typed = _words(text[:cut]) - _NOT_A_LINE
            hits = [p for p in lines if typed & _words(p.name)]
        target = hits[0] if len(hits) == 1 else None
        said = None if target is not None else (f"{word} one" if word else None)
    if target is None and said is None and len(lines) == 1:
        target = lines[0]  # "remove it and add the kettle": the one line
    if target is None and said is None and lines:
        return None  # which line is meant is unclear: the removal asks (it said no line was "such an item")
    if target is not None and not find_quantities(text[cut:]):
        return None  # "remove the toaster, add the swift kettle": a swap, the old line's number kept
    counts = {p.sku: number_in(text[cut:]) for p in adds}
    return target, said, adds, counts


def remove_and_add(dispatcher, tracker: Tracker, res, cart: List[Dict[Text, Any]]) -> Optional[List[Dict[Text, Any]]]:
    """Does "remove X and add Y": X's line goes (or the shopper hears that no line is X, and the
    cart keeps it), then Y is added with its own number. None when the message is not that."""
    found = remove_then_add(tracker, res.catalog, cart)
    if found is None:
        return None
    target, said, adds, counts = found
    problem = next((q.problem for q in counts.values() if not q.ok), None)
    if problem:
        dispatcher.utter_message(text=problem)
        return []
    if target is not None:
        cart = remove_item(cart, target.sku)
        dispatcher.utter_message(text=f"Removed the {target.name}.")
    else:
        dispatcher.utter_message(text=f"There's no {said or 'such item'} in your cart, so nothing was removed.")
    cart, added, refused = put_in_cart(dispatcher, res.catalog, cart, live_all(res.engine, adds),
                                       {sku: q.value for sku, q in counts.items()})
    for _, err in refused:
        dispatcher.utter_message(text=str(err))
    if not added and target is None:
        return []
    events: List[Dict[Text, Any]] = [SlotSet("cart", cart)]
    if added:
        events.append(SlotSet("last_product", added[-1].sku))
    return events + idle_clock(tracker, cart)


_PRICE_PICK = re.compile(r"\b(?:(?P<low>cheapest|cheaper|least\s+expensive|lowest[-\s]priced)|"
                         r"(?P<high>priciest|dearest|most\s+expensive|(?:more|most)\s+premium))\W*(?:\w+\W+)?$", re.IGNORECASE)


_FILLER = re.compile(r"(?:\W+(?:then|please|pls|too|as\s+well|also|together|thanks?|now))*\W*$", re.IGNORECASE)


def _bare_heads(text: Text):
    """(start, end, word) of the last word of each part of ``text`` between "and" / "with" / "plus": the thing
    that part names when the tagger found none ("add the lamp and the chair": "lamp")."""
    bounds = [0] + [x for m in _AND.finditer(text) for x in (m.start(), m.end())] + [len(text)]
    for a, b in zip(bounds[::2], bounds[1::2]):
        part = text[a:b]
        part = part[:_FILLER.search(part).start()]
        word = re.search(r"([A-Za-z][\w-]+)$", part)
        if word and not _POINTING.fullmatch(word.group(1)) and not re.fullmatch(r"(?i)one|ones|some|more|all|each", word.group(1)):
            # ("grab me that one plus …": a card pointed at, which the references read, not the Hub One)
            yield a + word.start(1), a + word.end(1), word.group(1)


def items_named(tracker: Tracker, catalog) -> Optional[Tuple[List[Any], Dict[Text, Quantity], List[Tuple[Text, List[Any]]]]]:
    """"add the lamp and the Ergo Task Chair", "I'll have the thermostat and two boxes of those bulbs", "add the
    nimbus 14 and the cheapest mouse", "add the desk and the chair": (the products to add — each product named
    and, for each kind named apart, the one meant: on screen, the cheapest or dearest asked, or the only one
    we sell —, each with the number written before it, and the kinds that could not be told: (typed, their
    products)). None unless the message names at least two items joined by "and" / "with" / "plus"."""
    text = latest_text(tracker)
    if not _AND.search(text):
        return None
    products = positioned(tracker, "product")
    items: List[Tuple[int, int, Optional[Any], Text, List[Any]]] = []  # (start, end, product, typed, kind)
    bare = False
    for e in products:
        p = catalog.find(str(e.get("value") or ""))
        if p is not None and all(p is not i[2] for i in items):
            items.append((e["start"], e["end"], p, "", []))
    for e in positioned(tracker, "category"):
        if any(a < e["end"] and e["start"] < b for a, b, *_ in items):
            continue  # "headphones" inside "the aria headphones": the product
        category = catalog.category_of(str(e.get("value") or ""))
        typed = text[e["start"]:e["end"]].lower()
        kind = catalog.of_kind(category.id, typed, by_name=True) if category is not None else []
        if kind:
            items.append((e["start"], e["end"], None, typed, kind))
    for start, end, head in _bare_heads(text):  # "the lamp", "two boxes of those bulbs": no entity, one product's word
        p = catalog.find(head) if not any(a < end and start < b for a, b, *_ in items) else None
        if p is not None and all(p is not i[2] for i in items):
            items.append((start, end, p, "", []))
            bare = True
    if len(items) < 2 or all(i[2] is not None for i in items) and not bare:
        return None  # products only: their own numbers are read as before (quotes.item_quantities)
    items.sort(key=lambda i: i[0])
    shown = {s.sku for s in shown_products(tracker, catalog)}
    chosen: List[Any] = []
    counts: Dict[Text, Quantity] = {}
    unresolved: List[Tuple[Text, List[Any]]] = []
    previous_end = 0
    for start, end, product, typed, kind in items:
        before = text[previous_end:start]
        previous_end = end
        if product is None:
            on_screen = [p for p in kind if p.sku in shown]
            pick = _PRICE_PICK.search(before)
            if len(on_screen) == 1:
                product = on_screen[0]
            elif pick:
                product = (min if pick.group("low") else max)(kind, key=lambda p: p.price)
            elif len(kind) == 1:
                product = kind[0]
            else:
                unresolved.append((typed, kind))
                continue
        if product not in chosen:
            chosen.append(product)
            counts[product.sku] = number_in(_AND.split(before)[-1])
    return (chosen, counts, unresolved) if chosen and len(chosen) + len(unresolved) >= 2 else None


def add_listed(dispatcher, tracker: Tracker, res, listed) -> List[Dict[Text, Any]]:
    """Adds what :func:`items_named` found, says what could not be added, and asks which one is meant for a
    kind with several products ("Which chair would you like?", with their cards)."""
    products, counts, unresolved = listed
    problem = next((q.problem for q in counts.values() if not q.ok), None)
    if problem:
        dispatcher.utter_message(text=problem)
        return []
    cart, added, refused = put_in_cart(dispatcher, res.catalog, tracker.get_slot("cart"), live_all(res.engine, products),
                                       {sku: q.value for sku, q in counts.items()}, tracker)
    for _, err in refused:
        dispatcher.utter_message(text=str(err))
    events: List[Dict[Text, Any]] = [SlotSet("cart", cart), SlotSet("last_product", added[-1].sku)] if added else []
    if unresolved:
        typed, kind = unresolved[0]
        shown = live_all(res.engine, kind[:MAX_CARDS])
        dispatcher.utter_message(text=f"Which {singular(typed)} would you like?",
                                 json_message=cards_message(shown, res.catalog.currency))
        events += [SlotSet("last_shown", [p.sku for p in shown])]
    return events + (idle_clock(tracker, cart) if added else [])
