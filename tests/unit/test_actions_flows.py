"""Lead, onboarding, orders, handoff, fallback and session actions with real Trackers and SQLite."""
import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionDefaultFallback, ActionRequestHandoff
from actions.lead import ActionAskDemoTime, ActionSubmitLead, ValidateLeadForm
from actions.onboarding import ActionAskInterests, ActionCompleteOnboarding, ValidateOnboardingForm
from actions.session import ActionSessionStart
from lift.store.engine import session_scope
from lift.commerce.leads import free_demo_slots
from lift.store.models import CustomerProfile, HandoffTicket, Lead
from tests.support.trackers import ent, make_tracker, slot_events, texts


def form_tracker(form, requested, text, intent="inform", **kw):
    slots = {"requested_slot": requested, **kw.pop("slots", {})}
    return make_tracker(text, intent, active_loop=form, slots=slots, **kw)


@pytest.mark.parametrize("requested,text,slot,expected,response", [
    ("person_name", "jane doe", "person_name", "Jane Doe", None),
    ("person_name", "42", "person_name", None, "utter_wrong_person_name"),
    ("email", "jane at acme", "email", None, "utter_wrong_email"),
    ("company", "Acme Corp", "company", "Acme Corp", None),
    ("team_size", "about 40 people", "team_size", 40.0, None),
    ("team_size", "0", "team_size", None, "utter_wrong_team_size"),
    ("team_size", "lots", "team_size", None, "utter_wrong_team_size"),
    ("demo_time", "tomorrow-ish", "demo_time", None, "utter_wrong_demo_time"),
])
async def test_lead_form_validation(res, domain, requested, text, slot, expected, response):
    d = CollectingDispatcher()
    events = await ValidateLeadForm().run(d, form_tracker("lead_form", requested, text), domain)
    assert slot_events(events)[slot] == expected
    assert [m.get("response") for m in d.messages if m.get("response")] == ([response] if response else [])


async def test_lead_form_leaves_digressions_alone(res, domain):
    d = CollectingDispatcher()
    events = await ValidateLeadForm().run(d, form_tracker("lead_form", "person_name", "what's in my cart", "view_cart"), domain)
    assert "person_name" not in slot_events(events) and d.messages == []


async def test_demo_time_buttons_are_real_free_slots(res, domain):
    d = CollectingDispatcher()
    await ActionAskDemoTime().run(d, make_tracker("", "inform"), domain)
    buttons = d.messages[0]["buttons"]
    free = free_demo_slots(res.engine)
    assert [b["payload"] for b in buttons] == [f'/inform{{"date_time":"{s.key}"}}' for s in free]
    # a pick by payload and by number both validate
    for value, want in ((free[0].key, free[0].key), ("2", free[1].key)):
        d = CollectingDispatcher()
        entities = [ent("date_time", value)] if value == free[0].key else []
        events = await ValidateLeadForm().run(d, form_tracker("lead_form", "demo_time", value, entities=entities), domain)
        assert slot_events(events)["demo_time"] == want


async def test_submit_lead_stores_it_and_books_the_slot(res, domain):
    slot = free_demo_slots(res.engine)[0]
    slots = {"person_name": "Jane Doe", "email": "jane@acme.io", "company": "Acme", "team_size": 40.0, "demo_time": slot.key}
    d = CollectingDispatcher()
    events = await ActionSubmitLead().run(d, make_tracker("", slots=slots, sender_id="lead-1"), domain)
    lead_id = slot_events(events)["lead_id"]
    with session_scope(res.engine) as s:
        lead = s.get(Lead, int(lead_id))
        assert (lead.sender_id, lead.email, lead.team_size, lead.demo_time) == ("lead-1", "jane@acme.io", 40, slot.start)
    assert slot not in free_demo_slots(res.engine)
    assert "Thanks Jane" in texts(d)
    assert slot_events(events)["demo_time"] is None  # another demo in this chat asks for a new time


async def test_submit_lead_for_a_slot_just_taken_offers_the_others(res, domain):
    slot = free_demo_slots(res.engine)[0]
    slots = {"person_name": "Jane Doe", "email": "jane@acme.io", "company": "Acme", "team_size": 40.0, "demo_time": slot.key}
    await ActionSubmitLead().run(CollectingDispatcher(), make_tracker("", slots=slots, sender_id="first"), domain)
    d = CollectingDispatcher()
    events = await ActionSubmitLead().run(d, make_tracker("", slots=slots, sender_id="second"), domain)
    assert "just booked by someone else" in texts(d) and "lead_id" not in slot_events(events)
    assert slot_events(events) == {"demo_time": None}
    assert {"event": "active_loop", "name": "lead_form", "timestamp": None} in events  # asks again, fresh slots
    with session_scope(res.engine) as s:
        assert [lead.sender_id for lead in s.query(Lead)] == ["first"]


async def test_onboarding(res, domain):
    d = CollectingDispatcher()
    events = await ValidateOnboardingForm().run(d, form_tracker("onboarding_form", "interests", "Audio and kitchen"), domain)
    assert slot_events(events)["interests"] == ["audio", "kitchen"]
    d = CollectingDispatcher()
    events = await ValidateOnboardingForm().run(d, form_tracker("onboarding_form", "interests", "spaceships"), domain)
    assert slot_events(events)["interests"] is None and d.messages[0]["response"] == "utter_wrong_interests"
    d = CollectingDispatcher()
    await ActionAskInterests().run(d, make_tracker(), domain)
    assert len(d.messages[0]["buttons"]) == len(res.catalog.categories)
    d = CollectingDispatcher()
    slots = {"email": "sam@example.com", "person_name": "Sam Lee", "interests": ["audio"], "newsletter_opt_in": True}
    events = await ActionCompleteOnboarding().run(d, make_tracker(slots=slots, sender_id="new-1"), domain)
    assert slot_events(events) == {"onboarding_completed": True}
    assert d.messages[0]["custom"]["products"]
    with session_scope(res.engine) as s:
        assert s.get(CustomerProfile, "new-1").newsletter_opt_in is True


