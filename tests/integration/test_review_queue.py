"""The review queue on SQLite and PostgreSQL: rows written by the real tracker store
(ConversionTrackerStore, real Rasa events) exactly once per message, then ``lift review
list|label|export`` (the CLI's own entry point) with its exit codes."""
from __future__ import annotations

import json
import socket

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, SlotSet, UserUttered

from lift.cli import main
from lift.config import reset_settings
from lift.store.models import ReviewItem
from tests.integration.test_tracker_store import T0, domain, make_store, session_start, settings, turn  # noqa: F401

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def said(text, intent, confidence, ts, message_id, ranking=None):
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=ts, input_channel="rest",
                       message_id=message_id)


def conversation(t):
    """Five turns: fallback, fine, low confidence, not-sure answer, handoff."""
    return [
        session_start(t),
        [said("wher is my pakage", "nlu_fallback", 0.25, t + 1, "m-fb",
              [{"name": "nlu_fallback", "confidence": 0.25}, {"name": "track_order", "confidence": 0.2}]),
         ActionExecuted("action_offer_options", timestamp=t + 1), BotUttered("Did you mean...", timestamp=t + 1),
         ActionExecuted("action_listen", timestamp=t + 1)],
        [said("hello there", "greet", 0.98, t + 2, "m-ok"), ActionExecuted("utter_greet", timestamp=t + 2),
         ActionExecuted("action_listen", timestamp=t + 2)],
        [said("maybe the blue one", "affirm", 0.38, t + 3, "m-low"), ActionExecuted("action_listen", timestamp=t + 3)],
        [said("can I pay in seashells", "ask_question", 0.95, t + 4, "m-kb"),
         ActionExecuted("action_answer_question", timestamp=t + 4),
         BotUttered("I'm not sure", metadata={"utter_action": "utter_kb_not_sure"}, timestamp=t + 4),
         SlotSet("kb_doc_id", None, timestamp=t + 4), SlotSet("kb_score", 0.33, timestamp=t + 4),
         ActionExecuted("action_listen", timestamp=t + 4)],
        [said("/contact_human_agent", "contact_human_agent", 1.0, t + 5, "m-human"),
         ActionExecuted("action_request_handoff", timestamp=t + 5), ConversationPaused(timestamp=t + 5)],
    ]


def items(db_url):
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            t = ReviewItem.__table__
            return [dict(r._mapping) for r in conn.execute(sa.select(t).order_by(t.c.id))]
    finally:
        engine.dispose()


@pytest.fixture
def cli(db_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LIFT_DB_URL", db_url)
    monkeypatch.setenv("LIFT_OPERATOR", "reviewer-1")
    reset_settings()

    def run(*argv):
        code = main(["review", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    reset_settings()


async def test_each_kind_of_turn_is_queued_once_with_what_a_labeller_needs(make_store, db_url):  # noqa: F811
    store = make_store()
    for events in conversation(T0):
        await turn(store, "shopper-1", events, model_id="model-9")
    rows = items(db_url)
    assert [(r["turn_key"], r["reason"]) for r in rows] == [
        ("m-fb", "fallback"), ("m-low", "low_confidence"), ("m-kb", "not_sure"), ("m-human", "handoff")]
    fb, low, kb, human = rows
    assert (fb["text"], fb["intent"], fb["guess"], fb["guess_confidence"]) == ("wher is my pakage", "nlu_fallback", "track_order", 0.2)
    assert (low["intent"], low["confidence"], kb["kb_score"], fb["kb_score"]) == ("affirm", 0.38, 0.33, None)
    assert all(r["sender_id"] == "shopper-1" and r["status"] == "open" and r["channel"] == "rest"
               and r["model_id"] == "model-9" for r in rows)

    # re-saves, replays and a fresh process re-saving change nothing
    tracker = await store.retrieve("shopper-1")
    await store.save(tracker)
    for events in conversation(T0)[1:]:
        await turn(make_store(), "shopper-1", events)
    assert [r["id"] for r in items(db_url)] == [r["id"] for r in rows]


async def test_list_label_export_with_exit_codes(make_store, db_url, cli, tmp_path):  # noqa: F811
    store = make_store()
    for events in conversation(T0):
        await turn(store, "shopper-2", events)
    code, out, _ = cli("list", "--json")
    listed = json.loads(out)
    assert code == 0 and [i["reason"] for i in listed] == ["fallback", "low_confidence", "not_sure", "handoff"]
    fb, low, kb, human = (i["id"] for i in listed)
    code, out, _ = cli("list", "--reason", "not_sure", "--json")
    assert [i["id"] for i in json.loads(out)] == [kb]

    assert cli("label", str(fb), "--intent", "track_order")[0] == 0
    code, out, _ = cli("label", str(kb), "--intent", "ask_question", "--no-doc", "--json")
    assert code == 0 and json.loads(out)["label"] == {"intent": "ask_question", "doc_id": None, "no_doc": True}
    assert json.loads(out)["labeled_by"] == "reviewer-1"
    assert cli("label", str(low), "--doc", "2mJCxUVM")[0] == 0
    assert cli("label", str(human), "--intent", "contact_human_agent")[0] == 0  # a button: never exported

    code, _, err = cli("label", str(low), "--intent", "trak_order")
    assert code == 2 and "unknown intent 'trak_order'" in err and "track_order" in err
    code, _, err = cli("label", str(low), "--doc", "no-such-doc")
    assert code == 2 and "unknown knowledge-base document" in err and "2mJCxUVM" in err
    code, _, err = cli("label", "99999", "--intent", "greet")
    assert code == 2 and "no review item 99999" in err
    assert cli("label", str(low))[0] == 2  # nothing to record
    code, out, _ = cli("list", "--json")
    assert json.loads(out) == []  # everything labelled
    code, out, _ = cli("list", "--status", "labeled", "--json")
    assert {i["id"]: i["label"]["doc_id"] for i in json.loads(out)}[low] == "2mJCxUVM"  # a failed relabel kept it

    nlu, dev = tmp_path / "review_nlu.yml", tmp_path / "review_dev.jsonl"
    code, out, _ = cli("export", "--nlu", str(nlu), "--retrieval", str(dev), "--json")
    summary = json.loads(out)
    assert code == 0 and summary["nlu_examples"] == 2 and summary["retrieval_questions"] == 2
    assert summary["skipped_payloads"] == 1

    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    from lift.observability.review_queue import kb_doc_ids
    from lift.retrieval.evaluation import load_dev

    data = RasaYAMLReader().read(str(nlu))
    assert sorted((m.get("text"), m.get("intent")) for m in data.intent_examples) == [
        ("can I pay in seashells", "ask_question"), ("wher is my pakage", "track_order")]
    dev_items = load_dev(dev, known_ids=kb_doc_ids(ROOT / "kb"))
    assert sorted((i.question, i.doc_id) for i in dev_items) == [
        ("can I pay in seashells", None), ("maybe the blue one", "2mJCxUVM")]
    assert cli("export")[0] == 2
    code, _, err = cli("export", "--nlu", str(tmp_path / "missing-dir" / "x.yml"))
    assert code == 2 and "cannot write" in err


def test_database_down_exits_3(monkeypatch, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LIFT_DB_URL", f"postgresql://lift@127.0.0.1:{port}/lift")
    reset_settings()
    try:
        assert main(["review", "list"]) == 3
    finally:
        reset_settings()
    assert f"127.0.0.1:{port}" in capsys.readouterr().err
