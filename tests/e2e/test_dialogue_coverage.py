"""The trained dialogue model has an answer for every intent, wherever the shopper says it.

There is no ML dialogue policy (config.yml: MemoizationPolicy and RulePolicy only), so an
intent that no rule or story covers would get `action_default_fallback` ("sorry, I didn't
get that") although NLU understood it. This walks the trained model (models/current.tar.gz,
built by `make train` before the suite) through every intent: in a fresh conversation, right
after every intent's own answer, and inside every form, and checks the next action.

`affirm` and `deny` only mean something as a reply (to a cross-sell offer, an answer, a form's
question), so outside those they may fall back; inside a form they go to the form.
"""
from __future__ import annotations

import asyncio

import pytest

from tests.support.servers import MODEL

FALLBACK = "action_default_fallback"
REPLIES = {"affirm", "deny"}  # meaningful only as an answer to something the bot said
NOT_SAID = {"nlu_fallback", "EXTERNAL_cart_idle"}  # set by the pipeline / an external event


@pytest.fixture(scope="module")
def agent():
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train`")
    from rasa.core.agent import load_agent

    return asyncio.run(load_agent(model_path=str(MODEL)))


def _user(intent: str):
    from rasa.shared.core.events import UserUttered

    return UserUttered(f"/{intent}", {"name": intent, "confidence": 1.0})


def _next_action(agent, events):
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("coverage", start + events, agent.domain.slots)
    prediction = agent.processor._predict_next_with_tracker(tracker)
    return agent.domain.action_names_or_texts[prediction.max_confidence_index], prediction.policy_name or ""


def _intents(agent):
    return [i for i in agent.domain.intents if i not in NOT_SAID]


@pytest.fixture(scope="module")
def first_actions(agent):
    """intent -> (next action, policy) when a conversation opens with it."""
    return {intent: _next_action(agent, [_user(intent)]) for intent in _intents(agent)}


def test_every_intent_has_an_answer_in_a_fresh_conversation(first_actions):
    missing = {}
    for intent, (action, policy) in first_actions.items():
        if intent not in REPLIES and action == FALLBACK:
            missing[intent] = action
        assert "TED" not in policy
    assert not missing, f"intents with no rule or story (add one to data/rules/): {sorted(missing)}"


def test_every_intent_has_an_answer_after_any_other_answer(agent, first_actions):
    from rasa.shared.core.events import ActionExecuted

    answers = {intent: action for intent, (action, _) in first_actions.items()
               if action != FALLBACK and action not in agent.domain.form_names}
    assert len(answers) >= 40, answers
    missing = []
    for first, answer in answers.items():
        before = [_user(first), ActionExecuted(answer), ActionExecuted("action_listen")]
        for intent in _intents(agent):
            if intent in REPLIES:
                continue
            action, _ = _next_action(agent, before + [_user(intent)])
            if action == FALLBACK:
                missing.append(f"{intent} after {answer}")
    assert not missing, f"{len(missing)} turns fall back: {missing[:20]}"


def test_inside_every_form_every_intent_is_answered_or_goes_back_to_the_form(agent):
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet

    forms = agent.domain.forms
    assert {"order_form", "checkout_form", "lead_form", "onboarding_form"} <= set(forms)
    missing = []
    for form, spec in forms.items():
        asked = spec["required_slots"][0]
        inside = [_user("greet"), ActionExecuted(form), ActiveLoop(form), SlotSet("requested_slot", asked),
                  ActionExecuted("action_listen")]
        for intent in _intents(agent):
            action, _ = _next_action(agent, inside + [_user(intent)])
            if action == FALLBACK:
                missing.append(f"{intent} in {form}")
    assert not missing, f"{len(missing)} turns inside forms fall back: {missing[:20]}"
