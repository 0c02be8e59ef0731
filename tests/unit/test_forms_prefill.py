"""Forms take every slot the message already carries: entities come from the real extractor
(lift.rasa_plugins.entity_parsers) and the real email regex, the form validators are the real ones."""
import datetime as dt
import re
from pathlib import Path

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.lead import ActionAskDemoTime, ValidateLeadForm
from actions.onboarding import ValidateOnboardingForm
from lift.commerce.leads import free_demo_slots
from lift.rasa_plugins.entity_parsers import extract
from lift.understanding.dates import When
from tests.support.trackers import make_tracker, slot_events

ROOT = Path(__file__).resolve().parents[2]
DANA = "Hi, I'm Dana Whitfield from Whitfield Interiors (dana@whitfield.com). Can we book a demo?"


def email_entities(text):
    """What RegexEntityExtractor reports, with the project's own email regex."""
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "regex.yml").read_text())["nlu"]
    pattern = next(r["examples"] for r in nlu if r.get("regex") == "email").strip()[2:]
    return [{"entity": "email", "value": m.group(0), "start": m.start(), "end": m.end()} for m in re.finditer(pattern, text)]


def parsed(text, now=None):
    existing = email_entities(text)
    return existing + extract(text, existing, now or dt.datetime.now(dt.timezone.utc))


async def activate(form, domain, text, intent, slots=None):
    """The form validation call Rasa makes when the form starts (no requested slot yet)."""
    d = CollectingDispatcher()
    tracker = make_tracker(text, intent, entities=parsed(text), slots=slots or {})
    return slot_events(await form.run(d, tracker, domain)), d


async def test_lead_form_is_prefilled_from_the_introduction(res, domain):
    # Rasa's from_entity mapping has already put the email in its slot (action_extract_slots)
    slots, d = await activate(ValidateLeadForm(), domain, DANA, "request_demo", {"email": "dana@whitfield.com"})
    assert slots["person_name"] == "Dana Whitfield" and slots["company"] == "Whitfield Interiors"
    assert "demo_time" not in slots and "team_size" not in slots
    assert d.messages == []  # nothing re-asked, no complaint
    required = domain["forms"]["lead_form"]["required_slots"]
    filled = {"email": "dana@whitfield.com", **slots}
    assert next(s for s in required if filled.get(s) is None) == "team_size"


async def test_a_headcount_said_in_passing_is_taken(res, domain):
    for text, size in (("we're a company of 200 people and want to buy laptops in bulk", 200),
                       ("hey can someone call me back about a wholesale order? I'm Tom from Acme, tom@acme.com, 50 staff", 50),
                       ("book a demo for a team of twelve please", 12)):
        slots, d = await activate(ValidateLeadForm(), domain, text, "request_demo")
        assert slots["team_size"] == size and d.messages == [], text
    # a number of products is not a headcount; a size already given is kept
    slots, _ = await activate(ValidateLeadForm(), domain, "we want 200 laptops, can we talk to sales", "request_demo")
    assert "team_size" not in slots
    slots, _ = await activate(ValidateLeadForm(), domain, "we're 35 strong now", "inform", {"team_size": 20.0})
    assert "team_size" not in slots


async def test_name_entity_is_taken_while_another_slot_is_asked(res, domain):
    text = "this is Tom Becker at Globex Corp"
    d = CollectingDispatcher()
    tracker = make_tracker(text, "inform", entities=parsed(text), active_loop="lead_form",
                           slots={"requested_slot": "email", "person_name": None})
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    assert slots["person_name"] == "Tom Becker" and slots["company"] == "Globex Corp"


async def test_onboarding_takes_the_name_too(res, domain):
    text = "I'd like to create an account, my name is priya nair"
    slots, _ = await activate(ValidateOnboardingForm(), domain, text, "start_onboarding")
    assert slots["person_name"] == "Priya Nair"


async def test_demo_time_from_a_date_in_the_request(res, domain):
    free = free_demo_slots(res.engine)
    wanted = free[1]
    value = When(wanted.start.replace(tzinfo=dt.timezone.utc)).to_value()
    entities = [{"entity": "date_time", "value": value, "start": 0, "end": 5}]
    d = CollectingDispatcher()
    tracker = make_tracker("can we book a demo then", "request_demo", entities=entities)
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    assert slots["demo_time"] == wanted.key and d.messages == []


