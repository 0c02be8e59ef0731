"""The cart-idle coupon offer on the real stack over REST (and socket.io): shoppers add to the cart and go quiet;
after idle_seconds the Rasa reminder fires and the treatment variant offers the coupon while
control says nothing (both record cart_idle_detected); a shopper who writes again in time gets
nothing; the REST channel delivers the offer at the top of the next reply, the web chat's socket
gets it pushed; the shopper applies it; `lift report experiment` counts coupon_offered and coupon_applied per variant."""
from __future__ import annotations

import json
import subprocess
import time

import pytest
import sqlalchemy as sa

from lift.measure.variants import variant_for
from lift.store.models import MicroConversion
from tests.support.servers import ROOT, VENV_BIN, LiftStack, base_env, texts

pytestmark = pytest.mark.e2e

IDLE = 8  # seconds of silence before the nudge (params.idle_seconds)
EXPERIMENTS = f"""
experiments:
  - name: cart_idle_coupon
    surface: cart_idle
    status: running
    params: {{idle_seconds: {IDLE}, coupon: WELCOME10}}
    variants: [{{name: control, weight: 50}}, {{name: coupon, weight: 50}}]
    metric: coupon_applied
    min_sample: 10
"""
APPLY = '/apply_coupon{"coupon_code":"WELCOME10"}'


def sender_in(variant: str, prefix: str) -> str:
    return next(s for s in (f"{prefix}-{i}" for i in range(200))
                if variant_for(s, {"control": 50, "coupon": 50}, salt="cart_idle_coupon:") == variant)


class WebChat:
    """A web chat page's socket.io connection (dev: the page names its session)."""

    def __init__(self, url: str, session_id: str):
        import socketio

        self.session_id, self.texts = session_id, []
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", lambda data: self.texts.append(data.get("text") or ""))
        self.client.connect(url, transports=["websocket"], wait_timeout=10)
        self.client.emit("session_request", {"session_id": session_id})

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def wait_for(self, done, timeout: float = 60) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done(self.texts):
            time.sleep(0.2)
        assert done(self.texts), self.texts
        return list(self.texts)

    def close(self) -> None:
        self.client.disconnect()


def wait_for_nudge(stack, sender: str, timeout: float = IDLE + 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tracker = stack.tracker(sender)
        if tracker["slots"].get("cart_nudge"):
            return tracker
        time.sleep(0.5)
    raise AssertionError(f"no nudge for {sender} after {timeout:.0f} s\n{stack.logs()}")


def test_coupon_offer_after_cart_inactivity(tmp_path):
    experiments = tmp_path / "experiments.yml"
    experiments.write_text(EXPERIMENTS)
    treated, control, interrupted = sender_in("coupon", "t"), sender_in("control", "c"), sender_in("coupon", "i")
    with LiftStack(tmp_path / "stack", env={"LIFT_EXPERIMENTS": str(experiments)}) as stack:
        web = WebChat(stack.rasa_url, sender_in("coupon", "webchat"))
        try:
            web.say("add 2 aria headphones to my cart")
            web.wait_for(lambda got: any("Added 2" in t for t in got))
            rest_shoppers_go_quiet(stack, treated, control, interrupted)
            # socket.io pushes the offer into the open chat, with no message from the shopper
            pushed = web.wait_for(lambda got: any("WELCOME10" in t for t in got), IDLE + 60)
            assert "coupon WELCOME10 takes $25.80 off" in pushed[-1]
        finally:
            web.close()

        engine = sa.create_engine(stack.db_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(MicroConversion.sender_id, MicroConversion.name, MicroConversion.variant)
                                .where(MicroConversion.sender_id.in_([treated, control, interrupted]))).all()
        engine.dispose()
        got = {(s, n): v for s, n, v in rows}
        assert got[(treated, "cart_idle_detected")] == "coupon" and got[(control, "cart_idle_detected")] == "control"
        assert got[(treated, "coupon_offered")] == "coupon" and got[(treated, "coupon_applied")] == "coupon"
        assert (control, "coupon_offered") not in got and (interrupted, "cart_idle_detected") not in got

        env = base_env(LIFT_DB_URL=stack.db_url, LIFT_EXPERIMENTS=str(experiments))
        for metric, expected in (("coupon_offered", {"control": 0, "coupon": 2}), ("coupon_applied", {"control": 0, "coupon": 1})):
            proc = subprocess.run([str(VENV_BIN / "python"), "-m", "lift.cli", "report", "experiment", "cart_idle_coupon",
                                   "--metric", metric, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr
            report = json.loads(proc.stdout)
            assert {v["name"]: v["conversions"] for v in report["variants"]} == expected
            assert {v["name"]: v["n"] for v in report["variants"]} == {"control": 1, "coupon": 3}


def rest_shoppers_go_quiet(stack, treated: str, control: str, interrupted: str) -> None:
    for sender in (treated, control, interrupted):
        assert "Added 2 × Aria Wireless Headphones" in texts(stack.say(sender, "add 2 aria headphones to my cart"))
    added_at = time.monotonic()
    stack.say(interrupted, "hi")  # a message within the idle window cancels the reminder
    assert time.monotonic() - added_at < IDLE, "the interrupting message came too late to test cancellation"

    offered = wait_for_nudge(stack, treated)
    assert time.monotonic() - added_at >= IDLE - 1  # not before the shopper went quiet
    assert offered["slots"]["cart_nudge"] == "coupon" and offered["slots"]["offered_coupon"] == "WELCOME10"
    external = [e for e in offered["events"]
                if e["event"] == "user" and e.get("parse_data", {}).get("intent", {}).get("name") == "EXTERNAL_cart_idle"]
    assert len(external) == 1
    quiet = wait_for_nudge(stack, control)
    assert quiet["slots"]["cart_nudge"] == "none" and quiet["slots"]["offered_coupon"] is None
    assert not any("WELCOME10" in (e.get("text") or "") for e in quiet["events"] if e["event"] == "bot")
    time.sleep(3)
    left = stack.tracker(interrupted)
    assert left["slots"].get("cart_nudge") is None
    assert not any(e["event"] == "user" and "EXTERNAL" in (e.get("text") or "") for e in left["events"])

    # REST cannot push: the offer leads the treated shopper's next reply; control's has none.
    replies = stack.say(treated, "what's in my cart?")
    assert "coupon WELCOME10 takes $25.80 off the 2 items in your cart" in replies[0]["text"], replies
    assert replies[0]["buttons"][0]["payload"] == APPLY
    assert "Your cart:" in texts(replies[1:])
    assert "WELCOME10" not in texts(stack.say(control, "what's in my cart?"))
    assert "Coupon WELCOME10 applied" in texts(stack.say(treated, APPLY))
