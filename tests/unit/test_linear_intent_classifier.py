"""lift.nlu.linear and lift.rasa_plugins.linear_intent_classifier: the intent classifier
trained on real count-vector features, stored, loaded and used to parse."""
import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lift.nlu.linear import LinearIntentModel, stack_blocks
from lift.rasa_plugins.linear_intent_classifier import LinearIntentClassifier

TRAIN = {
    "greet": ["hi", "hello there", "hey", "good morning", "hiya"],
    "view_cart": ["show my cart", "what is in my basket", "open my cart", "view cart", "my basket please"],
    "track_order": ["where is my order", "track my parcel", "has my order shipped", "order status", "where is my package"],
}


def test_blocks_are_normalised_and_weighted():
    X = stack_blocks([sp.csr_matrix([[3.0, 4.0], [0.0, 2.0]]), np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 5.0]])],
                     [1.0, 2.0]).toarray()
    assert np.allclose(X[0], [0.6, 0.8, 2 / np.sqrt(2), 2 / np.sqrt(2), 0.0])
    assert np.allclose(X[1], [0.0, 1.0, 0.0, 0.0, 2.0])
    with pytest.raises(ValueError):
        stack_blocks([np.eye(2)], [1.0, 1.0])


def test_model_learns_round_trips_and_rejects_wrong_width():
    X = sp.csr_matrix(np.vstack([np.eye(3)] * 4))
    y = ["a", "b", "c"] * 4
    model = LinearIntentModel.fit(X, y)
    probs = model.predict_proba(sp.csr_matrix(np.eye(3)))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert [model.labels[i] for i in probs.argmax(axis=1)] == ["a", "b", "c"]
    again = LinearIntentModel.from_arrays(model.to_arrays())
    assert np.allclose(again.predict_proba(sp.csr_matrix(np.eye(3))), probs)
    with pytest.raises(ValueError):
        model.predict_proba(sp.csr_matrix(np.eye(4)))
    with pytest.raises(ValueError):
        LinearIntentModel.fit(X, ["a"] * 12)


def test_neighbour_vote_blends_in_the_closest_training_examples():
    # two sparse columns that say nothing, two dense ones that do: "c" sits right next to one "b" example
    X = sp.csr_matrix(np.array([[1, 0, 1.0, 0.0], [1, 0, 0.9, 0.1], [0, 1, 0.0, 1.0], [0, 1, 0.1, 0.9],
                                [1, 1, 0.6, 0.8]]))
    y = ["a", "a", "b", "b", "c"]
    plain = LinearIntentModel.fit(X, y)
    voted = LinearIntentModel.fit(X, y, neighbour_columns=[2, 3], neighbour_weight=0.5, k=1, temperature=20.0)
    query = sp.csr_matrix(np.array([[1, 1, 0.6, 0.8]]))
    p_plain, p_voted = plain.predict_proba(query)[0], voted.predict_proba(query)[0]
    c = plain.labels.index("c")
    # the one nearest example is "c" itself: half the probability is its vote
    assert np.isclose(p_voted[c], 0.5 * p_plain[c] + 0.5) and np.isclose(p_voted.sum(), 1.0)
    # stored and loaded with the memory, the same probabilities
    again = LinearIntentModel.from_arrays(voted.to_arrays())
    assert np.allclose(again.predict_proba(query), voted.predict_proba(query))
    assert again.neighbour_weight == 0.5 and again.neighbours.k == 1
    # weight 0 or no dense columns: the linear layer alone, nothing remembered
    for off in (LinearIntentModel.fit(X, y, neighbour_columns=[2, 3], neighbour_weight=0.0),
                LinearIntentModel.fit(X, y, neighbour_columns=[], neighbour_weight=0.5)):
        assert off.neighbours is None and np.allclose(off.predict_proba(query), p_plain)
        assert "nn_memory" not in off.to_arrays()
    # a query with no dense features (all zero): still finite probabilities, never a division by zero
    empty = voted.predict_proba(sp.csr_matrix(np.array([[1, 0, 0.0, 0.0]])))
    assert np.all(np.isfinite(empty)) and np.isclose(empty.sum(), 1.0)


