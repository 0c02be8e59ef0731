"""What the numbers in a cart or price message come to: the quantity asked for each product it
names ("3 aria headphones and a boom go speaker"), and the total a price question gets ("how
much for 2 nimbus 14 laptops and a sleeve"), priced as the basket prices it (lift.commerce.pricing)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import first_entity, latest_text, masked_text
from lift.commerce.cart import MAX_QTY_PER_LINE, check_coupon, normalize_cart, subtotal
from lift.commerce.matching import content_tokens
from lift.commerce.money import money
from lift.commerce.orders import OrderError, method_title, parse_shipping_method
from lift.commerce.orders import quote as order_quote
from lift.commerce.stock import OutOfStock
from lift.commerce.pricing import best_discount, line_volume_percent, quote, volume_discount
from lift.commerce.validation import NUMBER_WORDS
from lift.understanding.numbers import Quantity, parse_quantity, quantities_per_item

# A price question may ask about more than a cart line takes ("how much for 500?").
PRICE_QTY_LIMIT = 10_000

_SAME_FOR_ALL_RE = re.compile(r"\b(?:each|both|apiece|of\s+them|of\s+those)\b", re.IGNORECASE)


def item_quantities(tracker: Tracker, catalog, products, qty: Optional[Quantity],
                    limit: int = MAX_QTY_PER_LINE, written_before: bool = False) -> Dict[Text, Optional[Quantity]]:
    """Per product SKU, the quantity asked for. Several products named with their own numbers
    ("3 aria headphones and a boom go speaker") get their own; otherwise (one product, "2 of
    each", products referred to rather than named) every product gets ``qty``. ``written_before``:
    only a number written before each product's name counts, even for one product ("checkout with 2
    boom go speakers, ship to 4 Elm St": 2, never the street number)."""
    same = {p.sku: qty for p in products}
    if not written_before and (len(products) < 2 or _SAME_FOR_ALL_RE.search(latest_text(tracker))):
        return same
    spans: List[Tuple[int, int]] = []
    skus: List[Text] = []
    for e in sorted((tracker.latest_message or {}).get("entities") or [], key=lambda e: e.get("start") or 0):
        found = catalog.find(str(e.get("value") or "")) if e.get("entity") == "product" else None
        if found is not None and found.sku not in skus and isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            spans.append((e["start"], e["end"]))
            skus.append(found.sku)
    if sorted(skus) != sorted(same):
        return same
    text = masked_text(tracker, [n for p in products for n in (p.name, p.sku)])
    mentions = quantities_per_item(text, spans)
    return {sku: (parse_quantity(m.text, limit=limit) if m else None) for sku, m in zip(skus, mentions)}


def _asked_quantity(tracker: Tracker) -> Optional[Quantity]:
    """The quantity the price question gives ("how much for two ..."), None when it gives none."""
    raw = first_entity(tracker, "quantity")
    return parse_quantity(raw, limit=PRICE_QTY_LIMIT) if raw is not None else None


def total_for(tracker: Tracker, product, catalog) -> Text:
    """"how much for two slate 11 tablets": the total, with the volume discount it would get."""
    qty = _asked_quantity(tracker)
    if qty is None or not qty.ok or qty.value < 2:
        return ""
    total, discount = quote([(product.price, qty.value)])
    text = f"{qty.value} × {catalog.format_price(product.price)} = {catalog.format_price(total)}"
    if discount:
        percent = line_volume_percent(qty.value)
        text += f", {catalog.format_price(total - discount)} with the {percent}% volume discount"
    short = f" (we have {product.stock})" if qty.value > product.stock else ""
    return f"{text}{short}."


def total_for_several(tracker: Tracker, products, catalog) -> Text:
    """"how much for 2 nimbus 14 laptops and a sleeve": every product with its own quantity (one
    when the message gives none) and the total, with the volume discount the basket would give."""
    qty = _asked_quantity(tracker)
    per_item = item_quantities(tracker, catalog, products, qty, limit=PRICE_QTY_LIMIT)
    if any(q is not None and not q.ok for q in per_item.values()):
        return ""
    counts = [(p, per_item[p.sku].value if per_item.get(p.sku) is not None else 1) for p in products]
    total, discount = quote((p.price, n) for p, n in counts)
    text = f"Together: {' + '.join(f'{n} × {p.name}' for p, n in counts)} = {catalog.format_price(total)}"
    if discount:
        text += f", {catalog.format_price(total - discount)} with the volume discount"
    short = [f"{p.stock} of the {p.name}" for p, n in counts if n > p.stock]
    return text + (f" (we have {' and '.join(short)})" if short else "") + "."


def names_something(text: Text) -> bool:
    """Whether a price question names a thing ("how much is the iphone 15") rather than pointing
    at one ("how much is it"): a word that is not a stopword or a number."""
    return not text.startswith("/") and any(
        not t.isdigit() and t not in NUMBER_WORDS and t not in _PRICE_TALK for t in content_tokens(text))


# Words of a price question that are not a product: "how much is it with the coupon, in euros, all in".
_PRICE_TALK = frozenset("""coupon code discount shipping delivery postage total altogether together each per
all everything whole damage tax taxes vat euro euros pound pounds dollar dollars quid buck bucks usd eur gbp
expensive pricey worth currently today now sale offer deal including included incl""".split())


# "how much is that all together", "what's the total", "how much for everything": the whole cart.
_TOTAL = re.compile(r"\b(?:all\s+together|altogether|in\s+total|total|everything|the\s+(?:whole\s+)?lot|"
                    r"how\s+much\s+(?:is\s+(?:it|that|the\s+(?:cart|basket))\s+)?now|"
                    r"all\s+of\s+(?:it|them|that)|the\s+whole\s+(?:thing|cart|basket|order))\b", re.IGNORECASE)


def describe_cart(cart: List[Dict[str, Any]], catalog, coupon_code: Optional[str], engine) -> Text:
    """The cart as "what's in my cart" shows it: its lines, the better of coupon and volume discount,
    the total before shipping."""
    lines = []
    for item in cart:
        product = catalog.get(item["sku"])
        name = product.name if product else item["sku"]
        lines.append(f"• {item['qty']} × {name} — {catalog.format_price(money(item['unit_price']) * item['qty'])}")
    total = subtotal(cart)
    text = "Your cart:\n" + "\n".join(lines) + f"\nSubtotal: {catalog.format_price(total)}"
    check = check_coupon(engine, coupon_code, cart, currency=catalog.currency) if coupon_code else None
    if check is not None and not check.ok:
        text += f"\n(Coupon {coupon_code} no longer applies: {check.message})"
    kind, saving = best_discount(volume_discount(cart), check.discount if check is not None and check.ok else Decimal(0))
    if kind == "coupon":
        text += f"\nCoupon {check.code}: −{catalog.format_price(saving)}"
    elif kind == "volume":
        text += f"\nVolume discount (10+ of one product): −{catalog.format_price(saving)}"
    if saving:
        text += f"\nTotal before shipping: {catalog.format_price(total - saving)}"
    return text


def answer_cart_total(dispatcher: CollectingDispatcher, tracker: Tracker, catalog, engine) -> bool:
    """Answers a price question that asks for the total of everything with the cart (its lines,
    discounts and total, as "what's in my cart" shows it); False when it is no such question or
    the cart is empty."""
    cart = normalize_cart(tracker.get_slot("cart"))
    text = latest_text(tracker)
    if not cart or text.startswith("/") or not _TOTAL.search(text):
        return False
    utter_cart(dispatcher, tracker, cart, catalog, engine)
    if _WITH_SHIPPING.search(text):  # "whats the total with shipping", "total with fast delivery"
        method = parse_shipping_method(text) or ("express" if _FAST.search(text) else
                                                 tracker.get_slot("shipping_method") or "standard")
        try:
            q = order_quote(engine, catalog, cart, method, tracker.get_slot("coupon_code"))
        except (OrderError, OutOfStock):
            return True  # the cart's own reply already says what is wrong with it
        address = tracker.get_slot("shipping_address")
        dispatcher.utter_message(text=f"With {method_title(method, address)} delivery that's "
                                      f"{catalog.format_price(q.total)} ({catalog.format_price(q.shipping)} shipping).")
    return True


_GRAND_TOTAL = re.compile(r"\btotal\b|\ball\s+together\b|\baltogether\b|"
                          r"\bhow\s+much\s+(?:will|would|is|does)\s+(?:it|that|everything|the\s+whole\s+thing)\s+"
                          r"(?:be|come\s+to|cost)\b", re.IGNORECASE)


def asks_total_with_shipping(text: Text) -> bool:
    """True for "whats the total with shipping", "what is total with fast delivery"."""
    return bool(_GRAND_TOTAL.search(text or "") and _WITH_SHIPPING.search(text or ""))


_WITH_SHIPPING = re.compile(r"\b(?:shipping|delivery|postage|ship(?:ped)?|deliver(?:ed)?)\b", re.IGNORECASE)
_FAST = re.compile(r"\b(?:fast|faster|fastest|quick|quicker|quickest|rush)\b", re.IGNORECASE)


def utter_cart(dispatcher: CollectingDispatcher, tracker: Tracker, cart, catalog, engine) -> None:
    """The non-empty cart as a reply, with its "Check out" button."""
    dispatcher.utter_message(text=describe_cart(cart, catalog, tracker.get_slot("coupon_code"), engine),
                             buttons=[{"title": "Check out", "payload": "/checkout"}])
