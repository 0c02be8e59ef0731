"""Other makers' product lines and brands a shopper may ask for by name ("got any iphones", "do you
have airpods"), and the kind of product each is: we don't carry them, but we do carry that kind. Also
other words for kinds we sell ("headset", "cans", "mobile"), read as our word in a free-text search.
Only well-known names whose kind is unambiguous are listed; the kind is words of the catalog's
product names, so what is shown stays the catalog's."""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

# product line or brand -> the kind of product it is
_KIND_OF = {
    "iphone": "smartphone", "iphones": "smartphone", "galaxy": "smartphone", "pixel": "smartphone", "pixels": "smartphone",
    "oneplus": "smartphone", "motorola": "smartphone", "xiaomi": "smartphone", "ipad": "tablet", "ipads": "tablet", "kindle": "tablet", "kindles": "tablet",
    "macbook": "laptop", "macbooks": "laptop", "chromebook": "laptop", "chromebooks": "laptop", "thinkpad": "laptop",
    "thinkpads": "laptop", "airpods": "earbuds", "bose": "headphones", "beats": "headphones", "sennheiser": "headphones",
    "sonos": "speaker", "jbl": "speaker", "bang & olufsen": "speaker", "gopro": "camera", "gopros": "camera",
    "nikon": "camera", "canon": "camera", "fujifilm": "camera", "dji": "drone", "nespresso": "espresso machine", "delonghi": "espresso machine",
    "keurig": "coffee maker", "nutribullet": "blender", "vitamix": "blender", "ninja blender": "blender",
    "apple watch": "smartwatch", "fitbit": "fit band", "roomba": "robot vacuum", "roombas": "robot vacuum", "garmin": "smartwatch", "herman miller": "chair",
    "logitech mouse": "mouse", "anker": "charger",
}
_DEPARTMENT = {"camera": "cameras", "laptop": "computers"}
_NAME = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in _KIND_OF), key=len, reverse=True)) + r")\b",
                   re.IGNORECASE)


def kind_of_brand(text: Optional[str]) -> Optional[str]:
    """The kind of product the first other maker's line or brand in ``text`` is ("got any iphones" ->
    "phone"), or None."""
    found = _NAME.search(text or "")
    return _KIND_OF[found.group(1).lower()] if found else None


def carried_instead(catalog, text: Optional[str]) -> Tuple[Optional[str], List[Any]]:
    """(the kind, our products of that kind: those whose name has its words) for another maker's line
    named in ``text``; (None, []) when none is named or we carry nothing of its kind."""
    kind = kind_of_brand(text)
    if kind is None:
        return None, []
    word = re.compile(rf"\b{re.escape(kind)}\b", re.IGNORECASE)
    department = _DEPARTMENT.get(kind)  # "camera": the Cameras department's, not the security cameras
    return kind, [p for p in catalog.products if word.search(p.name) and department in (None, p.category)]


# other words for kinds we sell -> the word our product names use
_OUR_WORD = {"headset": "headphones", "headsets": "headphones", "cans": "headphones", "earphones": "earbuds",
             "buds": "earbuds", "notebook": "laptop", "notebooks": "laptop", "cellphone": "smartphone", "cellphones": "smartphone",
             "mobile": "smartphone", "mobiles": "smartphone", "celular": "smartphone", "handy": "smartphone",
             "hoover": "vacuum", "coffee machine": "espresso machine", "coffee machines": "espresso machine",
             "cafetera": "coffee maker", "screen": "monitor", "screens": "monitor"}
_OTHER_WORD = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in _OUR_WORD), key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)


def in_our_words(text: Optional[str]) -> str:
    """``text`` with other words for kinds we sell in ours ("a good headset under 150" -> "a good headphones
    under 150"), for a free-text search."""
    return _OTHER_WORD.sub(lambda m: _OUR_WORD[m.group(1).lower()], text or "")
