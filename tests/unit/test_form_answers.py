"""Plain answers to the lead and onboarding questions are taken whatever intent the classifier
gave them ("ten" and "Pat" read as stop, "Kettle & Co" as a product search); a real stop still
stops. Intents and entities below are what the trained model gives these messages (real
rasa_sdk Trackers, the real validation actions, the real catalog and a throwaway database)."""
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.form_stop import ActionStopForm
from actions.lead import ValidateLeadForm
from actions.onboarding import ValidateOnboardingForm
from lift.understanding.answers import plain_answer, says_stop
from tests.support.trackers import make_tracker, slot_events

ROOT = Path(__file__).resolve().parents[2]
REAL_STOPS = [("stop", "stop"), ("forget it", "stop"), ("never mind", "stop"), ("i'd rather not", "deny"),
              ("cancel", "stop")]
VALIDATORS = {"lead_form": ValidateLeadForm, "onboarding_form": ValidateOnboardingForm}


def quantity(text, value):
    return [{"entity": "quantity", "value": value, "start": 0, "end": len(text)}]


def product(start, end, value="Kettle"):
    return [{"entity": "product", "value": value, "start": start, "end": end}]


def asked(form, requested, text, intent, entities=None, slots=None):
    return make_tracker(text, intent, active_loop=form, entities=entities,
                        slots={"requested_slot": requested, **(slots or {})})


async def validate(domain, form, requested, text, intent, entities=None):
    d = CollectingDispatcher()
    events = await VALIDATORS[form]().run(d, asked(form, requested, text, intent, entities), domain)
    return slot_events(events), d


# --- the shapes, plain Python -----------------------------------------------------------------

@pytest.mark.parametrize("slot,text,expected", [
    ("team_size", "ten", 10), ("team_size", "10", 10), ("team_size", "about 25", 25), ("team_size", "a dozen", 12),
    ("team_size", "we're 12 people", 12), ("team_size", "one moment", None), ("team_size", "10 or 20", None),
    ("person_name", "Pat", "Pat"), ("person_name", "Kim Lee", "Kim Lee"), ("person_name", "pat", "Pat"),
    ("person_name", "bye", None), ("person_name", "what's in my cart", None), ("person_name", "show me kettles", None),
    ("company", "Kettle & Co", "Kettle & Co"), ("company", "Kim LLC", "Kim LLC"),
    ("company", "The Kettle Shop", "The Kettle Shop"), ("company", "show me kettles", None),
    ("company", "do you have kettles?", None), ("email", "pat@example.com", None),
])
def test_plain_answer_shapes(slot, text, expected):
    assert plain_answer(slot, text) == expected


def test_a_product_name_alone_is_not_a_company_or_a_name():
    assert plain_answer("company", "Swift Electric Kettle", [(0, 21)]) is None
    assert plain_answer("person_name", "Aria", [(0, 4)]) is None
    assert plain_answer("company", "Kettle & Co", [(0, 6)]) == "Kettle & Co"  # more than the product


@pytest.mark.parametrize("text", ["stop", "forget it", "never mind", "i'd rather not", "cancel", "no thanks",
                                  "I don't want to continue"])
def test_real_stops(text):
    assert says_stop(text)
    assert all(plain_answer(slot, text) is None for slot in ("person_name", "company", "team_size"))


@pytest.mark.parametrize("text", ["ten", "Pat", "Kim Lee", "Kettle & Co", "stop.watch@example.com"])
def test_answers_are_not_stops(text):
    assert not says_stop(text)


# --- the validation actions take the answer ----------------------------------------------------

@pytest.mark.parametrize("text,intent,entities,expected", [
    ("ten", "stop", quantity("ten", "10"), 10.0),
    ("10", "inform", quantity("10", "10"), 10.0),
    ("about 25", "stop", [{"entity": "quantity", "value": 25, "start": 6, "end": 8}], 25.0),
    ("a dozen", "out_of_scope", quantity("a dozen", 12), 12.0),
])
async def test_lead_form_takes_a_team_size_read_as_another_intent(res, domain, text, intent, entities, expected):
    slots, d = await validate(domain, "lead_form", "team_size", text, intent, entities)
    assert slots["team_size"] == expected and d.messages == []


