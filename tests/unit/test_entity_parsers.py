"""The Rasa entity extractor on real Message objects, after the real catalog ruler and regexes."""
import datetime as dt
from pathlib import Path

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from lift.rasa_plugins.entity_parsers import LiftEntityParsers

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.timezone.utc)


def component(**config):
    return LiftEntityParsers({**LiftEntityParsers.get_default_config(), **config}, clock=lambda: NOW)


def entities(text, existing=(), **config):
    msg = Message(data={TEXT: text, ENTITIES: list(existing)})
    component(**config).process([msg])
    return {(e["entity"], e["value"]) for e in msg.get(ENTITIES)}, msg.get(ENTITIES)


def test_lead_intro_gives_name_company_and_keeps_the_email():
    text = "Hi, I'm Dana Whitfield from Whitfield Interiors (dana@whitfield.com). Can we book a demo?"
    email = {"entity": "email", "value": "dana@whitfield.com", "start": 49, "end": 67, "extractor": "RegexEntityExtractor"}
    found, raw = entities(text, [email])
    assert found == {("person_name", "Dana Whitfield"), ("company", "Whitfield Interiors"), ("email", "dana@whitfield.com")}
    for e in raw:
        assert text[e["start"]:e["end"]].lower() == e["value"].lower()
    assert {e["extractor"] for e in raw if e["entity"] in ("person_name", "company")} == {"LiftEntityParsers"}


def test_quantity_and_date_time():
    found, _ = entities("i'd like 2 of the crema espresso machines please")
    assert found == {("quantity", 2)}
    found, _ = entities("can we do tomorrow at 10am or next Tuesday afternoon?")
    assert found == {("date_time", "2026-12-05T10:00:00+00:00"),
                     ("date_time", "2026-12-08T12:00:00+00:00/2026-12-08T18:00:00+00:00")}
    found, _ = entities("next Tuesday afternoon")
    assert found == {("date_time", "2026-12-08T12:00:00+00:00/2026-12-08T18:00:00+00:00")}
    found, _ = entities("a couple of those")
    assert found == {("quantity", 2)}


def test_numbers_inside_other_entities_or_dates_are_not_quantities():
    product = {"entity": "product", "value": "nimbus 14", "start": 12, "end": 21}
    found, _ = entities("show me the nimbus 14 laptop", [product])
    assert found == {("product", "nimbus 14")}
    found, _ = entities("in two days at 3pm")
    assert {k for k, _ in found} == {"date_time"}


def test_nothing_twice_and_dimensions_respected():
    already = {"entity": "quantity", "value": "3", "start": 4, "end": 5}
    found, raw = entities("add 3 of them, actually 4", [already])
    assert [e["entity"] for e in raw] == ["quantity"]
    found, _ = entities("add 2 tomorrow at 10am", dimensions=["date_time"])
    assert {k for k, _ in found} == {"date_time"}
    with pytest.raises(ValueError, match="unknown dimensions"):
        component(dimensions=["weather"])


@pytest.mark.parametrize("text", ["/add_to_cart{\"product\":\"AUD-001\"}", "", "x" * 5000, "\U0001F600"])
def test_payloads_empty_and_huge_messages_are_left_alone(text):
    found, _ = entities(text)
    assert found == set()


def test_after_the_real_catalog_ruler():
    """The spaCy entity_ruler built from the catalog claims 'nimbus 14' before this runs."""
    spacy = pytest.importorskip("spacy")
    path = ROOT / "var" / "spacy" / "lift_catalog"
    if not path.exists():
        pytest.skip("spaCy catalog pipeline not built (make spacy)")
    nlp = spacy.load(path)
    text = "ok add 2 of the nimbus 14 laptop"
    existing = [{"entity": e.label_, "value": e.text, "start": e.start_char, "end": e.end_char} for e in nlp(text).ents]
    found, _ = entities(text, existing)
    assert ("quantity", 2) in found and ("quantity", 14) not in found


