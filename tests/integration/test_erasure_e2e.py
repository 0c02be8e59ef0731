"""Erasure end to end, on SQLite and PostgreSQL: a person talks to the real Rasa + action
servers over REST (a lead, a checkout, and a handoff in a third conversation linked by the
order number) with a distinctive email, phone, name, company and address. After
`lift privacy erase --email`, no table and no log file written during the test contains any of
them, and `lift report funnel` gives the same totals as before."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.support.servers import ROOT, LiftStack, texts

pytestmark = pytest.mark.e2e

EMAIL, PHONE, NAME = "zebulon.quartermaine@erasure-e2e.example", "+1 (555) 014-2398", "Zebulon Quartermaine"
COMPANY, ADDRESS = "Quuxcorp Labs", "12 Quux Lane, Springfield 12345"
NEEDLES = [EMAIL, "555) 014-2398", "5550142398", "014-2398", NAME.lower(), "quartermaine", COMPANY.lower(),
           "12 quux lane"]


def buttons(replies):
    return [b for r in replies for b in (r.get("buttons") or [])]


def dump_tables(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(bind=engine)
        out = []
        with engine.connect() as conn:
            for t in meta.sorted_tables:
                out += [t.name + " " + json.dumps(list(r), default=str) for r in conn.execute(sa.select(t))]
        return "\n".join(out).lower()
    finally:
        engine.dispose()


def dump_logs(stack) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(stack.workdir.rglob("*.log"))).lower()


def lift(stack, *args):
    env = {**stack.env, "PYTHONPATH": str(ROOT), "LIFT_LOG_DIR": str(stack.workdir), "LIFT_OPERATOR": "dpo"}
    return subprocess.run([sys.executable, "-m", "lift.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def converse(stack) -> str:
    lead, shop, help_ = "e2e-lead-zq", "e2e-shop-zq", "e2e-help-zq"
    stack.say(lead, "hi")
    stack.say(lead, "I'd like to book a demo for my team")
    stack.say(lead, NAME)
    stack.say(lead, EMAIL)
    stack.say(lead, COMPANY)
    replies = stack.say(lead, "about 40 people")
    assert len(buttons(replies)) == 3, replies
    assert "booked" in texts(stack.say(lead, buttons(replies)[0]["payload"]))

    stack.say(shop, "add 2 aria headphones to my cart")
    stack.say(shop, "no thanks")
    stack.say(shop, "checkout")
    stack.say(shop, EMAIL)
    stack.say(shop, ADDRESS)
    stack.say(shop, "express")
    order_id = re.search(r"LFT\d{6}", texts(stack.say(shop, "yes"))).group(0)

    stack.say(help_, f"hi, this is {NAME}, my number is {PHONE}")
    assert order_id in texts(stack.say(help_, f"where is my order {order_id}"))
    assert "ticket" in texts(stack.say(help_, "I want to talk to a human")).lower()
    return order_id


def test_erase_by_email_leaves_no_trace_in_tables_or_logs(db_url, tmp_path):
    with LiftStack(tmp_path / "stack", db_url=db_url) as stack:
        order_id = converse(stack)
        before = dump_tables(db_url)
        for needle in (EMAIL, NAME.lower(), COMPANY.lower(), "12 quux lane", "014-2398"):
            assert needle in before, needle
        assert "handoff_tickets" in before and order_id.lower() in before
        funnel_before = json.loads(lift(stack, "report", "funnel", "--json").stdout)

        erased = lift(stack, "privacy", "erase", "--email", EMAIL.upper(), "--reason", "DSR-1", "--json")
        assert erased.returncode == 0, erased.stderr
        counts = json.loads(erased.stdout)
        assert counts["conversations"] == 3
        for table in ("events", "micro_conversions", "leads", "orders", "handoff_tickets"):
            assert counts["tables"][table] >= 1, counts

        after_tables, after_logs = dump_tables(db_url), dump_logs(stack)
        for needle in NEEDLES:
            assert needle.lower() not in after_tables, needle
            assert needle.lower() not in after_logs, needle
        assert order_id.lower() in after_tables  # the order (a non-personal fact) stays
        assert json.loads(lift(stack, "report", "funnel", "--json").stdout) == funnel_before
        log = json.loads(lift(stack, "audit", "log", "--json").stdout)
        assert log[-1]["action"] == "privacy.erase" and log[-1]["actor"] == "dpo" and log[-1]["reason"] == "DSR-1"
        assert lift(stack, "audit", "verify").returncode == 0
        # The same person can start over: a new conversation works after the erasure.
        assert texts(stack.say("e2e-lead-zq", "hi"))
