"""Catalog records (:class:`Product`, :class:`Category`) and their validation from JSON."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

from lift.commerce.money import money

# "Only N left" from this many units down; the one threshold for chat text and every card.
LOW_STOCK = 3


def stock_level(stock: int) -> str:
    """``"out"``, ``"low"`` (1..LOW_STOCK) or ``"in"``."""
    if stock <= 0:
        return "out"
    return "low" if stock <= LOW_STOCK else "in"


def stock_label(stock: int) -> str:
    """How stock is worded to a shopper: "Out of stock", "Only 2 left", "In stock"."""
    level = stock_level(stock)
    if level == "out":
        return "Out of stock"
    return f"Only {int(stock)} left" if level == "low" else "In stock"


_ASKS_STOCK = re.compile(r"\b(?:in\s*stock|out\s+of\s+stock|stock(?:ed)?|available|availability|sold\s*out|any\s+left|"
                         r"how\s+many\b[^?.!]{0,60}?\b(?:left|remaining|(?:have|do)\s+(?:you|u)\s+(?:got|have))|"
                         r"restock\w*|back\s+in)\b", re.IGNORECASE)


def asks_about_stock(text: str) -> bool:
    """True for "do u have the pulse sport earbuds in stock", "is the aria available"."""
    return bool(_ASKS_STOCK.search(text or ""))


def stock_answer(product: "Product") -> str:
    """A yes or no to "is it in stock?" for ``product`` with live stock."""
    level = stock_level(product.stock)
    if level == "out":
        return f"The {product.name} is out of stock right now."
    if level == "low":
        return f"Yes, but only {int(product.stock)} {product.name} {'is' if product.stock == 1 else 'are'} left."
    return f"Yes, the {product.name} is in stock."


class CatalogError(ValueError):
    """The catalog file is missing, not JSON, or breaks a rule; the message names sku and field."""


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    synonyms: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    attributes: Dict[str, Any] = field(hash=False, compare=False)
    description: str
    complements: Tuple[str, ...]
    substitutes: Tuple[str, ...]
    synonyms: Tuple[str, ...]
    image: str

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready (price as a string so no float rounding sneaks into carts)."""
        return {
            "sku": self.sku, "name": self.name, "category": self.category, "price": str(self.price),
            "stock": self.stock, "attributes": dict(self.attributes), "description": self.description,
            "complements": list(self.complements), "substitutes": list(self.substitutes),
            "synonyms": list(self.synonyms), "image": self.image,
        }


# ----------------------------------------------------------------------------- validation

def _req(obj: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in obj:
        raise CatalogError(f"{where}: missing field '{key}'")
    value = obj[key]
    if kind is int and isinstance(value, bool):
        raise CatalogError(f"{where}: field '{key}' must be an integer, got {value!r}")
    if not isinstance(value, kind):
        raise CatalogError(f"{where}: field '{key}' must be {kind.__name__}, got {type(value).__name__}")
    return value


def _req_text(obj: Mapping[str, Any], key: str, where: str) -> str:
    """A required string field, stripped; empty is an error."""
    value = _req(obj, key, str, where).strip()
    if not value:
        raise CatalogError(f"{where}: field '{key}' is empty")
    return value


def _str_list(obj: Mapping[str, Any], key: str, where: str, required: bool = True) -> Tuple[str, ...]:
    if key not in obj and not required:
        return ()
    value = _req(obj, key, list, where)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise CatalogError(f"{where}: field '{key}' must contain only non-empty strings, got {item!r}")
    return tuple(s.strip() for s in value)


def parse_category(raw: Any, index: int) -> Category:
    where = f"category #{index}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: must be an object")
    cid = _req_text(raw, "id", where)
    where = f"category {cid!r}"
    name = _req_text(raw, "name", where)
    return Category(id=cid, name=name, synonyms=_str_list(raw, "synonyms", where, required=False))


