"""A question about the demo itself is answered, with its source, and then the demo is offered; a
real demo request or a business-account enquiry still opens the lead form (SPEC: request_demo).

Real ``rasa_sdk`` Trackers, the real domain and a retriever over the shipped ``kb/``.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk.executor import CollectingDispatcher

import lift.retrieval as lr
from actions.knowledge import ActionAnswerQuestion
from lift.commerce.leads import offer_demo_after
from lift.nlu.scope import asks_about, demo_question, question_not_lead
from lift.rasa_plugins.scope_guard import StoreScopeGuard
from tests.support.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]


def followups(events):
    return [e["name"] for e in events if e.get("event") == "followup"]


def ranking(top: str = "request_demo", confidence: float = 0.71):
    return [{"name": top, "confidence": confidence}, {"name": "ask_question", "confidence": 0.2},
            {"name": "search_product", "confidence": 0.05}]


# ----------------------------------------------------------------- the guard: question or request
@pytest.mark.parametrize("text", [
    "what is a demo?", "sorry, what's a demo exactly?", "is the demo free?", "how long is the demo",
    "i'd like to know what a demo includes", "hmm what happens in the demo", "wait what will the demo cover?",
])
def test_a_question_about_the_demo_goes_to_the_knowledge_base(text):
    assert asks_about(text)
    assert question_not_lead(ranking()[0], text) == {"name": "ask_question", "confidence": 0.71}
    message = Message(data={"text": text, "intent": ranking()[0], "intent_ranking": ranking(), "entities": []})
    StoreScopeGuard().process([message])
    assert message.get("intent") == {"name": "ask_question", "confidence": 0.71}
    assert message.get("intent_ranking") == ranking()  # the classifier's reading is kept (and read by the action)


@pytest.mark.parametrize("text", [
    "can we book a demo?", "I'd like a demo for my team of 20", "how do i book a demo", "demo please",
    "we're a school looking to buy 30 slate tablets, is there a discount?", "could we arrange a demo for next week",
    "is it possible to set up a demo call", "what do you need from me to schedule a demo", "/request_demo",
])
def test_a_demo_request_stays_a_demo_request(text):
    assert not asks_about(text)
    assert question_not_lead(ranking()[0], text) is None
    message = Message(data={"text": text, "intent": ranking()[0], "intent_ranking": ranking(), "entities": []})
    StoreScopeGuard().process([message])
    assert message.get("intent")["name"] == "request_demo"


@pytest.mark.parametrize("text", [
    "do you offer demos?", "do you offer business accounts or invoicing?", "can you tell me about business accounts",
    "how does invoicing work for a business account", "do you sell wholesale?",
])
def test_asking_whether_there_is_a_demo_or_about_business_accounts_stays_a_lead(text):
    """The SPEC's request_demo includes business-account and wholesale enquiries: they open the lead form."""
    message = Message(data={"text": text, "intent": ranking()[0], "intent_ranking": ranking(), "entities": []})
    StoreScopeGuard().process([message])
    assert message.get("intent")["name"] == "request_demo"


def test_no_demo_request_of_the_training_data_is_moved():
    from rasa.shared.nlu.training_data.loading import load_data

    texts = [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).intent_examples
             if m.get("intent") == "request_demo"]
    assert len(texts) >= 100
    assert [t for t in texts if question_not_lead(ranking()[0], t)] == []


