"""The shipped conversions.yml against event sequences the bot's flows really produce."""
from pathlib import Path

from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered

from lift.measure.detector import ConversionDetector
from lift.measure.redaction import Redactor
from lift.measure.rules import load_conversions

ROOT = Path(__file__).resolve().parents[2]


def detect(events):
    detector = ConversionDetector(load_conversions(ROOT / "conversions.yml"), Redactor("k"))
    return {d.name for d in detector.detect(events, start=0)}


def test_checkout_with_items_counts_as_started():
    events = [UserUttered("checkout", {"name": "checkout"}), ActionExecuted("checkout_form"),
              ActiveLoop("checkout_form"), SlotSet("requested_slot", "email")]
    assert "checkout_started" in detect(events)


def test_checkout_with_an_empty_cart_is_not_a_started_checkout():
    # validate_checkout_form ends the form before its first question when the cart is empty
    events = [UserUttered("checkout", {"name": "checkout"}), ActionExecuted("checkout_form"),
              ActiveLoop("checkout_form"), SlotSet("requested_slot", None), ActiveLoop(None),
              ActionExecuted("action_place_order")]
    assert "checkout_started" not in detect(events)


def test_lead_flow_events():
    events = [UserUttered("demo", {"name": "request_demo"}), ActionExecuted("lead_form"), ActiveLoop("lead_form"),
              SlotSet("requested_slot", "person_name"), SlotSet("person_name", "Jane Doe"), SlotSet("email", "j@a.io"),
              SlotSet("demo_time", "2030-01-07T10:00"), SlotSet("lead_id", 1.0)]
    assert {"lead_started", "email_captured", "demo_booked", "lead_qualified"} <= detect(events)


def test_empty_cart_and_declined_upsell_are_not_conversions():
    events = [SlotSet("cart", []), SlotSet("upsell_accepted", False), SlotSet("kb_doc_id", None)]
    assert detect(events) == set()
