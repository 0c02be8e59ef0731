"""Over REST against the real action server and Rasa server (trained model, shipped KB): a
question about the demo is answered with its source and then the demo is offered, a real demo
request or a business-account enquiry still opens the lead form, and policy questions that used to land on
the wrong section of the right policy get the section that answers them."""
from __future__ import annotations

import pytest

from tests.support.servers import new_sender, texts

pytestmark = pytest.mark.e2e

LEAD_FORM_FIRST_QUESTION = "What's your name?"



def payloads(replies):
    return [b["payload"] for r in replies for b in (r.get("buttons") or [])]


def active_loop(stack, me):
    return (stack.tracker(me).get("active_loop") or {}).get("name")


def test_what_a_demo_is_is_answered_then_a_typed_yes_opens_the_lead_form(stack):
    me = new_sender()
    replies = stack.say(me, "sorry, what is a demo exactly?")
    said = texts(replies)
    assert "30-minute" in said and "(policy:wholesale#what-a-demo-is)" in said and "Source:" in said, replies
    assert LEAD_FORM_FIRST_QUESTION not in said and active_loop(stack, me) is None
    assert "/request_demo" in payloads(replies)  # the offer comes after the answer
    assert stack.tracker(me)["slots"]["kb_doc_id"] == "policy:wholesale#what-a-demo-is"
    said = texts(stack.say(me, "yes please"))
    assert LEAD_FORM_FIRST_QUESTION in said and active_loop(stack, me) == "lead_form", said


def test_the_offer_after_a_demo_question_can_be_declined_or_taken(stack):
    me = new_sender()
    replies = stack.say(me, "hmm whats involved in the demo?")
    assert "(policy:wholesale#what-a-demo-is)" in texts(replies), replies
    assert "No problem" in texts(stack.say(me, "no thanks"))
    assert active_loop(stack, me) is None

    other = new_sender()
    assert "(policy:wholesale#what-a-demo-is)" in texts(stack.say(other, "is the demo free?"))
    said = texts(stack.say(other, "/request_demo"))  # the offer's "Book a demo" button
    assert LEAD_FORM_FIRST_QUESTION in said and active_loop(stack, other) == "lead_form"


def test_a_business_account_enquiry_is_a_lead_and_its_question_is_answered_first(stack):
    """The SPEC counts a business-account enquiry as request_demo: it opens the lead form, whose
    first question comes after the answer (cited)."""
    me = new_sender()
    said = texts(stack.say(me, "quick question, do you do business accounts or invoicing?"))
    assert active_loop(stack, me) == "lead_form"
    assert "(policy:wholesale#business-accounts)" in said and said.endswith(LEAD_FORM_FIRST_QUESTION), said
    assert "business accounts" in said.split("\u201c")[0] and "set up a demo" not in said, said  # the intro fits the enquiry


@pytest.mark.parametrize("message", ["can we book a demo?", "I'd like a demo for my team of 20"])
def test_a_real_demo_request_still_opens_the_lead_form(stack, message):
    me = new_sender()
    said = texts(stack.say(me, message))
    assert LEAD_FORM_FIRST_QUESTION in said or "email" in said.lower(), said
    assert "Source:" not in said and active_loop(stack, me) == "lead_form"


@pytest.mark.parametrize("message, doc_id", [
    ("how long do I have to send it back", "policy:returns#return-window"),
    ("how long is the warranty", "policy:warranty#warranty-coverage"),
    ("stuff from the clearance section, can that be returned?", "policy:returns#sale-and-clearance-items"),
    ("do you put a gift receipt in with orders", "policy:returns#gifts-and-gift-receipts"),
    ("is there any discount for students?", "policy:promotions#student-and-other-discounts"),
])
def test_a_policy_question_gets_the_section_that_answers_it(stack, message, doc_id):
    me = new_sender()
    replies = stack.say(me, message)
    assert f"({doc_id})" in texts(replies), replies
    assert "/request_demo" not in payloads(replies)  # not a business question: no demo offer


def test_a_booked_demo_can_be_checked_moved_and_cancelled(stack):
    """After booking: "did it go through" gets the booking, "can we push it to another day" asks for
    the time alone and moves the same booking, "scrap the meeting" frees it; never a second lead."""
    me = new_sender()
    said = texts(stack.say(me, "hiya could we get a demo sorted for the studio"))
    answers = {"name": "Tomasz Wojcik", "email": "tomasz@kowalstudio.example", "company": "Kowal Studio",
               "people": "9 of us"}
    for _ in range(5):
        asked = next((a for k, a in answers.items() if k in said.split("?")[-2:][0].lower()), None)
        if asked is None:
            break
        said = texts(stack.say(me, asked))
    assert "Here are the next free times" in said, said
    booked = texts(stack.say(me, "1"))
    assert "Your demo is booked for" in booked, booked
    said = texts(stack.say(me, "did it go through ok?"))
    assert said.startswith("Your demo is booked for") and said.count("Your demo is booked") == 1, said
    said = texts(stack.say(me, "hmm can we push it to another day"))
    assert "new time for your demo" in said and "free times" in said and "What's your name" not in said, said
    said = texts(stack.say(me, "2"))
    assert said.startswith("Done: your demo has moved from"), said
    said = texts(stack.say(me, "sorry, please scrap the meeting altogether"))
    assert "is cancelled" in said, said
    assert stack.tracker(me)["slots"]["lead_id"] is not None


def test_how_do_i_set_that_up_inside_the_lead_form_goes_on_with_it(stack):
    """Not the shopper sign-up: the business set-up the lead form is for."""
    me = new_sender()
    stack.say(me, "hi we're kitting out a new office, about 40 staff, need chairs desks and monitors. do u do bulk pricing?")
    said = texts(stack.say(me, "ok how do i set that up"))
    assert "Welcome!" not in said and said.endswith(LEAD_FORM_FIRST_QUESTION), said
    assert active_loop(stack, me) == "lead_form"