def parse_product(raw: Any, index: int) -> Product:
    if not isinstance(raw, dict):
        raise CatalogError(f"product #{index}: must be an object")
    sku = _req_text(raw, "sku", f"product #{index}")
    where = f"product {sku}"
    name = _req_text(raw, "name", where)
    price_raw = raw.get("price")
    if isinstance(price_raw, bool) or not isinstance(price_raw, (int, float, str)):
        raise CatalogError(f"{where}: field 'price' must be a number, got {price_raw!r}")
    try:
        price = Decimal(str(price_raw))
    except InvalidOperation:
        raise CatalogError(f"{where}: field 'price' must be a number, got {price_raw!r}") from None
    if not price.is_finite() or price <= 0:
        raise CatalogError(f"{where}: field 'price' must be greater than 0, got {price_raw!r}")
    stock = _req(raw, "stock", int, where)
    if stock < 0:
        raise CatalogError(f"{where}: field 'stock' must be >= 0, got {stock}")
    attributes = _req(raw, "attributes", dict, where)
    description = _req_text(raw, "description", where)
    image = raw.get("image", f"/img/{sku}.svg")
    if not isinstance(image, str) or not image:
        raise CatalogError(f"{where}: field 'image' must be a non-empty string")
    return Product(
        sku=sku, name=name, category=_req(raw, "category", str, where).strip(),
        price=money(price), stock=stock, attributes=dict(attributes),
        description=description, complements=_str_list(raw, "complements", where),
        substitutes=_str_list(raw, "substitutes", where),
        synonyms=_str_list(raw, "synonyms", where, required=False), image=image,
    )


def validate_graph(categories: Sequence[Category], products: Sequence[Product]) -> None:
    """Unique category ids and skus; every category and complement/substitute reference exists."""
    cat_ids = set()
    for c in categories:
        if c.id in cat_ids:
            raise CatalogError(f"category {c.id!r}: duplicate id")
        cat_ids.add(c.id)
    seen = set()
    for p in products:
        if p.sku.upper() in seen:
            raise CatalogError(f"product {p.sku}: duplicate sku")
        seen.add(p.sku.upper())
    for p in products:
        if p.category not in cat_ids:
            raise CatalogError(f"product {p.sku}: field 'category' names unknown category {p.category!r}")
        for fname in ("complements", "substitutes"):
            refs = getattr(p, fname)
            for ref in refs:
                if ref.upper() == p.sku.upper():
                    raise CatalogError(f"product {p.sku}: field '{fname}' refers to the product itself")
                if ref.upper() not in seen:
                    raise CatalogError(f"product {p.sku}: field '{fname}' refers to unknown sku {ref!r}")


# Colour words a shopper may ask for; a product's own colour is its ``color`` attribute.
COLOUR_WORDS = frozenset("""red blue green black white grey gray silver gold pink purple yellow orange brown beige
    navy teal mint cream titanium graphite charcoal midnight rose""".split())


def colour_not_offered(product: Product, text: str) -> Optional[str]:
    """ "can I get the aria headphones in red": the colour asked for when ``product`` isn't sold in
    it (its one listed colour differs), else None."""
    own = str(product.attributes.get("color") or "").lower()
    if not own:
        return None
    asked = [w for w in re.findall(r"[a-z]+", text.lower()) if w in COLOUR_WORDS]
    wanted = [w for w in asked if w not in own.replace("gray", "grey") and w.replace("gray", "grey") not in own]
    return wanted[0] if wanted and len(asked) == len(wanted) else None


_COLOURS_ASKED = re.compile(r"\b(?:colou?rs?|shades?|finish(?:es)?)\b|\bcome\s+in\s+(?:other|different|any|more|another)\b",
                            re.IGNORECASE)


def colour_reply(product: Product, text: str) -> Optional[str]:
    """The answer to "does it come in other colors" / "do the aria headphones come in pink" from the
    product's one listed colour; None when the question is not about colours or none is listed
    (the page answered with its whole description)."""
    own = str(product.attributes.get("color") or "")
    if not own or not _COLOURS_ASKED.search(text or "") and not colour_not_offered(product, text or ""):
        return None
    missing = colour_not_offered(product, text or "")
    return f"The {product.name} comes in {own} only" + (f"; we don't have it in {missing}." if missing else ".")


