"""Shoppers naming things this store does not sell, over REST with the trained model, in a voice
unlike the training data: a bare model name, "do you have ...", a name the classifier once read
as "no". Each gets the catalog's answer (what we don't carry, the departments we do) — never
"Sorry, I can't help", a person offered for a product question, or a yes/no taken as given."""
from __future__ import annotations

import pytest

from tests.support.servers import new_sender, texts

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("message, named", [
    ("ps5", "ps5"),
    ("treadmill??", "treadmill"),
    ("hey do u guys have the ps5", "ps5"),
])
def test_a_thing_we_dont_sell_gets_what_we_do_carry(stack, message, named):
    replies = stack.say(new_sender(), message)
    said = texts(replies)
    assert f"We don't carry anything matching “{named}”." in said, replies
    assert "We carry: Audio, Computers" in said and "can't help with that" not in said, replies
    assert "talk to a person" not in said.lower(), replies


def test_another_makers_phone_gets_our_phones(stack):
    """"got any iphones" named what we don't carry and listed the departments, not our phones."""
    said = texts(stack.say(new_sender(), "u got any iphones"))
    assert "We don't carry anything matching “iphones”. Here are the smartphones we do carry:" in said, said


def test_a_model_name_is_never_taken_as_a_no(stack):
    """Right after the greeting's buttons, "xbox series x?" is not "No thanks"."""
    me = new_sender()
    stack.say(me, "hiya")
    said = texts(stack.say(me, "xbox series x?"))
    assert not said.startswith("No problem"), said
    tracker = stack.tracker(me)
    assert tracker["latest_message"]["intent"]["name"] not in ("deny", "affirm"), tracker["latest_message"]
