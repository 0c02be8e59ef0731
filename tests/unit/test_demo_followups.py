"""A demo booked earlier in the chat: "did that go through?" gets the booking, "can we move it" asks
for the time alone and moves that booking (never a second one), "cancel the demo" frees the slot;
each change is emailed. Real SQLite store and outbox, real Trackers and domain."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionOfferOptions, ActionReplyOutOfScope
from actions.handoff import ActionDefaultFallback
from actions.lead import ActionSubmitLead
from actions.order_in_view import ActionAcknowledgeStop
from actions.start_lead import ActionStartLead
from lift.commerce.leads import SlotTaken, booked_demo, cancel_demo, free_demo_slots, move_demo, save_lead
from lift.store.engine import session_scope
from lift.store.models import Lead, OutboxMessage
from lift.understanding.followups import demo_followup
from tests.support.trackers import make_tracker, slot_events, texts

DETAILS = {"person_name": "Priya Nair", "email": "priya@nairdesign.co", "company": "Nair Design", "team_size": 12.0}


@pytest.mark.parametrize("text, kind", [
    ("did that go through?", "status"), ("is my demo booked", "status"), ("when is our demo again", "status"),
    ("did you book it", "status"), ("what time was the demo", "status"),
    ("can we move it to a different time", "move"), ("reschedule the demo to thursday", "move"),
    ("i can't make that time anymore", "move"), ("actually can we do tuesday instead", "move"),
    ("cancel the demo", "cancel"), ("we need to cancel the meeting", "cancel"),
    ("we'd like a demo", None), ("what is a demo", None), ("cancel my order", None),
    ("can i change the time of delivery", None), ("hello", None),
])
def test_what_a_message_says_about_a_booked_demo(text, kind):
    assert demo_followup(text) == kind


def _book(res, which=0):
    slot = free_demo_slots(res.engine)[which]
    return save_lead(res.engine, sender_id="demo-1", demo_time=slot.start, **{**DETAILS, "team_size": 12}), slot


def _mail(res):
    with session_scope(res.engine) as s:
        return [(m.recipient, m.subject) for m in s.query(OutboxMessage).order_by(OutboxMessage.id)]


def test_move_and_cancel_change_the_booking_and_email_it(res):
    lead_id, slot = _book(res)
    new = free_demo_slots(res.engine)[0]
    old, moved = move_demo(res.engine, lead_id, new.start)
    assert (old.start, moved.start) == (slot.start, new.start) and booked_demo(res.engine, lead_id).demo_time == new.start
    assert slot in free_demo_slots(res.engine, count=10)  # the old time is free again
    save_lead(res.engine, sender_id="other", demo_time=slot.start, **{**DETAILS, "team_size": 3})
    with pytest.raises(SlotTaken):
        move_demo(res.engine, lead_id, slot.start)  # taken meanwhile: nothing changes
    assert booked_demo(res.engine, lead_id).demo_time == new.start
    assert cancel_demo(res.engine, lead_id).start == new.start and booked_demo(res.engine, lead_id) is None
    assert cancel_demo(res.engine, lead_id) is None
    subjects = [s for r, s in _mail(res) if r == DETAILS["email"]]
    assert subjects[1].startswith("Your Lift demo has moved") and subjects[-1].endswith("is cancelled"), subjects


async def test_did_that_go_through_gets_the_booking(res, domain):
    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    events = await ActionOfferOptions().run(d, make_tracker("did that go through?", "nlu_fallback",
                                                            slots={**DETAILS, "lead_id": float(lead_id)}), domain)
    assert texts(d) == f"Your demo is booked for {slot.label}, and the details went to priya@nairdesign.co.", texts(d)
    assert events == []


async def test_move_asks_for_the_time_alone_then_moves_the_booking(res, domain):
    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    events = await ActionReplyOutOfScope().run(d, make_tracker("can we move it to a different time", "out_of_scope",
                                                               slots={**DETAILS, "lead_id": float(lead_id)}), domain)
    assert texts(d).startswith(f"Sure, let's find a new time for your demo (now {slot.label})")
    assert slot_events(events)["demo_rescheduling"] is True and {"event": "followup", "name": "lead_form",
                                                                  "timestamp": None} in events
    new = free_demo_slots(res.engine)[0]
    d = CollectingDispatcher()
    events = await ActionSubmitLead().run(d, make_tracker("1", "inform", slots={
        **DETAILS, "lead_id": float(lead_id), "demo_rescheduling": True, "demo_time": new.key}), domain)
    assert texts(d) == (f"Done: your demo has moved from {slot.label} to {new.label}. "
                        "We've emailed the new time to priya@nairdesign.co."), texts(d)
    assert slot_events(events) == {"demo_rescheduling": None, "demo_time": None}
    with session_scope(res.engine) as s:
        assert [(lead.id, lead.demo_time) for lead in s.query(Lead)] == [(lead_id, new.start)]  # moved, not a second lead


async def test_request_demo_about_the_booked_demo_is_not_a_second_booking(res, domain):
    lead_id, slot = _book(res)
    booked = {**DETAILS, "lead_id": float(lead_id)}
    d = CollectingDispatcher()
    events = await ActionStartLead().run(d, make_tracker("reschedule the demo to thursday", "request_demo", slots=booked), domain)
    assert "new time for your demo" in texts(d) and slot_events(events)["demo_rescheduling"] is True
    assert "followup" not in str(events)  # the rule runs lead_form next
    d = CollectingDispatcher()
    events = await ActionStartLead().run(d, make_tracker("is my demo booked", "request_demo", slots=booked), domain)
    assert texts(d).startswith("Your demo is booked") and events[-1]["name"] == "action_listen"
    d = CollectingDispatcher()
    events = await ActionStartLead().run(d, make_tracker("book a demo for my team", "request_demo"), domain)
    assert [m.get("response") for m in d.messages] == ["utter_lead_intro"] and events == []


async def test_cancel_the_demo_frees_the_slot(res, domain):
    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    await ActionAcknowledgeStop().run(d, make_tracker("cancel the demo", "stop", slots={**DETAILS, "lead_id": float(lead_id)}),
                                      domain)
    assert texts(d).startswith(f"Done: your demo on {slot.label} is cancelled"), texts(d)
    assert booked_demo(res.engine, lead_id) is None and slot in free_demo_slots(res.engine)


async def test_without_a_booking_in_this_chat_nothing_changes(res, domain):
    _book(res)  # someone else's
    d = CollectingDispatcher()
    await ActionAcknowledgeStop().run(d, make_tracker("cancel the demo", "stop"), domain)
    assert [m.get("response") for m in d.messages] == ["utter_no_problem"]


async def test_a_question_about_the_booking_read_as_a_yes_gets_the_booking(res, domain):
    """"did it go through ok?" reads as affirm, which no rule follows: the core fallback answers it."""
    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    events = await ActionDefaultFallback().run(d, make_tracker("did it go through ok?", "affirm",
                                                               slots={**DETAILS, "lead_id": float(lead_id)}), domain)
    assert texts(d).startswith(f"Your demo is booked for {slot.label}"), texts(d)
    assert events == [{"event": "rewind", "timestamp": None}]  # the turn is forgotten: no rule follows it


@pytest.mark.parametrize("text", ["hi we're kitting out a new office, about 40 staff, need chairs desks and monitors. "
                                  "do u do bulk pricing?", "we're a school buying 30 tablets, is there a discount?"])
async def test_a_bulk_price_question_opening_the_lead_form_is_answered_after_the_intro(res, domain, text):
    d = CollectingDispatcher()
    await ActionStartLead().run(d, make_tracker(text, "request_demo"), domain)
    assert d.messages[0]["response"] == "utter_lead_intro"
    assert d.messages[1]["text"].startswith("Orders of 10 or more of one product get 5% off that line"), d.messages


@pytest.mark.parametrize("text, picked", [("whenever, mornings are best", 1), ("an afternoon one pls", None),
                                          ("tuesday afternoon", 2), ("monday morning", None), ("morning or afternoon", None)])
def test_a_part_of_the_day_picks_the_one_offered_slot_in_it(text, picked):
    """With the times on screen, the one button in the part of the day typed; two afternoons, or
    none, pick nothing (the free times are offered again, none booked unasked)."""
    import datetime as dt

    from lift.commerce.leads import DemoSlot, match_slot

    offered = [DemoSlot(dt.datetime(2026, 12, 14, 16)), DemoSlot(dt.datetime(2026, 12, 15, 10)),
               DemoSlot(dt.datetime(2026, 12, 15, 14))]
    assert match_slot(text, offered) == (offered[picked] if picked is not None else None)


@pytest.mark.parametrize("text, read_as, becomes", [
    ("is my demo still on?", "view_cart", "ask_question"),  # a question about the demo: answered about the booking ("can we move the demo to wednesday", "checkout", "request_demo"),
    ("ok cancel my demo pls", "cancel_order", "stop"), ("what time is the demo again?", "ask_question", None),
    ("cancel my order", "cancel_order", None),
])
def test_a_message_about_the_demo_booked_is_read_as_such_whatever_the_classifier_said(text, read_as, becomes):
    from lift.nlu.scope import guarded_intent

    ranking = [{"name": read_as, "confidence": 0.6}, {"name": "request_demo", "confidence": 0.2}]
    replaced = guarded_intent(ranking[0], ranking, [], text)
    assert (replaced or {}).get("name") == becomes


@pytest.mark.parametrize("text, kind", [("did it go thru?", "status"), ("cool did that actually book? havent got an email",
                                                                         "status"), ("whats booked now", "status"),
                                        ("is my demo still on?", "status"), ("did my order go through", None)])
def test_more_ways_to_ask_about_the_booking(text, kind):
    assert demo_followup(text) == kind


async def test_did_it_go_thru_read_as_the_cart_gets_the_booking_unless_an_order_came_after(res, domain):
    from actions.cart import ActionViewCart

    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    await ActionViewCart().run(d, make_tracker("did it go thru?", "view_cart", slots={**DETAILS, "lead_id": float(lead_id)}),
                               domain)
    assert texts(d).startswith("Your demo is booked for"), texts(d)
    d = CollectingDispatcher()
    later = [{"event": "slot", "name": "lead_id", "value": float(lead_id)},
             {"event": "slot", "name": "placed_order_id", "value": "LFT100001"}]
    await ActionViewCart().run(d, make_tracker("did it go thru?", "view_cart", events=later,
                                               slots={**DETAILS, "lead_id": float(lead_id)}), domain)
    assert texts(d).startswith("Your cart is empty"), texts(d)


def test_the_offered_day_named_alone_picks_it_and_ppl_is_a_headcount():
    import datetime as dt

    from lift.commerce.leads import DemoSlot, match_slot
    from lift.understanding.people import team_size_in

    offered = [DemoSlot(dt.datetime(2026, 12, 14, 16)), DemoSlot(dt.datetime(2026, 12, 15, 10)),
               DemoSlot(dt.datetime(2026, 12, 15, 14))]
    assert match_slot("the monday one", offered) == offered[0] and match_slot("tuesday", offered) is None
    assert team_size_in("we're 12 ppl, need a demo") == 12


def _booked_events(lead_id, later_messages=0):
    return ([{"event": "slot", "name": "lead_id", "value": float(lead_id)},
             {"event": "bot", "text": "Your demo is booked for ..."}]
            + [{"event": "user", "text": "ok"}] * later_messages)


@pytest.mark.parametrize("text", ["cancel it please", "hmm actually my boss says cancel that", "cancel"])
async def test_cancel_it_right_after_booking_cancels_the_demo(res, domain, text):
    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    await ActionAcknowledgeStop().run(d, make_tracker(text, "stop", slots={**DETAILS, "lead_id": float(lead_id)},
                                                      events=_booked_events(lead_id)), domain)
    assert texts(d).startswith(f"Done: your demo on {slot.label} is cancelled"), texts(d)
    assert booked_demo(res.engine, lead_id) is None


async def test_cancel_it_read_as_cancel_order_just_after_booking_cancels_the_demo_not_asks_an_order(res, domain):
    from actions.orders import ValidateOrderForm

    lead_id, slot = _book(res)
    d = CollectingDispatcher()
    tracker = make_tracker("hmm actually my boss says cancel it", "cancel_order", active_loop="order_form",
                           slots={**DETAILS, "lead_id": float(lead_id), "requested_slot": "order_id"},
                           events=_booked_events(lead_id))
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert texts(d).startswith(f"Done: your demo on {slot.label} is cancelled") and "order number" not in texts(d)
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]
    assert booked_demo(res.engine, lead_id) is None
    again = CollectingDispatcher()  # Rasa validates a second time in the turn that starts the form
    events = await ValidateOrderForm().run(again, tracker, domain)
    assert texts(again) == "" and {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events]
    assert slot_events(events)["order_request"] is None  # so the form's submit rule (action_handle_order) does nothing
    from actions.orders import ActionHandleOrder

    after = CollectingDispatcher()
    assert await ActionHandleOrder().run(after, make_tracker(slots={"order_request": None}), domain) == [] and not after.messages


async def test_cancel_it_long_after_booking_or_after_an_order_is_not_the_demo(res, domain):
    lead_id, _ = _book(res)
    d = CollectingDispatcher()
    await ActionAcknowledgeStop().run(d, make_tracker("cancel it", "stop", slots={**DETAILS, "lead_id": float(lead_id)},
                                                      events=_booked_events(lead_id, later_messages=4)), domain)
    assert [m.get("response") for m in d.messages] == ["utter_no_problem"] and booked_demo(res.engine, lead_id) is not None
    d = CollectingDispatcher()
    shown = _booked_events(lead_id) + [{"event": "user", "text": "where is LFT100001"},
                                        {"event": "slot", "name": "order_id", "value": "LFT100001"}]
    events = await ActionAcknowledgeStop().run(d, make_tracker("cancel it", "stop", slots={
        **DETAILS, "lead_id": float(lead_id), "order_id": "LFT100001"}, events=shown), domain)
    assert slot_events(events) == {"order_id": "LFT100001", "order_request": "cancel", "order_change_confirmed": None}
    assert booked_demo(res.engine, lead_id) is not None


async def test_a_bulk_buyer_asking_the_total_gets_the_sums_before_the_form(res, domain):
    text = "we need 40 laptops for our team, whats the total"
    entities = [{"entity": "category", "value": "laptops", "start": 11, "end": 18},
                {"entity": "quantity", "value": "40", "start": 8, "end": 10}]
    d = CollectingDispatcher()
    await ActionStartLead().run(d, make_tracker(text, "request_demo", entities=entities), domain)
    said = texts(d)
    assert "Nimbus 14 Laptop: 40 × $899.00 = $35,960.00, $34,162.00 with the 5% volume discount" in said, said
    assert [m.get("response") for m in d.messages][0] == "utter_lead_intro"
    plain = CollectingDispatcher()  # no sum asked: the intro alone
    await ActionStartLead().run(plain, make_tracker("we need 40 laptops for our team", "request_demo", entities=entities), domain)
    assert [m.get("response") for m in plain.messages] == ["utter_lead_intro"]


def test_a_yes_to_the_one_time_offered_takes_it(res):
    from lift.commerce.leads import match_slot

    one, two = free_demo_slots(res.engine)[:2]
    assert match_slot("yes that one", [one]) == one and match_slot("ok that works", [one]) == one
    assert match_slot("yes that one", [one, two]) is None  # two offered: which one is still asked
    assert match_slot("no", [one]) is None
