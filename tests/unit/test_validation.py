import pytest

from lift.commerce import validation as v


@pytest.mark.parametrize("raw,expected", [
    ("Jane@Acme.io", "jane@acme.io"), (" j.doe+shop@outlook.com ", "j.doe+shop@outlook.com"),
    ("jane at acme", None), ("jane@", None), ("@acme.io", None), ("a@b", None), ("x" * 400 + "@a.io", None),
    ("jane..doe@acme.io", None), (None, None), ({"a": 1}, None),
])
def test_email(raw, expected):
    assert v.normalize_email(raw) == expected


def test_find_email_in_sentence():
    assert v.find_email("sure, it's Tom.Becker@globex.com thanks") == "tom.becker@globex.com"
    assert v.find_email("no address here") is None


@pytest.mark.parametrize("raw,expected", [
    ("+1 (415) 555-0134", "+14155550134"), ("030 1234567", "0301234567"), ("12", None), ("call me", None),
    ("+1234567890123456789", None),
])
def test_phone(raw, expected):
    assert v.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("jane doe", "Jane Doe"), ("my name is Priya Nair", "Priya Nair"), ("O'Brien", "O'Brien"),
    ("what's in my cart?", None), ("12345", None), ("x", None), ("jane@acme.io", None), ("", None),
    # a sentence typed where the name is asked is not a name; names that are words too are
    ("can I pay by invoice", None), ("ok get me a quote", None), ("next tuesday afternoon", None),
    ("Will May", "Will May"), ("An Do", "An Do"), ("Maria de la Cruz", "Maria De La Cruz"),
    ("Tom Becker, as I wrote", "Tom Becker"), ("tom becker (see above)", "Tom Becker"),
])
def test_person_name(raw, expected):
    assert v.normalize_person_name(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("Kettle & Co", "Kettle & Co"), ("we're Globex Corp", "Globex Corp"), ("Next Step Ltd", "Next Step Ltd"),
    ("3M", "3M"), ("next tuesday afternoon", None), ("what's the lead time on 40 nimbus 14s", None),
    ("can I pay by invoice?", None), ("The first one is fine.", None), ("yes", None), ("ok sure", None),
    ("that works", None), ("Fine Foods", "Fine Foods"), ("First Republic", "First Republic"),
    ("Becker Logistics GmbH, i already said that", "Becker Logistics GmbH"),
])
def test_company(raw, expected):
    assert v.normalize_company(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("40", 40), ("about 40 people", 40), ("two", 2), ("1,200", 1200), ("a dozen", 12),
    ("between 10 and 20", None), ("lots", None), (True, None), (3.5, None),
])
def test_parse_int(raw, expected):
    assert v.parse_int(raw) == expected


@pytest.mark.parametrize("raw,expected", [("0", None), ("-3", None), ("25", 25), ("2000000", None)])
def test_team_size(raw, expected):
    assert v.parse_team_size(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("LFT100002", "LFT100002"), ("lft-100002", "LFT100002"), ("#100002", "LFT100002"), ("order 123", None),
    ("732201349959", None), ("", None),
])
def test_order_id(raw, expected):
    assert v.normalize_order_id(raw) == expected


@pytest.mark.parametrize("raw,ok", [
    ("12 Market Street, Springfield 12345", True), ("ship it to 45 Oak Avenue, Portland", True),
    ("Market Street", False), ("12345", False), ("x" * 300, False),
])
def test_address(raw, ok):
    assert (v.normalize_address(raw) is not None) is ok


def test_words_before_a_colon_are_not_part_of_the_address():
    assert v.normalize_address("I already gave it: 17 Cedar Lane, Madison WI 53703") == "17 Cedar Lane, Madison WI 53703"
    # a flat number before a colon has a digit: it stays
    assert v.normalize_address("Flat 2: 17 Cedar Lane, Madison WI 53703") == "Flat 2: 17 Cedar Lane, Madison WI 53703"


@pytest.mark.parametrize("text,shaped", [
    ("12 Baker Street", True), ("40 Oak Ave, Portland OR 97201", True), ("PO Box 12, Austin", True),
    ("221B Baker St London NW1 6XE", True), ("1 hub pls not 2", False), ("2 of the blue ones", False),
])
def test_street_shape(text, shaped):
    assert v.street_shaped(text) is shaped


