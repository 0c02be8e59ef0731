"""Review queue (issue 14): turns a person should label (fallbacks, low confidence, "not sure"
answers, handoffs), written by the tracker store, labelled with ``lift review label``.

Revision ID: 0005_review
Revises: 0004_orders_trust
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_review"
down_revision = "0004_orders_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("turn_key", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("intent", sa.String(100), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("guess", sa.String(100), nullable=True),
        sa.Column("guess_confidence", sa.Float, nullable=True),
        sa.Column("kb_score", sa.Float, nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("label_intent", sa.String(100), nullable=True),
        sa.Column("label_doc_id", sa.String(200), nullable=True),
        sa.Column("label_no_doc", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("labeled_by", sa.String(200), nullable=True),
        sa.Column("labeled_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_review_items_sender_turn", "review_items", ["sender_id", "turn_key"], unique=True)
    op.create_index("ix_review_items_status_id", "review_items", ["status", "id"])


def downgrade() -> None:
    op.drop_table("review_items")
