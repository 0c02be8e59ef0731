"""Governance (issue 12): the hash-chained audit log and its chain head, the model registry and
the promotion stack.

Revision ID: 0003_governance
Revises: 0002_experiments
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_governance"
down_revision = "0002_experiments"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("hash"),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "model_registry",
        sa.Column("model_id", sa.String(64), primary_key=True),
        sa.Column("file", sa.String(500), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("training_data_hash", sa.String(64), nullable=False),
        sa.Column("trained_at", sa.String(32), nullable=False),
        sa.Column("registered_at", sa.DateTime, nullable=False),
        sa.Column("rasa_version", sa.String(32), nullable=True),
        sa.Column("evaluations", sa.Text, nullable=False),
    )
    op.create_table(
        "model_deployments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.String(64), nullable=False),
        sa.Column("promoted_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("rolled_back", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in ("model_deployments", "model_registry", "audit_head", "audit_log"):
        op.drop_table(table)
