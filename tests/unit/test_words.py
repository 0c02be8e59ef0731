"""The one implementation of English word forms, shared by catalog matching, BM25 and the spaCy patterns."""
import pytest

from lift.commerce.matching import content_tokens
from lift.commerce.words import plural_forms, singular, stem
from lift.retrieval.text import tokenize


@pytest.mark.parametrize("word, expected", [
    ("headphones", "headphone"), ("accessories", "accessory"), ("boxes", "box"), ("watches", "watch"),
    ("lenses", "lens"), ("lens", "lens"), ("glass", "glass"), ("status", "status"), ("series", "series"),
    ("mice", "mouse"), ("bus", "bus"), ("4k", "4k"), ("100", "100"), ("charging", "charging"),
])
def test_singular(word, expected):
    assert singular(word) == expected


@pytest.mark.parametrize("word, expected", [
    ("returns", "return"), ("returned", "return"), ("returning", "return"),
    ("shipping", "ship"), ("shipped", "ship"), ("ships", "ship"), ("policies", "policy"),
    ("addresses", "address"), ("address", "address"), ("used", "used"), ("bed", "bed"), ("sing", "sing"),
])
def test_stem(word, expected):
    assert stem(word) == expected


def test_stem_builds_on_singular_so_catalog_and_bm25_agree_on_plurals():
    for word in ("headphones", "accessories", "lenses", "speakers", "cables"):
        assert stem(word) == singular(word)
    assert content_tokens("wireless headphones") == ("wireless", "headphone")
    assert tokenize("wireless headphones") == ["wireless", "headphone"]
    # Catalog matching keeps verb forms apart; BM25 merges them.
    assert content_tokens("charger charging") == ("charger", "charging")
    assert tokenize("shipped shipping ships") == ["ship", "ship", "ship"]


@pytest.mark.parametrize("phrase, expected", [
    ("speaker", ["speaker", "speakers"]), ("speakers", ["speaker", "speakers"]),
    ("accessories", ["accessories", "accessory"]), ("battery", ["batteries", "battery"]),
    ("watch", ["watch", "watches"]), ("zoom lens", ["zoom lens"]), ("ergo plus", ["ergo plus"]),
    ("smart home", ["smart home", "smart homes"]),
])
def test_plural_forms(phrase, expected):
    assert plural_forms(phrase) == expected


def test_typed_content_words_keep_what_names_a_thing_as_typed():
    from lift.commerce.matching import typed_content_words

    assert typed_content_words("hey do u guys have the ps5??") == ("ps5",)
    assert typed_content_words("Kindle Paperwhite") == ("kindle", "paperwhite")
    assert typed_content_words("cameras mostly, 2 of them") == ("cameras",)  # hedges and numbers are no names
    assert typed_content_words("do you have any") == () and typed_content_words(None) == ()
    assert typed_content_words("ok any kitchen stuff at all") == ("kitchen",)  # fillers are no names
    assert typed_content_words("fine, show me smart home stuff") == ("smart", "home")
