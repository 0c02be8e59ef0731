"""ConversionTrackerStore against real SQLite and PostgreSQL (same suite on both).

Trackers are Rasa's own DialogueStateTracker fed with real events, saved and retrieved the
way Rasa's MessageProcessor does it (get_or_create_tracker -> update -> save).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig

from lift.config import Settings
from lift.measure.rules import ConversionsConfigError, load_conversions
from lift.store.models import MicroConversion
from lift.store.engine import DatabaseUnavailable
from lift.rasa_plugins.tracker_store import ConversionTrackerStore

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "conversions.yml"
KEY = "test-redaction-key"
EMAIL = "Jane.Doe@Example.org"
PHONE = "+1 (555) 010-4477"
NAME = "Jane Doe"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc).timestamp()

DOMAIN_DICT = {
    "version": "3.1",
    "slots": {
        name: {"type": "any", "influence_conversation": False, "mappings": [{"type": "custom"}]}
        for name in [
            "variant", "email", "phone", "person_name", "company", "team_size", "demo_time", "lead_id",
            "last_product", "cart", "coupon_code", "upsell_sku", "upsell_accepted", "placed_order_id",
            "interests", "newsletter_opt_in", "onboarding_completed", "kb_doc_id", "kb_version",
            "kb_score", "handoff_ticket_id", "shipping_address", "shipping_method", "checkout_confirmed",
            "cart_nudge", "offered_coupon", "purchase_assist",
        ]
    },
    "forms": {
        "lead_form": {"required_slots": ["person_name", "email", "company", "team_size", "demo_time"]},
        "checkout_form": {"required_slots": ["email", "shipping_address", "shipping_method", "checkout_confirmed"]},
        "onboarding_form": {"required_slots": ["email", "person_name", "interests", "newsletter_opt_in"]},
    },
    "actions": ["action_show_price", "action_show_products", "action_add_to_cart", "action_answer_question"],
}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.from_dict(DOMAIN_DICT)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        root=ROOT,
        conversions_file=SHIPPED,
        redaction_key=KEY,
        index_dir=tmp_path / "index",  # no manifest unless a test writes one
        spool_dir=tmp_path / "spool",
    )


@pytest.fixture
def make_store(db_url, domain, settings):
    stores = []

    def make(**kw) -> ConversionTrackerStore:
        kw.setdefault("domain", domain)
        kw.setdefault("settings", settings)
        store = ConversionTrackerStore(host=db_url, **kw)
        stores.append(store)
        return store

    yield make
    for s in stores:
        s.engine.dispose()


def rows(db_url):
    """Every micro_conversions row, typed (datetimes as datetimes on SQLite too)."""
    table = MicroConversion.__table__
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
    finally:
        engine.dispose()


def count_events(db_url, sender: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    finally:
        engine.dispose()


def user(text: str, ts: float, channel: str = "rest", intent: str = "inform") -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 0.99},
        parse_data={"intent": {"name": intent, "confidence": 0.99}, "entities": [], "text": text},
        timestamp=ts,
        input_channel=channel,
    )


async def turn(store, sender: str, events, model_id: str = "model-1") -> None:
    """One turn as Rasa runs it: load (or create) the tracker, apply events, save."""
    tracker = await store.get_or_create_tracker(sender)
    tracker.model_id = model_id
    for ev in events:
        tracker.update(ev)
    await store.save(tracker)


def session_start(ts: float, variant: str = "control"):
    return [
        ActionExecuted("action_session_start", timestamp=ts),
        SessionStarted(timestamp=ts),
        SlotSet("variant", variant, timestamp=ts),
        ActionExecuted("action_listen", timestamp=ts),
    ]


def lead_turns(t: float):
    """A lead flow split into turns (list of event lists)."""
    return [
        session_start(t, "b"),
        [user("I want a demo", t + 1, intent="request_demo"), ActionExecuted("lead_form", timestamp=t + 1),
         ActiveLoop("lead_form", timestamp=t + 1), SlotSet("requested_slot", "person_name", timestamp=t + 1),
         ActionExecuted("action_listen", timestamp=t + 1)],
        [user(NAME, t + 2), ActionExecuted("lead_form", timestamp=t + 2),
         SlotSet("person_name", NAME, timestamp=t + 2), SlotSet("requested_slot", "email", timestamp=t + 2),
         ActionExecuted("action_listen", timestamp=t + 2)],
        [user(EMAIL, t + 3), ActionExecuted("lead_form", timestamp=t + 3),
         SlotSet("email", EMAIL, timestamp=t + 3), SlotSet("phone", PHONE, timestamp=t + 3),
         ActionExecuted("action_listen", timestamp=t + 3)],
        [user("Acme, 12 people, first slot", t + 4), ActionExecuted("lead_form", timestamp=t + 4),
         SlotSet("company", "Acme", timestamp=t + 4), SlotSet("team_size", 12.0, timestamp=t + 4),
         SlotSet("demo_time", "2024-05-07T15:00:00+00:00", timestamp=t + 4),
         ActiveLoop(None, timestamp=t + 4), SlotSet("requested_slot", None, timestamp=t + 4),
         ActionExecuted("action_submit_lead", timestamp=t + 4), SlotSet("lead_id", 42.0, timestamp=t + 4),
         ActionExecuted("action_listen", timestamp=t + 4)],
    ]


# --------------------------------------------------------------------------- recording


async def test_table_exists_on_first_start_with_unique_sender_name_index(make_store, db_url):
    make_store()
    engine = sa.create_engine(db_url)
    try:
        insp = sa.inspect(engine)
        cols = {c["name"] for c in insp.get_columns("micro_conversions")}
        assert {"id", "sender_id", "name", "occurred_at", "channel", "variant", "model_id",
                "kb_version", "value", "event_type"} <= cols
        unique = [ix for ix in insp.get_indexes("micro_conversions") if ix["unique"]]
        assert any(ix["column_names"] == ["sender_id", "name"] for ix in unique), insp.get_indexes("micro_conversions")
        assert insp.has_table("events")
    finally:
        engine.dispose()


async def test_lead_flow_records_each_conversion_once_with_attribution(make_store, db_url):
    store = make_store()
    for events in lead_turns(T0):
        await turn(store, "alice", events)

    got = {r["name"]: r for r in rows(db_url)}
    assert sorted(got) == sorted(["lead_started", "email_captured", "demo_booked", "lead_qualified"])
    lead = got["lead_started"]
    assert lead["sender_id"] == "alice"
    assert lead["channel"] == "rest"
    assert lead["variant"] == "b"
    assert lead["model_id"] == "model-1"
    assert lead["kb_version"] == "none"
    assert lead["event_type"] == "active_loop"
    assert lead["value"] is None
    # occurred_at is the event's own timestamp in UTC, not the time of saving.
    assert lead["occurred_at"] == dt.datetime(2024, 5, 1, 12, 0, 1)
    assert got["email_captured"]["occurred_at"] == dt.datetime(2024, 5, 1, 12, 0, 3)
    assert got["email_captured"]["event_type"] == "slot"
    assert got["lead_qualified"]["value"] == "42"
    assert got["demo_booked"]["value"] == "2024-05-07T15:00:00+00:00"


async def test_plain_sql_tracker_store_reads_what_we_wrote(make_store, db_url, domain):
    store = make_store()
    for events in lead_turns(T0):
        await turn(store, "alice", events)
    plain = SQLTrackerStore(domain=domain, host=db_url)
    try:
        ours = await store.retrieve("alice")
        theirs = await plain.retrieve("alice")
        assert [e.as_dict() for e in theirs.events] == [e.as_dict() for e in ours.events]
        assert theirs.get_slot("lead_id") == 42.0
    finally:
        plain.engine.dispose()


async def test_double_save_and_replay_do_not_double_count(make_store, db_url):
    store = make_store()
    for events in lead_turns(T0):
        await turn(store, "bob", events)
    before_rows, before_events = rows(db_url), count_events(db_url, "bob")

    tracker = await store.retrieve("bob")
    await store.save(tracker)  # re-save, nothing new
    await store.save(tracker)
    assert count_events(db_url, "bob") == before_events

    # Replay: the same events posted again as new events (e.g. via the HTTP API).
    for events in lead_turns(T0)[1:]:
        await turn(store, "bob", events)
    assert count_events(db_url, "bob") > before_events
    assert rows(db_url) == before_rows


async def test_restart_between_turns_does_not_double_count(make_store, db_url):
    turns = lead_turns(T0)
    for events in turns + turns[1:]:
        store = make_store()  # a fresh process: nothing cached in memory
        await turn(store, "carol", events)
    names = [r["name"] for r in rows(db_url)]
    assert sorted(names) == sorted(["lead_started", "email_captured", "demo_booked", "lead_qualified"])


async def test_reset_and_refill_never_adds_a_second_row(make_store, db_url):
    store = make_store()
    await turn(store, "dave", session_start(T0))
    await turn(store, "dave", [user("a@b.example", T0 + 1), SlotSet("email", "first@example.com", timestamp=T0 + 1)])
    first = rows(db_url)
    refills = [
        [SlotSet("email", None, timestamp=T0 + 2), SlotSet("email", "second@example.com", timestamp=T0 + 2)],
        [AllSlotsReset(timestamp=T0 + 3), SlotSet("email", "third@example.com", timestamp=T0 + 3)],
        [Restarted(timestamp=T0 + 4), SlotSet("email", "fourth@example.com", timestamp=T0 + 4)],
        session_start(T0 + 5) + [SlotSet("email", "fifth@example.com", timestamp=T0 + 5)],
    ]
    for events in refills:
        await turn(store, "dave", events)
    assert rows(db_url) == first
    assert len(first) == 1 and first[0]["occurred_at"] == dt.datetime(2024, 5, 1, 12, 0, 1)


async def test_conversions_are_per_conversation(make_store, db_url):
    store = make_store()
    for sender in ("s1", "s2", "s3"):
        await turn(store, sender, [user("hi", T0), SlotSet("email", f"{sender}@example.com", timestamp=T0)])
    assert sorted((r["sender_id"], r["name"]) for r in rows(db_url)) == [
        ("s1", "email_captured"), ("s2", "email_captured"), ("s3", "email_captured")]


async def test_events_and_conversion_rows_commit_together(make_store, db_url):
    store = make_store()
    await turn(store, "erin", session_start(T0))
    events_before = count_events(db_url, "erin")
    # Break the conversion insert: the events of the same save must not be committed either.
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE micro_conversions"))
    engine.dispose()
    store.engine.dispose()  # PostgreSQL caches the table's plan per connection
    tracker = await store.retrieve("erin")
    tracker.update(user("x", T0 + 1))
    tracker.update(SlotSet("email", "erin@example.com", timestamp=T0 + 1))
    with pytest.raises(sa.exc.SQLAlchemyError):
        await store.save(tracker)
    assert count_events(db_url, "erin") == events_before


async def test_concurrent_writers_record_exactly_once(make_store, db_url, domain, settings):
    writers = [make_store() for _ in range(6)]
    barrier = threading.Barrier(len(writers))
    errors = []

    def write(store):
        async def go():
            tracker = store.init_tracker("frank")
            tracker.update(user("me@example.com", T0))
            tracker.update(SlotSet("email", "frank@example.com", timestamp=T0))
            tracker.update(SlotSet("last_product", "SKU-1", timestamp=T0))
            barrier.wait(timeout=30)
            await store.save(tracker)

        try:
            asyncio.run(go())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(r["name"] for r in rows(db_url)) == ["email_captured", "product_viewed"]


# --------------------------------------------------------------------------- attribution


async def test_model_id_channel_and_kb_version_attribution(make_store, db_url, settings):
    settings.index_dir.mkdir(parents=True)
    (settings.index_dir / "manifest.json").write_text(json.dumps({"kb_version": "kb-2024-05-01-abc"}))
    store = make_store()
    await turn(store, "gina", session_start(T0, "control") + [
        user("return policy?", T0 + 1, channel="socketio", intent="ask_question"),
        ActionExecuted("action_answer_question", timestamp=T0 + 1),
        SlotSet("kb_doc_id", "faq-12", timestamp=T0 + 1),
    ], model_id="20240501-model")
    # An answer from a newer index: the kb_version slot wins over the manifest; it is set
    # right after kb_doc_id by the same action, and still attributed.
    await turn(store, "hank", [
        user("shipping?", T0 + 2, channel="slack", intent="ask_question"),
        ActionExecuted("action_answer_question", timestamp=T0 + 2),
        SlotSet("kb_doc_id", "policy-shipping", timestamp=T0 + 2),
        SlotSet("kb_version", "kb-v9", timestamp=T0 + 2),
    ], model_id="m2")
    got = {r["sender_id"]: r for r in rows(db_url)}
    assert got["gina"]["kb_version"] == "kb-2024-05-01-abc"
    assert got["gina"]["channel"] == "socketio"
    assert got["gina"]["model_id"] == "20240501-model"
    assert got["gina"]["value"] == "faq-12"
    assert got["hank"]["kb_version"] == "kb-v9"
    assert got["hank"]["channel"] == "slack"
    assert got["hank"]["variant"] == "control"  # no variant slot -> control


async def test_onboarding_and_cart_rules(make_store, db_url):
    store = make_store()
    t = T0
    await turn(store, "ivy", [
        user("add headphones", t, intent="add_to_cart"),
        ActionExecuted("action_add_to_cart", timestamp=t),
        SlotSet("cart", [], timestamp=t),  # empty cart is not an added item
        SlotSet("email", "early@example.com", timestamp=t),  # before onboarding: not a step
    ])
    assert [r["name"] for r in rows(db_url)] == ["email_captured"]
    await turn(store, "ivy", [
        user("add 2 more", t + 1, intent="add_to_cart"),
        SlotSet("cart", [{"sku": "HP-1", "qty": 2, "unit_price": 99.0}, {"sku": "CB-2", "qty": 1, "unit_price": 9.5}], timestamp=t + 1),
        SlotSet("upsell_sku", "CB-9", timestamp=t + 1),
        user("yes", t + 2, intent="affirm"),
        SlotSet("upsell_accepted", False, timestamp=t + 2),
        SlotSet("upsell_accepted", True, timestamp=t + 3),
        user("sign me up", t + 4, intent="start_onboarding"),
        ActiveLoop("onboarding_form", timestamp=t + 4),
        SlotSet("person_name", NAME, timestamp=t + 5),
        SlotSet("newsletter_opt_in", False, timestamp=t + 6),
        SlotSet("newsletter_opt_in", True, timestamp=t + 7),
        ActiveLoop(None, timestamp=t + 7),
        SlotSet("onboarding_completed", True, timestamp=t + 8),
    ])
    got = {r["name"]: r for r in rows(db_url)}
    assert json.loads(got["cart_item_added"]["value"]) == {"item_count": 3, "skus": ["HP-1", "CB-2"]}
    assert got["upsell_offered"]["value"] == "CB-9"
    assert got["upsell_accepted"]["occurred_at"] == dt.datetime.utcfromtimestamp(t + 3)
    assert got["onboarding_started"]["event_type"] == "active_loop"
    step = got["onboarding_step_completed"]
    assert (step["value"], step["occurred_at"]) == ("person_name", dt.datetime.utcfromtimestamp(t + 5))
    assert got["newsletter_subscribed"]["occurred_at"] == dt.datetime.utcfromtimestamp(t + 7)
    assert "onboarding_completed" in got
    assert "checkout_started" not in got


# --------------------------------------------------------------------------- privacy


async def test_no_raw_email_phone_or_name_anywhere_in_the_table(make_store, db_url):
    store = make_store()
    for events in lead_turns(T0):
        await turn(store, "jack", events)
    await turn(store, "jack", [
        user("onboard", T0 + 10, intent="start_onboarding"), ActiveLoop("onboarding_form", timestamp=T0 + 10),
        SlotSet("person_name", NAME, timestamp=T0 + 10),
        # Free-text slot values that embed contact data are scrubbed too.
        SlotSet("handoff_ticket_id", f"call me at {PHONE} or {EMAIL}", timestamp=T0 + 11),
        SlotSet("kb_doc_id", "contact jane.doe@example.org", timestamp=T0 + 12),
    ])
    table = rows(db_url)
    assert {r["name"] for r in table} >= {"email_captured", "handoff_requested", "onboarding_step_completed"}
    dump = json.dumps(table, default=str).lower()
    digits = "".join(ch for ch in dump if ch.isdigit() or ch == " ")
    for raw in (EMAIL.lower(), "jane.doe", "example.org", NAME.lower(), "jane", "555"):
        assert raw not in dump, raw
    assert "5550104477" not in digits.replace(" ", "")
    email_value = next(r["value"] for r in table if r["name"] == "email_captured")
    assert email_value.startswith("email:") and len(email_value) == len("email:") + 16


# --------------------------------------------------------------------------- start-up


def write_conversions(path: Path, body: str) -> Path:
    path.write_text(body)
    return path


async def test_unknown_slot_fails_at_start_with_clear_message(db_url, domain, settings, tmp_path):
    bad = write_conversions(tmp_path / "c.yml", "conversions:\n  - name: x_done\n    when: {slot: no_such_slot}\n")
    with pytest.raises(ConversionsConfigError, match="unknown slot 'no_such_slot'"):
        ConversionTrackerStore(domain=domain, host=db_url, settings=settings, conversions=str(bad))


async def test_duplicate_name_fails_at_start(db_url, domain, settings, tmp_path):
    bad = write_conversions(
        tmp_path / "c.yml",
        "conversions:\n  - name: seen\n    when: {slot: email}\n  - name: seen\n    when: {slot: phone}\n",
    )
    with pytest.raises(ConversionsConfigError, match="duplicate conversion name 'seen'"):
        ConversionTrackerStore(domain=domain, host=db_url, settings=settings, conversions=str(bad))


async def test_model_domain_missing_a_slot_stops_the_server(db_url, settings, tmp_path):
    # Rasa builds the store with an empty domain and sets the model's domain later.
    empty_dir = tmp_path / "no-domain"
    empty_dir.mkdir()
    store = ConversionTrackerStore(domain=Domain.empty(), host=db_url, settings=settings,
                                   domain_path=str(empty_dir))
    try:
        partial = dict(DOMAIN_DICT, slots={k: v for k, v in DOMAIN_DICT["slots"].items() if k != "kb_doc_id"})
        with pytest.raises(SystemExit, match="unknown slot 'kb_doc_id'"):
            store.domain = Domain.from_dict(partial)
        store.domain = Domain.from_dict(DOMAIN_DICT)
        assert store.domain.slots
    finally:
        store.engine.dispose()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_down_at_start_fails_quickly_with_clear_error(domain, settings):
    url = f"postgresql://lift@127.0.0.1:{_closed_port()}/lift"
    outcome = {}

    def start():
        try:
            ConversionTrackerStore(domain=domain, host=url, settings=settings, connect_timeout=3)
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcome["error"] = exc

    # SQLTrackerStore retries a dead database forever; ours must give up. The join timeout
    # only guards against that hang, it is not a speed target.
    th = threading.Thread(target=start, daemon=True)
    th.start()
    th.join(timeout=60)
    assert not th.is_alive(), "tracker store start-up hangs on a dead database"
    err = outcome.get("error")
    assert isinstance(err, DatabaseUnavailable), err
    assert f"127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}" in str(err)
    assert "LIFT_DB_URL" in str(err)


def test_rasa_factory_raises_instead_of_falling_back_to_memory(tmp_path):
    """Through Rasa's own loader (what `rasa run` does): no silent InMemoryTrackerStore."""
    bad = write_conversions(tmp_path / "c.yml", "conversions:\n  - name: x_done\n    when: {slot: no_such_slot}\n")
    cfg = EndpointConfig(url=f"sqlite:///{tmp_path / 'x.db'}", type="lift.rasa_plugins.tracker_store.ConversionTrackerStore",
                         conversions=str(bad))
    with pytest.raises(ConversionsConfigError, match="no_such_slot"):
        TrackerStore.create(cfg)

    good = write_conversions(tmp_path / "ok.yml", "conversions:\n  - name: email_captured\n    when: {slot: email}\n")
    cfg = EndpointConfig(url=f"postgresql://lift@127.0.0.1:{_closed_port()}/lift",
                         type="lift.rasa_plugins.tracker_store.ConversionTrackerStore", conversions=str(good))
    with pytest.raises(DatabaseUnavailable):
        TrackerStore.create(cfg)


