"""What a shopper types at the one-time code question."""
import pytest


@pytest.mark.parametrize("typed, asks", [
    ("i never got the code", True), ("didnt get it", True), ("can you resend it", True), ("send another one", True),
    ("no email came through", True), ("i dont have a code", True), ("482913", False), ("482 913 thanks", False),
    ("ok", False), ("what code?", False), ("the grinder make strange noise, i want send it back", False),
])
def test_asking_for_a_new_code(typed, asks):
    from lift.commerce.ownership import asks_for_a_new_code

    assert asks_for_a_new_code(typed) is asks


@pytest.mark.parametrize("typed, lacks", [
    ("i dont have the order number, my aunt bought it", True), ("its not in my inbox", True),
    ("where do i find the order number?", True), ("i'm just shopping, no order", True), ("lost it", True),
    ("idk the number, my email is demo.customer@example.com", True), ("dunno", True),
    ("LFT100004", False), ("it's 100004", False), ("hmm", False), ("the kettle arrived broken", False),
    ("can't you look it up with my email? it's demo.customer@example.com", True),  # "doesn't look like an order number"
    ("its under demo.customer@example.com", True), ("my email is a@b.com", False),
])
def test_saying_there_is_no_order_number(typed, lacks):
    from lift.commerce.ownership import lacks_order_number

    assert lacks_order_number(typed) is lacks


@pytest.mark.parametrize("typed, code", [
    ("482913", "482913"), ("482 913", "482913"), (" 482-913 ", "482913"),
    ("The code is 395536, thank you.", "395536"), ("Code: 474318", "474318"), ("its 482 913 i think", "482913"),
    # not one clear code: none is guessed
    ("LFT100004", None), ("123456 or 654321", None), ("code 123456 for LFT100004", None), ("12345", None),
    ("1234567", None), ("on 12/12 the code 123456", None), ("what code?", None),
])
def test_a_code_typed_alone_or_in_a_sentence(typed, code):
    from lift.commerce.ownership import normalize_code

    assert normalize_code(typed) == code


@pytest.mark.parametrize("text, email", [
    ("Hi. The parcel for LFT100001 should go to my office instead: Unit 4, Bristol BS1 6AB. My email on the order is "
     "Demo.Customer@example.com.", "demo.customer@example.com"),
    ("cancel LFT100002, placed it under jo@example.com", "jo@example.com"), ("my email is jo@example.com", "jo@example.com"),
    ("change the email on my order to jo@example.com", None), ("my new email is jo@example.com", None),
    ("oh wait my email is wrong, its k.mueller@gmx.de", None), ("please send it to jo@example.com", None),
    ("pls change the email on my order LFT100004 to new.me@example.org, old one is jo@example.com", "jo@example.com"),
    ("status of my refund for LFT100004 please, email jo@example.com", "jo@example.com"),
    ("update my email jo@example.com", None),
])
def test_the_email_a_shopper_names_as_the_one_on_the_order(text, email):
    from lift.commerce.contacts import current_email_named

    assert current_email_named(text) == email
