"""The cart-idle nudge (experiment surface cart_idle): the idle clock the cart actions start
(a Rasa reminder), the nudge per variant when it fires, and the experiments.yml rules; real
Tracker objects, the real domain and catalog, a real SQLite database with the seeded coupons."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.cart import ActionAddToCart, ActionViewCart
from actions.coupons import ActionApplyCoupon
from actions.cart_idle import ActionOfferCartCoupon
from lift.experiments import cart_idle
from lift.experiments.assignment import Assigner
from lift.experiments.config import ExperimentsConfigError, parse_experiments
from lift.measure.rules import load_conversions
from lift.measure.variants import variant_for
from tests.support.trackers import ent, make_tracker, slot_events, texts
from tests.unit.conftest import ROOT

METRICS = load_conversions(ROOT / "conversions.yml").names
CART = [{"sku": "AUD-001", "qty": 2, "unit_price": "129.00"}]


def experiment(status="running", variants=("control", "reminder", "coupon"), **params):
    weights = [100 // len(variants)] * len(variants)
    weights[0] += 100 - sum(weights)
    return {"name": "cart_idle_coupon", "surface": "cart_idle", "status": status,
            "params": {"idle_seconds": 90, "coupon": "WELCOME10", **params},
            "variants": [{"name": v, "weight": w} for v, w in zip(variants, weights)],
            "metric": "checkout_started"}


@pytest.fixture
def live(res):
    """res with a running cart_idle experiment (three variants)."""
    res.assigner = Assigner(res.engine, parse_experiments({"experiments": [experiment()]}, METRICS))
    return res


def sender_in(variant: str) -> str:
    weights = {"control": 34, "reminder": 33, "coupon": 33}
    return next(s for s in (f"shopper-{i}" for i in range(500))
                if variant_for(s, weights, salt="cart_idle_coupon:") == variant)


def reminders(events):
    return [e for e in events if e.get("event") == "reminder"]


def fired(sender: str, slots: dict):
    """The tracker as Rasa hands it over when the idle reminder fires (an external user event)."""
    tracker = make_tracker(f"EXTERNAL: {cart_idle.INTENT}", cart_idle.INTENT, slots=slots, sender_id=sender)
    tracker.latest_message["metadata"] = {"is_external": True}
    return tracker


async def test_adding_to_the_cart_starts_the_idle_clock(live, dispatcher, domain):
    before = dt.datetime.now(dt.timezone.utc)
    events = await ActionAddToCart().run(dispatcher, make_tracker(
        "add the aria headphones", "add_to_cart", entities=[ent("product", "aria")], sender_id="alice"), domain)
    assert slot_events(events)["cart"]
    [reminder] = reminders(events)
    assert reminder["intent"] == cart_idle.INTENT and reminder["kill_on_user_msg"] is True
    assert reminder["name"] == cart_idle.reminder_name("alice") != cart_idle.reminder_name("bob")
    due = dt.datetime.fromisoformat(reminder["date_time"])
    assert 89 <= (due - before).total_seconds() <= 95


async def test_viewing_a_full_cart_restarts_it_but_not_after_a_nudge_or_when_empty(live, dispatcher, domain):
    assert reminders(await ActionViewCart().run(dispatcher, make_tracker("cart", "view_cart", slots={"cart": CART}), domain))
    nudged = make_tracker("cart", "view_cart", slots={"cart": CART, "cart_nudge": "reminder"})
    assert not reminders(await ActionViewCart().run(dispatcher, nudged, domain))
    assert not reminders(await ActionViewCart().run(dispatcher, make_tracker("cart", "view_cart"), domain))


async def test_no_clock_without_a_live_experiment(res, dispatcher, domain):
    res.assigner = Assigner(res.engine, parse_experiments({"experiments": [experiment(status="draft")]}, METRICS))
    events = await ActionAddToCart().run(dispatcher, make_tracker(
        "add the aria headphones", "add_to_cart", entities=[ent("product", "aria")]), domain)
    assert slot_events(events)["cart"] and not reminders(events)


async def test_coupon_variant_offers_the_coupon_it_can_apply(live, dispatcher, domain):
    events = await ActionOfferCartCoupon().run(dispatcher, fired(sender_in("coupon"), {"cart": CART}), domain)
    assert slot_events(events) == {"cart_nudge": "coupon", "offered_coupon": "WELCOME10"}
    assert "WELCOME10 takes $25.80 off the 2 items in your cart ($258.00)" in texts(dispatcher)
    apply = dispatcher.messages[0]["buttons"][0]
    assert apply["payload"] == '/apply_coupon{"coupon_code":"WELCOME10"}'
    # the button's payload is what action_apply_coupon takes: the coupon gets applied (coupon_applied)
    d2 = type(dispatcher)()
    applied = await ActionApplyCoupon().run(d2, make_tracker(apply["payload"], "apply_coupon", slots={"cart": CART},
                                                             entities=[ent("coupon_code", "WELCOME10")]), domain)
    assert slot_events(applied) == {"coupon_code": "WELCOME10"}


async def test_reminder_variant_and_control(live, dispatcher, domain):
    events = await ActionOfferCartCoupon().run(dispatcher, fired(sender_in("reminder"), {"cart": CART}), domain)
    assert slot_events(events) == {"cart_nudge": "reminder"}
    assert "Your cart is saved: 2 items ($258.00)" in texts(dispatcher) and "WELCOME10" not in texts(dispatcher)
    d2 = type(dispatcher)()
    events = await ActionOfferCartCoupon().run(d2, fired(sender_in("control"), {"cart": CART}), domain)
    assert slot_events(events) == {"cart_nudge": "none"} and d2.messages == []


async def test_coupon_variant_with_a_coupon_already_applied_gets_the_plain_reminder(live, dispatcher, domain):
    events = await ActionOfferCartCoupon().run(
        dispatcher, fired(sender_in("coupon"), {"cart": CART, "coupon_code": "SAVE20"}), domain)
    assert slot_events(events) == {"cart_nudge": "reminder"}


async def test_a_coupon_that_does_not_apply_is_not_offered(res, dispatcher, domain):
    res.assigner = Assigner(res.engine, parse_experiments({"experiments": [experiment(coupon="BUNDLE15")]}, METRICS))
    events = await ActionOfferCartCoupon().run(dispatcher, fired(sender_in("coupon"), {"cart": CART}), domain)
    assert slot_events(events) == {"cart_nudge": "reminder"}  # BUNDLE15 needs $500; the cart is $258


async def test_typed_trigger_empty_cart_or_second_time_do_nothing(live, dispatcher, domain):
    typed = make_tracker(f"/{cart_idle.INTENT}", cart_idle.INTENT, slots={"cart": CART}, sender_id=sender_in("coupon"))
    assert await ActionOfferCartCoupon().run(dispatcher, typed, domain) == []
    assert await ActionOfferCartCoupon().run(dispatcher, fired(sender_in("coupon"), {}), domain) == []
    again = fired(sender_in("coupon"), {"cart": CART, "cart_nudge": "coupon"})
    assert await ActionOfferCartCoupon().run(dispatcher, again, domain) == [] and dispatcher.messages == []


def test_experiments_yml_rules_for_the_surface():
    with pytest.raises(ExperimentsConfigError) as err:
        parse_experiments({"experiments": [experiment(variants=("control", "discount"), idle_seconds=0, colour="red")]},
                          METRICS)
    message = str(err.value)
    assert "variants must be named from control, none, reminder, coupon, got discount" in message
    assert "params.idle_seconds must be a number of seconds" in message and "unknown params key 'colour'" in message
    no_code = experiment()
    no_code["params"] = {"idle_seconds": 30}
    with pytest.raises(ExperimentsConfigError, match="variant 'coupon' needs params.coupon"):
        parse_experiments({"experiments": [no_code]}, METRICS)
    exp = parse_experiments({"experiments": [experiment()]}, METRICS).experiment("cart_idle_coupon")
    assert cart_idle.idle_seconds(dict(exp.params)) == 90 and exp.param("coupon") == "WELCOME10"


def test_project_experiments_yml_declares_the_nudge_and_its_micro_conversions():
    from lift.config import load_settings
    from lift.experiments.config import load_from_settings

    exp = load_from_settings(load_settings({})).experiment("cart_idle_coupon")
    assert exp.surface == cart_idle.SURFACE and exp.variant_names == ["control", "reminder", "coupon"]
    assert {"cart_idle_detected", "coupon_offered", "coupon_applied"} <= set(METRICS)
