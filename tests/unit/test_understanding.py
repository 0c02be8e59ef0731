"""The language parsers of lift.understanding: quantities, dates, names/companies, references."""
import datetime as dt
from decimal import Decimal

import pytest

from lift.understanding.dates import UTC, When, find_date_times, from_value, parse_date_time
from lift.understanding.numbers import find_quantities, parse_quantity
from lift.understanding.spelled import words_to_int
from lift.understanding.people import parse_introduction
from lift.understanding.references import (ADD, REMOVE, SET, CartChange, Shown, parse_cart_change, refers_back,
                                           resolve_reference)

NOW = dt.datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday morning


# --- quantities -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("2", 2), ("two", 2), ("Two", 2), ("a couple of", 2), ("a couple", 2), ("a pair of", 2), ("a dozen", 12),
    ("half a dozen", 6), ("two dozen", 24), ("3x", 3), ("x3", 3), ("twenty-five", 25), ("twenty five", 25),
    ("one hundred and two", 102), ("1,200", 1200), ("eleven", 11),
])
def test_quantity_words_and_digits(text, value):
    assert parse_quantity(text).value == value and parse_quantity(text).ok


@pytest.mark.parametrize("text,reason", [
    ("-1", "at least 1"), ("0", "at least 1"), ("zero", "at least 1"), ("1e9", "at most 20"), ("50", "at most 20"),
    ("lots", "How many exactly?"), ("a few", "How many exactly?"), ("several", "How many exactly?"),
    ("2.5", "whole number"), ("banana", "give a number"), ("2 or 3", "more than one number"),
])
def test_quantity_refusals_say_why(text, reason):
    q = parse_quantity(text, limit=20)
    assert not q.ok and reason in q.problem


def test_quantity_limit_is_optional_and_numbers_pass_through():
    assert parse_quantity("1e9").ok and parse_quantity(3).value == 3
    assert not parse_quantity(2.5).ok and not parse_quantity(True).ok


def test_quantities_in_a_sentence_with_spans():
    text = "i'd like 2 of the crema espresso machines please"
    [m] = find_quantities(text)
    assert (m.value, text[m.start:m.end]) == (2, "2")
    assert [m.value for m in find_quantities("remove one of the aria wireless headphones")] == [1]


def test_references_and_product_names_are_not_quantities():
    assert find_quantities("the second one") == [] and find_quantities("that one") == []
    assert find_quantities("the cheaper one") == [] and find_quantities("add a laptop") == []
    assert find_quantities("and the gaming one?") == [] and find_quantities("add that matte black one") == []
    assert [m.value for m in find_quantities("add the hub and one mouse")] == [1]
    text = "show me the nimbus 14 laptop"
    assert [m.value for m in find_quantities(text)] == [14]
    assert find_quantities(text, skip=[(12, 21)]) == []  # the product span
    assert find_quantities("my order LFT100002") == [] and find_quantities("mail jo2@x.io") == []


def test_words_to_int():
    assert words_to_int("a thousand") == 1000 and words_to_int("ninety nine") == 99 and words_to_int("lots") is None


# --- dates and times --------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("tomorrow at 10am", When(dt.datetime(2026, 12, 5, 10, 0, tzinfo=UTC))),
    ("friday 3pm", When(dt.datetime(2026, 12, 11, 15, 0, tzinfo=UTC))),
    ("monday at 14:00", When(dt.datetime(2026, 12, 7, 14, 0, tzinfo=UTC))),
    ("noon tomorrow", When(dt.datetime(2026, 12, 5, 12, 0, tzinfo=UTC))),
    ("next Tuesday afternoon", When(dt.datetime(2026, 12, 8, 12, tzinfo=UTC), dt.datetime(2026, 12, 8, 18, tzinfo=UTC))),
    ("tomorrow morning", When(dt.datetime(2026, 12, 5, 8, tzinfo=UTC), dt.datetime(2026, 12, 5, 12, tzinfo=UTC))),
    ("in two days", When(dt.datetime(2026, 12, 6, tzinfo=UTC), dt.datetime(2026, 12, 7, tzinfo=UTC))),
    ("tuesday", When(dt.datetime(2026, 12, 8, tzinfo=UTC), dt.datetime(2026, 12, 9, tzinfo=UTC))),
    ("this afternoon", When(dt.datetime(2026, 12, 4, 12, tzinfo=UTC), dt.datetime(2026, 12, 4, 18, tzinfo=UTC))),
])
def test_dates_relative_to_a_fixed_now(text, expected):
    when = parse_date_time(text, NOW)
    assert when == expected and when.start.tzinfo is not None and when.start.utcoffset() == dt.timedelta(0)


