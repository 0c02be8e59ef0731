"""Erasure and retention on SQLite and PostgreSQL, with rows written by the real code: Rasa's
tracker store (ConversionTrackerStore, real events), save_lead, create_order, save_profile,
queue_ticket, plus an extra table as other features add them. After `lift privacy erase` no
table holds the person's email, phone or name, the funnel is unchanged, another person's data is
untouched, and the audit log records the erasure without the address."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from lift.commerce.catalog import Catalog
from lift.config import Settings
from lift.measure.rules import load_conversions
from lift.store.engine import make_engine
from lift.store.models import OutboxMessage
from lift.store.schema import init_db
from lift.governance.audit import entries, verify
from lift.governance.erasure import ErasureInputError, erase
from lift.governance.policy import parse_policy
from lift.governance.retention import purge
from lift.commerce.handoff import queue_ticket, summarize
from lift.commerce.leads import save_lead
from lift.commerce.onboarding import save_profile
from lift.commerce.orders import create_order
from lift.rasa_plugins.tracker_store import ConversionTrackerStore
from lift.measure.funnel import funnel_report
from tests.integration.test_tracker_store import DOMAIN_DICT, ROOT, lead_turns, session_start, turn, user

KEY = "erasure-test-key"
EMAIL, PHONE, NAME = "Zelda.Quux@Erasure-Test.example", "+1 (555) 010-9931", "Zelda Quuxley"
OTHER_EMAIL = "bob.keep@example.net"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc).timestamp()
SECRETS = [EMAIL.lower(), "555) 010-9931", NAME.lower(), "12 quux lane", "quux ltd"]


def distinctive_lead(t):
    turns = lead_turns(t)
    text = json.dumps([[e.as_dict() for e in tt] for tt in turns])
    text = text.replace("Jane.Doe@Example.org", EMAIL).replace("+1 (555) 010-4477", PHONE).replace("Jane Doe", NAME)
    from rasa.shared.core.events import Event

    return [[Event.from_parameters(d) for d in tt] for tt in json.loads(text)]


@pytest.fixture
def world(db_url, tmp_path):
    from rasa.shared.core.domain import Domain

    settings = Settings(root=ROOT, conversions_file=ROOT / "conversions.yml", redaction_key=KEY, index_dir=tmp_path / "ix")
    store = ConversionTrackerStore(host=db_url, domain=Domain.from_dict(DOMAIN_DICT), settings=settings)
    engine = make_engine(db_url)
    init_db(engine)
    yield store, engine, settings
    store.engine.dispose()
    engine.dispose()


def dump(engine) -> str:
    """Every row of every table, lower-cased."""
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    out = []
    with engine.connect() as conn:
        for t in meta.sorted_tables:
            out += [json.dumps(list(r), default=str) for r in conn.execute(sa.select(t))]
    return "\n".join(out).lower()


async def talk(store, engine, settings):
    for events in distinctive_lead(T0):
        await turn(store, "zelda-1", events)
    save_lead(engine, sender_id="zelda-1", person_name=NAME, email=EMAIL, company="Quux Ltd", team_size=12, demo_time=None)
    catalog = Catalog.load(ROOT / "kb" / "catalog.json")
    sku = catalog.products[0].sku
    cart = [{"sku": sku, "qty": 1, "unit_price": str(catalog.products[0].price)}]
    await turn(store, "zelda-2", session_start(T0 + 50) + [
        user(f"checkout, send it to {EMAIL}", T0 + 51, intent="checkout"), ActionExecuted("checkout_form", timestamp=T0 + 51),
        SlotSet("email", EMAIL, timestamp=T0 + 51), SlotSet("shipping_address", "12 Quux Lane, Springfield", timestamp=T0 + 51),
        SlotSet("cart", cart, timestamp=T0 + 51),
        BotUttered(f"Thanks {NAME}, confirmation goes to {EMAIL}", timestamp=T0 + 52)])
    order = create_order(engine, catalog, sender_id="zelda-2", cart=cart, email=EMAIL,
                         shipping_address="12 Quux Lane, Springfield", shipping_method="standard")
    # A third conversation only tracks that order: linked through the order id.
    await turn(store, "zelda-3", session_start(T0 + 90) + [user(f"where is {order.order_id}? call me on {PHONE}", T0 + 91, intent="track_order")])
    tracker = await store.retrieve("zelda-3")
    events = [e.as_dict() for e in tracker.events]
    queue_ticket(engine, sender_id="zelda-3", channel="rest", reason="user_request", summary=summarize(events, {"email": EMAIL}))
    # Not understood: the tracker store queues the text for review (issue 14), her name in it.
    await turn(store, "zelda-3", not_understood(f"ugh, {NAME} here, just ring me back", T0 + 95))
    save_profile(engine, sender_id="zelda-1", email=EMAIL, person_name=NAME, interests=["audio"], newsletter_opt_in=True)
    # Someone else, who must keep everything.
    for events in lead_turns(T0 + 200):
        await turn(store, "bob", events)
    await turn(store, "bob", not_understood("blorp blorp, Bob Keep here", T0 + 210))
    save_lead(engine, sender_id="bob", person_name="Bob Keep", email=OTHER_EMAIL, company="Acme", team_size=3, demo_time=None)
    # Experiment assignments (issue 13's table).
    from lift.experiments.assignment import insert_ignore
    with engine.begin() as conn:
        insert_ignore(conn, [{"sender_id": s, "experiment": "greeting_copy", "variant": "b",
                              "assigned_at": dt.datetime(2024, 5, 1)} for s in ("zelda-1", "bob")])
    # The outbox (issue 11): mail to the person is linked to them only by its recipient.
    with engine.begin() as conn:
        conn.execute(OutboxMessage.__table__.insert(), [
            {"kind": "demo_confirmation", "recipient": EMAIL, "subject": "Your demo", "body": f"Dear {NAME}, your demo",
             "status": "sent", "attempts": 1, "created_at": dt.datetime(2024, 5, 1)},
            {"kind": "demo_confirmation", "recipient": OTHER_EMAIL, "subject": "Your demo", "body": "hi Bob",
             "status": "sent", "attempts": 1, "created_at": dt.datetime(2024, 5, 1)}])
    return order


def not_understood(text, ts):
    parse = {"intent": {"name": "nlu_fallback", "confidence": 0.25}, "entities": [], "text": text}
    return [UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=ts, input_channel="rest"),
            ActionExecuted("action_offer_options", timestamp=ts), ActionExecuted("action_listen", timestamp=ts)]


def review_texts(engine):
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT sender_id, text FROM review_items")).all())


def funnel(engine):
    return funnel_report(engine, dict(load_conversions(ROOT / "conversions.yml").funnels))


async def test_erase_by_email_leaves_no_trace_and_keeps_the_funnel(world, tmp_path):
    store, engine, settings = world
    order = await talk(store, engine, settings)
    before = dump(engine)
    assert all(s in before for s in SECRETS)
    assert review_texts(engine) == {"zelda-3": f"ugh, {NAME} here, just ring me back", "bob": "blorp blorp, Bob Keep here"}
    funnel_before = funnel(engine)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    (log_dir / "actions.log").write_text(f"INFO lead from {NAME} <{EMAIL}>\nINFO bob is {OTHER_EMAIL}\n")

    result = erase(engine, email=EMAIL.upper(), key=KEY, actor="ops-test", reason=f"GDPR-17 from {NAME} <{EMAIL}>",
                   log_dirs=[log_dir])

    after = dump(engine)
    for secret in SECRETS + ["5550109931"]:
        assert secret not in after, secret
    assert "zelda-" not in after  # conversation ids pseudonymised everywhere
    assert OTHER_EMAIL in after and "bob keep" in after  # somebody else's data stays
    assert result.conversations == 3
    assert result.tables["events"] > 10 and result.tables["leads"] == 1 and result.tables["orders"] == 1
    assert result.tables["customer_profiles"] == 1 and result.tables["handoff_tickets"] == 1 and result.tables["outbox"] == 2  # order confirmation + demo mail
    assert result.tables["experiment_assignments"] == 1
    assert result.tables["review_items"] == 1
    texts = review_texts(engine)
    assert texts.pop("bob") == "blorp blorp, Bob Keep here" and list(texts.values()) == ["[erased]"]
    assert funnel(engine) == funnel_before
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT total FROM orders WHERE order_id = :o"), {"o": order.order_id}).scalar()
    assert float(total) == float(order.total)
    log = (log_dir / "actions.log").read_text().lower()
    assert EMAIL.lower() not in log and NAME.lower() not in log and OTHER_EMAIL in log and result.log_files == 1
    entry = entries(engine)[-1]
    assert entry["action"] == "privacy.erase" and entry["actor"] == "ops-test" and entry["reason"].startswith("GDPR-17 from")
    assert entry["target"].startswith("email:")
    assert EMAIL.lower() not in json.dumps(entry).lower() and NAME.lower() not in json.dumps(entry).lower()
    assert verify(engine).ok
    # Erasing again finds nothing left.
    again = erase(engine, email=EMAIL, key=KEY, actor="ops-test")
    assert again.conversations == 0


async def test_unknown_and_malformed_and_by_sender(world):
    store, engine, settings = world
    await talk(store, engine, settings)
    unknown = erase(engine, email="nobody@nowhere.example", key=KEY)
    assert unknown.conversations == 0 and not any(unknown.tables.values())
    for bad in ("not-an-email", "a@", "", "two@@x.com"):
        with pytest.raises(ErasureInputError):
            erase(engine, email=bad, key=KEY)
    result = erase(engine, sender="bob", key=KEY)
    assert result.conversations == 1 and result.tables["leads"] == 1
    after = dump(engine)
    assert OTHER_EMAIL not in after and EMAIL.lower() in after  # only that conversation


async def test_retention_anonymises_old_conversations_idempotently(world):
    store, engine, settings = world
    await talk(store, engine, settings)
    funnel_before = funnel(engine)
    policy = parse_policy({"retention": {"conversations": {"anonymise_after_days": 30, "delete_after_days": None},
                                         "tables": {"outbox": {"column": "created_at", "delete_after_days": 10}}}})
    now = time.time() + 40 * 86400  # get_or_create_tracker stamps its first action_listen with "now"
    first = purge(engine, policy, key=KEY, now=now, actor="cron")
    assert first["conversations_anonymised"] == 4 and first["tables"]["outbox (deleted)"] == 3
    assert EMAIL.lower() not in dump(engine) and OTHER_EMAIL not in dump(engine)
    second = purge(engine, policy, key=KEY, now=now, actor="cron")
    assert second["conversations_anonymised"] == 0 and second["tables"] == {}
    assert funnel(engine) == funnel_before
    deleting = parse_policy({"retention": {"conversations": {"anonymise_after_days": 30, "delete_after_days": 35}}})
    third = purge(engine, deleting, key=KEY, now=now)
    assert third["tables"]["events (deleted)"] > 0
    assert funnel(engine) == funnel_before
    assert [e["action"] for e in entries(engine)] == ["privacy.purge"] * 3 and verify(engine).ok


def test_cli_exit_codes(db_url, tmp_path):
    env = {**os.environ, "LIFT_DB_URL": db_url, "PYTHONPATH": str(ROOT), "LIFT_LOG_DIR": str(tmp_path)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "lift.cli", "privacy", *a], env=env, cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    unknown = run("erase", "--email", "nobody@nowhere.example", "--json")
    assert unknown.returncode == 0, unknown.stderr
    body = json.loads(unknown.stdout)
    assert body["conversations"] == 0 and set(body["tables"].values()) <= {0}
    bad = run("erase", "--email", "not an email")
    assert bad.returncode == 2 and "not a valid email address" in bad.stderr and "Traceback" not in bad.stderr
    both = run("erase", "--email", "a@b.example", "--sender", "x")
    assert both.returncode == 2
    days = run("purge", "--older-than", "soon")
    assert days.returncode == 2 and "DAYS" in days.stderr
    ok = run("purge", "--older-than", "30")
    assert ok.returncode == 0 and "retention applied" in ok.stdout, ok.stderr


@pytest.mark.parametrize("by", ["old", "new"])
def test_an_orders_changed_email_is_erased_by_either_address(world, by):
    """The email on an order was changed (lift.commerce.servicing.change_email): only order_changes
    still knows the old address. Erasing by either address finds the order and removes both, the
    address and every mail to them."""
    from lift.commerce.servicing import change_email

    _, engine, _ = world
    old, new = "yuki.old@erasure-test.example", "yuki.new@erasure-test.example"
    catalog = Catalog.load(ROOT / "kb" / "catalog.json")
    cart = [{"sku": catalog.products[0].sku, "qty": 1, "unit_price": str(catalog.products[0].price)}]
    order = create_order(engine, catalog, sender_id="yuki-1", cart=cart, email=old,
                         shipping_address="3 Yew Row, Springfield", shipping_method="standard")
    change_email(engine, order.order_id, new, actor="sender:yuki-1")
    assert old in dump(engine) and new in dump(engine)
    result = erase(engine, email=old if by == "old" else new, key=KEY)
    assert result.conversations == 1
    text = dump(engine)
    assert old not in text and new not in text and "3 yew row" not in text