def test_shipped_conversions_match_the_project_domain():
    config = load_conversions(SHIPPED)
    d = Domain.load(str(ROOT / "domain"))
    config.validate_against([s.name for s in d.slots], d.form_names, d.action_names_or_texts)


# --------------------------------------------------------------------------- report


FUNNEL_FIXTURE = [
    # sender, channel, variant, steps reached (sales funnel), offset hours
    ("f1", "rest", "control", ["product_viewed", "cart_item_added", "checkout_started", "checkout_completed"], 0),
    ("f2", "rest", "control", ["product_viewed", "cart_item_added", "checkout_started"], 1),
    ("f3", "socketio", "control", ["product_viewed", "cart_item_added"], 2),
    ("f4", "socketio", "b", ["product_viewed"], 3),
    ("f5", "rest", "b", ["product_viewed", "cart_item_added", "checkout_started", "checkout_completed"], 4),
    # never viewed a product in this conversation: not in the funnel
    ("f6", "rest", "control", ["cart_item_added", "checkout_started"], 5),
    # skipped checkout_started: stops after cart_item_added
    ("f7", "slack", "control", ["product_viewed", "cart_item_added", "checkout_completed"], 6),
    # outside --since/--until (a day later)
    ("f8", "rest", "control", ["product_viewed", "cart_item_added"], 30),
]

