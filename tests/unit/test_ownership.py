"""What a shopper types at the one-time code question."""
import pytest


@pytest.mark.parametrize("typed, asks", [
    ("i never got the code", True), ("didnt get it", True), ("can you resend it", True), ("send another one", True),
    ("no email came through", True), ("i dont have a code", True), ("482913", False), ("482 913 thanks", False),
    ("ok", False), ("what code?", False),
])
def test_asking_for_a_new_code(typed, asks):
    from lift.commerce.ownership import asks_for_a_new_code

    assert asks_for_a_new_code(typed) is asks


@pytest.mark.parametrize("typed, lacks", [
    ("i dont have the order number, my aunt bought it", True), ("its not in my inbox", True),
    ("where do i find the order number?", True), ("i'm just shopping, no order", True), ("lost it", True),
    ("LFT100004", False), ("it's 100004", False), ("hmm", False), ("the kettle arrived broken", False),
])
def test_saying_there_is_no_order_number(typed, lacks):
    from lift.commerce.ownership import lacks_order_number

    assert lacks_order_number(typed) is lacks
