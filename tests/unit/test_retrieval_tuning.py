"""Tuning data (voice set, held-out filtering) and contraction handling in query normalisation."""
from __future__ import annotations

import pytest

from lift.retrieval.evaluation import DevItem, load_dev
from lift.retrieval.sources import load_documents
from lift.retrieval.spelling import CONTRACTIONS, SpellingNormalizer
from lift.retrieval.tuning import augment, held_out, split_dev, tuning_set
from tests.unit.test_retrieval_kb import KB, ROOT

VOICE = ROOT / "eval" / "retrieval_tuning_voice.jsonl"


@pytest.fixture(scope="module")
def speller():
    texts = [d.index_text for d in load_documents(KB)]
    return SpellingNormalizer(texts, model_vocab=["the", "what", "where", "late", "work"])


@pytest.mark.parametrize("query, expected", [
    # Without the table, spelling correction turned these into "can", "haven", "your": the
    # negation (or the verb) was lost.
    ("i cant log in", "i can't log in"),
    ("havent got my refund", "haven't got my refund"),
    ("youre late", "you're late"),
    ("wheres my parcel", "where's my parcel"),
    ("it doesnt work", "it doesn't work"),
    ("its broken", "its broken"),  # a word of its own: kept
    ("wanna return it", "want to return it"),
])
def test_contractions_typed_without_apostrophe(speller, query, expected):
    assert speller.normalize(query) == expected


def test_contraction_table_maps_to_apostrophised_forms():
    for word, full in CONTRACTIONS.items():
        assert full is None or ("'" in full and full.replace("'", "").lower() == word)


def test_tuning_set_is_augmented_tuning_half_then_voice():
    tune = [DevItem("how long does standard shipping take", "NDmNmTdj")]
    voice = [DevItem("my parcel never showed up", "policy:shipping#delivery-problems")]
    out = tuning_set(tune, voice)
    assert out[:3] == augment(tune) and out[3:] == voice


def test_held_out_drops_questions_that_were_tuned_on():
    report = [DevItem("Do Points Expire ", "x"), DevItem("how do i pay", "y")]
    tuned = [DevItem("do points expire", "x")]
    assert held_out(report, tuned) == [report[1]]
    assert held_out(report, [], []) == report


def test_voice_set_is_large_labelled_and_apart_from_the_dev_set():
    ids = {d.doc_id for d in load_documents(KB)}
    items = load_dev(VOICE, known_ids=ids)  # every label names a current document
    kinds = [i.kind for i in items]
    assert len(items) - kinds.count("null") >= 150 and kinds.count("null") >= 20
    assert len({i.question.strip().lower() for i in items}) == len(items)
    dev = load_dev(ROOT / "eval" / "retrieval_dev.jsonl")
    # Tuned on, so it must not repeat a reporting-half question (that would be tuning on it).
    _, report = split_dev(dev)
    assert held_out(items, report) == items