@pytest.mark.parametrize("form", ["lead_form", "onboarding_form"])
@pytest.mark.parametrize("text,expected", [("Pat", "Pat"), ("Kim Lee", "Kim Lee")])
async def test_a_short_name_read_as_stop_is_the_name(res, domain, form, text, expected):
    slots, d = await validate(domain, form, "person_name", text, "stop")
    assert slots["person_name"] == expected and d.messages == []


@pytest.mark.parametrize("text,intent,entities", [
    ("Kettle & Co", "search_product", product(0, 6)),
    ("The Kettle Shop", "search_product", product(4, 10)),
    ("Aria Ltd", "search_product", product(0, 4, "Aria")),
])
async def test_a_company_named_after_a_product_is_the_company(res, domain, text, intent, entities):
    slots, d = await validate(domain, "lead_form", "company", text, intent, entities)
    assert slots["company"] == text and d.messages == []


async def test_a_product_search_at_the_company_question_is_still_a_search(res, domain):
    for text in ("show me kettles", "Swift Electric Kettle"):
        start = text.lower().index("kettle")
        slots, _ = await validate(domain, "lead_form", "company", text, "search_product",
                                  product(0, len(text)) if text[0].isupper() else product(start, start + 7))
        assert "company" not in slots, text


@pytest.mark.parametrize("form,requested", [("lead_form", "person_name"), ("lead_form", "email"),
                                            ("lead_form", "company"), ("lead_form", "team_size"),
                                            ("onboarding_form", "email"), ("onboarding_form", "person_name")])
@pytest.mark.parametrize("text,intent", REAL_STOPS)
async def test_a_real_stop_is_never_an_answer(res, domain, form, requested, text, intent):
    slots, d = await validate(domain, form, requested, text, intent)
    assert requested not in slots and d.messages == []  # nothing taken: the form rejects, the stop rule runs


# --- action_stop_form (rules "stop lead_form", "deny inside lead_form", same for onboarding) -----

def kinds(events):
    return [(e["event"], e.get("name")) for e in events]


@pytest.mark.parametrize("form,requested,text,entities,slot,value", [
    ("lead_form", "team_size", "ten", quantity("ten", "10"), "team_size", 10.0),
    ("lead_form", "person_name", "Pat", None, "person_name", "Pat"),
    ("onboarding_form", "person_name", "Pat", None, "person_name", "Pat"),
])
async def test_stop_that_answers_the_question_goes_on(res, domain, form, requested, text, entities, slot, value):
    d = CollectingDispatcher()
    events = await ActionStopForm().run(d, asked(form, requested, text, "stop", entities), domain)
    assert slot_events(events)[slot] == value
    assert ("followup", form) in kinds(events) and ("active_loop", None) not in kinds(events)


@pytest.mark.parametrize("form,requested", [("lead_form", "company"), ("lead_form", "team_size"),
                                            ("onboarding_form", "person_name"), ("onboarding_form", "interests")])
@pytest.mark.parametrize("text,intent", REAL_STOPS)
async def test_a_real_stop_ends_the_form(res, domain, form, requested, text, intent):
    d = CollectingDispatcher()
    events = await ActionStopForm().run(d, asked(form, requested, text, intent), domain)
    assert ("active_loop", None) in kinds(events) and slot_events(events) == {"requested_slot": None}
    assert not any(e["event"] == "followup" for e in events) and d.messages == []


def test_the_stop_rules_use_the_shared_action():
    for topic, form in (("lead", "lead_form"), ("onboarding", "onboarding_form")):
        rules = {r["rule"]: r for r in yaml.safe_load((ROOT / "data" / "rules" / f"{topic}.yml").read_text())["rules"]}
        for name in (f"stop {form}", f"deny inside {form}"):
            steps = rules[name]["steps"]
            assert steps[1] == {"action": "action_stop_form"} and steps[-1] == {"action": "utter_form_stopped"}, name