def test_every_lead_in_the_test_conversations_and_fresh_voice_still_opens_the_form():
    texts = []
    for block in yaml.safe_load((ROOT / "tests" / "nlu" / "fresh_voice.yml").read_text())["nlu"]:
        if block.get("intent") == "request_demo":
            texts += [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
    for path in (ROOT / "tests" / "e2e_stories").glob("*.yml"):
        for story in yaml.safe_load(path.read_text())["stories"]:
            texts += [s["user"] for s in story["steps"] if s.get("intent") == "request_demo"]
    assert len(texts) >= 10
    assert [t for t in texts if asks_about(t)] == []


def test_only_other_intents_and_non_business_wording_are_left_to_the_other_rules():
    assert question_not_lead({"name": "ask_question", "confidence": 0.8}, "what is a demo?") is None
    # no business wording at all: the shopper rule picks the classifier's next guess, not the KB
    assert demo_question(ranking(), "what's the battery life of the aria headphones") is False
    assert demo_question(ranking(), "what is a demo?") is True
    assert demo_question(ranking("ask_question"), "what is a demo?") is False


def test_the_offer_follows_sales_answers_and_demo_questions_outside_forms():
    assert offer_demo_after("policy:wholesale#business-accounts", False, in_form=False)
    assert offer_demo_after(None, True, in_form=False)  # not sure, but asked about the demo
    assert not offer_demo_after("policy:returns#return-window", False, in_form=False)
    assert not offer_demo_after("policy:wholesale#what-a-demo-is", True, in_form=True)


# ----------------------------------------------------------------- the answer action
@pytest.fixture
def kb(shipped_retriever):
    lr.set_retriever(shipped_retriever)
    yield shipped_retriever
    lr.set_retriever(None)


async def ask(text, top="request_demo", active_loop=None):
    tracker = make_tracker(text, "ask_question", active_loop=active_loop, confidence=0.71)
    tracker.latest_message["intent_ranking"] = ranking(top)
    d = CollectingDispatcher()
    return d, await ActionAnswerQuestion().run(d, tracker, {})


@pytest.mark.parametrize("text, doc_id, says", [
    ("what is a demo?", "policy:wholesale#what-a-demo-is", "30-minute online meeting"),
    ("do you offer business accounts or invoicing?", "policy:wholesale#business-accounts", "net-30"),
])
async def test_the_question_is_answered_with_its_source_then_the_demo_offered(kb, text, doc_id, says):
    d, events = await ask(text)
    said = " ".join(m.get("text") or "" for m in d.messages)
    assert says in said and f"({doc_id})" in said and "Source:" in said
    assert {"event": "slot", "name": "kb_doc_id", "value": doc_id} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
    assert followups(events) == ["utter_offer_demo"]


async def test_a_business_answer_offers_the_demo_whatever_the_first_reading(kb):
    d, events = await ask("roughly how long does approval for a business account take", top="ask_question")
    assert "policy:wholesale#business-accounts" in d.messages[0]["text"]
    assert followups(events) == ["utter_offer_demo"]


async def test_no_offer_after_other_answers_or_inside_a_form(kb):
    _, events = await ask("how long is the warranty", top="ask_question")
    assert followups(events) == []
    d, events = await ask("what is a demo?", active_loop="lead_form")
    assert "policy:wholesale#what-a-demo-is" in d.messages[0]["text"] and followups(events) == []


def test_the_offer_and_its_answers_are_in_the_domain_and_the_rules(domain):
    offer = domain["responses"]["utter_offer_demo"][0]
    assert [b["payload"] for b in offer["buttons"]] == ["/request_demo", "/deny"]
    assert "demo" in offer["text"] and "request_demo" not in offer["text"]
    rules = {r["rule"]: r["steps"] for r in yaml.safe_load((ROOT / "data" / "rules" / "lead.yml").read_text())["rules"]}
    assert rules["yes to the demo offer"][:3] == [{"action": "utter_offer_demo"}, {"intent": "affirm"},
                                                  {"action": "utter_lead_intro"}]
    assert rules["no to the demo offer"] == [{"action": "utter_offer_demo"}, {"intent": "deny"},
                                             {"action": "utter_no_problem"}]


# ----------------------------------------------------------------- a business question opening the lead form
@pytest.mark.parametrize("text, doc_id, says", [
    ("do you offer business accounts or invoicing?", "policy:wholesale#business-accounts", "net-30"),
    ("can you tell me about business accounts", "policy:wholesale#business-accounts", "net-30"),
])
async def test_a_business_question_that_opens_the_lead_form_is_answered_first(kb, domain, text, doc_id, says):
    """The SPEC's request_demo (a lead), but a question: its answer, cited, before the form's question."""
    from actions.lead import ActionAskPersonName

    d = CollectingDispatcher()
    tracker = make_tracker(text, "request_demo", active_loop="lead_form", confidence=0.8)
    assert await ActionAskPersonName().run(d, tracker, domain) == []
    assert ActionAskPersonName().name() == "action_ask_lead_form_person_name"
    assert says in d.messages[0]["text"] and f"({doc_id})" in d.messages[0]["text"]
    assert d.messages[-1]["response"] == "utter_ask_person_name"


@pytest.mark.parametrize("text, intent", [("I'd like a demo for my team of 20", "request_demo"),
                                          ("Pat Kim", "inform"), ("do you offer business accounts?", "inform")])
async def test_a_request_or_an_answer_gets_only_the_forms_question(kb, domain, text, intent):
    from actions.lead import ActionAskEmail

    d = CollectingDispatcher()
    await ActionAskEmail().run(d, make_tracker(text, intent, active_loop="lead_form"), domain)
    assert [m.get("response") for m in d.messages] == ["utter_ask_email"] and not d.messages[0].get("text")


def test_the_lead_forms_own_questions_are_in_the_domain_and_leave_the_other_forms_alone(domain):
    actions = set(domain["actions"])
    assert {f"action_ask_lead_form_{s}" for s in ("person_name", "email", "company", "team_size")} <= actions
    assert "action_ask_email" not in actions  # checkout_form and onboarding_form still say utter_ask_email
