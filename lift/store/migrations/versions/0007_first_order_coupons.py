"""Coupons for a first order only (WELCOME10, "10% off your first order", was accepted on a
customer's second order): ``coupons.first_order_only``, set for WELCOME10 on existing databases.

Revision ID: 0007_first_order_coupons
Revises: 0006_kb_versions
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_first_order_coupons"
down_revision = "0006_kb_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupons") as batch:  # SQLite rebuilds the table; PostgreSQL alters it
        batch.add_column(sa.Column("first_order_only", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE coupons SET first_order_only = :yes WHERE code = 'WELCOME10'").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("coupons") as batch:
        batch.drop_column("first_order_only")
