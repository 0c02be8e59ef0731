"""Review queue: which turns are queued (real Rasa events), label checks against the real domain
and knowledge base, and exports that Rasa's reader and the retrieval evaluation load back."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, SlotSet, UserUttered

from lift.observability.review import review_candidates
from lift.observability.review_queue import (Label, ReviewInputError, domain_intents, kb_doc_ids, write_nlu_yaml,
                                             write_retrieval_lines)

ROOT = Path(__file__).resolve().parents[2]
T = 1_700_000_000.0


def user(text, intent, confidence, ts=T, ranking=None, message_id="m1"):
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=ts, input_channel="rest",
                       message_id=message_id, metadata={"model_id": "model-7"})


def dicts(*events):
    return [e.as_dict() for e in events]


def judge(*events, start=0, threshold=0.5):
    return review_candidates(dicts(*events), start, threshold)


def test_nlu_fallback_is_queued_with_the_best_real_guess():
    ranking = [{"name": "nlu_fallback", "confidence": 0.25}, {"name": "track_order", "confidence": 0.18},
               {"name": "greet", "confidence": 0.1}]
    [c] = judge(user("wheres my stuf", "nlu_fallback", 0.25, ranking=ranking),
                ActionExecuted("action_offer_options"), BotUttered("Did you mean...?"), ActionExecuted("action_listen"))
    assert (c.reason, c.text, c.intent, c.confidence) == ("fallback", "wheres my stuf", "nlu_fallback", 0.25)
    assert (c.guess, c.guess_confidence, c.channel, c.model_id, c.turn_key) == ("track_order", 0.18, "rest", "model-7", "m1")
    assert c.kb_score is None and c.occurred_at.year == 2023


def test_low_confidence_only_below_the_review_threshold():
    low = judge(user("i guess show me stuff", "search_product", 0.41), ActionExecuted("action_show_products"))
    assert [c.reason for c in low] == ["low_confidence"]
    assert judge(user("show me headphones", "search_product", 0.93), ActionExecuted("action_show_products")) == []
    assert judge(user("i guess show me stuff", "search_product", 0.41), threshold=0.0) == []  # disabled


def test_a_form_answer_is_not_low_confidence_unless_the_form_rejected_it():
    from rasa.shared.core.events import ActionExecutionRejected

    name = user("Zebulon Quartermaine", "inform", 0.31)
    assert judge(name, ActionExecuted("lead_form"), SlotSet("person_name", "Zebulon Quartermaine"),
                 SlotSet("requested_slot", "email")) == []
    rejected = judge(name, ActionExecutionRejected("lead_form"), ActionExecuted("action_offer_options"))
    assert [c.reason for c in rejected] == ["fallback"]
    assert [c.reason for c in judge(name, ActionExecutionRejected("lead_form"))] == ["low_confidence"]


def test_not_sure_answer_keeps_the_top_score_an_answer_does_not():
    [c] = judge(user("can I pay with seashells", "ask_question", 0.97), ActionExecuted("action_answer_question"),
                BotUttered("I'm not sure", metadata={"utter_action": "utter_kb_not_sure"}),
                SlotSet("kb_doc_id", None), SlotSet("kb_score", 0.31))
    assert (c.reason, c.kb_score) == ("not_sure", 0.31)
    answered = judge(user("do you take paypal", "ask_question", 0.97), ActionExecuted("action_answer_question"),
                     BotUttered("Yes (source: 2mJCxUVM)"), SlotSet("kb_doc_id", "2mJCxUVM"), SlotSet("kb_score", 0.8))
    assert answered == []


def test_handoff_and_priority_of_reasons():
    [h] = judge(user("/contact_human_agent", "contact_human_agent", 1.0), ActionExecuted("action_request_handoff"),
                ConversationPaused())
    assert h.reason == "handoff"
    [f] = judge(user("blorp", "nlu_fallback", 0.25), ActionExecuted("action_offer_options"), ConversationPaused())
    assert f.reason == "fallback"  # one row per message: the most useful reason


def test_one_candidate_per_user_message_and_only_new_events_judged():
    events = (user("blorp", "nlu_fallback", 0.25, ts=T, message_id="a"), ActionExecuted("action_offer_options"),
              user("hello", "greet", 0.99, ts=T + 1, message_id="b"), ActionExecuted("utter_greet"),
              user("meh", "affirm", 0.3, ts=T + 2, message_id="c"))
    assert [(c.turn_key, c.reason) for c in judge(*events)] == [("a", "fallback"), ("c", "low_confidence")]
    assert [c.turn_key for c in judge(*events, start=2)] == ["c"]  # turn "a" was stored by an earlier save
    # the owning message was stored earlier; the handoff arrives in this save: attributed to it
    later = judge(user("blorp", "greet", 0.99, message_id="x"), ActionExecuted("action_request_handoff"),
                  ConversationPaused(), start=1)
    assert [(c.turn_key, c.reason) for c in later] == [("x", "handoff")]


def test_turn_key_falls_back_to_the_timestamp():
    ev = user("blorp", "nlu_fallback", 0.25, message_id=None).as_dict()
    ev["message_id"] = None
    [c] = review_candidates([ev], 0, 0.5)
    assert c.turn_key == f"ts:{T!r}"


def test_labels_are_checked_against_the_domain_and_the_kb():
    intents = domain_intents(ROOT / "domain")
    assert {"greet", "track_order", "ask_question", "out_of_scope"} <= intents and "nlu_fallback" not in intents
    docs = kb_doc_ids(ROOT / "kb")
    assert "2mJCxUVM" in docs and any(d.startswith("policy:") for d in docs) and any(d.startswith("product:") for d in docs)
    Label(intent="track_order", doc_id="2mJCxUVM").check(intents, docs)
    Label(no_doc=True).check(intents, docs)
    with pytest.raises(ReviewInputError, match="unknown intent 'trak_order'; valid intents: .*track_order"):
        Label(intent="trak_order").check(intents, docs)
    with pytest.raises(ReviewInputError, match="unknown intent 'nlu_fallback'"):
        Label(intent="nlu_fallback").check(intents, docs)
    with pytest.raises(ReviewInputError, match="unknown knowledge-base document 'faq:999'.*2mJCxUVM"):
        Label(doc_id="faq:999").check(intents, docs)
    with pytest.raises(ReviewInputError, match="give --intent"):
        Label().check(intents, docs)


def test_nlu_export_loads_with_rasas_reader(tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    examples = [("where's my parcel #A12?", "track_order"), ('he said "no": cancel it', "cancel_order"),
                ("- dash first", "track_order")]
    path = tmp_path / "review.yml"
    write_nlu_yaml(examples, path)
    data = RasaYAMLReader().read(str(path))
    assert sorted((m.get("text"), m.get("intent")) for m in data.intent_examples) == sorted(examples)
    write_nlu_yaml([], path)
    assert RasaYAMLReader().read(str(path)).intent_examples == []


def test_retrieval_export_is_what_the_evaluation_loads(tmp_path):
    from lift.retrieval.evaluation import load_dev

    path = tmp_path / "dev.jsonl"
    write_retrieval_lines([("can I pay with seashells", None), ("paypal ok?", "2mJCxUVM")], path)
    items = load_dev(path, known_ids=kb_doc_ids(ROOT / "kb"))
    assert [(i.question, i.doc_id, i.kind) for i in items] == [("can I pay with seashells", None, "null"),
                                                               ("paypal ok?", "2mJCxUVM", "faq")]


def test_queued_turns_are_counted_by_reason():
    from prometheus_client import CollectorRegistry

    from lift.observability.metrics import ChatMetrics
    from lift.observability.turns import TurnObserver

    registry = CollectorRegistry()
    events = (user("blorp", "nlu_fallback", 0.25, message_id="a"), ActionExecuted("action_offer_options"),
              user("meh", "affirm", 0.3, ts=T + 1, message_id="b"), ConversationPaused())
    review = judge(*events)
    TurnObserver(ChatMetrics(registry)).observe(list(events), [], review)
    assert registry.get_sample_value("lift_review_items_total", {"reason": "fallback"}) == 1
    assert registry.get_sample_value("lift_review_items_total", {"reason": "handoff"}) == 1  # "meh", then paused
    assert registry.get_sample_value("lift_review_items_total", {"reason": "low_confidence"}) is None
