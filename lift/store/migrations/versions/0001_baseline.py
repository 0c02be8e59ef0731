"""Baseline: the tables of the first release (leads, coupons, orders, handoff_tickets,
customer_profiles, micro_conversions).

Databases made by that release have these tables (created by ``Base.metadata.create_all``,
or only ``micro_conversions`` when Rasa's tracker store started first) and no
``alembic_version``: this revision creates just the tables that are missing, so running it
adopts such a database without touching its rows. Frozen: later schema changes are new
revisions, never edits here.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("leads", "coupons", "orders", "handoff_tickets", "customer_profiles", "micro_conversions")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "leads" not in existing:
        op.create_table(
            "leads",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("person_name", sa.String(200), nullable=False),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("company", sa.String(200), nullable=False),
            sa.Column("team_size", sa.Integer, nullable=False),
            sa.Column("demo_time", sa.DateTime, nullable=True),
            sa.Column("created_at", sa.DateTime, nullable=False),
        )
        op.create_index("ix_leads_sender_id", "leads", ["sender_id"])
        op.create_index("ix_leads_demo_time", "leads", ["demo_time"])
    if "coupons" not in existing:
        op.create_table(
            "coupons",
            sa.Column("code", sa.String(40), primary_key=True),
            sa.Column("percent_off", sa.Numeric(5, 2), nullable=True),
            sa.Column("amount_off", sa.Numeric(10, 2), nullable=True),
            sa.Column("min_subtotal", sa.Numeric(10, 2), nullable=False),
            sa.Column("expires_at", sa.DateTime, nullable=True),
            sa.Column("active", sa.Boolean, nullable=False),
            sa.Column("description", sa.String(200), nullable=False),
        )
    if "orders" not in existing:
        op.create_table(
            "orders",
            sa.Column("order_id", sa.String(32), primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=True),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("items", sa.JSON, nullable=False),
            sa.Column("subtotal", sa.Numeric(10, 2), nullable=False),
            sa.Column("discount", sa.Numeric(10, 2), nullable=False),
            sa.Column("shipping_cost", sa.Numeric(10, 2), nullable=False),
            sa.Column("total", sa.Numeric(10, 2), nullable=False),
            sa.Column("coupon_code", sa.String(40), nullable=True),
            sa.Column("shipping_address", sa.String(500), nullable=False),
            sa.Column("shipping_method", sa.String(40), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("carrier", sa.String(40), nullable=True),
            sa.Column("tracking_number", sa.String(64), nullable=True),
            sa.Column("estimated_delivery", sa.Date, nullable=True),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
        )
        op.create_index("ix_orders_sender_id", "orders", ["sender_id"])
    if "handoff_tickets" not in existing:
        op.create_table(
            "handoff_tickets",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("channel", sa.String(64), nullable=True),
            sa.Column("reason", sa.String(64), nullable=False),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        )
        op.create_index("ix_handoff_tickets_sender_id", "handoff_tickets", ["sender_id"])
    if "customer_profiles" not in existing:
        op.create_table(
            "customer_profiles",
            sa.Column("sender_id", sa.String(255), primary_key=True),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("person_name", sa.String(200), nullable=False),
            sa.Column("interests", sa.JSON, nullable=False),
            sa.Column("newsletter_opt_in", sa.Boolean, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        )
    if "micro_conversions" not in existing:
        op.create_table(
            "micro_conversions",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("name", sa.String(64), nullable=False),
            sa.Column("occurred_at", sa.DateTime, nullable=False),
            sa.Column("channel", sa.String(64), nullable=True),
            sa.Column("variant", sa.String(64), nullable=False),
            sa.Column("model_id", sa.String(64), nullable=True),
            sa.Column("kb_version", sa.String(64), nullable=False),
            sa.Column("value", sa.Text, nullable=True),
            sa.Column("event_type", sa.String(32), nullable=False),
        )
        op.create_index("ix_micro_conversions_sender_name", "micro_conversions", ["sender_id", "name"], unique=True)
        op.create_index("ix_micro_conversions_name_occurred", "micro_conversions", ["name", "occurred_at"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
