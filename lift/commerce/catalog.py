"""The store's product catalog (``kb/catalog.json``): loading, validation and lookup.

Plain Python so actions, the KB builder, the spaCy pattern builder and tests share one
reading of the file. Matching is deterministic: the same text always resolves to the same
product, and :meth:`Catalog.find` prefers ``None`` over a coin flip between two products so
the bot asks instead of adding the wrong item to a cart.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from rapidfuzz import process
from rapidfuzz.distance import OSA

from lift.commerce.matching import OCCASION_WORDS, SKU_IN_TEXT, STOPWORDS, content_tokens, typed_content_words
from lift.commerce.money import format_price
from lift.commerce.validation import NUMBER_WORDS
from lift.commerce.products import (CatalogError, Category, Product, parse_category, parse_product,
                                    validate_graph)

__all__ = ["Catalog", "CatalogError", "Category", "Product"]


# ----------------------------------------------------------------------------- the catalog

class Catalog:
    """An immutable, validated catalog. Build with :meth:`load` (or :meth:`from_dict`)."""

    def __init__(self, currency: str, categories: Sequence[Category], products: Sequence[Product],
                 version: str, path: Optional[Path] = None):
        self.currency = currency
        self.categories: Tuple[Category, ...] = tuple(categories)
        self.products: Tuple[Product, ...] = tuple(products)
        self.version = version
        self.path = path
        validate_graph(self.categories, self.products)
        self._by_sku = {p.sku.upper(): p for p in self.products}
        self._order = {p.sku: i for i, p in enumerate(self.products)}
        self._cat_by_id = {c.id: c for c in self.categories}
        self._build_indexes()

    # -- construction
    @classmethod
    def load(cls, path: Union[str, Path]) -> "Catalog":
        path = Path(path)
        try:
            raw_bytes = path.read_bytes()
        except OSError as exc:
            raise CatalogError(f"cannot read catalog {path}: {exc.strerror or exc}") from None
        try:
            data = json.loads(raw_bytes.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CatalogError(f"catalog {path} is not valid JSON: {exc}") from None
        version = hashlib.sha256(raw_bytes).hexdigest()[:12]
        return cls.from_dict(data, version=version, path=path)

    @classmethod
    def from_dict(cls, data: Any, version: str = "", path: Optional[Path] = None) -> "Catalog":
        if not isinstance(data, dict):
            raise CatalogError("catalog: top level must be an object with 'categories' and 'products'")
        currency = data.get("currency", "USD")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise CatalogError(f"catalog: field 'currency' must be a 3-letter code, got {currency!r}")
        cats_raw = data.get("categories")
        prods_raw = data.get("products")
        if not isinstance(cats_raw, list) or not cats_raw:
            raise CatalogError("catalog: field 'categories' must be a non-empty list")
        if not isinstance(prods_raw, list) or not prods_raw:
            raise CatalogError("catalog: field 'products' must be a non-empty list")
        categories = [parse_category(c, i) for i, c in enumerate(cats_raw)]
        products = [parse_product(p, i) for i, p in enumerate(prods_raw)]
        return cls(currency.upper(), categories, products, version=version, path=path)

    def _build_indexes(self) -> None:
        # alias (content tokens) -> skus; "compact" form catches "airfryer" / "usbc charger".
        self._aliases: Dict[Tuple[str, ...], List[str]] = {}
        self._compact: Dict[str, List[str]] = {}
        self._product_tokens: Dict[str, frozenset] = {}
        vocab = set()
        for p in self.products:
            toks = set()
            for alias in (p.name, *p.synonyms, p.sku):
                key = content_tokens(alias)
                if not key:
                    continue
                for bucket, k in ((self._aliases, key), (self._compact, "".join(key))):
                    skus = bucket.setdefault(k, [])
                    if p.sku not in skus:
                        skus.append(p.sku)
                if alias is not p.sku:
                    toks.update(key)
            self._product_tokens[p.sku] = frozenset(toks)
            vocab.update(toks)
        self._category_aliases: Dict[Tuple[str, ...], List[str]] = {}
        self._category_tokens: Dict[str, frozenset] = {}
        for c in self.categories:
            toks = set()
            for alias in (c.id.replace("_", " "), c.name, *c.synonyms):
                key = content_tokens(alias)
                if key:
                    ids = self._category_aliases.setdefault(key, [])
                    if c.id not in ids:
                        ids.append(c.id)
                    toks.update(key)
            self._category_tokens[c.id] = frozenset(toks)
            vocab.update(toks)
        self._category_vocab = frozenset().union(*self._category_tokens.values())
        self._vocab = tuple(sorted(t for t in vocab if len(t) >= 3 and not t.isdigit()))
        self._vocab_set = frozenset(self._vocab)
        # Search fields: weight 3 = name/synonyms, 2 = category words, 1 = attributes/description.
        self._search_fields: Dict[str, Tuple[frozenset, frozenset, frozenset]] = {}
        for p in self.products:
            attr_text = " ".join(f"{k.replace('_', ' ')} {v}" for k, v in p.attributes.items())
            self._search_fields[p.sku] = (
                self._product_tokens[p.sku],
                self._category_tokens[p.category],
                frozenset(content_tokens(attr_text + " " + p.description)),
            )

    # -- simple accessors
    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self):
        return iter(self.products)

    def get(self, sku: Optional[str]) -> Optional[Product]:
        return self._by_sku.get(sku.strip().upper()) if sku and isinstance(sku, str) else None

    def category(self, category_id: str) -> Optional[Category]:
        return self._cat_by_id.get(category_id)

    def products_in(self, category_id: str) -> List[Product]:
        return [p for p in self.products if p.category == category_id]

    def format_price(self, amount: Union[Decimal, int, float, str]) -> str:
        return format_price(amount, self.currency)

    # -- mention resolution
    def _inflected(self, tok: str) -> Optional[str]:
        """The catalog word ``tok`` inflects ("making" -> "make", "plugged" -> "plug"), or None."""
        for suffix in ("ing", "ed", "er"):
            stem = tok[: -len(suffix)]
            if not tok.endswith(suffix) or len(stem) < 3:
                continue
            for cand in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else None):
                if cand and cand in self._vocab_set:
                    return cand
        return None

    def _correct(self, tokens: Sequence[str]) -> Tuple[str, ...]:
        """Replace a token that is one (short words) or two (long words) edits from exactly one
        catalog word with the same first letter; leave it alone when two catalog words are
        equally close. An inflection of a catalog word becomes that word first: "making" is
        "make" (in a blender's description), never "gaming"."""
        out = []
        for tok in tokens:
            if len(tok) < 4 or tok.isdigit() or tok in STOPWORDS or tok in self._vocab_set:
                out.append(tok)
                continue
            stem = self._inflected(tok)
            if stem is not None:
                out.append(stem)
                continue
            limit = 1 if len(tok) <= 5 else 2
            # Optimal string alignment (a swap of neighbours is one edit); same first letter: a
            # typo rarely hits it, a different word ("making" / "gaming") often differs there.
            close = [c for c in process.extract(tok, self._vocab, scorer=OSA.distance, score_cutoff=limit, limit=None)
                     if c[0][:1] == tok[:1]]
            best_d = min((d for _, d, _ in close), default=limit + 1)
            best = [word for word, d, _ in close if d == best_d]
            if len(best) > 1:
                # A swapped or mistyped letter ("aira") keeps the length; prefer that reading.
                best = [w for w in best if len(w) == len(tok)]
            out.append(best[0] if best_d <= limit and len(best) == 1 else tok)
        return tuple(out)

    def _skus_in_text(self, text: str) -> List[str]:
        found = []
        for m in SKU_IN_TEXT.finditer(text.lower()):
            p = self.get(f"{m.group(1)}-{m.group(2)}")
            if p and p.sku not in found:
                found.append(p.sku)
        return found

    def _exact(self, key: Tuple[str, ...]) -> List[str]:
        if not key:
            return []
        return list(self._aliases.get(key) or self._compact.get("".join(key)) or [])

    def _contained(self, key: Tuple[str, ...]) -> List[Tuple[int, str]]:
        """(alias length, sku) for every alias occurring as a contiguous run in ``key``, longest first."""
        hits: Dict[str, int] = {}
        n = len(key)
        for alias, skus in self._aliases.items():
            m = len(alias)
            if m > n:
                continue
            for i in range(n - m + 1):
                if key[i:i + m] == alias:
                    for s in skus:
                        hits[s] = max(hits.get(s, 0), m)
                    break
        return sorted(((m, s) for s, m in hits.items()), key=lambda x: (-x[0], self._order[x[1]]))

    def _covering(self, key: Tuple[str, ...]) -> List[str]:
        """Products whose name/synonym words include every word of the mention."""
        if not key or all(t in self._category_vocab for t in key):
            return []
        return [p.sku for p in self.products if set(key) <= self._product_tokens[p.sku]]

    def _tiers(self, text: str) -> List[List[str]]:
        """Candidate groups, most confident first; within a group all are equally likely."""
        tiers: List[List[str]] = []
        skus = self._skus_in_text(text)
        if skus:
            tiers.append(skus)
        raw = content_tokens(text)
        keys = [raw]
        corrected = self._correct(raw)
        if corrected != raw:
            keys.append(corrected)
        for key in keys:
            exact = self._exact(key)
            if exact:
                tiers.append(exact)
            contained = self._contained(key)
            if contained:
                longest = contained[0][0]
                tiers.append([s for m, s in contained if m == longest])
                tiers.append([s for m, s in contained if m < longest])
            covering = self._covering(key)
            if covering:
                tiers.append(covering)
        return [t for t in tiers if t]

    def find(self, text: Optional[str]) -> Optional[Product]:
        """The one product ``text`` refers to, or ``None`` when nothing (or more than one) fits."""
        if not text or not isinstance(text, str) or not text.strip():
            return None
        tiers = self._tiers(text)
        if not tiers:
            return None
        first = tiers[0]
        return self.get(first[0]) if len(first) == 1 else None

    def find_all(self, text: Optional[str], limit: Optional[int] = None) -> List[Product]:
        """Every plausible product for ``text``, best first (ties in catalog order)."""
        if not text or not isinstance(text, str) or not text.strip():
            return []
        out: List[str] = []
        for tier in self._tiers(text):
            for sku in sorted(tier, key=self._order.__getitem__):
                if sku not in out:
                    out.append(sku)
        # Weaker evidence last: any shared name/synonym word that is not a bare category word.
        key = set(self._correct(content_tokens(text))) - self._category_vocab
        if key:
            scored = [(len(key & self._product_tokens[p.sku]), p.sku) for p in self.products if p.sku not in out]
            for score, sku in sorted((s for s in scored if s[0] > 0), key=lambda x: (-x[0], self._order[x[1]])):
                out.append(sku)
        products = [self._by_sku[s.upper()] for s in out]
        return products[:limit] if limit is not None else products

    def category_of(self, text: Optional[str]) -> Optional[Category]:
        """The category named in ``text`` (id, name or synonym; singular or plural), else ``None``."""
        if not text or not isinstance(text, str):
            return None
        direct = self._cat_by_id.get(text.strip().lower())
        if direct:
            return direct
        raw = content_tokens(text)
        for key in (raw, self._correct(raw)):
            if not key:
                continue
            ids = self._category_aliases.get(key)
            if ids:
                return self._cat_by_id[ids[0]] if len(ids) == 1 else None
            best_len, best_ids = 0, []
            n = len(key)
            for alias, cids in self._category_aliases.items():
                m = len(alias)
                if m > n or m < best_len:
                    continue
                if any(key[i:i + m] == alias for i in range(n - m + 1)):
                    if m > best_len:
                        best_len, best_ids = m, []
                    best_ids.extend(c for c in cids if c not in best_ids)
            if best_ids:
                return self._cat_by_id[best_ids[0]] if len(best_ids) == 1 else None
        return None

    def of_kind(self, category_id: str, words: Optional[str], by_name: bool = False) -> List[Product]:
        """The products of ``category_id`` whose name or synonyms carry every word of ``words`` (the type
        typed: "laptops" -> the laptops, not the monitors), in catalog order; the whole category when the
        words only name it or match nothing; ``by_name``: "camera" -> the cameras, not the lenses."""
        pool = self.products_in(category_id)
        key = set(content_tokens(words or ""))
        category = self.category_of(category_id)
        if not key or not by_name and category is not None and key == set(content_tokens(category.name)):
            return pool  # "smart home", "phones & tablets": the department itself
        named = {p.sku: content_tokens(p.name) for p in pool if key <= self._product_tokens[p.sku]}
        headed = any(set(t[-1:]) & key for t in named.values())  # "desks": the desk, not the desk lamp
        return [p for p in pool if p.sku in named and (not headed or set(named[p.sku][-1:]) & key
                                                       or not key & set(named[p.sku]))] or pool

    # -- browsing
    def search(self, query: Optional[str] = None, category: Optional[str] = None,
               max_price: Union[Decimal, int, float, str, None] = None, limit: Optional[int] = 5) -> List[Product]:
        """Products matching ``query`` by shared words, best first; in-stock products first on ties.

        ``category`` (id, name or synonym) and ``max_price`` filter; an unknown category or an
        unparseable price gives an empty list rather than silently ignoring the filter.
        """
        pool: Iterable[Product] = self.products
        if category:
            cat = self.category_of(category)
            if cat is None:
                return []
            pool = [p for p in pool if p.category == cat.id]
        if max_price is not None:
            try:
                cap = Decimal(str(max_price))
            except InvalidOperation:
                return []
            pool = [p for p in pool if p.price <= cap]
        pool = list(pool)
        key = self._correct(content_tokens(query or ""))
        if not key:
            ranked = sorted(pool, key=lambda p: (not p.in_stock, self._order[p.sku]))
            return ranked[:limit] if limit is not None else ranked
        qset = set(key)
        phrase = {s: m for m, s in self._contained(key)}
        # "headphones" is both a word in some names and the audio category: audio items first.
        named = None if category else self.category_of(" ".join(key))
        scored = []
        for p in pool:
            names, cat_words, rest = self._search_fields[p.sku]
            score = 0
            for tok in qset:
                if tok in names:
                    score += 3
                elif tok in cat_words:
                    score += 2
                elif tok in rest:
                    score += 1
            if p.sku in phrase:
                score += 2 * phrase[p.sku]
            if score and named is not None and p.category == named.id:
                score += 2
            if score:
                scored.append((score, p))
        scored.sort(key=lambda sp: (-sp[0], not sp[1].in_stock, self._order[sp[1].sku]))
        ranked = [p for _, p in scored]
        return ranked[:limit] if limit is not None else ranked

    def unmatched(self, query: Optional[str], product: Product) -> Tuple[str, ...]:
        """Words of ``query`` that ``product`` has nowhere (name, category, attributes, description):
        ("washing",) for "washing machines" and the espresso machine, () for a full match."""
        names, cat_words, rest = self._search_fields[product.sku]
        known = names | cat_words | rest | OCCASION_WORDS
        return tuple(t for t in self._correct(content_tokens(query or "")) if t not in known)

    def only_described(self, query: Optional[str], product: Product) -> bool:
        """No word of ``query`` in ``product``'s name or category: "bikes" is in a camera's description."""
        names, cat_words, _ = self._search_fields[product.sku]
        words = set(self._correct(content_tokens(query or "")))
        return bool(words) and not words & (names | cat_words)

    def missing_from(self, query: Optional[str], products: Sequence[Product]) -> Tuple[str, ...]:
        """Words of ``query``, as typed, that none of ``products`` has anywhere ("samsung", "galaxy"
        for "samsung galaxy phones" against our phones); numbers are the price readers' work."""
        missing = set.intersection(*(set(self.unmatched(query, p)) for p in products)) if products else set()
        return tuple(w for w in typed_content_words(query)
                     if w not in NUMBER_WORDS and set(self._correct(content_tokens(w))) & missing)

    # -- catalog graph
    def complement_for(self, sku: str, exclude: Iterable[str] = ()) -> Optional[Product]:
        """First in-stock complement of ``sku`` that is not in ``exclude`` (e.g. already in the cart)."""
        product = self.get(sku)
        if product is None:
            return None
        skip = {s.upper() for s in exclude if isinstance(s, str)} | {product.sku.upper()}
        for ref in product.complements:
            comp = self.get(ref)
            if comp is not None and comp.in_stock and comp.sku.upper() not in skip:
                return comp
        return None

    def in_stock_substitutes(self, sku: str) -> List[Product]:
        product = self.get(sku)
        if product is None:
            return []
        subs = (self.get(ref) for ref in product.substitutes)
        return [s for s in subs if s is not None and s.in_stock]
