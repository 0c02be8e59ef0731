"""The fallback's wording: plain-language offers, never an intent name; a person on the
second low-confidence turn in a row (lift.nlu.fallback and actions/fallback.py)."""
import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionOfferOptions
from lift.store.engine import session_scope
from lift.store.models import HandoffTicket
from lift.nlu.fallback import DEFAULT_OFFERS, LABELS, is_repeated_fallback, suggest
from lift.nlu.intents import SALES_INTENTS, SUPPORT_INTENTS
from tests.support.trackers import make_tracker, texts

INTENT_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")
ALL_INTENTS = set(SUPPORT_INTENTS) | set(SALES_INTENTS) | {"out_of_scope", "nlu_fallback"}


def ranking(*names):
    return [{"name": n, "confidence": round(0.4 - i * 0.05, 2)} for i, n in enumerate(names)]


def test_labels_are_plain_words_for_known_intents():
    assert set(LABELS) <= ALL_INTENTS
    for intent, label in LABELS.items():
        assert label[0].isupper() and not INTENT_NAME.search(label) and label.lower() != intent.replace("_", " ")
    # every support intent and every shopping request can be offered
    assert set(SUPPORT_INTENTS) <= set(LABELS)
    assert {"search_product", "add_to_cart", "view_cart", "checkout", "request_demo"} <= set(LABELS)


def test_suggest_takes_the_likeliest_requests_in_order_one_per_label():
    offers = suggest(ranking("nlu_fallback", "check_invoice", "get_invoice", "affirm", "track_order", "checkout", "view_cart"))
    assert [o.intent for o in offers] == ["check_invoice", "track_order", "checkout"]
    assert [o.label for o in offers] == ["Get an invoice", "Track my order", "Check out and pay"]
    assert offers[0].button() == {"title": "Get an invoice", "payload": "/check_invoice"}


def test_suggest_ignores_small_talk_and_tops_up_with_defaults():
    offers = suggest(ranking("nlu_fallback", "greet", "affirm", "deny", "inform", "out_of_scope", "delivery_period"))
    assert offers[0].intent == "delivery_period"
    assert [o.intent for o in offers[1:]] == list(DEFAULT_OFFERS[:2])
    assert [o.intent for o in suggest(None)] == list(DEFAULT_OFFERS)


def test_repeated_fallback_counts_consecutive_turns_in_the_session():
    def user(intent):
        return {"event": "user", "parse_data": {"intent": {"name": intent}}}

    assert not is_repeated_fallback([user("nlu_fallback")])
    assert is_repeated_fallback([user("greet"), user("nlu_fallback"), user("nlu_fallback")])
    assert not is_repeated_fallback([user("nlu_fallback"), user("track_order"), user("nlu_fallback")])
    assert not is_repeated_fallback([user("nlu_fallback"), {"event": "session_started"}, user("nlu_fallback")])


