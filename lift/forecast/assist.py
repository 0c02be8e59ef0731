"""Purchase assist: the experiment treatment that acts on the live purchase probability.

A shopper is *eligible* once per conversation when they hesitate with a high-intent basket:
they look at their cart (instead of checking out) while it holds items and the live purchase
probability is at least ``min_probability`` (``LIFT_ASSIST_MIN_PROBABILITY``). What happens
then is decided by experiment ``purchase_assist`` (surface :data:`SURFACE` in experiments.yml):

* variant :data:`TREATMENT` (``assist``): the bot offers help — answers on shipping, returns
  and payment, a person, or a quick checkout — and the slot ``purchase_assist`` is ``offered``;
* any other variant (the baseline ``control``), or no live experiment on the surface: nothing is
  shown; the slot is ``withheld`` so both arms record the same eligibility (micro-conversion
  ``assist_eligible``) and the report can check the arms are comparable.

The probability is never used outside an experiment: with no live experiment the decision is
always "withheld". It is scored only on turns that can be eligible (:func:`worth_scoring`).
Plain Python; the action glue is ``actions/forecast.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

SURFACE = "purchase_assist"
TREATMENT = "assist"
OFFERED = "offered"
WITHHELD = "withheld"


@dataclass(frozen=True)
class AssistDecision:
    eligible: bool
    offer: bool
    reason: str  # eligible | already_decided | checking_out | empty_cart | no_probability | below_threshold

    @property
    def slot_value(self) -> Optional[str]:
        """What slot ``purchase_assist`` becomes (None: leave it as it is)."""
        if not self.eligible:
            return None
        return OFFERED if self.offer else WITHHELD


def _not_eligible(cart_value: float, decided_before: bool, checking_out: bool) -> Optional[AssistDecision]:
    """The decision when it does not depend on the probability, else None."""
    if decided_before:
        return AssistDecision(False, False, "already_decided")
    if checking_out:
        return AssistDecision(False, False, "checking_out")
    if cart_value <= 0:
        return AssistDecision(False, False, "empty_cart")
    return None


def worth_scoring(*, cart_value: float, decided_before: bool, checking_out: bool = False) -> bool:
    """Whether this hesitation turn can be eligible, i.e. the live probability is worth scoring."""
    return _not_eligible(cart_value, decided_before, checking_out) is None


def decide(*, variant: Optional[str], probability: Optional[float], cart_value: float,
           decided_before: bool, min_probability: float, checking_out: bool = False) -> AssistDecision:
    """Whether this hesitation turn is eligible and whether the conversation's variant offers help.

    ``variant``: the conversation's variant on :data:`SURFACE` (None when no experiment is live
    there); ``probability``: the live purchase probability (None: not scored);
    ``decided_before``: the conversation was already eligible once (the offer is made at most once);
    ``checking_out``: the checkout form is active (not hesitating: nothing to offer).
    """
    early = _not_eligible(cart_value, decided_before, checking_out)
    if early is not None:
        return early
    if probability is None:
        return AssistDecision(False, False, "no_probability")
    if probability < min_probability:
        return AssistDecision(False, False, "below_threshold")
    return AssistDecision(True, variant == TREATMENT, "eligible")
