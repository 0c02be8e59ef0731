"""Product cards: the custom payload (``{"type": "product_cards", "products": [...]}``) the
actions send with search results, prices and suggestions.

Each card carries the raw facts (price, currency, stock) and the wording a shopper sees
(``price_label``, ``stock_label``, ``stock_level``), made by :mod:`lift.commerce.money` and
:func:`lift.commerce.products.stock_label`, so the chat text, the web page and the Slack and
Messenger renderings all say the same thing.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable

from lift.commerce.money import format_price, money
from lift.commerce.products import Product, stock_label, stock_level


def product_card(product: Product, currency: str) -> Dict[str, Any]:
    buttons = []
    if product.in_stock:
        buttons.append({"title": "Add to cart", "payload": f'/add_to_cart{{"product":"{product.sku}"}}'})
    return {
        "sku": product.sku,
        "name": product.name,
        "price": float(money(product.price)),
        "price_label": format_price(product.price, currency),
        "currency": currency,
        "stock": product.stock,
        "stock_label": stock_label(product.stock),
        "stock_level": stock_level(product.stock),
        "image": product.image,
        "description": product.description,
        "url": f"/products/{product.sku}",
        "buttons": buttons,
    }


def cards_message(products: Iterable[Product], currency: str) -> Dict[str, Any]:
    return {"type": "product_cards", "products": [product_card(p, currency) for p in products]}