SALES_EVENTS = {
    "product_viewed": lambda t: [SlotSet("last_product", "SKU-1", timestamp=t)],
    "cart_item_added": lambda t: [SlotSet("cart", [{"sku": "SKU-1", "qty": 1, "unit_price": 5}], timestamp=t)],
    # the form's first question (an empty-cart checkout ends before asking anything)
    "checkout_started": lambda t: [ActiveLoop("checkout_form", timestamp=t),
                                   SlotSet("requested_slot", "email", timestamp=t)],
    "checkout_completed": lambda t: [ActiveLoop(None, timestamp=t), SlotSet("placed_order_id", "ORD-1", timestamp=t)],
}


async def _load_funnel_fixture(store):
    for sender, channel, variant, steps, hours in FUNNEL_FIXTURE:
        t = T0 + hours * 3600
        await turn(store, sender, session_start(t, variant))
        for i, step in enumerate(steps):
            await turn(store, sender, [user("...", t + i + 1, channel=channel)] + SALES_EVENTS[step](t + i + 1))


async def test_funnel_report_matches_hand_computed_fixture(make_store, db_url):
    from lift.measure.funnel import funnel_report, parse_iso

    store = make_store()
    await _load_funnel_fixture(store)
    report = funnel_report(
        store.engine,
        {"sales": ["product_viewed", "cart_item_added", "checkout_started", "checkout_completed"]},
        since=parse_iso("2024-05-01T00:00:00Z"),
        until=parse_iso("2024-05-02"),
    )
    sales = report["funnels"][0]

    def counts(seg):
        return [s["conversations"] for s in seg["steps"]]

    # Hand-computed from FUNNEL_FIXTURE (f6 has no first step, f8 is out of the period).
    assert counts(sales["overall"]) == [6, 5, 3, 2]
    assert [s["rate_from_previous"] for s in sales["overall"]["steps"]] == [None, round(5 / 6, 4), 0.6, round(2 / 3, 4)]
    assert sales["overall"]["steps"][-1]["rate_from_start"] == round(2 / 6, 4)
    assert {k: counts(v) for k, v in sales["by_channel"].items()} == {
        "rest": [3, 3, 3, 2], "socketio": [2, 1, 0, 0], "slack": [1, 1, 0, 0]}
    assert {k: counts(v) for k, v in sales["by_variant"].items()} == {
        "control": [4, 4, 2, 1], "b": [2, 1, 1, 1]}
    assert sales["by_channel"]["socketio"]["steps"][3]["rate_from_previous"] is None

    # Without bounds f8 joins.
    everything = funnel_report(store.engine, {"sales": list(SALES_EVENTS)})
    assert counts(everything["funnels"][0]["overall"]) == [7, 6, 3, 2]