def _featurised(texts, intents=None, cvf=None, storage=None):
    tok = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    msgs = [Message(data={TEXT: t, **({INTENT: i} if i else {})}) for t, i in zip(texts, intents or [None] * len(texts))]
    tok.process(msgs)
    if cvf is None:
        cvf = CountVectorsFeaturizer.create(CountVectorsFeaturizer.get_default_config(), storage,
                                            Resource("cvf"), ExecutionContext(None, node_name="run_cvf"))
        cvf.train(TrainingData(msgs))
    cvf.process(msgs)
    return msgs, cvf


def test_trained_classifier_is_stored_loaded_and_parses(tmp_path):
    storage = LocalModelStorage(tmp_path)
    texts = [t for ts in TRAIN.values() for t in ts]
    intents = [i for i, ts in TRAIN.items() for _ in ts]
    msgs, cvf = _featurised(texts, intents, storage=storage)
    config = LinearIntentClassifier.get_default_config()
    resource = Resource("linear")
    clf = LinearIntentClassifier.create(config, storage, resource, ExecutionContext(None, node_name="train_linear"))
    clf.train(TrainingData(msgs))

    loaded = LinearIntentClassifier.load(config, storage, resource, ExecutionContext(None, node_name="run_linear"))
    parsed, _ = _featurised(["hello", "where is my parcel", "show me my basket"], cvf=cvf)
    loaded.process(parsed)
    assert [m.get(INTENT)["name"] for m in parsed] == ["greet", "track_order", "view_cart"]
    ranking = parsed[0].get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "greet" and len(ranking) == 3
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-5
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])

    # emoji / punctuation only: nothing the features can tell apart ("👎" must not read as "👍"),
    # so no intent at all -> the FallbackClassifier's plain-words options, never a guess
    unreadable, _ = _featurised(["👎", "!!!", "🙂 ?"], cvf=cvf)
    loaded.process(unreadable)
    assert all(m.get(INTENT) == {"name": None, "confidence": 0.0} and m.get("intent_ranking") == []
               for m in unreadable)

    # a yes, no, thanks or hello emoji on its own is read as that (when the model knows the intent)
    said, _ = _featurised(["👍", "👎🏽", "👋", "🙂🙂🙂"], cvf=cvf)
    loaded.process(said)
    known = set(loaded._model.labels)
    expected = [n if n in known else None for n in ("affirm", "deny", "greet", None)]
    assert [m.get(INTENT)["name"] for m in said] == expected

    # three or more words, none ever seen in training: a keyboard mash, not a guess (after loading too)
    mashed, _ = _featurised(["asdfghjkl qwerty zxcv", "zzq xkcd plorp", "hello qwerty zxcv", "qwerty zxcv"], cvf=cvf)
    loaded.process(mashed)
    assert [m.get(INTENT)["name"] for m in mashed][:2] == [None, None]
    assert mashed[2].get(INTENT)["name"] == "greet"  # one known word: classified as before
    assert mashed[3].get(INTENT)["name"] is not None  # two unknown words: too short to call


def test_neighbour_vote_compares_the_dense_blocks_only(tmp_path):
    clf = LinearIntentClassifier(LinearIntentClassifier.get_default_config(), LocalModelStorage(tmp_path),
                                 Resource("linear"), layout=[("words", 3, True), ("minilm", 2, False), ("regex", 1, True)])
    assert clf._dense_columns() == [3, 4]


def test_untrained_or_featureless_gives_no_intent(tmp_path):
    clf = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), LocalModelStorage(tmp_path),
                                      Resource("missing"), ExecutionContext(None, node_name="run_linear"))
    msg = Message(data={TEXT: ""})
    clf.process([msg])
    assert msg.get(INTENT) == {"name": None, "confidence": 0.0} and msg.get("intent_ranking") == []


@pytest.mark.parametrize("bad", [{"C": 0}, {"dense_weight": -1}, {"C": "ten"}, {"neighbour_weight": 1.0},
                                 {"neighbour_weight": -0.1}, {"neighbours": 0}, {"neighbours": 2.5},
                                 {"neighbour_temperature": 0}, {"dense_weight": True}])
def test_bad_config_is_rejected(bad):
    with pytest.raises(InvalidConfigException):
        LinearIntentClassifier.validate_config({**LinearIntentClassifier.get_default_config(), **bad})