def test_a_window_never_starts_in_the_past():
    late = dt.datetime(2026, 12, 4, 15, 10, tzinfo=UTC)
    assert parse_date_time("this afternoon", late).start == late.replace(second=0)
    assert parse_date_time("this morning", late) is None


@pytest.mark.parametrize("text", ["lots", "the second one", "tuesday at 3", "", "2 of the crema", "may I ask"])
def test_not_dates(text):
    assert parse_date_time(text, NOW) is None


def test_other_time_zones_are_converted_to_utc():
    base = dt.datetime(2026, 12, 4, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # 08:30 UTC
    assert parse_date_time("tomorrow at 10am", base).start == dt.datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_dates_inside_sentences():
    text = "Can we book a demo tomorrow at 10am? or next Tuesday afternoon"
    found = find_date_times(text, NOW)
    assert [text[m.start:m.end] for m in found] == ["tomorrow at 10am", "next Tuesday afternoon"]
    assert find_date_times("i'd like 2 of the crema espresso machines please", NOW) == []
    assert find_date_times("Hi, I'm Dana Whitfield (dana@whitfield.com). Can we book a demo?", NOW) == []


def test_value_round_trip():
    for text in ("tomorrow at 10am", "next Tuesday afternoon"):
        when = parse_date_time(text, NOW)
        assert from_value(when.to_value()) == when
    assert from_value("2026-12-08T14:00") == When(dt.datetime(2026, 12, 8, 14, tzinfo=UTC))
    assert from_value("soon") is None
    window = parse_date_time("next Tuesday afternoon", NOW)
    assert window.contains(dt.datetime(2026, 12, 8, 14)) and not window.contains(dt.datetime(2026, 12, 8, 18))


# --- names and companies ----------------------------------------------------------------------

@pytest.mark.parametrize("text,name,company,email", [
    ("Hi, I'm Dana Whitfield from Whitfield Interiors (dana@whitfield.com). Can we book a demo?",
     "Dana Whitfield", "Whitfield Interiors", "dana@whitfield.com"),
    ("my name is priya nair", "Priya Nair", None, None),
    ("this is Tom Becker at Globex Corp. we need 30 laptops", "Tom Becker", "Globex Corp", None),
    ("we're Acme Corp and want a demo", None, "Acme Corp", None),
    ("I work for acme corp", None, "acme corp", None),
    ("hi im dana whitfield from whitfield interiors", "Dana Whitfield", "whitfield interiors", None),
    ("I am Priya Nair, CTO at Nair & Sons Ltd. Email priya@nair.io", "Priya Nair", "Nair & Sons Ltd", "priya@nair.io"),
    ("Hello, this is Carlos from Mendes Design", "Carlos", "Mendes Design", None),
    ("I'M DANA WHITFIELD FROM WHITFIELD INTERIORS, DANA@WHITFIELD.COM", "DANA WHITFIELD", "WHITFIELD INTERIORS",
     "dana@whitfield.com"),
    ("I'm from Acme Corp, we need 40 laptops", None, "Acme Corp", None),
    ("Hola! I'm Dana Whitfield from Whitfield Interiors", "Dana Whitfield", "Whitfield Interiors", None),
    # typed as a list, no cue words
    ("Jane Doe, Acme Inc, jane@acme.com", "Jane Doe", "Acme Inc", "jane@acme.com"),
    ("jane doe; acme ltd; jane@acme.com", "Jane Doe", "acme ltd", "jane@acme.com"),
    ("Jane Doe, Acme, jane@acme.com", "Jane Doe", "Acme", "jane@acme.com"),
    ("Jane Doe | jane@acme.com", "Jane Doe", None, "jane@acme.com"),
    ("Tom Lee, Lee & Sons Ltd, tom@lee.io, 8", "Tom Lee", "Lee & Sons Ltd", "tom@lee.io"),
    ("Maria Garcia-Lopez / Umbrella Corp / maria@umbrella.com / 25 people", "Maria Garcia-Lopez", "Umbrella Corp",
     "maria@umbrella.com"),
    # the list, then a sentence
    ("Jonas Weber, Weber Immobilien GmbH, jonas.weber@weber-immo.de, we are 45 people, we want a demo", "Jonas Weber",
     "Weber Immobilien GmbH", "jonas.weber@weber-immo.de"),
    # a name opening the message, "from" its company, and an email
    ("Sara Lindqvist from Nordlys Design, sara@nordlys.se", "Sara Lindqvist", "Nordlys Design", "sara@nordlys.se"),
    # a field named in the list ("company X")
    ("we run a 60-seat call centre. my name is Arjun Nair, arjun.nair@callpoint.in, company Callpoint BPO", "Arjun Nair",
     "Callpoint BPO", "arjun.nair@callpoint.in"),
    # a lead-in before a dash, a team size and a wished-for time among the fields
    ("Id like to book a demo - Tom Becker, Becker Logistics GmbH, tom.becker@beckerlog.example, team of 12, Wednesday "
     "2pm UTC if possible", "Tom Becker", "Becker Logistics GmbH", "tom.becker@beckerlog.example"),
    # the role after "I'm", then "at" the company
    ("Hello, my name is Priya Nair, I'm head of IT at Coldwater Analytics (priya.nair@coldwater.example.com), team "
     "of 35.", "Priya Nair", "Coldwater Analytics", "priya.nair@coldwater.example.com"),
])
def test_names_and_companies_in_a_sentence(text, name, company, email):
    intro = parse_introduction(text)
    assert (intro.person_name, intro.company, intro.email) == (name, company, email)
    if name:
        assert text[slice(*intro.person_span)].lower() == name.lower()


@pytest.mark.parametrize("text", [
    "I'm looking for a laptop", "i'm interested in a demo", "we're a company of 200 people and want laptops in bulk",
    "i'm good thanks", "It's Monday", "Jane Doe", "i work at a small design studio", "",
    "This is Ridiculous, my blender arrived broken", "this is ridiculous, my blender arrived broken", "\U0001F600" * 3,
    "x" * 4000, "hi there, i want laptops, jane@acme.com", "yes please, jane@acme.com", "send it, jane@acme.com",
    "Jane Doe, Acme, London, jane@acme.com, thanks", "Best Regards from Berlin, me@example.com",
    "Samsung Galaxy from amazon is cheaper, me@example.com", "we are 45 people", "the company is great",
    "i love your company, it's great",
])
def test_no_name_or_company_without_one(text):
    intro = parse_introduction(text)
    assert intro.person_name is None and intro.company is None


# --- references -------------------------------------------------------------------------------

ONE = [Shown("CMP-001", "Nimbus 14 Laptop", Decimal("999"))]
TWO = [Shown("AUD-001", "Aria Wireless Headphones", Decimal("129")), Shown("AUD-002", "Aria Pro", Decimal("249"))]
THREE = TWO + [Shown("AUD-003", "Pulse Earbuds", Decimal("89"))]


@pytest.mark.parametrize("text,shown,skus", [
    ("ok add it to my cart", ONE, ("CMP-001",)), ("that one", ONE, ("CMP-001",)),
    ("the second one", TWO, ("AUD-002",)), ("the first", THREE, ("AUD-001",)), ("number 3", THREE, ("AUD-003",)),
    ("the last one", THREE, ("AUD-003",)), ("the cheaper one", TWO, ("AUD-001",)),
    ("the cheapest", THREE, ("AUD-003",)), ("the more expensive one", TWO, ("AUD-002",)),
    ("both", TWO, ("AUD-001", "AUD-002")), ("all of them", THREE, ("AUD-001", "AUD-002", "AUD-003")),
    ("add them", TWO, ("AUD-001", "AUD-002")),
    # a word only one shown name has picks it in the plural too ("the pro ones": it added 5 of the other)
    ("lowkey want the pro ones, add 5 pls", TWO, ("AUD-002",)), ("2 of those pulse ones", THREE, ("AUD-003",)),
    ("ngl the pro version looks better, throw 5 in my cart", TWO, ("AUD-002",)),
])
def test_references_resolve_to_the_products_shown(text, shown, skus):
    res = resolve_reference(text, shown)
    assert res.skus == skus and res.question is None


@pytest.mark.parametrize("text,shown,says", [
    ("add 2 of them", TWO, "I showed you 2 products"),  # no name word picks one: which one
    ("the second one", ONE, "only showed you one product, the Nimbus 14 Laptop"),
    ("both", ONE, "only showed you one product"),
    ("the cheaper one", ONE, "only showed you one product"),
    ("add it", TWO, "Which one do you mean: Aria Wireless Headphones or Aria Pro?"),
    ("the fifth one", THREE, "only showed you 3 products"),
    ("both", THREE, "Which two"),
])
def test_ambiguous_references_ask_instead_of_guessing(text, shown, says):
    res = resolve_reference(text, shown)
    assert res.skus == () and says in res.question and res.choices


def test_no_reference_and_nothing_shown():
    assert resolve_reference("i want a laptop", TWO) == resolve_reference("add it", []) == resolve_reference("", TWO)
    assert not resolve_reference("add it", []).found
    assert refers_back("the cheaper one") and not refers_back("show me laptops")


def test_equal_prices_ask():
    same = [Shown("A", "Alpha", Decimal("10")), Shown("B", "Beta", Decimal("10"))]
    assert resolve_reference("the cheaper one", same).choices == ("A", "B")


@pytest.mark.parametrize("text,default,change", [
    ("remove one", REMOVE, CartChange(REMOVE, 1, "one")),
    ("remove one of the aria wireless headphones", ADD, CartChange(REMOVE, 1, "one")),
    ("make it 3", ADD, CartChange(SET, 3, "3")), ("reduce it to 1", REMOVE, CartChange(SET, 1, "1")),
    ("change the quantity to five", ADD, CartChange(SET, 5, "five")),
    ("remove all", REMOVE, CartChange(REMOVE, None)), ("remove them all", ADD, CartChange(REMOVE, None)),
    ("remove the aria", REMOVE, CartChange(REMOVE, None)), ("take one off", REMOVE, CartChange(REMOVE, 1, "one")),
    ("i'd like 2 of the crema espresso machines please", ADD, CartChange(ADD, 2, "2")),
    ("add one more", ADD, CartChange(ADD, 1, "one")), ("add the second one", ADD, CartChange(ADD, None)),
    # "put" adds, unless it says what to set the quantity to
    ("put one in my basket", ADD, CartChange(ADD, 1, "one")), ("put 2 in my cart", ADD, CartChange(ADD, 2, "2")),
    ("put it to 3", ADD, CartChange(SET, 3, "3")), ("put the quantity at 4", ADD, CartChange(SET, 4, "4")),
    ("hmm actually drop it to 2 earbuds", REMOVE, CartChange(SET, 2, "2")),
    ("bring them down to one", REMOVE, CartChange(SET, 1, "one")), ("drop one", REMOVE, CartChange(REMOVE, 1, "one")),
    # a change of mind that is only the new number
    ("actually just one", ADD, CartChange(SET, 1, "one")), ("no wait, only 2 please", ADD, CartChange(SET, 2, "2")),
    ("Actually I'll have four of those", ADD, CartChange(SET, 4, "four")),
    ("Actually two will do, we've only got so much counter space.", ADD, CartChange(SET, 2, "two")),
    ("one is enough", ADD, CartChange(SET, 1, "one")), ("that will do", ADD, CartChange(ADD, None)),
    ("no wait, we'll take 3", ADD, CartChange(SET, 3, "3")),
    ("actually i'll have 2 of the aria pro", ADD, CartChange(ADD, 2, "2")),
    ("I'll have four of those", ADD, CartChange(ADD, 4, "four")),
    ("just one question", ADD, CartChange(ADD, 1, "one")), ("just 2 of the aria then", ADD, CartChange(ADD, 2, "2")),
    # a number corrected
    ("oops i meant 2", ADD, CartChange(SET, 2, "2")), ("actually 2 not 3", ADD, CartChange(SET, 2, "2")),
    ("I want 12 product in my cart, not 10", ADD, CartChange(SET, 12, "12")),
    ("add 2 more, not 3", ADD, CartChange(ADD, 2, "2")), ("add 2, not the red one", ADD, CartChange(ADD, 2, "2")),
    ("i meant headphones", ADD, CartChange(ADD, None)),
])
def test_cart_changes(text, default, change):
    assert parse_cart_change(text, default) == change


def test_cart_change_skips_product_names():
    text = "add the nimbus 14 laptop"
    assert parse_cart_change(text, ADD, skip=[(8, 17)]) == CartChange(ADD, None)


def test_quantities_per_item_read_between_the_items():
    from lift.understanding.numbers import quantities_per_item
    text = "3 aria headphones and a boom speaker, plus two kettles"
    spans = [(text.index(w), text.index(w) + len(w)) for w in ("aria headphones", "boom speaker", "kettles")]
    assert [m.value if m else None for m in quantities_per_item(text, spans)] == [3, None, 2]
    assert quantities_per_item("no numbers here", [(3, 10)]) == [None]


def test_team_size_in_a_sentence():
    from lift.understanding.people import team_size_in
    assert team_size_in("we're a company of 200 people") == 200
    assert team_size_in("about 50 staff here") == 50
    assert team_size_in("a team of twelve") == 12
    assert team_size_in("we run a 60-seat call centre") == 60 and team_size_in("a 12-desk studio") == 12
    assert team_size_in("we're a 40-person company") == 40
    assert team_size_in("I'm the office manager at a 40-person architecture firm.") == 40  # it asked again
    assert team_size_in("we need 40-person seating for the event") is None
    assert team_size_in("I manage a little charity office with nine volunteers") == 9
    assert team_size_in("we want 200 laptops") is None
    assert team_size_in("") is None


MONITORS = [Shown("CMP-005", "Clarity 27-inch 4K Monitor", Decimal("379")),
            Shown("CMP-006", "Clarity 24-inch Office Monitor", Decimal("189"))]


@pytest.mark.parametrize("text, sku", [("how much is the 27 inch one", "CMP-005"), ("the office one please", "CMP-006"),
                                       ("add that 4k one", "CMP-005"), ("the 24 one", "CMP-006")])
def test_a_word_only_one_shown_name_has_picks_it(text, sku):
    assert resolve_reference(text, MONITORS).skus == (sku,)


@pytest.mark.parametrize("text", ["how much is the monitor one", "the clarity one", "that one"])
def test_words_every_shown_name_has_still_ask_which(text):
    res = resolve_reference(text, MONITORS)
    assert not res.found and "Which one do you mean" in res.question


def test_and_joins_number_words_only_after_a_scale_word():
    """"two <product> and one <product>" with the names blanked out is 2 and 1, never "two and one" = 3."""
    assert [(m.value, m.text) for m in find_quantities("i want two               and one            ")] == [
        (2, "two"), (1, "one")]
    assert [m.value for m in find_quantities("one hundred and two laptops")] == [102]



def test_several_ordinals_pick_several_products():
    from lift.understanding.references import Shown, resolve_reference

    shown = [Shown("A", "Alpha", 1), Shown("B", "Beta", 2), Shown("C", "Gamma", 3)]
    assert resolve_reference("add the first and the second", shown).skus == ("A", "B")
    assert resolve_reference("the 1st and 3rd please", shown).skus == ("A", "C")
    assert resolve_reference("the second one", shown).skus == ("B",)


@pytest.mark.parametrize("text, person, company", [
    ("hi, we're a 40 person team at Brightwave Labs and want a demo. i'm Priya, priya@brightwave.io", "Priya",
     "Brightwave Labs"),
    ("Tomasz Kowalski, company is Nordhaven GmbH", "Tomasz Kowalski", "Nordhaven GmbH"),
    ("its for Harbor Dental group, i'm Lena Fischer", "Lena Fischer", "Harbor Dental"),
    ("its for my dad", None, None),
])
def test_more_ways_to_say_who_and_which_company(text, person, company):
    from lift.understanding.people import parse_introduction

    got = parse_introduction(text)
    assert (got.person_name, got.company) == (person, company)


@pytest.mark.parametrize("text, op", [
    ("ok 1 of those + a clear case if it fits", "add"),  # "clear" describes the case: it said "Your cart is empty"
    ("add the less expensive one", "add"), ("add an empty box too", "add"),
    ("clear my cart", "remove"), ("empty it", "remove"), ("clear", "remove"), ("less 1 chair", "remove"),
    ("i dont want a sales call, just add 12 glide wireless mouse to cart", "add"),  # it said "Your cart is empty"
    ("i dont want the mouse anymore", "remove"),
])
def test_clear_and_less_are_removals_only_as_verbs(text, op):
    from lift.understanding.references import parse_cart_change

    assert parse_cart_change(text, "add").op == op


@pytest.mark.parametrize("text, value", [
    ("Could you please add a pair of the Aria Wireless Headphones to my cart?", 1),
    ("Put a black pair in the basket then, please.", 1), ("a pair of earbuds for my son", 1),
    ("a pair of boom go speakers", 2), ("add a pair", 2), ("a couple of mice", 2),
])
def test_a_pair_of_headphones_is_one_item(text, value):
    """"a pair of" headphones is one pair: it added 2 headphones; a pair of speakers is two."""
    from lift.understanding.numbers import find_quantities

    assert [q.value for q in find_quantities(text)] == [value]


@pytest.mark.parametrize("text, values", [
    ("the cheaper of those two", []),  # it priced "2 × $129.00"
    ("which of the 3 is best", []), ("add these 2", []),
    ("add 2 of these", [2]), ("add two of the aria", [2]),
])
def test_the_cards_counted_are_no_quantity(text, values):
    assert [m.value for m in find_quantities(text)] == values
