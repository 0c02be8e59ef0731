"""conversions.yml parsing/validation, redaction, detection semantics, variants."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from lift.measure.detector import ConversionDetector, KbVersionSource
from lift.measure.redaction import Redactor
from lift.measure.rules import ConversionsConfigError, load_conversions, parse_conversions
from lift.measure.variants import bucket, variant_for

ROOT = Path(__file__).resolve().parents[2]

SPEC_CONVERSIONS = {
    "lead_started", "email_captured", "lead_qualified", "demo_booked", "product_viewed",
    "price_viewed", "cart_item_added", "coupon_applied", "upsell_offered", "upsell_accepted",
    "checkout_started", "checkout_completed", "onboarding_started", "onboarding_step_completed",
    "onboarding_completed", "newsletter_subscribed", "question_answered", "handoff_requested",
}


def rules(*items, funnels=None):
    data = {"conversions": list(items)}
    if funnels is not None:
        data["funnels"] = funnels
    return parse_conversions(data, source="test.yml")


# --------------------------------------------------------------------------- mapping


def test_shipped_file_defines_every_spec_conversion_and_funnels():
    config = load_conversions(ROOT / "conversions.yml")
    # SPEC's, plus the cart-idle nudge's (experiment cart_idle_coupon) and purchase_assist's
    assert set(config.names) == SPEC_CONVERSIONS | {"cart_idle_detected", "coupon_offered",
                                                    "assist_eligible", "assist_offered"}
    assert config.funnels["sales"] == ("product_viewed", "cart_item_added", "checkout_started", "checkout_completed")
    assert config.funnels["leads"] == ("lead_started", "email_captured", "lead_qualified", "demo_booked")
    assert "onboarding" in config.funnels


@pytest.mark.parametrize(
    "data, message",
    [
        ({"conversions": [{"name": "a", "when": {"slot": "x"}}, {"name": "a", "when": {"slot": "y"}}]},
         "duplicate conversion name 'a'"),
        ({"conversions": [{"name": "a", "when": {"slot": "x"}, "colour": "red"}]}, "unknown key 'colour'"),
        ({"conversions": [{"name": "a", "when": {"slot": "x", "equal": True}}]}, "unknown key 'when.equal'"),
        ({"conversions": [{"name": "a", "when": {"slot": "x", "action": "y"}}]}, "exactly one of"),
        ({"conversions": [{"name": "a", "when": {}}]}, "exactly one of"),
        ({"conversions": [{"name": "A b", "when": {"slot": "x"}}]}, "lower_snake_case"),
        ({"conversions": [{"name": "a", "when": {"slot": "x"}, "value": "raw"}]}, "unknown value kind 'raw'"),
        ({"conversions": [{"name": "a", "when": {"action": "x"}, "value": "email"}]}, "needs a slot rule"),
        ({"conversions": [{"name": "a", "when": {"action": "x", "equals": 1}}]}, "only apply to slot rules"),
        ({"conversions": [{"name": "a", "when": {"action": ["x", "y"]}}]}, "must be a name"),
        ({"conversions": []}, "non-empty list"),
        ({"conversions": [{"name": "a", "when": {"slot": "x"}}], "extra": 1}, "unknown top-level key 'extra'"),
        ({"conversions": [{"name": "a", "when": {"slot": "x"}}], "funnels": {"f": ["a", "zzz"]}},
         "funnel 'f': unknown conversion 'zzz'"),
        ({"conversions": [{"name": "a", "when": {"slot": "x"}}], "funnels": {"f": ["a"]}}, "at least two"),
        ({"conversions": [{"name": "a", "when": {"slot": "x"}}, {"name": "b", "when": {"slot": "y"}}],
          "funnels": {"f": ["a", "b", "a"]}}, "listed twice"),
        ("just text", "expected a mapping"),
    ],
)
def test_invalid_mappings_fail_with_a_clear_message(data, message):
    with pytest.raises(ConversionsConfigError, match=message):
        parse_conversions(data, source="test.yml")


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConversionsConfigError) as err:
        parse_conversions({"conversions": [{"name": "a", "when": {"slot": "x"}, "bogus": 1},
                                           {"name": "a", "when": {"slot": "y"}},
                                           {"name": "b", "when": {"slot": "z"}, "value": "nope"}]})
    text = str(err.value)
    assert "bogus" in text and "nope" in text


def test_missing_and_unparseable_files(tmp_path):
    with pytest.raises(ConversionsConfigError, match="not found"):
        load_conversions(tmp_path / "absent.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("conversions: [\n")
    with pytest.raises(ConversionsConfigError, match="invalid YAML"):
        load_conversions(bad)


def test_validation_against_domain_names_lists_every_unknown_name():
    config = rules(
        {"name": "a", "when": {"slot": ["email", "ghost_slot"]}},
        {"name": "b", "when": {"active_loop": "ghost_form"}},
        {"name": "c", "when": {"action": "action_ghost"}},
        {"name": "d", "when": {"slot": "email", "while_active_loop": "other_ghost"}},
    )
    with pytest.raises(ConversionsConfigError) as err:
        config.validate_against(slots={"email"}, forms={"lead_form"}, actions={"action_show_price"})
    text = str(err.value)
    for name in ("ghost_slot", "ghost_form", "action_ghost", "other_ghost"):
        assert name in text
    rules({"name": "a", "when": {"slot": "email"}}).validate_against({"email"}, set(), set())


# --------------------------------------------------------------------------- redaction


def test_email_and_phone_become_keyed_tokens():
    r = Redactor("k1")
    a = r.email("Jane.Doe@Example.org")
    assert a == r.email(" jane.doe@example.org ") and a.startswith("email:") and "jane" not in a
    assert Redactor("k2").email("jane.doe@example.org") != a  # keyed: not a plain hash
    assert r.phone("+1 (555) 010-4477") == r.phone("15550104477")
    assert r.phone("") is None and r.email(None) is None


@pytest.mark.parametrize(
    "text, leaked",
    [
        ("write to jane@example.com please", ["jane@example.com", "jane"]),
        ("call +44 20 7946 0958 today", ["7946", "0958"]),
        ("555-010-4477", ["4477"]),
        ("(555) 010 4477 or bob@x.io", ["4477", "bob@"]),
    ],
)
def test_free_text_is_scrubbed(text, leaked):
    out = Redactor("k").text(text)
    for raw in leaked:
        assert raw not in out


@pytest.mark.parametrize("kept", ["2024-05-07T15:00:00+00:00", "SKU-12345678", "ORD-20240501-0042", "42", "faq-12"])
def test_ids_and_dates_are_not_mistaken_for_phone_numbers(kept):
    assert Redactor("k").generic(kept) == kept


def test_generic_values():
    r = Redactor("k")
    assert r.generic(True) == "true"
    assert r.generic(42.0) == "42"
    assert r.generic(2.5) == "2.5"
    assert r.generic(None) is None
    assert "a@b.example" not in r.generic({"note": "a@b.example"})
    assert json.loads(r.cart([{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}, {"sku": "A", "qty": 1}, "junk"])) == {
        "item_count": 4, "skus": ["A", "B"]}


# --------------------------------------------------------------------------- detection

SHIPPED = load_conversions(ROOT / "conversions.yml")


def detector(config=SHIPPED, manifest=None):
    return ConversionDetector(config, Redactor("k"), KbVersionSource(manifest))


def names(dets):
    return [d.name for d in dets]


def test_only_new_events_fire_and_prior_events_give_context():
    events = [
        SessionStarted(timestamp=100),
        SlotSet("variant", "b", timestamp=100),
        UserUttered("sign up", timestamp=101, input_channel="socketio", metadata={"model_id": "m1"}),
        ActiveLoop("onboarding_form", timestamp=101),
        SlotSet("email", "x@example.com", timestamp=102),
    ]
    dets = detector().detect(events, start=4)
    assert names(dets) == ["email_captured", "onboarding_step_completed"]
    d = dets[0]
    assert (d.channel, d.variant, d.model_id, d.kb_version) == ("socketio", "b", "m1", "none")
    assert d.occurred_at == dt.datetime(1970, 1, 1, 0, 1, 42)
    assert dets[1].value == "email"


def test_first_occurrence_only_and_already_recorded_names_are_skipped():
    events = [SlotSet("last_product", "A", timestamp=1), SlotSet("last_product", "B", timestamp=2)]
    dets = detector().detect(events, start=0)
    assert [(d.name, d.value) for d in dets] == [("product_viewed", "A")]
    assert detector().detect(events, start=0, already={"product_viewed"}) == []


def test_value_conditions():
    events = [
        SlotSet("cart", [], timestamp=1),
        SlotSet("upsell_accepted", False, timestamp=2),
        SlotSet("newsletter_opt_in", 1, timestamp=3),  # not `true`
        SlotSet("email", None, timestamp=4),
        ActionExecuted("action_show_products", timestamp=5),
    ]
    assert detector().detect(events, start=0) == []
    events += [SlotSet("cart", [{"sku": "A", "qty": 1}], timestamp=6), SlotSet("upsell_accepted", True, timestamp=7),
               ActionExecuted("action_show_price", timestamp=8)]
    assert names(detector().detect(events, start=0)) == ["cart_item_added", "upsell_accepted", "price_viewed"]


def test_restart_and_session_start_clear_the_active_form():
    events = [ActiveLoop("onboarding_form", timestamp=1), Restarted(timestamp=2), SlotSet("interests", ["audio"], timestamp=3)]
    assert "onboarding_step_completed" not in names(detector().detect(events, start=2))
    events = [ActiveLoop("onboarding_form", timestamp=1), SessionStarted(timestamp=2), SlotSet("interests", ["audio"], timestamp=3)]
    assert "onboarding_step_completed" not in names(detector().detect(events, start=2))
    events = [ActiveLoop("onboarding_form", timestamp=1), AllSlotsReset(timestamp=2), SlotSet("interests", ["a"], timestamp=3)]
    assert "onboarding_step_completed" in names(detector().detect(events, start=2))


def test_person_name_is_never_stored():
    config = rules({"name": "named", "when": {"slot": "person_name"}},
                   {"name": "named_raw", "when": {"slot": "person_name"}, "value": "slot"})
    dets = detector(config).detect([SlotSet("person_name", "Jane Doe", timestamp=1)], start=0)
    assert [(d.name, d.value) for d in dets] == [("named", None), ("named_raw", None)]


def test_kb_version_comes_from_slot_then_manifest_then_none(tmp_path):
    manifest = tmp_path / "manifest.json"
    ev = [SlotSet("kb_doc_id", "faq-1", timestamp=1)]
    assert detector(manifest=manifest).detect(ev, start=0)[0].kb_version == "none"
    manifest.write_text(json.dumps({"kb_version": "kb-7"}))
    assert detector(manifest=manifest).detect(ev, start=0)[0].kb_version == "kb-7"
    with_slot = ev + [SlotSet("kb_version", "kb-8", timestamp=1)]
    assert detector(manifest=manifest).detect(with_slot, start=0)[0].kb_version == "kb-8"
    manifest.write_text("{broken")
    assert detector(manifest=manifest).detect(ev, start=0)[0].kb_version == "none"


def test_channel_of_a_message_saved_in_the_same_batch_is_used():
    events = [SlotSet("variant", "control", timestamp=1), ActiveLoop("lead_form", timestamp=1),
              UserUttered("x", timestamp=2, input_channel="slack")]
    assert detector().detect(events, start=0)[0].channel == "slack"


# --------------------------------------------------------------------------- variants


def test_variant_is_deterministic_and_defaults_to_control():
    assert variant_for("alice") == "control"
    assert variant_for("alice", ["a", "b"]) == variant_for("alice", ["a", "b"])
    assert 0 <= bucket("alice") < 1
    spread = Counter(variant_for(f"user-{i}", ["a", "b"]) for i in range(2000))
    assert 850 < spread["a"] < 1150
    weighted = Counter(variant_for(f"user-{i}", {"a": 9, "b": 1}) for i in range(2000))
    assert 1650 < weighted["a"] < 1950
    assert variant_for("x", {"a": 0, "b": 1}) == "b"
    salts = {variant_for(f"user-{i}", ["a", "b"], salt="exp1") == variant_for(f"user-{i}", ["a", "b"], salt="exp2")
             for i in range(200)}
    assert salts == {True, False}  # independent experiments reshuffle


@pytest.mark.parametrize("bad", [[], {"a": -1}, {"a": 0}, ["a", "a"]])
def test_variant_rejects_bad_configurations(bad):
    with pytest.raises(ValueError):
        variant_for("x", bad)


def test_what_stored_events_matched_is_not_detected_again():
    stored = [UserUttered("hi", timestamp=1), SlotSet("last_product", "A", timestamp=2), SlotSet("cart", [], timestamp=2)]
    new_session = [
        ActionExecuted("action_session_start", timestamp=10),
        SessionStarted(timestamp=10),
        SlotSet("last_product", "A", timestamp=10),  # carried over: recorded with the stored event
        SlotSet("cart", [], timestamp=10),
        UserUttered("add it", timestamp=11),
        SlotSet("email", "new@example.com", timestamp=11),
        SlotSet("cart", [{"sku": "A", "qty": 1}], timestamp=11),
    ]
    dets = detector().detect(stored + new_session, start=len(stored))
    assert names(dets) == ["email_captured", "cart_item_added"]
    assert [d.occurred_at.second for d in dets] == [11, 11]
    # The same history saved at once (e.g. into an empty database) records the first occurrence.
    assert [(d.name, d.occurred_at.second) for d in detector().detect(stored + new_session, start=0)] == [
        ("product_viewed", 2), ("email_captured", 11), ("cart_item_added", 11)]


def test_not_in_excludes_placeholder_values():
    assert detector().detect([SlotSet("demo_time", "unscheduled", timestamp=1)], start=0) == []
    assert names(detector().detect([SlotSet("demo_time", "2024-05-07T15:00", timestamp=1)], start=0)) == ["demo_booked"]
    with pytest.raises(ConversionsConfigError, match="not_in"):
        rules({"name": "a", "when": {"slot": "x", "not_in": "unscheduled"}})
