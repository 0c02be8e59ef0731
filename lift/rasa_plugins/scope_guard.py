"""Rasa 3.6 component: a message naming a catalog product or category, or an order number, is
not out of scope, a message without any business or demo wording is not a sales lead, and a
question about the demo or business buying is a question for the knowledge base, not a lead, and
a message without a word of yes, no or adding is none of those (:mod:`lift.nlu.scope`). Placed
after the entity extractors and before FallbackClassifier, so a weak in-scope guess still gets
the fallback's "did you mean ...?".

    - name: lift.rasa_plugins.scope_guard.StoreScopeGuard
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from lift.commerce.destinations import load_country_names
from lift.nlu.scope import guarded_intent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class StoreScopeGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "StoreScopeGuard":
        load_country_names()  # "japan?" is read against the country and city names: loaded once, here (~1 s)
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            replacement = guarded_intent(message.get(INTENT), message.get(INTENT_RANKING_KEY) or [],
                                         message.get(ENTITIES) or [], message.get(TEXT))
            if replacement is not None:
                message.set(INTENT, replacement, add_to_output=True)
        return messages