async def test_demo_time_window_with_several_free_slots_offers_exactly_those(res, domain):
    free = free_demo_slots(res.engine, count=12)
    day = free[-1].start.date()
    on_day = [s for s in free_demo_slots(res.engine, count=40) if s.start.date() == day]
    assert len(on_day) > 1
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc)
    window = When(start, start + dt.timedelta(days=1)).to_value()
    entities = [{"entity": "date_time", "value": window, "start": 0, "end": 5}]
    d = CollectingDispatcher()
    tracker = make_tracker("that day works", "inform", entities=entities, active_loop="lead_form",
                           slots={"requested_slot": "demo_time"})
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    assert slots["demo_time"] is None and d.messages == []  # not a guess
    ask = CollectingDispatcher()
    await ActionAskDemoTime().run(ask, tracker, domain)
    offered = [b["payload"] for b in ask.messages[0]["buttons"]]
    assert offered == [f'/inform{{"date_time":"{s.key}"}}' for s in on_day]


async def test_a_number_typed_picks_from_the_times_just_offered_not_the_first_free_ones(res, domain):
    """"wednesday afternoon" -> Wed 14:00, 16:00 offered; "1" books Wed 14:00, not the first free slot."""
    free = free_demo_slots(res.engine, count=40)
    day = free[20].start.date()
    on_day = [s for s in free if s.start.date() == day]
    assert len(on_day) > 1 and on_day[0] != free[0]
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc)
    window = When(start, start + dt.timedelta(days=1)).to_value()
    asked = make_tracker("that day", "inform", entities=[{"entity": "date_time", "value": window, "start": 0, "end": 3}],
                         active_loop="lead_form", slots={"requested_slot": "demo_time"})
    ask = CollectingDispatcher()
    await ActionAskDemoTime().run(ask, asked, domain)
    bot = {"event": "bot", "text": ask.messages[0]["text"], "data": {"buttons": ask.messages[0]["buttons"]}}
    for typed, want in (("1", on_day[0]), ("the second one", on_day[1])):
        tracker = make_tracker(typed, "inform", active_loop="lead_form", slots={"requested_slot": "demo_time"},
                               events=list(asked.events) + [bot])
        slots = slot_events(await ValidateLeadForm().run(CollectingDispatcher(), tracker, domain))
        assert slots["demo_time"] == want.key, typed


async def test_a_taken_time_is_refused_and_the_next_free_ones_offered(res, domain):
    sunday = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=(6 - dt.datetime.utcnow().weekday()) % 7 + 7)
    value = When(sunday.replace(hour=10, minute=0, second=0, microsecond=0)).to_value()  # no demos on Sundays
    entities = [{"entity": "date_time", "value": value, "start": 0, "end": 5}]
    d = CollectingDispatcher()
    tracker = make_tracker("sunday at 10am", "inform", entities=entities, active_loop="lead_form",
                           slots={"requested_slot": "demo_time"})
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    assert slots["demo_time"] is None
    ask = CollectingDispatcher()
    await ActionAskDemoTime().run(ask, tracker, domain)
    assert "no free demo slot at that time" in ask.messages[0]["text"] and len(ask.messages[0]["buttons"]) == 3


async def test_a_time_between_slots_is_answered_with_the_closest_free_ones(res, domain):
    from lift.commerce.leads import free_demo_slots

    # a weekday at 15:00 UTC two weeks ahead: no demo then; 14:00 and 16:00 that day are the closest
    day = (dt.datetime.utcnow() + dt.timedelta(days=14)).date()
    while day.weekday() != 1:  # a Tuesday
        day += dt.timedelta(days=1)
    wanted = dt.datetime.combine(day, dt.time(15), tzinfo=dt.timezone.utc)
    entities = [{"entity": "date_time", "value": When(wanted).to_value(), "start": 0, "end": 5}]
    tracker = make_tracker("tuesday at 3pm", "inform", entities=entities, active_loop="lead_form",
                           slots={"requested_slot": "demo_time"})
    ask = CollectingDispatcher()
    await ActionAskDemoTime().run(ask, tracker, domain)
    text, buttons = ask.messages[0]["text"], ask.messages[0]["buttons"]
    keys = [b["payload"].split('"')[-2] for b in buttons]
    assert "no free demo slot at that time" in text and "closest" in text
    assert f"{day.isoformat()}T14:00" in keys and f"{day.isoformat()}T16:00" in keys
    assert keys == sorted(keys) and len(keys) == 3
    assert keys != [s.key for s in free_demo_slots(res.engine)]  # not simply the next free ones


