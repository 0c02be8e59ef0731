"""Rasa 3.6 policy: an action that ran as another action's ``FollowupAction`` ends the turn.

Actions hand a message on to the action that handles it ("can u knock it down to 6" read as out
of scope: ``action_reply_out_of_scope`` hands it to ``action_remove_from_cart``). No rule or story
covers the action after such a hand-over, so RulePolicy's only prediction there is its core
fallback, ``action_default_fallback``, which reverts the user's message and with it everything the
handed-over action did: the cart said "You now have 6" and went back to 12. This policy predicts
``action_listen`` after an action run as a follow-up, at the lowest priority, so any rule, story or
form that does know the next step still wins (equal confidence goes to the higher priority).

    policies:
      - name: lift.rasa_plugins.followup_policy.FollowupEndsTurnPolicy
        priority: 1
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.core.constants import POLICY_PRIORITY
from rasa.shared.core.constants import ACTION_LISTEN_NAME, FOLLOWUP_ACTION
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


def handed_over_action(tracker: DialogueStateTracker) -> Optional[Text]:
    """The name of the latest action when it ran as a follow-up of another action and is not the
    form still running (a form's own loop decides its next step); None otherwise."""
    for event in reversed(tracker.applied_events()):
        if isinstance(event, ActionExecuted):
            if event.policy != FOLLOWUP_ACTION or event.action_name in (ACTION_LISTEN_NAME, tracker.active_loop_name):
                return None
            return event.action_name
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FollowupEndsTurnPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {POLICY_PRIORITY: 1}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        with self._model_storage.write_to(self._resource):
            pass  # nothing learnt: the rule above needs no data
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        if handed_over_action(tracker) is None:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(confidence_scores_for(ACTION_LISTEN_NAME, 1.0, domain))
