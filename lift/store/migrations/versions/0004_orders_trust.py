"""Orders a shopper can trust (issue 11): stock in the database, conversations' access to
orders (one-time codes, locks, links), the record of order changes, refunds, the mail outbox,
the handoff ticket life cycle, and one lead per demo slot.

``leads.demo_time`` becomes unique. A database that already holds a double-booked slot keeps
every lead; only the earliest booking keeps the slot, later ones lose their ``demo_time`` (the
lead stays, sales can rebook it) so the unique index can be built.

Revision ID: 0004_orders_trust
Revises: 0003_governance
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_orders_trust"
down_revision = "0003_governance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_levels",
        sa.Column("sku", sa.String(32), primary_key=True),
        sa.Column("stock", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("stock >= 0", name="ck_stock_levels_non_negative"),
    )
    op.create_table(
        "order_access",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.String(32), sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime, nullable=True),
        sa.Column("codes_sent", sa.Integer, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_at", sa.DateTime, nullable=True),
        sa.Column("verified_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("order_id", "sender_id", name="uq_order_access_order_sender"),
    )
    op.create_index("ix_order_access_sender_id", "order_access", ["sender_id"])
    op.create_table(
        "order_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.String(32), sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("old_value", sa.JSON, nullable=False),
        sa.Column("new_value", sa.JSON, nullable=False),
        sa.Column("reverts_id", sa.Integer, sa.ForeignKey("order_changes.id"), nullable=True),
        sa.Column("reverted_by_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_order_changes_order_id", "order_changes", ["order_id"])
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.String(32), sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_outbox_status_id", "outbox", ["status", "id"])
    op.add_column("handoff_tickets", sa.Column("claimed_by", sa.String(100), nullable=True))
    op.add_column("handoff_tickets", sa.Column("claimed_at", sa.DateTime, nullable=True))
    op.add_column("handoff_tickets", sa.Column("closed_at", sa.DateTime, nullable=True))
    # one lead per demo slot: unbook later duplicates (leads kept), then make the index unique
    op.execute("UPDATE leads SET demo_time = NULL WHERE demo_time IS NOT NULL AND id > "
               "(SELECT MIN(l2.id) FROM leads l2 WHERE l2.demo_time = leads.demo_time)")
    op.drop_index("ix_leads_demo_time", table_name="leads")
    op.create_index("ix_leads_demo_time", "leads", ["demo_time"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_leads_demo_time", table_name="leads")
    op.create_index("ix_leads_demo_time", "leads", ["demo_time"])
    with op.batch_alter_table("handoff_tickets") as batch:
        for column in ("closed_at", "claimed_at", "claimed_by"):
            batch.drop_column(column)
    for table in ("outbox", "refunds", "order_changes", "order_access", "stock_levels"):
        op.drop_table(table)
