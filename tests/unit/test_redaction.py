"""Masking at the edges: the log record factory (stdlib, tracebacks, structlog through stdlib),
the agent-facing handoff summary by policy, and the handoff action storing the masked summary."""
from __future__ import annotations

import logging

import pytest
import structlog
from rasa_sdk.executor import CollectingDispatcher

from lift.governance import redaction
from lift.governance.policy import PolicyError, parse_policy
from lift.governance.redaction import agent_summary, mask

EMAIL, PHONE, CARD = "zoe.private@example.org", "+1 (555) 010-7788", "4111 1111 1111 1111"


@pytest.mark.parametrize("text,expected", [
    (f"mail {EMAIL} or call {PHONE}", "mail [email] or call [phone]"),
    (f"pay with {CARD} exp 12/27", "pay with [card] exp 12/27"),
    ("call 555-010-7788 now", "call [phone] now"),
    ("call +44 20 7946 0958", "call [phone]"),
    # identifiers, amounts and timestamps stay readable
    ("order LFT123456 sku AUD-001 qty 2 total $272.99", "order LFT123456 sku AUD-001 qty 2 total $272.99"),
    ("at 2024-05-07T15:00:00 ts 1714564800.0 took 0.1234567 s port 5005", "at 2024-05-07T15:00:00 ts 1714564800.0 took 0.1234567 s port 5005"),
])
def test_mask(text, expected):
    assert mask(text) == expected


@pytest.fixture
def masked_logging(caplog):
    before = logging.getLogRecordFactory()
    redaction._reset_for_tests()
    redaction.install()
    redaction.install()  # idempotent: one wrapper
    yield caplog
    redaction._reset_for_tests(before)


def test_every_record_is_masked_including_tracebacks(masked_logging):
    log = logging.getLogger("lift.test.redaction")
    with masked_logging.at_level(logging.INFO):
        log.info("lead %s phone %s", EMAIL, PHONE)
        try:
            raise ValueError(f"bad card {CARD} for {EMAIL}")
        except ValueError:
            log.exception("failed")
        # As Rasa configures structlog (rasa.utils.log_utils): rendered to JSON, emitted via stdlib.
        structlog.configure(processors=[structlog.processors.JSONRenderer()],
                            logger_factory=structlog.stdlib.LoggerFactory(), cache_logger_on_first_use=False)
        try:
            structlog.get_logger("lift.test.struct").warning("tracker.saved", slots={"email": EMAIL})
        finally:
            structlog.reset_defaults()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter())
    out = "\n".join(handler.format(r) for r in masked_logging.records)
    assert '"slots": {"email": "[email]"}' in out
    assert "lead [email] phone [phone]" in out and "bad card [card] for [email]" in out and "Traceback" in out
    for secret in (EMAIL, PHONE, CARD, "010-7788"):
        assert secret not in out


def test_agent_summary_policy():
    summary = f"Facts: email: {EMAIL}\nShopper: call me on {PHONE}  [contact_human_agent]"
    masked = agent_summary(summary, "masked")
    assert "z***@example.org" in masked and "[phone]" in masked and EMAIL not in masked
    assert agent_summary(summary, "clear") == summary
    with pytest.raises(PolicyError, match="handoff_summary"):
        parse_policy({"redaction": {"handoff_summary": "sometimes"}})


async def test_handoff_ticket_stores_the_masked_summary(res, domain):
    from actions.handoff import ActionRequestHandoff
    from lift.store.engine import session_scope
    from lift.store.models import HandoffTicket
    from tests.support.trackers import make_tracker, slot_events

    history = [{"event": "user", "text": f"it broke, reach me at {EMAIL} or {PHONE}",
                "parse_data": {"intent": {"name": "complaint"}}}]
    events = await ActionRequestHandoff().run(CollectingDispatcher(), make_tracker(
        "I want a human", "contact_human_agent", events=history, slots={"email": EMAIL}), domain)
    with session_scope(res.engine) as s:
        summary = s.get(HandoffTicket, int(slot_events(events)["handoff_ticket_id"])).summary
    assert "it broke" in summary and "z***@example.org" in summary and "[phone]" in summary
    assert EMAIL not in summary and "010-7788" not in summary