async def test_a_question_typed_where_the_email_is_asked_is_no_wrong_email(res, domain):
    """Onboarding asks for the email; "do i need one to order?" is answered (or acknowledged), the
    email asked again, never "that doesn't look like a valid email address"."""
    tracker = make_tracker("do i need one to order?", "place_order", active_loop="onboarding_form",
                           slots={"requested_slot": "email"})
    d = CollectingDispatcher()
    slots = slot_events(await ValidateOnboardingForm().run(d, tracker, domain))
    assert slots.get("email", "unset") in (None, "unset")
    said = " ".join(m.get("text") or "" for m in d.messages)
    assert said and "doesn't look like" not in said and all(m.get("response") != "utter_wrong_email" for m in d.messages)


async def test_declining_the_demo_inside_the_lead_form_ends_it_and_answers(res, domain):
    """"I don't need a demo for chairs, I just want the price for 25 chairs", the guard having read it
    as a price question: the form stops, the price is given, and no lead is saved."""
    from actions.lead import ActionSubmitLead
    from tests.support.trackers import texts

    text = "I don't need a demo for chairs, I just want the price for 25 chairs"
    tracker = make_tracker(text, "ask_price", active_loop="lead_form", slots={"requested_slot": "person_name"},
                           entities=[{"entity": "category", "value": "chairs"}, {"entity": "quantity", "value": 25}])
    d = CollectingDispatcher()
    events = await ValidateLeadForm().run(d, tracker, domain)
    assert [e["name"] for e in events if e["event"] == "active_loop"] == [None]
    assert texts(d).startswith("No problem, no demo then.") and "$" in texts(d)
    d = CollectingDispatcher()
    assert await ActionSubmitLead().run(d, make_tracker(slots={"person_name": None}), domain) == [] and not d.messages
    # every detail given, then the demo declined: still nothing saved or booked
    known = {"person_name": "Marcus Lee", "email": "marcus@fernhill.io", "company": "Fernhill Dental Group",
             "team_size": 12.0, "demo_time": None}
    assert await ActionSubmitLead().run(d, make_tracker(text, "ask_price", slots=known), domain) == [] and not d.messages


async def test_a_demo_time_typed_after_the_offer_picks_the_offered_slot(res, domain):
    """Offered Mon 14 Dec 10:00 and 14:00; "monday at 10 please" has a date_time entity for the coming
    Monday (the 7th), but the shopper means the Monday on offer."""
    from lift.commerce.leads import free_demo_slots

    free = free_demo_slots(res.engine, count=60)
    mondays = [s for s in free if s.start.weekday() == 0]
    monday = [s for s in mondays if s.start.date() > mondays[0].start.date()][:1]  # not the coming Monday
    payload = '/inform{{"date_time":"{}"}}'
    offer = {"event": "bot", "text": "When suits you?", "data": {"buttons": [
        {"title": s.label, "payload": payload.format(s.key)} for s in monday]}}
    day = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[monday[0].start.weekday()]
    text = f"{day} at {monday[0].start.hour} please"
    coming = mondays[0].start.strftime("%Y-%m-%dT") + monday[0].start.strftime("%H:%M:00+00:00")
    tracker = make_tracker(text, "inform", active_loop="lead_form", slots={"requested_slot": "demo_time"},
                           events=[offer], entities=[{"entity": "date_time", "value": coming}])
    out = ValidateLeadForm().validate_demo_time(coming, CollectingDispatcher(), tracker, domain)
    assert out == {"demo_time": monday[0].key}
