"""What the latest message names: catalog products, the category (the last of two category words
side by side is the thing wanted) and the words typed for it, the words that qualify it."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple, Text

from rasa_sdk import Tracker

from actions.common import entity_values, first_entity, latest_text, positioned
from lift.commerce.matching import content_tokens, modifier_words
from lift.understanding.references import without_places


def named_products(tracker: Tracker, catalog) -> List[Any]:
    """The catalog products the message's product entities name, each once, in order."""
    products: List[Any] = []
    for value in entity_values(tracker, "product"):
        p = catalog.find(value)
        if p is not None and p not in products:
            products.append(p)
    return products


def typed_kind(tracker: Tracker, catalog, category) -> Tuple[Text, List[Any], bool]:
    """(the category words as typed, the products of that type in ``category``, whether they are
    fewer than the whole department): "laptops" in Computers -> the three laptops, True."""
    value, span = _category_head(tracker)
    # the words typed ("smart home") rather than the canonical value ("smart_home"), when they agree
    typed = (span if set(content_tokens(span)) & set(content_tokens(value.replace("_", " "))) else value).lower().strip()
    kind = catalog.of_kind(category.id, typed)
    return typed, kind, len(kind) < len(catalog.products_in(category.id))


def _category_head(tracker: Tracker) -> Tuple[Text, Text]:
    """(value, typed words) of the category the message asks for. Of two category words side by
    side the last is the thing wanted: "desk chairs" are chairs, "office lamps" lamps."""
    text = latest_text(tracker)
    spans = positioned(tracker, "category")
    if not spans:  # no position to read the typed words from: the value alone
        return first_entity(tracker, "category") or "", ""
    head = spans[0]
    for e in spans[1:]:
        if head["end"] > e["start"] or text[head["end"]:e["start"]].strip():
            break  # "laptops and monitors": two requests, the first is kept
        head = e
    return str(head.get("value") or ""), text[head["start"]:head["end"]]


def requested_kinds(tracker: Tracker, catalog) -> List[Tuple[Text, List[Any]]]:
    """(typed words, products of that type) for each separate category request of the message:
    "tablet or smartwatch", "ur headphones n earbuds" are two ("desk chairs" one: the chairs)."""
    text = latest_text(tracker)
    named = [(e["start"], e["end"]) for e in positioned(tracker, "product")]
    heads: List[Dict[Text, Any]] = []
    for e in positioned(tracker, "category"):
        if any(a < e["end"] and e["start"] < b for a, b in named):
            continue  # "headphones" inside "the aria headphones": the product
        if heads and heads[-1]["end"] <= e["start"] and not text[heads[-1]["end"]:e["start"]].strip():
            heads[-1] = e  # side by side: the last word is the thing wanted
        elif not heads or heads[-1]["end"] <= e["start"]:
            heads.append(e)
    kinds: List[Tuple[Text, List[Any]]] = []
    for head in heads:
        category = catalog.category_of(str(head.get("value") or ""))
        if category is None:
            continue
        typed = text[head["start"]:head["end"]].lower().strip()
        kind = catalog.of_kind(category.id, typed, by_name=True)  # "a drone or a camera": the cameras, no lens
        if kind and all({p.sku for p in kind} != {p.sku for p in k} for _, k in kinds):
            kinds.append((typed, kind))
    return kinds


def qualifiers(tracker: Tracker, text: Text) -> List[Text]:
    """Words that qualify the category typed ("samsung galaxy" phones); every word when the
    entity has no true position."""
    for e in positioned(tracker, "category"):
        if set(content_tokens(text[e["start"]:e["end"]])) & set(content_tokens(str(e.get("value")).replace("_", " "))):
            example = _EXAMPLE.match(text, e["end"])  # "office supplies like staplers": staplers too
            return list(modifier_words(text, e["start"], e["end"])) + (
                [w.lower() for w in re.findall(r"[\w'-]+", example.group(1))] if example else [])
    return [w.lower() for w in re.findall(r"[\w'-]+", text)]


_EXAMPLE = re.compile(r"\W*(?:[\w-]+\s+){0,2}?(?:like|such\s+as|e\.?g\.?|for\s+example)\s+((?:[\w-]+\s*){1,3})", re.IGNORECASE)


