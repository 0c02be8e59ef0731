"""The policy that ends the turn after an action run as another action's FollowupAction: without it
RulePolicy's core fallback reverted the user's message and the cart change the action had made."""
from pathlib import Path

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lift.rasa_plugins.followup_policy import FollowupEndsTurnPolicy, handed_over_action

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def _policy(tmp_path, cls=FollowupEndsTurnPolicy, **config):
    storage = LocalModelStorage(tmp_path)
    return cls.create({**cls.get_default_config(), **config}, storage, Resource(cls.__name__),
                      ExecutionContext(None))  # type: ignore[arg-type]


def _tracker(rasa_domain, *events):
    return DialogueStateTracker.from_events("shopper", [
        ActionExecuted("action_listen"),
        UserUttered("can u knock it down to 6", intent={"name": "out_of_scope", "confidence": 0.35}),
        ActionExecuted("action_reply_out_of_scope", policy="RulePolicy"),
        *events], slots=rasa_domain.slots)


def test_after_an_action_handed_over_the_turn_ends(tmp_path, rasa_domain):
    tracker = _tracker(rasa_domain, ActionExecuted("action_remove_from_cart", policy="followup_action"),
                       SlotSet("cart", [{"sku": "KIT-004", "qty": 6, "unit_price": "45.00"}]))
    assert handed_over_action(tracker) == "action_remove_from_cart"
    prediction = _policy(tmp_path).predict_action_probabilities(tracker, rasa_domain)
    assert rasa_domain.action_names_or_texts[prediction.max_confidence_index] == "action_listen"
    assert prediction.max_confidence == 1.0 and prediction.policy_priority == 1


@pytest.mark.parametrize("events", [
    [],  # the action a rule chose: the rules say what follows
    [ActionExecuted("action_remove_from_cart", policy="RulePolicy")],
    [ActiveLoop("checkout_form"), ActionExecuted("checkout_form", policy="followup_action")],  # the form's loop decides
])
def test_otherwise_it_predicts_nothing(tmp_path, rasa_domain, events):
    tracker = _tracker(rasa_domain, *events)
    assert handed_over_action(tracker) is None
    assert _policy(tmp_path).predict_action_probabilities(tracker, rasa_domain).max_confidence == 0.0


def test_a_rule_that_knows_the_next_step_still_wins_and_the_core_fallback_does_not(tmp_path, rasa_domain):
    """Equal confidence goes to the higher priority; the core fallback's 0.3 loses to the listen."""
    from rasa.core.policies.policy import PolicyPrediction, confidence_scores_for
    tracker = _tracker(rasa_domain, ActionExecuted("action_remove_from_cart", policy="followup_action"))
    ours = _policy(tmp_path).predict_action_probabilities(tracker, rasa_domain)
    rule_next = PolicyPrediction(confidence_scores_for("action_view_cart", 1.0, rasa_domain), "RulePolicy", 6)
    fallback = PolicyPrediction(confidence_scores_for("action_default_fallback", 0.3, rasa_domain), "RulePolicy", 6)
    pick = DefaultPolicyPredictionEnsemble._pick_best_policy
    names = rasa_domain.action_names_or_texts
    assert names[pick([rule_next, ours]).max_confidence_index] == "action_view_cart"
    assert names[pick([fallback, ours]).max_confidence_index] == "action_listen"


def test_it_trains_and_loads_without_data(tmp_path, rasa_domain):
    policy = _policy(tmp_path)
    resource = policy.train([], rasa_domain)
    loaded = FollowupEndsTurnPolicy.load(FollowupEndsTurnPolicy.get_default_config(), LocalModelStorage(tmp_path),
                                         resource, ExecutionContext(None))  # type: ignore[arg-type]
    assert loaded.priority == 1