@pytest.mark.parametrize("text, values", [
    ("add a beacon bulb 4 pack", []), ("add a beacon bulb 4-pack", []), ("3 4pk bulbs", [3]),  # a pack's size
    ("2 packs of bulbs", [2]), ("add 2 beacon 4-packs", [2]),  # how many packs
])
def test_the_size_of_a_pack_is_not_how_many(text, values):
    from lift.understanding.numbers import find_quantities

    assert [m.value for m in find_quantities(text)] == values


@pytest.mark.parametrize("text, names, counts", [
    ("I would like to order the Nimbus 14, two pieces", ["Nimbus 14"], [2]),
    ("aria headphnes x2 + case", ["aria headphnes", "case"], [2, None]),
    ("nimbus 14 x 2", ["nimbus 14"], [2]),
    ("the kettle, 2 of them and a toaster", ["kettle", "toaster"], [2, None]),
    ("nimbus 14, two aria headphones", ["nimbus 14", "aria headphones"], [None, 2]),  # the next item's count
    ("3 aria headphones and a boom speaker", ["aria headphones", "boom speaker"], [3, None]),
])
def test_a_count_written_after_its_item_counts_it(text, names, counts):
    import re

    from lift.understanding.numbers import quantities_per_item

    spans = [re.search(re.escape(n), text, re.IGNORECASE).span() for n in names]
    assert [m.value if m else None for m in quantities_per_item(text, spans)] == counts


@pytest.mark.parametrize("text, word, kept", [
    ("does it have mic?", "mic", False), ("do they come with a case", "case", False),
    ("has it got a mic", "mic", False), ("does the aria have a case", "case", False),
    ("add the mic", "mic", True), ("i want headphones with mic", "mic", True), ("any case for it", "case", True),
    ("does it work with the nimbus 14", "nimbus 14", True), ("do you have a mic", "mic", True),
    ("can he talk on calls with them, is there a microphone built in?", "microphone", False),
    ("add the microphone", "microphone", True),
])
def test_a_catalog_name_asked_about_as_a_feature_is_no_product_named(text, word, kept):
    start = text.index(word)
    product = {"entity": "product", "value": word, "start": start, "end": start + len(word), "extractor": "SpacyEntityExtractor"}
    found, _ = entities(text, [product])
    assert (("product", word) in found) is kept, found


@pytest.mark.parametrize("text, word, kept", [
    ("i need something to keep my coffee hot at my desk", "desk", False),
    ("no not a desk, like a mug or flask", "desk", False), ("a light for next to my bed, on the desk", "desk", False),
    ("show me desks", "desks", True), ("a desk for my home office", "desk", True),
    ("i want a lamp for my desk", "desk", True),  # what it is for: the category may still help
])
def test_a_kind_named_as_a_place_or_refused_is_no_kind_asked_for(text, word, kept):
    """"something to keep my coffee hot at my desk" showed the standing desk, and so did "no not a desk"."""
    start = text.index(word)
    category = {"entity": "category", "value": word, "start": start, "end": start + len(word),
                "extractor": "SpacyEntityExtractor"}
    found, _ = entities(text, [category])
    assert (("category", word) in found) is kept, found


@pytest.mark.parametrize("text, words, dropped", [
    ("need noise cancelling headphones for office", ("headphones", "office"), "office"),  # it showed a chair
    ("What about those light bulbs you can switch from your phone", ("phone",), "phone"),  # it showed phones
    ("do you have chargers for laptops", ("chargers", "laptops"), "laptops"),
    ("looking for headphones", ("headphones",), None), ("i want a lamp for my desk", ("desk",), None),
])
def test_a_kind_named_as_what_for_or_with_what_is_no_kind_asked_for(text, words, dropped):
    given = [{"entity": "category", "value": w, "start": text.index(w), "end": text.index(w) + len(w),
              "extractor": "SpacyEntityExtractor"} for w in words]
    found, _ = entities(text, given)
    assert [w for w in words if ("category", w) not in found] == ([dropped] if dropped else []), found


def test_a_free_text_search_leaves_out_where_a_thing_is_used():
    from lift.understanding.references import without_places

    assert without_places("something that will keep my tea warm on the desk").split() == \
        "something that will keep my tea warm".split()
    assert without_places("bulbs you can switch from your phone").split() == "bulbs you can switch".split()
