"""A shopper who asked for a person can go back to the assistant while nobody has picked the
ticket up; once an agent has claimed it, the conversation stays theirs."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionRequestHandoff, ActionRestart
from lift.commerce.handoff import claim, get_ticket, queue, withdraw
from tests.support.trackers import make_tracker, slot_events, texts


def paused(tracker: Tracker, ticket_id: int) -> Tracker:
    return Tracker(tracker.sender_id, {**tracker.slots, "handoff_ticket_id": float(ticket_id)}, tracker.latest_message,
                   tracker.events, True, None, {}, "action_listen")


async def _hand_off(domain, sender):
    d = CollectingDispatcher()
    events = await ActionRequestHandoff().run(d, make_tracker("i want a human", "contact_human_agent", sender_id=sender),
                                              domain)
    assert d.messages[0]["buttons"] == [{"title": "Back to the assistant", "payload": "/restart"}]
    return int(slot_events(events)["handoff_ticket_id"])


async def test_back_to_the_assistant_withdraws_a_queued_ticket_and_resumes(res, domain):
    ticket_id = await _hand_off(domain, "changed-mind")
    d = CollectingDispatcher()
    events = await ActionRestart().run(d, paused(make_tracker("/restart", "restart", sender_id="changed-mind",
                                                              slots={"cart": [{"sku": "AUD-001", "qty": 1}]}), ticket_id),
                                       domain)
    assert [e["event"] for e in events] == ["resume", "slot"]  # the cart is kept: no restart
    assert "withdrawn your request" in texts(d)
    assert get_ticket(res.engine, ticket_id).status == "withdrawn"
    assert ticket_id not in [t.id for t in queue(res.engine)]


async def test_a_claimed_ticket_keeps_the_conversation_with_the_agent(res, domain):
    ticket_id = await _hand_off(domain, "waiting")
    claim(res.engine, ticket_id, "Sam")
    d = CollectingDispatcher()
    events = await ActionRestart().run(d, paused(make_tracker("/restart", "restart", sender_id="waiting"), ticket_id), domain)
    assert events == [] and "already looking at your conversation" in texts(d)
    assert get_ticket(res.engine, ticket_id).status == "claimed"


async def test_only_the_shopper_who_asked_can_withdraw(res, domain):
    ticket_id = await _hand_off(domain, "owner")
    assert withdraw(res.engine, ticket_id, "someone-else") is None
    assert get_ticket(res.engine, ticket_id).status == "queued"


async def test_outside_a_pause_restart_is_rasas(res, domain):
    events = await ActionRestart().run(CollectingDispatcher(), make_tracker("/restart", "restart"), domain)
    assert [e["event"] for e in events] == ["restart"]


async def test_typed_back_to_the_assistant_withdraws_too_and_forgets_nothing_when_no_one_is_awaited(res, domain):
    ticket_id = await _hand_off(domain, "typed-it")
    d = CollectingDispatcher()
    events = await ActionRestart().run(d, paused(make_tracker("back to the assistant", "restart", sender_id="typed-it"),
                                                 ticket_id), domain)
    assert [e["event"] for e in events] == ["resume", "slot"] and "withdrawn your request" in texts(d)
    d = CollectingDispatcher()  # not paused: no restart (the cart stays), just a reply
    tracker = make_tracker("back to the assistant", "restart", slots={"cart": [{"sku": "AUD-001", "qty": 1}]})
    assert await ActionRestart().run(d, tracker, domain) == [] and texts(d) == "I'm here. What can I help you with?"
    assert [e["event"] for e in await ActionRestart().run(CollectingDispatcher(), make_tracker("/restart", "restart"),
                                                         domain)] == ["restart"]


async def test_back_to_the_assistant_keeps_a_data_deletion_request(res, domain):
    """"Back to the assistant" after "delete all my personal data and close my account" withdrew the deletion
    request with a plain "I've withdrawn your request for a person": it stays with the team, and says so."""
    ticket_id = await _hand_off(domain, "erase-back")
    asked = [{"event": "user", "text": "I'd like you to delete all my personal data and close my account"},
             {"event": "pause"}]
    d = CollectingDispatcher()
    events = await ActionRestart().run(d, paused(make_tracker("/restart", "restart", sender_id="erase-back", events=asked),
                                                 ticket_id), domain)
    assert [e["event"] for e in events] == ["resume"] and "deletion request stays with our team" in texts(d)
    assert get_ticket(res.engine, ticket_id).status == "queued"
