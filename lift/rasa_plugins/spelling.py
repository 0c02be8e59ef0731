"""Rasa 3.6 component: misspelt words read as the training words they were meant to be.

Learns the training data's vocabulary (word counts, stored with the model) and, for messages
parsed at run time, replaces each token that is no English word (:mod:`lift.nlu.spelling`) by its
correction before the featurizers read the tokens: "I want to teack order" is counted and
embedded as "I want to track order". The message text, the entities and every rule reading the
text are unchanged. Training examples are left as they are (Bitext's own typos are part of the
training signal).

    - name: lift.rasa_plugins.spelling.SpellingNormaliser   # right after the tokenizer
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lift.nlu.masking import MASKED
from lift.nlu.spelling import SPELLED, Speller, english_words

logger = logging.getLogger(__name__)

VOCAB_FILE = "vocabulary.json"
# A longer message is carried by its many words; correcting each unknown one (0.2-0.4 ms) would
# cost a 4,000-character message of gibberish a second.
MAX_TOKENS = 100
_WORD = re.compile(r"[a-z]+")


def corrected_tokens(tokens: List[Token], speller: Speller) -> List[Token]:
    """``tokens`` with misspelt words replaced; a run-together word becomes two tokens. The first
    token of a corrected word carries ``SPELLED`` = [end of the word, its replacement]."""
    out: List[Token] = []
    for token in tokens:
        data = token.data or {}
        fixed = None if data.get(MASKED) else speller.correct(token.text.lower())
        if not fixed:
            out.append(token)
            continue
        words = fixed.split()
        start = token.start
        for i, word in enumerate(words):
            end = token.end if i == len(words) - 1 else min(token.end, start + len(word))
            extra = {SPELLED: [token.end, fixed]} if i == 0 else {}
            out.append(Token(word, start, end, data={**data, **extra}, lemma=word))
            start = end
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SpellingNormaliser(GraphComponent):
    """Corrects the tokens of parsed messages against the training vocabulary."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @staticmethod
    def required_packages() -> List[Text]:
        # distribution and module names must match (Rasa imports and fingerprints them):
        # pyspellchecker installs the module "spellchecker", so only rapidfuzz is listed
        return ["rapidfuzz"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 speller: Optional[Speller] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._speller = speller

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpellingNormaliser":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        counts = Counter(w for m in training_data.intent_examples
                         for w in _WORD.findall((m.get(TEXT) or "").lower()))
        with self._model_storage.write_to(self._resource) as model_dir:
            (model_dir / VOCAB_FILE).write_text(json.dumps(dict(sorted(counts.items()))), encoding="utf-8")
        self._speller = Speller(counts, english_words())
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SpellingNormaliser":
        try:
            with model_storage.read_from(resource) as model_dir:
                counts = json.loads((model_dir / VOCAB_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError, OSError):
            logger.debug("SpellingNormaliser: no vocabulary in %s, nothing is corrected", resource.name)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, Speller(counts, english_words()))

    def process(self, messages: List[Message]) -> List[Message]:
        """Corrects parsed messages' tokens (in place)."""
        if self._speller is None:
            return messages
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if tokens and len(tokens) <= MAX_TOKENS:
                message.set(TOKENS_NAMES[TEXT], corrected_tokens(tokens, self._speller))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their own spelling."""
        return training_data
