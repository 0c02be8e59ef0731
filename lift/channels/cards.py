"""Lift's product cards (``{"type": "product_cards", "products": [...]}``, sent by the actions
as a custom payload) read back by the channels: the products, their price and stock line,
buttons, and image/link URLs that Slack and Messenger can fetch."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from lift.commerce.money import format_price as _format_amount
from lift.commerce.products import stock_label as _stock_wording
from lift.config import Settings


def product_cards(json_message: Any) -> Optional[List[Dict[str, Any]]]:
    """The products of a Lift product-card payload, or None for any other custom payload."""
    if not isinstance(json_message, dict) or json_message.get("type") != "product_cards":
        return None
    products = json_message.get("products")
    if not isinstance(products, list):
        return []
    return [p for p in products if isinstance(p, dict) and p.get("name")]


def format_price(price: Any, currency: Optional[str]) -> str:
    """A card's price as the shop writes it, or "" when the payload's price is not a number."""
    if isinstance(price, bool) or not isinstance(price, (int, float, str)):
        return ""
    try:
        return _format_amount(price, currency)
    except ArithmeticError:  # decimal.InvalidOperation: not a number
        return ""


def stock_label(stock: Any) -> str:
    """A card's stock wording, or "" when the payload's stock is not a number."""
    if not isinstance(stock, (int, float)) or isinstance(stock, bool):
        return ""
    return _stock_wording(int(stock))


_RASTER = re.compile(r"\.(png|jpe?g|gif)(\?.*)?$", re.IGNORECASE)


def public_image_url(image: Any, settings: Settings) -> Optional[str]:
    """An absolute raster image URL Slack and Messenger can fetch, or None.

    Relative catalog paths (``/img/x.svg``) need LIFT_PUBLIC_URL; SVG is dropped because both
    platforms reject it, and an invalid image would make Slack refuse the whole message.
    """
    if not isinstance(image, str) or not image:
        return None
    if image.startswith(("https://", "http://")):
        url = image
    elif image.startswith("/") and settings.public_url:
        url = settings.public_url + image
    else:
        return None
    return url if _RASTER.search(url) else None


def public_link(url: Any, settings: Settings) -> Optional[str]:
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("https://"):
        return url
    if url.startswith("/") and settings.public_url and settings.public_url.startswith("https://"):
        return settings.public_url + url
    return None


def card_buttons(product: Dict[str, Any]) -> List[Dict[str, str]]:
    out = []
    for b in product.get("buttons") or []:
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str):
            out.append({"title": b["title"], "payload": b["payload"]})
    return out


def card_details(product: Dict[str, Any]) -> str:
    """The price and stock line under a card's title ("$129.00 · In stock")."""
    return " · ".join(x for x in (
        format_price(product.get("price"), product.get("currency")),
        stock_label(product.get("stock")),
    ) if x)
