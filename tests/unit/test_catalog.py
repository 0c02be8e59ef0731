"""The shipped catalog and its API, against the real kb/catalog.json."""
from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from lift.commerce.catalog import Catalog, CatalogError, Category, Product
from lift.commerce.money import format_price

ROOT = Path(__file__).resolve().parents[2]
CATALOG_PATH = ROOT / "kb" / "catalog.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(CATALOG_PATH)


@pytest.fixture()
def raw() -> dict:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the data

def test_catalog_size_and_shape(catalog):
    assert len(catalog.products) >= 56
    per_category = Counter(p.category for p in catalog.products)
    assert len(catalog.categories) >= 7
    assert set(per_category) == {c.id for c in catalog.categories}
    assert min(per_category.values()) >= 5
    assert catalog.currency == "USD"
    assert all(isinstance(p, Product) and isinstance(p.price, Decimal) for p in catalog.products)
    assert all(isinstance(c, Category) for c in catalog.categories)


def test_every_product_has_graph_edges_description_and_image(catalog):
    for p in catalog.products:
        assert p.complements and p.substitutes, p.sku
        assert p.description.count(".") >= 2, p.sku
        assert p.attributes, p.sku
        assert p.image == f"/img/{p.sku}.svg"
        assert (ROOT / "web" / "img" / f"{p.sku}.svg").is_file(), p.sku


def test_stock_levels_are_varied(catalog):
    stocks = [p.stock for p in catalog.products]
    assert sum(1 for s in stocks if s == 0) >= 3
    assert sum(1 for s in stocks if 1 <= s <= 3) >= 3
    assert sum(1 for s in stocks if s >= 20) >= 10


def test_no_synonym_names_two_products_or_a_product_and_a_category(catalog):
    owners: dict = {}
    for p in catalog.products:
        for alias in {p.name.lower(), *(s.lower() for s in p.synonyms)}:
            owners.setdefault(alias, set()).add(p.sku)
    assert {a: s for a, s in owners.items() if len(s) > 1} == {}
    category_words = {w.lower() for c in catalog.categories for w in (c.id, c.name, *c.synonyms)}
    assert category_words & set(owners) == set()


def test_version_is_file_sha256_prefix(catalog):
    assert catalog.version == hashlib.sha256(CATALOG_PATH.read_bytes()).hexdigest()[:12]


def test_version_changes_with_content(tmp_path, raw):
    raw["products"][0]["stock"] += 1
    assert Catalog.load(write(tmp_path, raw)).version != Catalog.load(CATALOG_PATH).version


# ----------------------------------------------------------------------------- validation

def _first(raw: dict) -> dict:
    return raw["products"][0]