async def test_onboarding_keeps_interests_typed_before_they_were_asked(res, domain):
    # asked for the email, the shopper says what they like: kept, and the email asked again
    # without "that doesn't look like a valid email"
    d = CollectingDispatcher()
    events = await ValidateOnboardingForm().run(d, form_tracker("onboarding_form", "email", "audio and smart home"), domain)
    slots = slot_events(events)
    assert slots["interests"] == ["audio", "smart_home"] and "email" not in slots
    assert not any(m.get("response") == "utter_wrong_email" for m in d.messages)
    # once they are known, a later category-only answer does not overwrite them
    d = CollectingDispatcher()
    events = await ValidateOnboardingForm().run(d, form_tracker("onboarding_form", "person_name", "kitchen",
                                                                slots={"interests": ["audio"]}), domain)
    assert "interests" not in slot_events(events)
    # "yes sign me up" where the email was asked is not an answer either
    d = CollectingDispatcher()
    events = await ValidateOnboardingForm().run(d, form_tracker("onboarding_form", "email", "yes sign me up",
                                                                intent="create_account"), domain)
    assert "email" not in slot_events(events) and not d.messages


async def test_handoff_queues_a_ticket_and_pauses(res, domain):
    history = [{"event": "user", "text": "the kettle arrived broken", "parse_data": {"intent": {"name": "complaint"}}}]
    d = CollectingDispatcher()
    events = await ActionRequestHandoff().run(d, make_tracker("I want a human", "contact_human_agent", events=history,
                                                              sender_id="angry"), domain)
    ticket_id = int(slot_events(events)["handoff_ticket_id"])
    assert {"event": "pause", "timestamp": None} in events
    with session_scope(res.engine) as s:
        ticket = s.get(HandoffTicket, ticket_id)
        assert ticket.reason == "user_request" and "kettle arrived broken" in ticket.summary and ticket.channel == "rest"
    assert f"#{ticket_id}" in texts(d)


async def test_fallback_hands_off_only_after_the_rephrase_failed(res, domain):
    d = CollectingDispatcher()
    events = await ActionDefaultFallback().run(d, make_tracker("asdf qwer", "nlu_fallback"), domain)
    assert any(e["event"] == "pause" for e in events)
    d = CollectingDispatcher()
    events = await ActionDefaultFallback().run(d, make_tracker("hmm", "greet"), domain)
    assert [e["event"] for e in events] == ["rewind"] and d.messages[0]["response"] == "utter_default"


async def test_session_start_assigns_the_running_experiment_once(res, domain):
    import sqlalchemy as sa

    from lift.store.models import ExperimentAssignment

    d = CollectingDispatcher()
    a = await ActionSessionStart().run(d, make_tracker(sender_id="alice", slots={"email": "a@b.io"}), domain)
    b = await ActionSessionStart().run(d, make_tracker(sender_id="alice"), domain)
    assert a[0]["event"] == "session_started" and a[-1]["event"] == "action"
    assert slot_events(a)["email"] == "a@b.io"
    assert res.experiments.flush()
    with res.engine.connect() as conn:
        rows = conn.execute(sa.select(ExperimentAssignment.__table__)).all()
    # experiments.yml runs aa_calibration: one row, and the slot carries its variant.
    assert [(r.sender_id, r.experiment) for r in rows] == [("alice", "aa_calibration")]
    assert slot_events(a)["variant"] == slot_events(b)["variant"] == rows[0].variant
    assert rows[0].variant in ("control", "control_b")


async def test_returning_conversation_keeps_its_stored_variant(res, domain):
    """A new session of a known conversation reads the stored row (sticky even if the hash
    would now say otherwise); a brand-new conversation is assigned without a lookup."""
    import sqlalchemy as sa

    from lift.store.models import ExperimentAssignment
    from lift.measure.variants import variant_for

    exp = res.experiments.config.experiment("aa_calibration")
    hashed = variant_for("bob", exp.weights, salt=exp.hash_salt)
    stored = next(v for v in exp.variant_names if v != hashed)
    with res.engine.begin() as conn:
        conn.execute(sa.insert(ExperimentAssignment.__table__), [
            {"sender_id": "bob", "experiment": "aa_calibration", "variant": stored,
             "assigned_at": dt.datetime(2026, 1, 1)}])
    earlier = [{"event": "session_started", "timestamp": 1.0}]
    returning = await ActionSessionStart().run(CollectingDispatcher(), make_tracker(sender_id="bob", events=earlier), domain)
    assert slot_events(returning)["variant"] == stored


async def test_session_start_sets_the_greeting_variant_of_the_greeting_experiment(res, domain):
    from lift.experiments.rollout import set_experiment_status

    d = CollectingDispatcher()
    draft = await ActionSessionStart().run(d, make_tracker(sender_id="gina"), domain)
    assert slot_events(draft)["greeting_variant"] is None  # draft: the default greeting
    set_experiment_status(res.engine, res.experiments.config, "greeting_copy", "ship", variant="shop_first",
                          actor="t", reason="test")
    res.experiments.refresh()
    shipped = await ActionSessionStart().run(d, make_tracker(sender_id="gina", slots={"greeting_variant": None}), domain)
    assert slot_events(shipped)["greeting_variant"] == "shop_first"
