"""Catalog product names are one placeholder word for the intent features (lift.nlu.masking,
lift.rasa_plugins.catalog_tokenizer) and the MiniLM featurizer embeds the same masked sentence;
the entities still come from the original text."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from lift.nlu.masking import PLACEHOLDER, masked_text, merge_spans
from lift.rasa_plugins.catalog_tokenizer import CatalogMaskingTokenizer
from lift.rasa_plugins.minilm_featurizer import MiniLMFeaturizer

ROOT = Path(__file__).resolve().parents[2]


def test_masked_text_replaces_each_span_once():
    text = "is the nimbus 14 lighter than the vertex gaming laptop?"
    assert masked_text(text, [(7, 16), (34, 54)]) == "is the product lighter than the product?"
    assert masked_text(text, []) == text
    assert merge_spans([(5, 9), (0, 3), (8, 12), (12, 14), (3, 3)]) == [(0, 3), (5, 14)]
    assert masked_text("abc", [(1, 10)]) == "abc"  # a span past the end is ignored, never cut


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    import spacy

    spec = importlib.util.spec_from_file_location("build_spacy_pipeline", ROOT / "scripts" / "build_spacy_pipeline.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    base = tmp_path_factory.mktemp("spacy")
    shutil.copy(ROOT / "kb" / "catalog.json", base / "catalog.json")
    assert builder.main(["--catalog", str(base / "catalog.json"), "--out", str(base / "nlp")]) == 0
    return spacy.load(base / "nlp")


def tokenized(nlp, tokenizer, text):
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    tokenizer.process([message])
    return message


def test_product_names_become_one_placeholder_token(nlp):
    masking = CatalogMaskingTokenizer(CatalogMaskingTokenizer.get_default_config())
    plain = SpacyTokenizer(SpacyTokenizer.get_default_config())
    text = "what goes with the Nimbus 14 laptop for uni?"
    doc = nlp(text)
    [name] = [e for e in doc.ents if e.label_ == "product"]
    tokens = tokenized(nlp, masking, text).get(TOKENS_NAMES[TEXT])
    words = [t.text for t in tokens]
    assert words.count(PLACEHOLDER) == 1 and "Nimbus" not in words and "with" in words
    [mask] = [t for t in tokens if t.text == PLACEHOLDER]
    assert (mask.start, mask.end, mask.lemma) == (name.start_char, name.end_char, PLACEHOLDER)
    # every other token is spaCy's own, in order
    unmasked = [t.text for t in tokenized(nlp, plain, text).get(TOKENS_NAMES[TEXT])
                if not name.start_char <= t.start < name.end_char]
    assert [w for w in words if w != PLACEHOLDER] == unmasked
    # two products, same question: the same tokens
    other = "what goes with the Orbit X smartphone for uni?"
    assert [t.text for t in tokenized(nlp, masking, other).get(TOKENS_NAMES[TEXT])] == words
    # no product: exactly spaCy's tokens
    assert [t.text for t in tokenized(nlp, masking, "where is my order").get(TOKENS_NAMES[TEXT])] == \
        ["where", "is", "my", "order"]


def test_minilm_embeds_the_masked_sentence(nlp):
    from lift.retrieval.encoder import shared_encoder

    encoder = shared_encoder()
    featurizer = MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config()},
                                  ExecutionContext(graph_schema=None, node_name="minilm"))
    masking = CatalogMaskingTokenizer(CatalogMaskingTokenizer.get_default_config())
    text = "what goes with the Nimbus 14 laptop"
    message = tokenized(nlp, masking, text)
    featurizer.process([message])
    _, sentence = message.get_dense_features(TEXT, [])
    [name] = [e for e in nlp(text).ents if e.label_ == "product"]
    assert masked_text(text, [(name.start_char, name.end_char)]).startswith("what goes with the product")
    expected = encoder.encode([masked_text(text, [(name.start_char, name.end_char)])])[0]
    assert np.allclose(sentence.features[0], expected, atol=1e-5)
    assert message.get(TEXT) == "what goes with the Nimbus 14 laptop"  # the text itself is untouched