def test_clean_text_rejects_huge_input():
    assert v.clean_text("a" * 10_000) is None
    assert v.clean_text("  a \n b ") == "a b"


def test_find_coupon_and_says_confirm():
    from lift.commerce.validation import find_coupon, says_confirm
    assert find_coupon("use coupon welcome10") == "WELCOME10" and find_coupon("apply Save20 pls") == "SAVE20"
    assert find_coupon("use code welcome 10") == "WELCOME10" and find_coupon("promo: summer 20 pls") == "SUMMER20"
    assert find_coupon("is there a code for 10% off") is None and find_coupon("any discount over 100?") is None
    assert find_coupon("buy nimbus 14") is None and find_coupon("got a promo code, it's Welcome 10") == "WELCOME10"
    assert find_coupon("where is lft100002") is None and find_coupon("no code here") is None
    # the digits of an email's name are no coupon ("I couldn't find a coupon called SHOPPER1")
    assert find_coupon("shopper1@example.com") is None and find_coupon("jane2024@example.com, code SAVE20") == "SAVE20"
    assert says_confirm("place order") and says_confirm("Go ahead and buy it")
    assert not says_confirm("don't place it yet") and not says_confirm("hello") and not says_confirm(None)


@pytest.mark.parametrize("typed, address", [
    ("ok. 42 Elm Street, Springfield IL 62701", "42 Elm Street, Springfield IL 62701"),
    ("ok then send to my brother in London - 221 Baker Street, London NW1 6XE", "221 Baker Street, London NW1 6XE"),
    ("its 9 Pine Rd, Austin TX 78701", "9 Pine Rd, Austin TX 78701"),
    ("Rose Cottage, 12 High St, Bath BA1 1AA", "Rose Cottage, 12 High St, Bath BA1 1AA"),  # a house name stays
    ("Apt 4B 221 Baker St, NY 10001", "Apt 4B 221 Baker St, NY 10001"),
    # and after it
    ("12 Oak St, Springfield IL 62704 and standard delivery pls", "12 Oak St, Springfield IL 62704"),
    ("5 King St W, Toronto ON M5H 1A1, Canada, thanks", "5 King St W, Toronto ON M5H 1A1, Canada"),
    ("1 Market St, San Francisco CA 94102 - reception will sign for it", "1 Market St, San Francisco CA 94102"),
    ("uhh its 19 Harbour Rd, Bozeman MT 59715 i think thats right lol", "19 Harbour Rd, Bozeman MT 59715"),
    ("same as before, 9 Birch Ct, Boise ID 83701", "9 Birch Ct, Boise ID 83701"),
    ("12 Express Way, Dallas TX 75201", "12 Express Way, Dallas TX 75201"),  # a street named like an option
    # the flat before the house number stays, the chat before it goes
    ("It is Apartment 12C, 480 Oak Street, Springfield, IL 62704.", "Apartment 12C, 480 Oak Street, Springfield, IL 62704"),
    ("ok its Flat 9, 3 Kings Road London SW3 4NX", "Flat 9, 3 Kings Road London SW3 4NX"),
    ("12 Maple Close, Harrogate, HG1 3PL, United Kingdom?", "12 Maple Close, Harrogate, HG1 3PL, United Kingdom"),
])
def test_chat_around_the_address_is_not_the_address(typed, address):
    assert v.normalize_address(typed) == address


@pytest.mark.parametrize("typed, address", [
    ("send it to flat 2b 14 rose court bath ba1 2qp uk", "flat 2b 14 rose court bath ba1 2qp uk"),
    ("ship to apt 4b, 55 main st, springfield il 62701 pls", "apt 4b, 55 main st, springfield il 62701"),
    ("deliver to Unit 7 / 20 George St, Sydney", "Unit 7 / 20 George St, Sydney"),
    ("could it go to my own address instead, which is 12 Maple Close, Harrogate, HG1 3PL, United Kingdom?",
     "12 Maple Close, Harrogate, HG1 3PL, United Kingdom"),
    ("i want 2 of them shipped to 500 Oak Ave Austin TX 78701", "500 Oak Ave Austin TX 78701"),
])
def test_an_address_inside_a_sentence_keeps_its_flat(typed, address):
    """The flat or unit before the house number was dropped ("flat 2b" lost from the order)."""
    from lift.commerce.amend import address_in

    assert address_in(typed) == address