async def test_report_cli_json_and_table(make_store, db_url, tmp_path):
    store = make_store()
    await _load_funnel_fixture(store)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFT_")}
    env.update(LIFT_DB_URL=db_url, LIFT_CONVERSIONS=str(SHIPPED))
    lift = [sys.executable, "-m", "lift.cli", "report", "funnel"]
    out = subprocess.run(lift + ["--json", "--funnel", "sales", "--since", "2024-05-01", "--until", "2024-05-02T00:00:00+00:00"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [f["name"] for f in data["funnels"]] == ["sales"]
    assert [s["conversations"] for s in data["funnels"][0]["overall"]["steps"]] == [6, 5, 3, 2]

    table = subprocess.run(lift + ["--funnel", "sales", "--until", "2024-05-02"], capture_output=True, text=True,
                           env=env, cwd=ROOT, timeout=120)
    assert table.returncode == 0, table.stderr
    assert "channel=socketio" in table.stdout and "variant=b" in table.stdout
    assert "5 (83.3%)" in table.stdout

    bad = subprocess.run(lift + ["--since", "yesterday"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "invalid ISO date 'yesterday'" in bad.stderr
    unknown = subprocess.run(lift + ["--funnel", "nope"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert unknown.returncode == 2 and "unknown funnel 'nope'" in unknown.stderr


# --------------------------------------------------------------------------- `rasa run`


def _rasa_run(tmp_path, **env):
    """`rasa run` with our tracker store (no model needed: the tracker store is built
    before any model loads). Returns (exit code, output)."""
    from tests.support.servers import base_env

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: lift.rasa_plugins.tracker_store.ConversionTrackerStore\n")
    models = tmp_path / "models"  # empty: with --enable-api Rasa starts without a model
    models.mkdir()
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rasa"), "run", "--enable-api", "--port", str(_closed_port()),
         "--endpoints", str(endpoints), "--model", str(models)],
        cwd=ROOT, env=base_env(**env), capture_output=True, text=True, timeout=300,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_rasa_run_exits_on_a_bad_conversions_file(tmp_path):
    bad = write_conversions(tmp_path / "c.yml", "conversions:\n  - name: x_done\n    when: {slot: no_such_slot}\n")
    code, out = _rasa_run(tmp_path, LIFT_CONVERSIONS=str(bad), LIFT_DB_URL=f"sqlite:///{tmp_path / 'x.db'}")
    assert code != 0
    assert "unknown slot 'no_such_slot'" in out
    assert "Rasa server is up and running" not in out


def test_rasa_run_exits_when_the_database_is_down(tmp_path):
    good = write_conversions(tmp_path / "ok.yml", "conversions:\n  - name: email_captured\n    when: {slot: email}\n")
    code, out = _rasa_run(tmp_path, LIFT_CONVERSIONS=str(good),
                          LIFT_DB_URL=f"postgresql://lift@127.0.0.1:{_closed_port()}/lift")
    assert code != 0
    assert "cannot connect to database" in out and "LIFT_DB_URL" in out
    assert "Rasa server is up and running" not in out
