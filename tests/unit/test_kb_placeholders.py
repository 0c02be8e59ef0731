"""No answer a shopper can get holds a template's unfilled placeholder ("[phone number]"), and
the contact policy states the hours the hand-off promises."""
import json
import re
from pathlib import Path

import pytest

from lift.commerce.handoff import CLOSE_HOUR, OPEN_HOUR, when_answered
from lift.retrieval.sources import SourceError, load_documents
from tests.unit.test_retrieval_kb import make_small_kb

KB = Path(__file__).resolve().parents[2] / "kb"


def test_an_faq_answer_with_a_placeholder_is_refused_until_superseded(tmp_path):
    kb = make_small_kb(tmp_path / "kb")
    faq = json.loads((kb / "faq.json").read_text())
    faq[0]["answer"] = "Call us at [phone number] during [working hours]."
    (kb / "faq.json").write_text(json.dumps(faq))
    with pytest.raises(SourceError, match=r"\[phone number\], \[working hours\]"):
        load_documents(kb)
    (kb / "superseded.json").write_text(json.dumps({faq[0]["id"]: {
        "by": "policy:shipping#shipping-costs", "why": "test: the template was never filled in"}}))
    docs = {d.doc_id: d for d in load_documents(kb)}
    assert docs[faq[0]["id"]].meta["superseded_by"] == "policy:shipping#shipping-costs"


def test_shipped_answers_have_no_placeholders():
    docs = load_documents(KB)
    shown = [d for d in docs if not d.meta.get("superseded_by")]
    assert not [d.doc_id for d in shown if re.search(r"\[[a-z][a-z ]+\]", d.text)]
    contact = {d.doc_id: d for d in docs}["MQAE6dna"]
    assert contact.meta["superseded_by"] == "policy:contact#how-to-reach-customer-support"


def test_contact_policy_states_the_handoff_hours():
    import datetime as dt

    text = (KB / "policies" / "contact.md").read_text()
    assert f"Monday to Friday, {OPEN_HOUR:02d}:00-{CLOSE_HOUR}:00 UTC" in text
    assert "within 15 minutes" in text and "within 15 minutes" in when_answered(dt.datetime(2026, 12, 7, 10, 0))


def test_a_question_labelled_with_a_superseded_entry_also_counts_its_policy(tmp_path):
    from lift.retrieval.evaluation import load_dev

    path = tmp_path / "dev.jsonl"
    path.write_text('{"question": "how do i reach you", "doc_id": "MQAE6dna"}\n'
                    '{"question": "when do you ship", "doc_id": "policy:shipping#delivery-options"}\n')
    items = load_dev(path, superseded={"MQAE6dna": "policy:contact#how-to-reach-customer-support"})
    assert items[0].gold == {"MQAE6dna", "policy:contact#how-to-reach-customer-support"}
    assert items[1].gold == {"policy:shipping#delivery-options"}
