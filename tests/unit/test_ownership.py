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
