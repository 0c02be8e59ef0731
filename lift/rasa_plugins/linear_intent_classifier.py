"""Intent classifier: multinomial logistic regression over the pipeline's sentence features.

Reads every featurizer's sentence vector for the text (word and char n-gram counts, regex
hits, the MiniLM embedding), normalises each block on its own (:mod:`lift.nlu.linear`) and
scores all intents with one linear layer and a softmax. Chosen over DIET on the dev split
(``scripts/eval_nlu.py --split dev``, never the reporting split): on the same features it
recognised more held-out messages, rejected more out-of-scope ones and fewer in-scope ones,
trains in seconds, is deterministic and parses in well under a millisecond.

Config (config.yml)::

    - name: lift.rasa_plugins.linear_intent_classifier.LinearIntentClassifier
      C: 10.0            # inverse L2 regularisation strength
      dense_weight: 1.0  # weight of dense blocks (the MiniLM vector) against each sparse block
      neighbour_weight: 0.0  # share of the vote of the most similar training examples (dense blocks)
      neighbours: 5          # how many examples vote
      neighbour_temperature: 20.0  # a vote is exp(temperature * cosine)
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lift.nlu.intents import emoji_intent
from lift.nlu.linear import LinearIntentModel, stack_blocks

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent_model.npz"


def _block_name(origin: Any) -> str:
    # Training and inference graphs name the same featurizer node run_X / train_X.
    name = origin if isinstance(origin, str) else "+".join(origin)
    for prefix in ("run_", "train_"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _readable(message: Message) -> bool:
    """Whether the text has a letter or digit. Emoji and punctuation alone carry no features the
    model can tell apart (MiniLM reads every emoji as the same unknown token, the count vectors
    drop them), so "👎" would get the same intent as "👍": such messages get no intent and the
    FallbackClassifier turns them into nlu_fallback (the plain-words options), never a guess."""
    return any(ch.isalnum() for ch in (message.get(TEXT) or ""))


_WORD_RE = re.compile(r"[a-z]+")
# "asdfghjkl qwerty zxcv": this many words, none ever seen in training, get no intent (a guess
# over char n-grams read it as "thank"). Fewer is too often a real word the data lacks ("ciao",
# "Acme Corp"); on the dev split no in-scope message has three such words and nothing else.
UNKNOWN_WORDS_MIN = 3


def _words(message: Message) -> List[str]:
    return _WORD_RE.findall((message.get(TEXT) or "").lower().replace("'", ""))


def _sentence_blocks(message: Message) -> Dict[str, Tuple[Any, bool]]:
    """Block name -> (1 x width features, is_sparse) for the message text's sentence vectors."""
    out: Dict[str, Tuple[Any, bool]] = {}
    for f in message.features:
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE:
            out[_block_name(f.origin)] = (f.features, f.is_sparse())
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over the featurizers' sentence vectors."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "dense_weight": 1.0, "ranking_length": 10, "neighbour_weight": 0.0, "neighbours": 5,
                "neighbour_temperature": 20.0}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        from rasa.shared.exceptions import InvalidConfigException

        for key in ("C", "dense_weight", "neighbour_temperature"):
            value = config.get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise InvalidConfigException(f"{cls.__name__}: {key} must be a positive number, got {value!r}")
        weight = config.get("neighbour_weight")
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 <= weight < 1:
            raise InvalidConfigException(f"{cls.__name__}: neighbour_weight must be from 0 to below 1, got {weight!r}")
        k = config.get("neighbours")
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise InvalidConfigException(f"{cls.__name__}: neighbours must be a whole number from 1, got {k!r}")

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[LinearIntentModel] = None,
                 layout: Optional[List[Tuple[str, int, bool]]] = None, vocab: Optional[frozenset] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._layout = layout or []  # (block name, width, is_sparse), in feature order
        self._vocab = vocab or frozenset()  # every word of the training examples

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def _matrix(self, messages: List[Message]):
        blocks, weights = [], []
        found = [_sentence_blocks(m) for m in messages]
        for name, width, sparse in self._layout:
            rows = []
            for feats in found:
                value = feats.get(name)
                if value is None or value[0].shape[-1] != width:
                    rows.append(np.zeros((1, width), dtype=np.float32))
                else:
                    rows.append(value[0].toarray() if value[1] else np.asarray(value[0]).reshape(1, -1))
            blocks.append(np.vstack(rows))
            weights.append(1.0 if sparse else float(self._config["dense_weight"]))
        return stack_blocks(blocks, weights)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if _readable(m) and _sentence_blocks(m)]
        layout: Dict[str, Tuple[int, bool]] = {}
        for m in examples:
            for name, (feats, sparse) in _sentence_blocks(m).items():
                layout.setdefault(name, (int(feats.shape[-1]), bool(sparse)))
        self._layout = [(name, width, sparse) for name, (width, sparse) in sorted(layout.items())]
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier: fewer than two intents, not trained")
            return self._resource
        self._vocab = frozenset(w for m in examples for w in _words(m))
        self._model = LinearIntentModel.fit(
            self._matrix(examples), labels, C=float(self._config["C"]), neighbour_columns=self._dense_columns(),
            neighbour_weight=float(self._config["neighbour_weight"]), k=int(self._config["neighbours"]),
            temperature=float(self._config["neighbour_temperature"]))
        self.persist()
        return self._resource

    def _dense_columns(self) -> List[int]:
        """The feature columns of the dense blocks (the MiniLM vector): what the neighbour vote compares."""
        columns, start = [], 0
        for _, width, sparse in self._layout:
            if not sparse:
                columns.extend(range(start, start + width))
            start += width
        return columns

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent: Dict[str, Any] = {"name": None, "confidence": 0.0}
            ranking: List[Dict[str, Any]] = []
            if self._model is not None and _readable(message) and _sentence_blocks(message) \
                    and not self._gibberish(message):
                probs = self._model.predict_proba(self._matrix([message]))[0]
                order = np.argsort(-probs)[: int(self._config["ranking_length"])]
                ranking = [{"name": self._model.labels[i], "confidence": float(probs[i])} for i in order]
                intent = dict(ranking[0])
            elif self._model is not None and emoji_intent(message.get(TEXT) or "") in self._model.labels:
                intent = {"name": emoji_intent(message.get(TEXT) or ""), "confidence": 1.0}  # "👍" alone
                ranking = [dict(intent)]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _gibberish(self, message: Message) -> bool:
        words = [w for w in _words(message) if len(w) > 1]
        return bool(self._vocab) and len(words) >= UNKNOWN_WORDS_MIN and not any(w in self._vocab for w in words)

    def persist(self) -> None:
        if self._model is None:
            return
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / MODEL_FILE, **self._model.to_arrays(),
                     block_names=np.array([n for n, _, _ in self._layout], dtype=str),
                     block_widths=np.array([w for _, w, _ in self._layout], dtype=np.int64),
                     block_sparse=np.array([s for _, _, s in self._layout], dtype=bool),
                     vocab=np.array(sorted(self._vocab), dtype=str))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as model_dir:
                with np.load(model_dir / MODEL_FILE, allow_pickle=False) as z:
                    arrays = {k: z[k] for k in z.files}
        except (ValueError, FileNotFoundError, OSError):
            logger.debug("LinearIntentClassifier: no trained model in %s", resource.name)
            return cls(config, model_storage, resource)
        layout = [(str(n), int(w), bool(s)) for n, w, s in
                  zip(arrays["block_names"], arrays["block_widths"], arrays["block_sparse"])]
        vocab = frozenset(str(w) for w in arrays["vocab"]) if "vocab" in arrays else None
        return cls(config, model_storage, resource, LinearIntentModel.from_arrays(arrays), layout, vocab)
