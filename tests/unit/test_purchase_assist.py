"""Live purchase probability (scored at a hesitation point, actions/forecast.py) and the
purchase_assist experiment, with real Trackers, the real domain, catalog, experiments.yml and
the trained forecast model."""
from __future__ import annotations

import pytest
import yaml
from prometheus_client import REGISTRY

from actions.cart import ActionViewCart
from actions.forecast import offer_purchase_help
from lift.experiments.rollout import set_experiment_status
from lift.forecast import assist
from lift.forecast.signals import Forecaster, conversation_signals, page_session, session_features
from lift.measure.variants import variant_for
from tests.support.servers import ROOT
from tests.support.trackers import make_tracker, slot_events, texts

CART = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
# A page session that looks like a buyer's (high page value, many product pages, no bounce).
KEEN_PAGE = {"PageValues": 38.5, "ProductRelated": 24, "ProductRelated_Duration": 900.0,
             "BounceRates": 0.0, "ExitRates": 0.012, "VisitorType": "Returning_Visitor"}
COLD_PAGE = {"PageValues": 0, "ProductRelated": 1, "ProductRelated_Duration": 0.0,
             "BounceRates": 0.2, "ExitRates": 0.2}


@pytest.fixture(scope="session")
def forecaster():
    from lift.config import load_settings

    return Forecaster.load(load_settings({}).forecast_dir)


@pytest.fixture
def live(res, forecaster):
    res.forecaster = forecaster
    return res


def with_page(text: str, intent: str, page, **kw):
    tracker = make_tracker(text, intent, **kw)
    tracker.events[-1]["metadata"] = {"session": page}
    return tracker


def sender_in(variant: str, res) -> str:
    exp = res.experiments.config.experiment("purchase_assist")
    return next(s for s in (f"shopper-{i}" for i in range(1000)) if variant_for(s, exp.weights, salt=exp.hash_salt) == variant)


def start_experiment(res) -> None:
    set_experiment_status(res.engine, res.experiments.config, "purchase_assist", "start", actor="test", reason="unit test")
    res.experiments.refresh()


# --- the decision (pure) ---------------------------------------------------------------

@pytest.mark.parametrize("kw, reason, offer", [
    ({}, "eligible", True),
    ({"variant": "control"}, "eligible", False),
    ({"variant": None}, "eligible", False),
    ({"probability": 0.29}, "below_threshold", False),
    ({"probability": None}, "no_probability", False),
    ({"cart_value": 0.0}, "empty_cart", False),
    ({"decided_before": True}, "already_decided", False),
    ({"checking_out": True}, "checking_out", False),
])
def test_decision(kw, reason, offer):
    args = {"variant": "assist", "probability": 0.3, "cart_value": 129.0, "decided_before": False,
            "min_probability": 0.3, **kw}
    d = assist.decide(**args)
    assert (d.reason, d.offer) == (reason, offer)
    assert d.slot_value == ({True: "offered", False: "withheld"}[offer] if reason == "eligible" else None)


# --- the live probability ------------------------------------------------------------------

def score(dispatcher, tracker, res):
    return slot_events(offer_purchase_help(dispatcher, tracker, res)).get("purchase_probability")


def test_no_slot_mapping_calls_the_action_server_per_message():
    """A custom mapping naming an action makes Rasa's action_extract_slots call the action
    server after every user message (the `make bench` regression): the probability is scored
    at the hesitation point instead."""
    for path in sorted((ROOT / "domain").glob("*.yml")):
        for name, slot in ((yaml.safe_load(path.read_text()) or {}).get("slots") or {}).items():
            for mapping in slot.get("mappings") or []:
                assert not (mapping.get("type") == "custom" and mapping.get("action")), (path.name, name)


async def test_hesitation_scores_the_slot_from_chat_and_page_signals(live, dispatcher, forecaster):
    before = REGISTRY.get_sample_value("lift_purchase_probability_count", {"source": "page"}) or 0.0
    keen = with_page("show me my basket", "view_cart", KEEN_PAGE, slots={"cart": CART})
    cold = with_page("show me my basket", "view_cart", COLD_PAGE, slots={"cart": CART})
    p_keen, p_cold = score(dispatcher, keen, live), score(dispatcher, cold, live)
    assert 0.0 <= p_cold < 0.1 < 0.5 < p_keen <= 1.0
    assert dispatcher.messages == []  # no experiment live: nothing shown
    # the same number scikit-learn's public path gives for the same row
    row = session_features(conversation_signals(keen.events), page_session(keen.events))
    assert p_keen == pytest.approx(float(forecaster.score_many(row)[0]), abs=1e-4)
    assert REGISTRY.get_sample_value("lift_purchase_probability_count", {"source": "page"}) == before + 2


