"""What only a person can do, asked in the chat, goes to a person: a data deletion request (they
confirm it by email and erase the data, as the privacy policy promises; a question about how to ask
still gets the policy's answer) and a charge the shopper never made (not the double-charge FAQ)."""
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ERASURE_TAKEN, ActionAnswerQuestion
from lift.store.engine import session_scope
from lift.store.models import HandoffTicket
from lift.understanding.erasure import asks_erasure
from tests.support.trackers import make_tracker, texts

POLICY = (Path(__file__).resolve().parents[2] / "kb" / "policies" / "privacy.md").read_text()


@pytest.mark.parametrize("text, asked", [
    ("it says i can send a data deletion request through the assistant. so please delete all my data", True),
    ("delete my account and all my data pls", True), ("i want my account gone", True), ("forget me", True),
    ("how do i delete my account?", False), ("can i delete my data later", False),
    ("delete the kettle from my cart", False), ("remove my address from the order", False),
    ("delete everything you hold about me", True), ("please erase all that you have on me", True),
    ("I want everything you hold about me gone", True), ("is my data deleted when I close my account?", False),
    ("are my details removed if i delete my account", False),
    ("Guten Tag. Under the GDPR I request that you erase every personal data you hold about me.", True),
    ("please delete all the personal data you have on me", True),
    ("please i want you remove all my informations, everything you have about me, delete all", True),
])
def test_a_request_is_told_from_a_question(text, asked):
    assert asks_erasure(text) is asked


def test_what_the_assistant_says_is_what_the_policy_says():
    assert "through the assistant; we confirm your identity by email and complete the request within 30 days" in POLICY
    assert "retained for 7 years, with other personal data removed" in POLICY
    assert "within 30 days" in ERASURE_TAKEN and "7 years" in ERASURE_TAKEN


async def test_the_request_opens_a_ticket_for_a_person(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("so please delete all my data", "delete_account", sender_id="erase-1")
    events = await ActionAnswerQuestion().run(d, tracker, domain)
    assert texts(d).startswith(ERASURE_TAKEN) and "ticket #" in texts(d)
    assert any(e["event"] == "pause" for e in events)
    with session_scope(res.engine) as s:
        assert s.query(HandoffTicket).filter(HandoffTicket.sender_id == "erase-1").count() == 1


async def test_a_charge_never_ordered_goes_to_a_person_not_the_double_charge_faq(res, domain):
    from actions.knowledge import UNKNOWN_CHARGE
    from lift.understanding.charges import unknown_charge

    assert unknown_charge("theres a charge from you guys on my card, i never ordered anything")
    assert unknown_charge("There is a debit on my bank statement from LIFT STORE 59.00 which I do not recognise.")
    assert not unknown_charge("i was charged twice for one order") and not unknown_charge("my card was declined")
    d = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d, make_tracker(
        "theres a charge from you guys on my card, i never ordered anything", "payment_issue", sender_id="charge-1"), domain)
    assert texts(d).startswith(UNKNOWN_CHARGE) and "ticket #" in texts(d) and any(e["event"] == "pause" for e in events)