def colour_asked(product: Product, text: str) -> Optional[str]:
    """The answer to a colour named about the product on screen ("same but in black", "got it in red?"):
    yes in its own colour, else the one colour it comes in; None when no colour is named or none is listed."""
    own = str(product.attributes.get("color") or "")
    if not own or not any(w in COLOUR_WORDS for w in re.findall(r"[a-z]+", (text or "").lower())):
        return None
    return colour_reply(product, text) or f"Yes: the {product.name} is {own}."


# Attribute-name parts that are units or qualifiers, never what a shopper asks about.
_NOT_ASKED = frozenset("hours min minutes days months mah kg per max".split())
# How shoppers ask about an attribute whose name they don't use ("how heavy is it" -> weight_g).
_ASKED_AS = {"weight": ("weigh", "weighs", "heavy", "heavier", "light", "lighter"), "water": ("waterproof", "wet", "rain"),
             "battery": ("charge", "charges"), "screen": ("display",), "storage": ("space",),
             "runtime": ("battery", "charge", "run", "runs"), "brightness": ("dim", "dimmable", "bright", "brighter")}


def attribute_asked(product: Product, text: str) -> Optional[str]:
    """The attribute of ``product`` a question asks about by its name or a usual word for it ("how
    long does the battery last" -> ``battery_hours``); None when it asks about none."""
    words = set(re.findall(r"[a-z]+", (text or "").lower()))
    vocab = {w for key in product.attributes for part in key.lower().split("_") for w in (part, *_ASKED_AS.get(part, ()))}
    # a word typed one or two letters off ("waterprooof", "batery") reads as the word meant
    words |= {m for w in words if len(w) >= 5 for m in difflib.get_close_matches(w, vocab, n=1, cutoff=0.85)}
    for key in product.attributes:
        for part in key.lower().split("_"):
            if len(part) >= 4 and part not in _NOT_ASKED and (part in words or words & set(_ASKED_AS.get(part, ()))):
                return key
    return None


# "does it have a backlit keyboard", "is it good for gaming", "does it come with a case", "can it
# do 4k": the feature a yes/no question about one product asks for (the words after the cue).
_FEATURE_CUE = re.compile(
    r"\b(?:does|do|did|will|would|can|could|is|are)\s+(?:it|they|this|that|this\s+one|that\s+one|the\s+[\w ]{1,40}?)\s+"
    r"(?:have|has|got|come\s+with|include|includes|support|supports|work\s+with|work\s+for|do|"
    r"(?:be\s+)?(?:good|ok|okay|suitable|any\s+good|decent|great)\s+for|take|fit)\s+(?:an?\s+|the\s+|any\s+)?"
    r"(?P<feature>[a-z0-9][a-z0-9 '\-]{1,40}?)\s*(?:[?.!,]|$)", re.IGNORECASE)
_FILLER = frozenset("""a an the any some it its one ones too also as well please pls plz though then at all really
    actually like kind of sort or and with on in for to built""".split())
# British spellings of words a product page spells the American way.
_SPELLING = {"colour": "color", "colours": "colors", "grey": "gray", "aluminium": "aluminum", "centre": "center"}


def _stem(word: str) -> str:
    word = _SPELLING.get(word, word)
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def feature_not_mentioned(page_text: str, question: str, product_words: Iterable[str] = ()) -> Optional[str]:
    """ "does the nimbus 14 have a backlit keyboard" when its page says nothing of a backlit keyboard:
    the feature as asked ("backlit keyboard"); None when the page mentions any of its words, the
    question asks for no feature, or it asks about the product's name."""
    m = _FEATURE_CUE.search(question or "")
    if not m:
        return None
    feature = m.group("feature").strip(" '-").lower()
    own = {w.lower() for w in product_words}
    words = [w for w in re.findall(r"[a-z0-9]+", feature) if w not in _FILLER and w not in own]
    if not words or len(words) > 4:
        return None
    page = {_stem(w) for w in re.findall(r"[a-z0-9]+", _SPELLING_RE.sub(lambda x: _SPELLING[x.group(0)], (page_text or "").lower()))}
    if any(_stem(w) in page or any(p.startswith(_stem(w)[:5]) for p in page if len(_stem(w)) >= 5) for w in words):
        return None
    return feature


_SPELLING_RE = re.compile(r"\b(?:" + "|".join(_SPELLING) + r")\b")