async def test_chat_only_signals_count_and_are_labelled_chat(live, dispatcher):
    before = REGISTRY.get_sample_value("lift_purchase_probability_count", {"source": "chat"}) or 0.0
    events = [{"event": "user", "timestamp": 1000.0, "parse_data": {"intent": {"name": "search_product"}}},
              {"event": "slot", "name": "last_product", "value": "AUD-001"}]
    tracker = make_tracker("what's in my cart", "view_cart", events=events, slots={"cart": CART})
    p = score(dispatcher, tracker, live)
    assert 0.0 < p < 1.0
    assert REGISTRY.get_sample_value("lift_purchase_probability_count", {"source": "chat"}) == before + 1


@pytest.mark.parametrize("kw", [
    {"slots": {"cart": []}},                                            # nothing to buy
    {"slots": {"cart": CART, "purchase_assist": "withheld"}},         # decided before
    {"slots": {"cart": CART}, "active_loop": "checkout_form"},          # checking out
])
async def test_turns_that_cannot_be_eligible_are_not_scored(live, dispatcher, kw):
    before = sum(REGISTRY.get_sample_value("lift_purchase_probability_count", {"source": s}) or 0.0
                 for s in ("page", "chat"))
    tracker = with_page("my cart", "view_cart", KEEN_PAGE, **kw)
    assert offer_purchase_help(dispatcher, tracker, live) == []
    assert sum(REGISTRY.get_sample_value("lift_purchase_probability_count", {"source": s}) or 0.0
               for s in ("page", "chat")) == before


# --- the experiment ------------------------------------------------------------------------

async def test_assist_variant_offers_help_once_when_eligible(live, domain):
    start_experiment(live)
    me = sender_in("assist", live)
    from rasa_sdk.executor import CollectingDispatcher

    d = CollectingDispatcher()
    tracker = with_page("what's in my cart?", "view_cart", KEEN_PAGE, sender_id=me, slots={"cart": CART})
    events = await ActionViewCart().run(d, tracker, domain)
    assert "Your cart:" in texts(d) and "before you check out" in texts(d)
    assert [b["payload"] for b in d.messages[-1]["buttons"]][:1] == ["/checkout"]
    slots = slot_events(events)
    assert slots["purchase_assist"] == "offered" and slots["purchase_probability"] > 0.5
    # once per conversation
    d2 = CollectingDispatcher()
    again = with_page("cart please", "view_cart", KEEN_PAGE, sender_id=me,
                      slots={"cart": CART, "purchase_probability": 0.7, "purchase_assist": "offered"})
    assert await ActionViewCart().run(d2, again, domain) == []
    assert "before you check out" not in texts(d2)


async def test_control_records_eligibility_without_an_offer(live, dispatcher, domain):
    start_experiment(live)
    tracker = with_page("what's in my cart?", "view_cart", KEEN_PAGE, sender_id=sender_in("control", live),
                        slots={"cart": CART})
    events = await ActionViewCart().run(dispatcher, tracker, domain)
    assert "Your cart:" in texts(dispatcher) and "before you check out" not in texts(dispatcher)
    slots = slot_events(events)
    assert slots["purchase_assist"] == "withheld" and slots["purchase_probability"] > 0.5


async def test_low_probability_or_no_experiment_changes_nothing(live, dispatcher, domain):
    me = sender_in("assist", live)
    # experiment not running (draft in experiments.yml): the probability is never acted on
    tracker = with_page("my cart", "view_cart", KEEN_PAGE, sender_id=me, slots={"cart": CART})
    events = offer_purchase_help(dispatcher, tracker, live)
    assert [e["name"] for e in events] == ["purchase_probability", "purchase_assist"]
    assert events[0]["value"] > 0.5 and events[1]["value"] == "withheld"
    start_experiment(live)
    low = with_page("my cart", "view_cart", COLD_PAGE, sender_id=me, slots={"cart": CART})
    events = offer_purchase_help(dispatcher, low, live)
    assert [e["name"] for e in events] == ["purchase_probability"] and events[0]["value"] < 0.3
    in_checkout = with_page("my cart", "view_cart", KEEN_PAGE, sender_id=me, active_loop="checkout_form",
                            slots={"cart": CART})
    assert offer_purchase_help(dispatcher, in_checkout, live) == []
    assert "before you check out" not in texts(dispatcher)