async def test_first_fallback_offers_buttons_in_plain_words(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("my thingy from last week is wonky", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = ranking("nlu_fallback", "complaint", "track_order", "greet", "get_refund")
    events = await ActionOfferOptions().run(d, tracker, domain)
    assert events == []
    [message] = d.messages
    assert "not sure" in message["text"] and not INTENT_NAME.search(message["text"])
    assert [b["title"] for b in message["buttons"]] == ["Make a complaint", "Track my order", "Get a refund"]
    assert not any(name in texts(d) for name in ALL_INTENTS)


async def test_second_fallback_in_a_row_hands_over_to_a_person(res, domain):
    d = CollectingDispatcher()
    first = {"event": "user", "text": "blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    tracker = make_tracker("zzzz qqq", "nlu_fallback", events=[first, {"event": "action", "name": "action_offer_options"}])
    events = await ActionOfferOptions().run(d, tracker, domain)
    assert any(e["event"] == "pause" for e in events)
    ticket_id = int(next(e["value"] for e in events if e.get("name") == "handoff_ticket_id"))
    with session_scope(res.engine) as s:
        assert s.get(HandoffTicket, ticket_id).reason == "fallback"
    assert "person" in d.messages[0]["text"] and f"#{ticket_id}" in texts(d)
    assert not INTENT_NAME.search(d.messages[0]["text"])


@pytest.mark.parametrize("response", ["utter_out_of_scope", "utter_default"])
def test_out_of_scope_wording_states_the_scope_in_plain_words(domain, response):
    [variant] = domain["responses"][response]
    assert "help" in variant["text"] and not INTENT_NAME.search(variant["text"])
    if response == "utter_out_of_scope":
        assert all(not INTENT_NAME.search(b["title"]) for b in variant["buttons"])


async def _out_of_scope(text, **slots):
    from actions.fallback import ActionReplyOutOfScope

    d = CollectingDispatcher()
    events = await ActionReplyOutOfScope().run(d, make_tracker(text, "out_of_scope", slots=slots), {})
    return d, events


async def test_out_of_scope_gets_the_scope_statement(res):
    d, events = await _out_of_scope("what's the weather like in paris tomorrow", last_product="AUD-001")
    assert [m.get("response") for m in d.messages] == ["utter_out_of_scope"] and events == []


async def test_a_stock_follow_up_about_the_product_on_screen_is_answered(res):
    d, _ = await _out_of_scope("how many left", last_product="AUD-001")
    assert "Aria Wireless Headphones" in texts(d) and not any(m.get("response") for m in d.messages)


async def test_a_search_typed_with_typos_shows_the_department(res):
    d, events = await _out_of_scope("hedphones wireles noise cancel")
    assert not any(m.get("response") == "utter_out_of_scope" for m in d.messages)
    assert any(e.get("name") == "last_shown" and "AUD-002" in (e.get("value") or []) for e in events)


async def test_a_misspelt_request_for_a_person_read_as_out_of_scope_hands_off(res):
    d, events = await _out_of_scope("i wnat to spek to ur maneger NOW")
    assert any(e["event"] == "pause" for e in events) and "ticket #" in texts(d)


async def test_a_question_read_as_out_of_scope_inside_the_lead_form_gets_the_knowledge_bases_answer(res, domain):
    from actions.fallback import ActionReplyOutOfScope

    d = CollectingDispatcher()
    tracker = make_tracker("i dont want to give my name i just want to know if net 30 is possible", "out_of_scope",
                           active_loop="lead_form", slots={"requested_slot": "person_name"})
    await ActionReplyOutOfScope().run(d, tracker, domain)
    assert "net-30" in texts(d) and "policy:wholesale" in texts(d) and "outside what I can help with" not in texts(d)
    outside = CollectingDispatcher()  # no form: the scope statement, as before
    await ActionReplyOutOfScope().run(outside, make_tracker("whats the weather in paris", "out_of_scope"), domain)
    assert outside.messages[0].get("response") == "utter_out_of_scope"


@pytest.mark.parametrize("text, language", [
    ("quiero comprar una cafetera", "Spanish"), ("meine Bestellung ist nicht angekommen", "German"),
    ("où est ma commande?", "French"), ("ik wil mijn bestelling annuleren", "Dutch"),
])
async def test_a_message_in_another_language_is_told_english_only(res, domain, text, language):
    """It got the options or the scope statement with no word that only English is understood."""
    d = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback")
    tracker.latest_message["intent_ranking"] = ranking("nlu_fallback", "search_product", "track_order")
    await ActionOfferOptions().run(d, tracker, domain)
    assert d.messages[0]["text"] == f"Sorry, I can only chat in English for now, and your message looks like {language}."
    assert d.messages[1]["buttons"]  # the options still follow
    d, _ = await _out_of_scope(text)
    assert language in d.messages[0]["text"] and d.messages[1].get("response") == "utter_out_of_scope"


@pytest.mark.parametrize("text", ["i wnat to know abt ur retrns polcy", "g'day mate, after some earbuds that'll cop a beating",
                                  "what's the weather like in paris tomorrow", "bye bot", "la la la"])
def test_english_typed_loosely_is_not_another_language(text):
    from lift.understanding.language import other_language

    assert other_language(text) is None


async def test_a_number_that_will_do_read_as_out_of_scope_sets_the_cart_line(res):
    """"Actually two will do, we've only got so much counter space." (out of scope) left the 3 in the cart."""
    d, events = await _out_of_scope("Actually two will do, we've only got so much counter space.",
                                    cart=[{"sku": "KIT-002", "qty": 3, "unit_price": "449.00"}], last_product="KIT-002")
    assert events == [{"event": "followup", "timestamp": None, "name": "action_remove_from_cart"}], (events, texts(d))
