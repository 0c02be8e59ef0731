"""Side-by-side comparison of the products a shopper names together: "what's the difference
between the aria and the aria pro", "nimbus 14 vs nimbus 16", "which is better, the boom go or
the boom home".

:func:`asks_to_compare` tells such a message from one that merely names two products ("add the
aria and a boom go"); :func:`comparison_text` writes price, stock and every catalog attribute on
which the products differ, then what they share, with the one money formatter and stock wording
the cards use (so the text and the cards never disagree). :func:`price_extreme` reads "the
cheapest laptop" / "your most expensive headphones".
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, List, Optional, Sequence, Tuple

from lift.commerce.money import format_price
from lift.commerce.products import Product, stock_label

MAX_COMPARED = 3

_CUE = re.compile(
    r"\b(?:differen(?:t|ce|ces)|diff|compar(?:e|ed|es|ing|ison)|vs|versus|v\.?s\.?|"
    r"better|best|which\s+(?:one|of\s+(?:them|the\s+\w+)|should|would|do\s+you|is|to)|"
    r"(?:choose|pick|decide)\s+between|or\s+the)\b",
    re.IGNORECASE)

_CHEAPEST = re.compile(r"\b(?:cheapest|least\s+expensive|lowest[- ]price[d]?|most\s+affordable|lowest\s+cost)\b",
                       re.IGNORECASE)
_DEAREST = re.compile(r"\b(?:most\s+expensive|priciest|dearest|highest[- ]price[d]?|top[- ]of[- ]the[- ]range)\b",
                      re.IGNORECASE)

# Attribute-name suffixes that are units: battery_hours -> "30 h", weight_g -> "250 g".
_UNITS = (("_hours", "h"), ("_minutes", "min"), ("_min", "min"), ("_days", "days"), ("_months", "months"),
          ("_kg_per_shelf", "kg per shelf"), ("_kg_per_arm", "kg per arm"), ("_kg", "kg"), ("_g", "g"),
          ("_gb", "GB"), ("_mah", "mAh"), ("_w", "W"), ("_in", "in"), ("_cm", "cm"), ("_mm", "mm"),
          ("_m", "m"), ("_l", "l"), ("_ml", "ml"), ("_qt", "qt"), ("_hz", "Hz"), ("_mp", "MP"),
          ("_khz", "kHz"), ("_deg", "°"), ("_km", "km"), ("_pa", "Pa"), ("_bar", "bar"), ("_mb_s", "MB/s"))
_LABELS = {"color": "colour", "5g": "5G", "gpu": "GPU", "cpu": "CPU", "ram_gb": "RAM", "dpi": "DPI"}


def asks_to_compare(text: str, products: Sequence[Product]) -> bool:
    """Two or more different products named, and the message asks how they differ."""
    return len({p.sku for p in products}) >= 2 and bool(_CUE.search(text or ""))


# "compare the tempo watch and the fit band", "the nimbus 14 vs the 16 pro", "the grinder or the drip one"
_BETWEEN = re.compile(r"\s+(?:vs\.?|versus|and|or|than|compared\s+(?:to|with)|against|w/|with)\s+|\s*,\s*", re.IGNORECASE)
_ONE = re.compile(r"(?:\s+(?:one|ones|model|version|better|worse|cheaper|nicer|faster|lighter|have|has))+\W*$|\W+$",
                  re.IGNORECASE)


def products_compared(catalog, text: str) -> List[Product]:
    """The products a comparison names in its own words, whichever the entity tagger caught ("the
    fit band", "the 16 pro", "the drip one"): each part between "and"/"vs"/"or" is looked up, leading
    words dropped until a product fits. [] unless the message asks how they differ."""
    if not _CUE.search(text or ""):
        return []
    found: List[Product] = []
    for part in _BETWEEN.split(text or ""):
        # the part as typed, else each of its sentences ("the Fit Band. What's the actual difference?")
        for piece in [part] + [p for p in re.split(r"[.?!;,]", part) if p.strip()]:
            product = _found_in(catalog, piece)
            if product is not None:
                if product.sku not in {p.sku for p in found}:
                    found.append(product)
                break
    return found if len(found) >= 2 else []


def _found_in(catalog, piece: str) -> Optional[Product]:
    """The product ``piece`` names, leading words dropped until one fits; None when none does."""
    words = _ONE.sub("", piece).split()
    for start in range(len(words)):
        product = catalog.find(" ".join(words[start:]))
        if product is not None:
            return product
    return None


_HOW_MANY_ENDS = re.compile(r"\b(two|2|three|3)\s+(?=(?:cheapest|least\s+expensive|lowest[- ]price[d]?|most\s+affordable|"
                            r"lowest\s+cost|most\s+expensive|priciest|dearest|highest[- ]price[d]?)\b)", re.IGNORECASE)


def at_price_end(text: str, products: Sequence[Product]) -> List[Product]:
    """"compare the two cheapest" -> the two cheapest of ``products``; all of them otherwise."""
    m = _HOW_MANY_ENDS.search(text or "")
    end = price_extreme(text[m.end():]) if m else None
    if end is None:
        return list(products)
    n = 2 if m.group(1).lower() in ("two", "2") else 3
    return sorted(products, key=lambda p: p.price, reverse=end == "dearest")[:n]


def price_extreme(text: str) -> Optional[str]:
    """"cheapest", "dearest" or None: whether the message asks for one end of a price range."""
    if _CHEAPEST.search(text or ""):
        return "cheapest"
    return "dearest" if _DEAREST.search(text or "") else None


def _label_and_unit(key: str) -> Tuple[str, str]:
    if key in _LABELS:
        return _LABELS[key], ("GB" if key == "ram_gb" else "")
    for suffix, unit in _UNITS:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""


def attribute_value(key: str, value: Any) -> str:
    """How one attribute value reads: yes/no for flags, the unit after numbers."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    _, unit = _label_and_unit(key)
    if isinstance(value, (int, float)):
        number = f"{value:g}"
        return f"{number}{unit}" if unit == "°" else (f"{number} {unit}" if unit else number)
    return str(value)


def _keys(products: Sequence[Product]) -> List[str]:
    keys: List[str] = []
    for p in products:
        keys += [k for k in p.attributes if k not in keys]
    return keys


def comparison_text(products: Sequence[Product], currency: str) -> str:
    """Price, stock and differing attributes, one line each ("A vs B"), then the shared ones."""
    shown = list(products)[:MAX_COMPARED]
    if len(shown) < 2:
        raise ValueError("a comparison needs two products")
    vs = " vs ".join
    lines = [f"{vs(p.name for p in shown)}:",
             f"• Price: {vs(format_price(p.price, currency) for p in shown)}",
             f"• Stock: {vs(stock_label(p.stock) for p in shown)}"]
    same = []
    for key in _keys(shown):
        values = [attribute_value(key, p.attributes.get(key)) for p in shown]
        label = _label_and_unit(key)[0]
        if len(set(values)) == 1:
            same.append(f"{label} {values[0]}")
        else:
            lines.append(f"• {label[:1].upper()}{label[1:]}: {vs(values)}")
    if len(lines) == 3:
        lines.append("• No other difference in their listed specs.")
    if same:
        lines.append(f"Both: {', '.join(same)}." if len(shown) == 2 else f"All: {', '.join(same)}.")
    return "\n".join(lines)


# "which is lighter / has the longer battery / the bigger screen": the attribute (key prefixes, as
# in the catalog), whether more is the answer, and the words of the reply.
_WHICH_CUE = re.compile(r"\b(?:which|what|who)\b", re.IGNORECASE)
_COMPARATIVES: Tuple[Tuple["re.Pattern[str]", Tuple[str, ...], bool, Tuple[str, str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), keys, more, word) for pattern, keys, more, word in (
        (r"\b(?:lighter|lightest|less\s+heavy|weighs?\s+less)\b", ("weight_",), False, ("is lighter", "are lighter")),
        (r"\b(?:heavier|heaviest|weighs?\s+more)\b", ("weight_",), True, ("is heavier", "are heavier")),
        (r"\b(?:cheaper|cheapest|(?:less|least)\s+expensive|(?:lower|lowest)(?:[-\s]priced?|\s+cost)|(?:most|more)\s+affordable)\b",
         ("price",), False, ("is cheaper", "are cheaper")),
        (r"\b(?:pricier|priciest|(?:more|most)\s+expensive|dearer|(?:higher|highest)(?:[-\s]priced?|\s+cost))\b", ("price",), True,
         ("is more expensive", "are more expensive")),
        (r"\bbattery\b.*\b(?:longer|longest|last\w*\s+longer|better|best|bigger)\b|"
         r"\b(?:longer|longest|better|best|bigger)\b.*\bbattery\b", ("battery_hours", "battery_days", "battery_mah"),
         True, ("has the longer battery life", "have the longer battery life")),
        (r"\b(?:better|best|sharper|sharpest|more\s+megapixels?)\b.*\b(?:camera|photos?|pictures?|pics)\b|"
         r"\b(?:camera|photos?|pictures?|pics)\b.*\b(?:better|best|sharper|sharpest)\b", ("camera_mp", "megapixels"),
         True, ("has the higher-resolution camera", "have the higher-resolution camera")),
        (r"\b(?:bigger|biggest|larger|largest)\s+(?:screen|display)\b", ("screen_in",), True, ("has the bigger screen", "have the bigger screen")),
        (r"\b(?:smaller|smallest)\s+(?:screen|display)\b", ("screen_in",), False, ("has the smaller screen", "have the smaller screen")),
        # "i will take the smaller one" between two tablets: the screen, the size these products have
        (r"\b(?:smaller|smallest|more\s+compact)\b", ("screen_in",), False, ("is smaller", "are smaller")),
        (r"\b(?:bigger|biggest|larger|largest)\b", ("screen_in",), True, ("is bigger", "are bigger")),
        (r"\bmore\s+(?:storage|space)\b", ("storage_gb",), True, ("has more storage", "have more storage")),
        (r"\bmore\s+(?:ram|memory)\b", ("ram_gb",), True, ("has more memory", "have more memory")),
        (r"\b(?:more\s+powerful|more\s+power)\b", ("power_w",), True, ("is more powerful", "are more powerful")),
    ))


def _rated(text: str, products: Sequence[Product]):
    """(attribute key, reply words, [(product, value)], best value, the products with it) for the
    first comparative ``text`` uses, when at least two of ``products`` have that attribute; else None."""
    for pattern, keys, more, word in _COMPARATIVES:
        if not pattern.search(text):
            continue
        key = next((k for p in products for k in (["price"] + list(p.attributes))
                    if k.startswith(keys) or k in keys), None)
        if key is None:
            return None
        rated = [(p, p.price if key == "price" else p.attributes.get(key)) for p in products]
        rated = [(p, v) for p, v in rated if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]
        if len(rated) < 2:
            return None
        best_value = max(v for _, v in rated) if more else min(v for _, v in rated)
        return key, word, rated, best_value, [p for p, v in rated if v == best_value]
    return None


def best_by(text: str, products: Sequence[Product]) -> Optional[List[Product]]:
    """The product(s) a comparative in ``text`` picks out among ``products`` ("the lighter one",
    "the one with the bigger screen"), from their catalog attributes; None when the message uses
    none or fewer than two of them have the attribute."""
    found = _rated(text or "", products)
    return None if found is None else found[4]


def winner(text: str, products: Sequence[Product]) -> Optional[Product]:
    """The one product :func:`which_is` names as the answer ("the Orbit Lite is cheaper"); None
    when it names none or several."""
    found = _rated(text, products) if _WHICH_CUE.search(text or "") else None
    if found is None or len(found[4]) != 1 or len(found[4]) == len(found[2]):
        return None
    return found[4][0]


def which_is(text: str, products: Sequence[Product], currency: str) -> Optional[str]:
    """The answer to "which is lighter / cheaper / has the longer battery?" about ``products``
    (those just compared or shown), from their catalog attributes; None when the message asks no
    such thing or fewer than two of them have the attribute."""
    if not _WHICH_CUE.search(text or ""):
        return None
    found = _rated(text, products)
    if found is None:
        return None
    key, word, rated, best_value, best = found
    show = (lambda v: format_price(v, currency)) if key == "price" else (lambda v: attribute_value(key, v))
    others = "; ".join(f"{p.name} {show(v)}" for p, v in rated if v != best_value)
    if len(best) == len(rated):
        return f"They're the same there: {show(best_value)} each."
    names = " and the ".join(p.name for p in best)
    return f"The {names} {word[len(best) > 1]}: {show(best_value)} ({others})."


# "ok and price diff?", "whats the difference in price", "how much more is the max"
_PRICE_GAP = re.compile(r"\b(?:price|cost)\s+diff\w*|\bdiff\w*\s+(?:in|of)\s+(?:the\s+)?(?:price|cost)s?\b|"
                        r"\bhow\s+much\s+(?:more|less|extra|cheaper|dearer)\b|\bhow\s+much\s+(?:is\s+)?the\s+difference\b|"
                        r"\bprice\s+gap\b", re.IGNORECASE)


def price_difference(text: str, products: Sequence[Product], currency: str) -> Optional[str]:
    """The answer to "price diff?" about two products: how much more the dearer one costs; None for
    another question or not exactly two products."""
    if len(products) != 2 or not _PRICE_GAP.search(text or ""):
        return None
    cheap, dear = sorted(products, key=lambda p: p.price)
    if cheap.price == dear.price:
        return f"They cost the same: {format_price(dear.price, currency)} each."
    return (f"The {dear.name} costs {format_price(dear.price - cheap.price, currency)} more than the {cheap.name} "
            f"({format_price(dear.price, currency)} vs {format_price(cheap.price, currency)}).")
