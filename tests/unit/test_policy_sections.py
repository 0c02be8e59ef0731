"""Policy questions land on the section that answers them (README Known gaps, "Policy passages").

Sections are titled in the words shoppers ask with ("How long you have to return an item") and
keep their ids through an explicit anchor (``{#return-window}``); questions the policies did not
answer (sale items, gift receipts, student discounts, what a demo is) have sections of their own,
and the public FAQ entries those sections make precise are superseded by them. The retriever here
is built from the shipped ``kb/`` with the real encoder and the calibrated threshold
(``shipped_retriever`` in conftest.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lift.retrieval.sources import chunk_markdown, load_documents

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "kb"


def test_an_anchored_heading_is_the_title_and_the_anchor_the_id():
    md = "# Returns\n\n## How long you have to return an item {#return-window}\nThirty days.\n\n## Exchanges\nNo swaps.\n"
    docs = chunk_markdown(md, "returns", "policies/returns.md")
    assert [d.doc_id for d in docs] == ["policy:returns#return-window", "policy:returns#exchanges"]
    assert docs[0].title == "Returns: How long you have to return an item" and "{#" not in docs[0].index_text
    assert docs[0].meta["section"] == "How long you have to return an item"
    # an anchor that is not a slug stays part of the heading, never a malformed id
    odd = chunk_markdown("## Odd {#Not A Slug}\ntext\n", "p", "policies/p.md")
    assert odd[0].doc_id == "policy:p#odd-not-a-slug"


def test_retitled_sections_keep_the_ids_labels_and_wordings_refer_to():
    ids = {d.doc_id for d in load_documents(KB)}
    for doc_id in ("policy:returns#return-window", "policy:returns#refund-timing", "policy:warranty#warranty-coverage",
                   "policy:returns#sale-and-clearance-items", "policy:returns#gifts-and-gift-receipts",
                   "policy:promotions#student-and-other-discounts", "policy:wholesale#what-a-demo-is"):
        assert doc_id in ids, doc_id
    superseded = json.loads((KB / "superseded.json").read_text())
    assert superseded["vVHwZWqI"]["by"] == "policy:wholesale#what-a-demo-is"  # "we do not offer demonstrations"
    assert superseded["QoG11KFq"]["by"] == superseded["KuPo6H62"]["by"] == "policy:returns#sale-and-clearance-items"


@pytest.mark.parametrize("question, doc_id, says", [
    # each of these landed on another section of the right policy (or nowhere) before
    ("how long have i got to return my order", "policy:returns#return-window", "30 days"),
    ("what is the time limit on returns", "policy:returns#return-window", "30 days"),
    ("for how long is my purchase under warranty", "policy:warranty#warranty-coverage", "2 years"),
    ("once you approve my return how long till the refund comes through", "policy:returns#refund-timing", "5-10 business days"),
    ("are clearance things refundable", "policy:returns#sale-and-clearance-items", "Final sale or Clearance"),
    ("i bought it in the sale, can it still go back", "policy:returns#sale-and-clearance-items", "amount you actually paid"),
    ("do you put gift receipts in orders", "policy:returns#gifts-and-gift-receipts", "do not issue gift receipts"),
    ("got any deals for college students", "policy:promotions#student-and-other-discounts", "do not offer student"),
    ("sorry, what's a demo exactly?", "policy:wholesale#what-a-demo-is", "30-minute online meeting"),
    ("can my company open an account and pay on invoice", "policy:wholesale#business-accounts", "net-30"),
])
def test_a_policy_question_gets_the_section_that_answers_it(shipped_retriever, question, doc_id, says):
    answer = shipped_retriever.answer(question)
    assert answer is not None and answer.doc_id == doc_id, (question, answer and answer.doc_id)
    assert says in answer.text