def mentioned(tracker: Tracker, catalog):
    """(products named, category named) in the latest message; the free text is the fallback."""
    products = named_products(tracker, catalog)
    category = catalog.category_of(_category_head(tracker)[0]) if positioned(tracker, "category") else None
    for value in entity_values(tracker, "category") if category is None else ():
        category = catalog.category_of(value)
        if category is not None:
            break
    if not products and category is None:
        text = without_places(latest_text(tracker))  # "keep my tea warm on the desk": not the desks
        if text and not text.startswith("/"):
            p = catalog.find(text)
            if p is not None:
                products.append(p)
            else:
                category = catalog.category_of(text)
    return products, category


# "swap it for the mesh one", "get me the pro one instead", "the pro ones", "the pro version": a product
# picked by a word of its name
THE_X_ONE = re.compile(r"\bthe\s+([\w-]+(?:\s+[\w-]+)?)\s+(?:ones?|version|model)\b", re.IGNORECASE)
# "I'll take the Lite", "ok add the pro": a name word after a verb of choosing, ending the message
_TAKE_THE_X = re.compile(r"\b(?:take|get|want|add|buy|choose|pick|go\s+(?:with|for)|grab|order)\s+the\s+([\w-]+)\W*$",
                         re.IGNORECASE)


def kin_by_word(text: Text, shown: Sequence[Any], catalog) -> Optional[Any]:
    """"actually get me the pro one instead" with only the Nimbus 14 shown: the one product of the
    shown products' category whose name has that word (the Nimbus 16 Pro), when no shown product's
    name has it; failing that, the one product in the catalog whose name has it ("the gaming one"
    with only a hub shown). None otherwise (a shown product has it, none or several do)."""
    m = THE_X_ONE.search(text or "") or _TAKE_THE_X.search(text or "")
    products = [p for p in (catalog.get(getattr(s, "sku", s)) for s in shown or []) if p is not None]
    if not m or not products:
        return None
    words = set(content_tokens(m.group(1)))
    if not words or any(words <= set(content_tokens(p.name)) for p in products):
        return None
    categories = {p.category for p in products}
    named = [p for p in catalog.find_all(m.group(1)) if words <= set(content_tokens(p.name))]
    kin = [p for p in named if p.category in categories]
    if not kin and len(named) == 1:  # "and the gaming one?" with only the hub offered after the laptop: the one
        return named[0]              # product anywhere whose name has that word
    return kin[0] if len(kin) == 1 else None


def kind_in_view(tracker: Tracker, catalog, recent: Sequence[Text]) -> Optional[Text]:
    """"is the camera waterproof tho?" with the Trail 4K camera in the cart and an SD card offered
    since: the SKU of the product of the kind named ("the camera") among ``recent`` (cart lines and
    cards, newest first), when the one in view is not of that kind. None when no kind is named, the
    product in view is of it, or none of ``recent`` is."""
    kind = first_entity(tracker, "category")
    category = catalog.category_of(kind) if kind else None
    if category is None or not re.search(rf"\b(?:the|this|that|my)\s+{re.escape(str(kind))}\b", latest_text(tracker), re.I):
        return None
    of_kind = {p.sku for p in catalog.of_kind(category.id, kind, by_name=True)}
    if tracker.get_slot("last_product") in of_kind:
        return None
    return next((s for s in recent if s in of_kind), None)


# "do you sell tvs?", "do u have projectors": asked whether we sell a thing, which deserves a plain no.
_ASKS_IF_WE_SELL = re.compile(r"(?:\b(?:do|does)\s+(?:you|u|ya|the\s+store)\s+(?:guys\s+)?(?:have|sell|carry|stock|do)|"
                              r"\bhave\s+you\s+got|^\W*(?:got|any))\s+(?:any\s+)?(?P<thing>[^?.!,;]{2,60})", re.IGNORECASE)
_THING_ENDS = re.compile(r"\s+(?:for|with|under|below|that|which|to|in|from|like|by)\s+", re.IGNORECASE)


def asked_thing(text: Text) -> Text:
    """The thing a shopper asks whether we sell ("do you sell TVs? a 55 inch one" -> "TVs"; "headphones
    for running" -> "headphones"), or ""."""
    asked = _ASKS_IF_WE_SELL.search(text)
    return _THING_ENDS.split(asked.group("thing"))[0].strip() if asked else ""


def asked_thing_missing(catalog, text: Text, shown) -> bool:
    """Asked whether we sell a thing of two words or more whose last one (the kind: "fridges" in "mini
    fridges") none of the ``shown`` products has anywhere: they share a modifier only, so the answer
    is a plain no. (A one-word thing keeps the closest cards: "TVs? a 55 inch one" shows monitors.)"""
    words = content_tokens(asked_thing(text))
    return len(words) >= 2 and all(catalog.unmatched(words[-1], p) for p in shown)
