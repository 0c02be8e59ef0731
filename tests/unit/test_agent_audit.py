"""Agent actions on orders (`lift agent revert|unlock`) append to the hash-chained audit_log:
who, what, when, why, in the transaction that makes the change, and never the shopper's data."""
import sqlalchemy as sa

from lift.cli import main
from lift.commerce import cart as c
from lift.commerce import orders, ownership, servicing
from lift.governance.audit import entries, verify
from lift.store.models import AuditEntry, OrderAccess

EMAIL, ADDRESS, SENDER = "quinn.audit@example.org", "77 Sycamore Lane, Brookfield", "conv-quinn-9"


def _run(res, monkeypatch, argv):
    from lift import config

    monkeypatch.setenv("LIFT_DB_URL", str(res.engine.url))
    monkeypatch.setenv("LIFT_OPERATOR", "ops-lead")
    config.reset_settings()
    try:
        return main(argv)
    finally:
        config.reset_settings()


def _order(res, catalog):
    return orders.create_order(res.engine, catalog, sender_id=SENDER, cart=c.add_item([], catalog.get("ACC-003"), 1),
                               email=EMAIL, shipping_address=ADDRESS, shipping_method="standard")


def _dump(engine) -> str:
    with engine.connect() as conn:
        return "\n".join(repr(tuple(r)) for r in conn.execute(sa.select(AuditEntry)))


def test_revert_is_audited_with_agent_reason_and_no_personal_data(res, catalog, monkeypatch):
    order = _order(res, catalog)
    change = servicing.change_address(res.engine, order.order_id, "1 Other Road, Elsewhere",
                                      actor=servicing.sender_actor(SENDER))
    [addr_change] = servicing.changes_of(res.engine, order.order_id)
    before = len(entries(res.engine))
    assert change.shipping_address == "1 Other Road, Elsewhere"
    assert _run(res, monkeypatch, ["agent", "revert", str(addr_change.id), "--agent", "sam",
                                   "--reason", "shopper phoned: typo in new address"]) == 0
    rows = entries(res.engine)
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row["actor"], row["action"], row["target"]) == ("agent:sam", "order.revert", f"order:{order.order_id}")
    assert row["reason"] == "shopper phoned: typo in new address" and row["at"]
    assert '"change_kind":"change_address"' in row["details"].replace(" ", "")
    dump = _dump(res.engine)
    for personal in (EMAIL, ADDRESS, "Other Road", SENDER):
        assert personal not in dump
    assert verify(res.engine).ok


def test_failed_revert_writes_nothing(res, catalog, monkeypatch):
    before = len(entries(res.engine))
    assert _run(res, monkeypatch, ["agent", "revert", "4242", "--agent", "sam", "--reason", "x"]) == 2
    assert len(entries(res.engine)) == before


def test_unlock_is_audited_with_a_keyed_reference_not_the_conversation_id(res, catalog, monkeypatch):
    order = _order(res, catalog)
    for _ in range(ownership.MAX_ATTEMPTS):
        ownership.verify_code(res.engine, order, SENDER, "000000", res.settings.redaction_key)
    with res.engine.connect() as conn:
        assert conn.execute(sa.select(OrderAccess.locked_at).where(OrderAccess.sender_id == SENDER)).scalar()
    assert _run(res, monkeypatch, ["agent", "unlock", order.order_id, SENDER, "--reason", "id checked by phone"]) == 0
    row = entries(res.engine)[-1]
    assert (row["actor"], row["action"], row["target"]) == ("ops-lead", "order.unlock", f"order:{order.order_id}")
    assert row["reason"] == "id checked by phone"
    assert SENDER not in _dump(res.engine) and "sender:" in row["details"]
    # Nothing to unlock: exit 2, no row.
    n = len(entries(res.engine))
    assert _run(res, monkeypatch, ["agent", "unlock", order.order_id, SENDER]) == 2
    assert len(entries(res.engine)) == n
