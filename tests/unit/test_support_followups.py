"""After a support answer ("my card keeps getting declined" → the payments policy), a follow-up the
bot doesn't understand ("i tried 3 times already", "yeah checked spam") or the same question again
gets a person offered, not the bot's scope or "can't help". Real Trackers, domain, SQLite store."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionOfferOptions, ActionReplyOutOfScope
from actions.handoff import ActionDefaultFallback
from tests.support.trackers import make_tracker, texts

OFFER = [{"title": "Talk to a person", "payload": "/contact_human_agent"}, {"title": "No thanks", "payload": "/deny"}]


def _asked(intent):
    return [{"event": "user", "text": "my card keeps getting declined", "parse_data": {"intent": {"name": intent}}},
            {"event": "action", "name": "action_answer_question"}]


@pytest.mark.parametrize("action, text, intent", [
    (ActionReplyOutOfScope, "i tried 3 times already", "out_of_scope"),
    (ActionDefaultFallback, "yeah checked spam", "affirm"),
    (ActionOfferOptions, "still nothing", "nlu_fallback"),
])
async def test_a_followup_not_understood_after_a_support_answer_offers_a_person(res, domain, action, text, intent):
    d = CollectingDispatcher()
    events = await action().run(d, make_tracker(text, intent, events=_asked("payment_issue"),
                                                slots={"kb_doc_id": "policy:payments#declined"}), domain)
    assert texts(d).startswith("Sorry that didn't sort it out.") and d.messages[0]["buttons"] == OFFER, texts(d)
    assert events == ([{"event": "rewind", "timestamp": None}] if action is ActionDefaultFallback else [])


async def test_after_a_sales_answer_the_scope_statement_stays(res, domain):
    d = CollectingDispatcher()
    await ActionReplyOutOfScope().run(d, make_tracker("i tried 3 times already", "out_of_scope", events=_asked("ask_question"),
                                                      slots={"kb_doc_id": "policy:payments#declined"}), domain)
    assert [m.get("response") for m in d.messages] == ["utter_out_of_scope"]


@pytest.mark.parametrize("text", ["ok what now", "that didn't help at all", "yeah checked spam already"])
async def test_stuck_after_a_support_answer_read_as_a_question_offers_a_person(res, domain, text):
    from actions.knowledge import ActionAnswerQuestion

    d = CollectingDispatcher()
    await ActionAnswerQuestion().run(d, make_tracker(text, "ask_question", events=_asked("recover_password"),
                                                     slots={"kb_doc_id": "policy:account-security#reset"}), domain)
    assert texts(d).startswith("Sorry that didn't sort it out.") and d.messages[0]["buttons"] == OFFER, texts(d)


@pytest.mark.parametrize("action, intent", [(ActionReplyOutOfScope, "out_of_scope"), (ActionDefaultFallback, "affirm"),
                                            (ActionOfferOptions, "nlu_fallback")])
async def test_a_typed_yes_to_a_person_offered_hands_off(res, domain, action, intent):
    offered = [{"event": "bot", "text": "Would you like to talk to a person from our team?",
                "data": {"buttons": OFFER}}]
    d = CollectingDispatcher()
    events = await action().run(d, make_tracker("yes i tried resetting it like 5 times", intent, events=offered), domain)
    assert "I've passed your conversation to our support team" in texts(d), texts(d)
    assert any(e.get("event") == "pause" for e in events)


async def test_a_new_question_not_understood_after_a_support_answer_gets_the_options_not_a_person(res, domain):
    d = CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.15}, {"name": "request_demo", "confidence": 0.28},
               {"name": "ask_question", "confidence": 0.2}, {"name": "search_product", "confidence": 0.1}]
    tracker = make_tracker("how many in stock", "nlu_fallback", events=_asked("payment_issue"),
                           slots={"kb_doc_id": "policy:payments#declined"})
    tracker.latest_message["intent_ranking"] = ranking
    await ActionOfferOptions().run(d, tracker, domain)
    assert not texts(d).startswith("Sorry that didn't sort it out."), texts(d)
