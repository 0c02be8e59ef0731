"""lift.rasa_plugins.minilm_featurizer: dense sentence features from the retriever's MiniLM,
offline, one model per process."""
import os

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lift.rasa_plugins.minilm_featurizer import MiniLMFeaturizer

TEXTS = ["i'd like 2 of the crema espresso machines please", "how long does delivery take?", "hi"]


@pytest.fixture(scope="module")
def encoder():
    from lift.retrieval.encoder import shared_encoder

    return shared_encoder()


def make(tmp_path, config=None, **kw):
    ctx = ExecutionContext(graph_schema=None, node_name="minilm")
    full = {**MiniLMFeaturizer.get_default_config(), **(config or {})}
    if kw:
        return MiniLMFeaturizer(full, ctx, **kw)
    return MiniLMFeaturizer.create(full, LocalModelStorage(tmp_path), Resource("minilm"), ctx)


def messages(texts):
    tok = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    out = [Message(data={TEXT: t}) for t in texts]
    tok.process(out)
    return out


def sentence_vector(message):
    _, sentence = message.get_dense_features(TEXT, [])
    return None if sentence is None else sentence.features


def test_features_are_the_retrievers_vectors_one_model_per_process(tmp_path, encoder):
    a, b = make(tmp_path), make(tmp_path)
    msgs = messages(TEXTS)
    a.process_training_data(TrainingData(msgs))
    expected = encoder.encode(TEXTS)
    for message, vector in zip(msgs, expected):
        got = sentence_vector(message)
        assert got.shape == (1, encoder.dim) and got.dtype == np.float32
        assert np.allclose(got[0], vector, atol=1e-5)
        assert message.get_dense_features(TEXT, [])[0] is None  # sentence features only
    # both components use the process's one encoder, loaded offline from the wheel
    assert a.encoder is b.encoder is encoder
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_inference_path_matches_the_batched_training_path(tmp_path):
    featurizer = make(tmp_path)
    batch, single = messages(TEXTS), messages(TEXTS)
    featurizer.process_training_data(TrainingData(batch))
    featurizer.process(single)
    for a, b in zip(batch, single):
        assert np.allclose(sentence_vector(a), sentence_vector(b), atol=1e-4)


def test_messages_without_text_or_tokens_are_left_alone(tmp_path):
    calls = []

    def factory():
        calls.append(1)
        raise AssertionError("the encoder must not be loaded for nothing")

    featurizer = make(tmp_path, encoder_factory=factory)
    empty = Message(data={TEXT: ""})
    intent_only = Message(data={"intent": "greet"})
    featurizer.process([empty, intent_only])
    assert sentence_vector(empty) is None and sentence_vector(intent_only) is None and not calls


def test_encoder_is_loaded_lazily_and_once(tmp_path, encoder):
    calls = []

    def factory():
        calls.append(1)
        return encoder

    featurizer = make(tmp_path, encoder_factory=factory)
    assert not calls  # nothing heavy at construction
    featurizer.process(messages(["hello there"]))
    featurizer.process(messages(["where is my order"]))
    assert calls == [1]


@pytest.mark.parametrize("size", [0, -3, "8"])
def test_bad_batch_size_is_a_config_error(tmp_path, size):
    with pytest.raises(InvalidConfigException):
        make(tmp_path, {"batch_size": size})


def test_loading_a_trained_model_loads_the_encoder_with_it(tmp_path, encoder):
    """Serving: the encoder comes with the model, not with the first shopper's message."""
    ctx = ExecutionContext(graph_schema=None, node_name="minilm")
    created = make(tmp_path)
    assert created._encoder is None  # training / create: still on first use
    loaded = MiniLMFeaturizer.load(MiniLMFeaturizer.get_default_config(), LocalModelStorage(tmp_path),
                                   Resource("minilm"), ctx)
    assert loaded._encoder is encoder
