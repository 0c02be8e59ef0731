"""Training data in data/nlu: coverage, consistency with the domain, and the regexes."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NLU = ROOT / "data" / "nlu"

SUPPORT_INTENTS = (
    "cancel_order change_order change_shipping_address check_cancellation_fee check_invoice "
    "check_payment_methods check_refund_policy complaint contact_customer_service contact_human_agent "
    "create_account delete_account delivery_options delivery_period edit_account get_invoice get_refund "
    "newsletter_subscription payment_issue place_order recover_password registration_problems review "
    "set_up_shipping_address switch_account track_order track_refund"
).split()
SALES_INTENTS = (
    "greet goodbye affirm deny thank bot_challenge out_of_scope inform request_demo search_product "
    "ask_price add_to_cart view_cart remove_from_cart apply_coupon checkout start_onboarding ask_question stop"
).split()
REGEX_ENTITIES = ("email", "phone", "order_id", "coupon_code")


@pytest.fixture(scope="module")
def nlu():
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(NLU))


@pytest.fixture(scope="module")
def domain_nlu():
    """domain/nlu.yml, with the intents other domain files declare (e.g. domain/graph.yml) added."""
    data = yaml.safe_load((ROOT / "domain" / "nlu.yml").read_text(encoding="utf-8"))
    for path in sorted((ROOT / "domain").glob("*.yml")):
        if path.name != "nlu.yml":
            data["intents"] += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []
    return data


@pytest.fixture(scope="module")
def regexes():
    out = defaultdict(list)
    for item in yaml.safe_load((NLU / "regex.yml").read_text(encoding="utf-8"))["nlu"]:
        out[item["regex"]] += [line[2:] for line in item["examples"].splitlines() if line.strip()]
    return out


def _matches(patterns, text):
    # Mirrors RegexEntityExtractor with case_sensitive: true (config.yml).
    return [m.group(0) for p in patterns for m in re.finditer(p, text)]


def test_every_intent_has_enough_examples(nlu, domain_nlu):
    counts = Counter(ex.get("intent") for ex in nlu.intent_examples)
    assert set(SUPPORT_INTENTS + SALES_INTENTS) <= set(domain_nlu["intents"])
    for intent in SUPPORT_INTENTS:
        assert counts[intent] >= 40, (intent, counts[intent])
    for intent in SALES_INTENTS:  # issue 9: >= 80 varied examples per sales / chit-chat intent
        assert counts[intent] >= 80, (intent, counts[intent])
    assert set(counts) == set(domain_nlu["intents"])


def _norm(text):
    return " ".join(text.lower().split()).rstrip(" ?.!")


@pytest.mark.parametrize("intent,phrases", [
    ("affirm", ["sure", "yep go ahead", "that's right"]),
    ("deny", ["nah", "not now"]),
])
def test_everyday_yes_and_no_are_trained(nlu, intent, phrases):
    texts = {_norm(ex.get("text")) for ex in nlu.intent_examples if ex.get("intent") == intent}
    assert set(phrases) <= texts


E2E = ROOT / "tests" / "e2e_stories"
HELD_OUT = [ROOT / "tests" / "nlu" / "fresh_voice.yml", ROOT / "tests" / "nlu" / "clinc150_oos_heldout.yml"]


@pytest.fixture(scope="module")
def e2e_stories():
    stories = []
    for path in sorted(E2E.glob("*.yml")):
        stories += yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
    return stories


def test_test_messages_are_never_training_messages(nlu, e2e_stories):
    """The e2e conversations and the held-out NLU sets measure generalisation only if no
    message of theirs is trained on (modulo case, spacing and final punctuation)."""
    from rasa.shared.nlu.training_data.loading import load_data

    training = {_norm(ex.get("text")) for ex in nlu.training_examples if ex.get("text")}
    e2e = [step["user"].strip() for story in e2e_stories for step in story["steps"] if "user" in step]
    assert len(e2e) >= 120
    held = [ex.get("text") for path in HELD_OUT for ex in load_data(str(path)).intent_examples]
    leaked = [t for t in e2e + held if _norm(t) in training]
    assert not leaked


def test_e2e_conversations_cover_every_flow(e2e_stories, domain_nlu):
    assert len(e2e_stories) >= 100
    intents = Counter(step["intent"] for story in e2e_stories for step in story["steps"] if "intent" in step)
    actions = {step["action"] for story in e2e_stories for step in story["steps"] if "action" in step}
    # every intent a shopper can start something with (all but inform / nlu_fallback, and the
    # EXTERNAL_ intents only Rasa's reminders trigger)
    assert {i for i in domain_nlu["intents"] if not i.startswith("EXTERNAL_")} - {"inform"} <= set(intents)
    for flow_action in ("lead_form", "action_show_products", "action_show_price", "action_add_to_cart",
                        "action_accept_upsell", "checkout_form", "onboarding_form", "order_form",
                        "action_answer_question", "action_request_handoff", "action_reply_out_of_scope",
                        "utter_form_stopped"):
        assert flow_action in actions, flow_action


def test_no_example_is_repeated_across_or_within_intents(nlu):
    owners = defaultdict(list)
    for ex in nlu.intent_examples:
        owners[" ".join(ex.get("text").lower().split())].append(ex.get("intent"))
    repeated = {text: intents for text, intents in owners.items() if len(intents) > 1}
    assert not repeated


def test_annotations_use_domain_entities_and_cover_each_regex(nlu, domain_nlu):
    used = Counter()
    for ex in nlu.training_examples:
        text = ex.get("text")
        assert "](" not in text, f"unparsed annotation in {text!r}"
        for ent in ex.get("entities") or []:
            assert ent["entity"] in domain_nlu["entities"], ent
            assert text[ent["start"]:ent["end"]] and ent["start"] < ent["end"]
            used[ent["entity"]] += 1
    # RegexEntityExtractor drops regexes whose entity is never annotated.
    for name in REGEX_ENTITIES + ("product", "category", "quantity", "person_name", "company"):
        assert used[name] >= 5, (name, used[name])


def test_annotated_regex_entities_match_their_regex(nlu, regexes):
    for ex in nlu.training_examples:
        for ent in ex.get("entities") or []:
            if ent["entity"] in REGEX_ENTITIES:
                value = ex.get("text")[ent["start"]:ent["end"]]
                assert value in _matches(regexes[ent["entity"]], ex.get("text")), (ent, ex.get("text"))


def test_regex_names_are_domain_entities(regexes, domain_nlu):
    assert set(regexes) == set(REGEX_ENTITIES)
    assert set(regexes) <= set(domain_nlu["entities"])
    for patterns in regexes.values():
        for p in patterns:
            re.compile(p)


@pytest.mark.parametrize("text,expected", [
    ("call me at +1 415 555 0132", ["+1 415 555 0132"]),
    ("+44 20 7946 0958", ["+44 20 7946 0958"]),
    ("+49 30 1234567", ["+49 30 1234567"]),
    ("+33 6 12 34 56 78", ["+33 6 12 34 56 78"]),
    ("(212) 555-0147", ["(212) 555-0147"]),
    ("555-867-5309 is my cell", ["555-867-5309"]),
    ("+1-202-555-0186", ["+1-202-555-0186"]),
    ("LFT100002", []),
    ("LFT-100002", []),
    ("100002", []),
    ("order 8820419375", []),
    ("123456789012345", []),
    ("2024-06-12", []),
])
def test_phone_regex(regexes, text, expected):
    assert _matches(regexes["phone"], text) == expected


@pytest.mark.parametrize("text,expected", [
    ("LFT100002", ["LFT100002"]),
    ("where is order lft100002", ["lft100002"]),
    ("order LFT-104512 please", ["LFT-104512"]),
    ("100002", ["100002"]),
    ("my order 123456789012345", ["123456789012345"]),
    ("12345", []),
    ("1234567890123456", []),
    ("+49 30 1234567", []),
    ("+1 415 555 0132", []),
    ("(212) 555-0147", []),
    ("WELCOME10", []),
    ("we are 500 people", []),
])
def test_order_id_regex(regexes, text, expected):
    assert _matches(regexes["order_id"], text) == expected


@pytest.mark.parametrize("text,expected", [
    ("apply WELCOME10", ["WELCOME10"]),
    ("SAVE20", ["SAVE20"]),
    ("code SPRING15 please", ["SPRING15"]),
    ("LFT100002", []),
    ("LFT-100002", []),
    ("AB1", []),
    ("ABCDEFGHIJK12", []),
    ("jane@acme.io", []),
    ("100002", []),
])
def test_coupon_regex(regexes, text, expected):
    assert _matches(regexes["coupon_code"], text) == expected


@pytest.mark.parametrize("text,expected", [
    ("my email is jane@acme.io", ["jane@acme.io"]),
    ("J.Doe+shop@Outlook.com", ["J.Doe+shop@Outlook.com"]),
    ("p.nguyen@initech.co.uk.", ["p.nguyen@initech.co.uk"]),
    ("foo@bar", []),
    ("LFT100002", []),
])
def test_email_regex(regexes, text, expected):
    assert _matches(regexes["email"], text) == expected


def test_synonyms_map_onto_catalog_categories(nlu):
    import json

    catalog = json.loads((ROOT / "kb" / "catalog.json").read_text(encoding="utf-8"))
    category_ids = {c["id"] for c in catalog["categories"]}
    assert nlu.entity_synonyms
    assert set(nlu.entity_synonyms.values()) <= category_ids