@pytest.mark.parametrize(
    "mutate, needles",
    [
        (lambda r: r["products"].append(copy.deepcopy(_first(r))), ["AUD-001", "duplicate sku"]),
        (lambda r: _first(r).update(category="garden"), ["AUD-001", "category", "garden"]),
        (lambda r: _first(r).update(complements=["ZZZ-999"]), ["AUD-001", "complements", "ZZZ-999"]),
        (lambda r: _first(r).update(substitutes=["AUD-001"]), ["AUD-001", "substitutes", "itself"]),
        (lambda r: _first(r).update(price=0), ["AUD-001", "price"]),
        (lambda r: _first(r).update(price=-5), ["AUD-001", "price"]),
        (lambda r: _first(r).update(price="cheap"), ["AUD-001", "price"]),
        (lambda r: _first(r).update(stock=-1), ["AUD-001", "stock"]),
        (lambda r: _first(r).update(stock=2.5), ["AUD-001", "stock"]),
        (lambda r: _first(r).update(stock=True), ["AUD-001", "stock"]),
        (lambda r: _first(r).pop("description"), ["AUD-001", "description"]),
        (lambda r: _first(r).update(synonyms=["ok", 3]), ["AUD-001", "synonyms"]),
        (lambda r: r["categories"].append(dict(r["categories"][0])), ["audio", "duplicate"]),
        (lambda r: r.update(products=[]), ["products"]),
    ],
)
def test_invalid_catalogs_are_rejected_with_sku_and_field(tmp_path, raw, mutate, needles):
    mutate(raw)
    with pytest.raises(CatalogError) as err:
        Catalog.load(write(tmp_path, raw))
    for needle in needles:
        assert needle in str(err.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        Catalog.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        Catalog.load(bad)
    assert issubclass(CatalogError, ValueError)


def test_products_are_immutable(catalog):
    with pytest.raises(Exception):
        catalog.products[0].price = Decimal("1")  # type: ignore[misc]


# ----------------------------------------------------------------------------- lookup

def test_get_is_case_insensitive(catalog):
    assert catalog.get("aud-001").sku == "AUD-001"
    assert catalog.get(" AUD-001 ").name == "Aria Wireless Headphones"
    assert catalog.get("NOPE-1") is None
    assert catalog.get("") is None and catalog.get(None) is None


@pytest.mark.parametrize(
    "mention, sku",
    [
        ("Aria Wireless Headphones", "AUD-001"),
        ("aria headphones", "AUD-001"),
        ("the Aria", "AUD-001"),
        ("ARIA PRO", "AUD-002"),
        ("aria pro headphones", "AUD-002"),
        ("AUD-003", "AUD-003"),
        ("aud003", "AUD-003"),
        ("add kit-002 please", "KIT-002"),
        ("espresso machine", "KIT-002"),
        ("orbit x", "PHN-001"),
        ("orbit x max", "PHN-003"),
        ("nimbus 14 laptop sleeve", "ACC-007"),
        ("do you have aria headphones in stock?", "AUD-001"),
        ("I'd like the standing desk", "OFF-001"),
        ("chefs edge", "KIT-006"),
        ("Chef's Edge", "KIT-006"),
        ("airfryer", "KIT-005"),
        ("usbc charger", "ACC-001"),
    ],
)
def test_find_resolves_mentions(catalog, mention, sku):
    found = catalog.find(mention)
    assert found is not None and found.sku == sku


@pytest.mark.parametrize(
    "mention, sku",
    [
        ("aria headphnes", "AUD-001"),
        ("aira headphones", "AUD-001"),
        ("blendr", "KIT-003"),
        ("standng desk", "OFF-001"),
        ("thermostta", "SMH-003"),
        ("crema espreso", "KIT-002"),
    ],
)
def test_find_tolerates_small_typos(catalog, mention, sku):
    assert catalog.find(mention).sku == sku


@pytest.mark.parametrize(
    "mention",
    ["pulse", "nimbus", "nimbus laptop", "clarity monitor", "sentry", "ergo", "lumina",
     "headphones", "laptop", "a mouse", "do you have headphones", "does it come in red", "", "   ",
     "aria headphones or pulse earbuds"],
)
def test_find_returns_none_when_unsure_or_generic(catalog, mention):
    assert catalog.find(mention) is None


def test_find_all_lists_the_ambiguous_candidates_best_first(catalog):
    assert [p.sku for p in catalog.find_all("pulse")][:2] == ["AUD-003", "AUD-004"]
    assert {p.sku for p in catalog.find_all("sentry")[:3]} == {"SMH-004", "SMH-005", "SMH-006"}
    assert catalog.find_all("aria pro")[0].sku == "AUD-002"
    assert [p.sku for p in catalog.find_all("nimbus", limit=2)] == ["CMP-001", "CMP-002"]
    assert catalog.find_all("zzzz qqqq") == []


def test_find_is_deterministic(catalog):
    for mention in ("pulse", "aria", "tempo", "clarity 27"):
        first = [p.sku for p in catalog.find_all(mention)]
        assert all([p.sku for p in catalog.find_all(mention)] == first for _ in range(3))


@pytest.mark.parametrize(
    "text, category_id",
    [
        ("audio", "audio"), ("Audio", "audio"), ("headphones", "audio"), ("headphone", "audio"),
        ("laptop", "computers"), ("laptops", "computers"), ("mice", "computers"),
        ("Phones & Tablets", "phones"), ("phones and tablets", "phones"), ("tablet", "phones"),
        ("smart home", "smart_home"), ("smart_home", "smart_home"), ("furniture", "home_office"),
        ("office chairs", "home_office"), ("camera", "cameras"), ("lenses", "cameras"),
        ("accessory", "accessories"), ("something for my kitchen", "kitchen"), ("computrs", "computers"),
    ],
)
def test_category_of(catalog, text, category_id):
    assert catalog.category_of(text).id == category_id


def test_category_of_unknown(catalog):
    assert catalog.category_of("garden hoses") is None
    assert catalog.category_of("") is None and catalog.category_of(None) is None


# ----------------------------------------------------------------------------- search

def test_search_by_category_and_max_price(catalog):
    hits = catalog.search(category="audio", max_price=Decimal("100"), limit=10)
    assert hits and all(p.category == "audio" and p.price <= 100 for p in hits)
    expected = {p.sku for p in catalog.products if p.category == "audio" and p.price <= 100}
    assert {p.sku for p in hits} == expected
    stocks = [p.in_stock for p in hits]
    assert stocks == sorted(stocks, reverse=True)  # in-stock first


def test_search_category_accepts_names_and_synonyms(catalog):
    assert {p.category for p in catalog.search(category="Phones & Tablets", limit=None)} == {"phones"}
    assert {p.category for p in catalog.search(category="headphones", limit=None)} == {"audio"}
    assert catalog.search(category="garden") == []


def test_search_query_ranks_named_products_first(catalog):
    assert catalog.search("aria headphones")[0].sku == "AUD-001"
    assert catalog.search("noise cancelling")[0].sku == "AUD-002"
    assert catalog.search("espresso")[0].sku == "KIT-002"
    top = catalog.search("headphones", limit=3)
    assert all(p.category == "audio" for p in top)
    cameras = catalog.search("camera", limit=3)
    assert all(p.category == "cameras" for p in cameras)


@pytest.mark.parametrize("query, missing", [
    ("do you sell washing machines", ("washing",)), ("any sewing machines", ("sewing",)),
    ("electric toothbrush", ("toothbrush",)), ("something to keep my coffee hot", ()),
    ("bluetooth speaker", ()), ("need gift ideas for my sister, she's really into fitness", ()),
])
def test_unmatched_names_the_words_the_best_result_lacks(catalog, query, missing):
    assert catalog.unmatched(query, catalog.search(query)[0]) == missing


def test_search_respects_limit_and_price(catalog):
    assert len(catalog.search("laptop", limit=2)) == 2
    assert all(p.price <= 1000 for p in catalog.search("laptop", max_price=1000, limit=None))
    assert catalog.search("laptop", max_price=1000)[0].sku == "CMP-001"
    assert catalog.search("qwertyuiop") == []
    assert catalog.search(max_price="not a number") == []


def test_search_puts_in_stock_first_on_ties(catalog, raw):
    assert catalog.search("sentry camera", category="smart_home")[0].sku == "SMH-005"  # exact synonym wins
    # Two products identical but for stock: the sold-out one, listed first, must rank second.
    a = copy.deepcopy(_first(raw))
    a.update(sku="TST-001", stock=0, synonyms=[], complements=["TST-002"], substitutes=["TST-002"])
    b = dict(copy.deepcopy(a), sku="TST-002", stock=5, complements=["TST-001"], substitutes=["TST-001"])
    small = Catalog.from_dict({"currency": "USD", "categories": raw["categories"], "products": [a, b]})
    assert [p.sku for p in small.search("aria wireless headphones")] == ["TST-002", "TST-001"]
    assert [p.sku for p in small.search(category="audio")] == ["TST-002", "TST-001"]


def test_search_without_query_lists_in_stock_first(catalog):
    hits = catalog.search(limit=None)
    assert len(hits) == len(catalog.products)
    first_out = next(i for i, p in enumerate(hits) if not p.in_stock)
    assert all(not p.in_stock for p in hits[first_out:])


# ----------------------------------------------------------------------------- graph

def test_complement_for_skips_excluded_and_out_of_stock(catalog):
    assert catalog.complement_for("AUD-001").sku == "ACC-003"
    assert catalog.complement_for("aud-001", exclude={"ACC-003"}).sku == "ACC-002"
    assert catalog.complement_for("AUD-001", exclude={"ACC-003", "ACC-002"}) is None
    # KIT-005's only complement is in stock; AUD-003's second (ACC-005) is sold out.
    assert catalog.complement_for("AUD-003", exclude={"ACC-002"}) is None
    assert catalog.complement_for("NOPE-000") is None


def test_every_product_complement_is_in_stock_or_none(catalog):
    for p in catalog.products:
        comp = catalog.complement_for(p.sku)
        assert comp is None or (comp.in_stock and comp.sku in p.complements)


def test_in_stock_substitutes(catalog):
    assert [p.sku for p in catalog.in_stock_substitutes("AUD-004")] == ["AUD-003"]
    assert [p.sku for p in catalog.in_stock_substitutes("CMP-002")] == ["CMP-001"]  # CMP-003 sold out
    assert catalog.in_stock_substitutes("NOPE-000") == []


def test_format_price():
    assert format_price(Decimal("129")) == "$129.00"
    assert format_price(Decimal("1599.5")) == "$1,599.50"
    assert format_price(Decimal("0.005")) == "$0.01"
    assert format_price(Decimal("-20")) == "-$20.00"
    assert format_price(Decimal("10"), "EUR") == "€10.00"
    assert format_price(Decimal("10"), "CHF") == "10.00 CHF"


def test_catalog_format_price_uses_catalog_currency(catalog):
    assert catalog.format_price(catalog.get("AUD-001").price) == "$129.00"


def test_to_dict_round_trips_price_as_string(catalog):
    d = catalog.get("CMP-002").to_dict()
    assert d["price"] == "1599.00" and d["sku"] == "CMP-002"
    json.dumps(d)


@pytest.mark.parametrize("query, sku, never", [
    ("do you have anything for making smoothies", "KIT-003", "CMP-003"),  # "making" is not a typo of "gaming"
    ("anything for brewing coffee", "KIT-001", "CMP-003"),
])
def test_search_does_not_correct_ordinary_words_into_other_products(catalog, query, sku, never):
    found = [p.sku for p in catalog.search(query, limit=4)]
    assert found[0] == sku and never not in found
