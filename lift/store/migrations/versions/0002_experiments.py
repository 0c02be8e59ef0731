"""Experiments (issue 13): assignments, rollout state of experiments and flags, and the
append-only record of rollout changes.

Revision ID: 0002_experiments
Revises: 0001_baseline
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_experiments"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiment_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("experiment", sa.String(64), nullable=False),
        sa.Column("variant", sa.String(64), nullable=False),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_experiment_assignments_sender_experiment", "experiment_assignments",
                    ["sender_id", "experiment"], unique=True)
    op.create_index("ix_experiment_assignments_experiment_variant", "experiment_assignments",
                    ["experiment", "variant"])
    op.create_table(
        "experiment_state",
        sa.Column("experiment", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("shipped_variant", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "flag_state",
        sa.Column("flag", sa.String(64), primary_key=True),
        sa.Column("percent", sa.Float, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "experiment_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("experiment_changes", "flag_state", "experiment_state", "experiment_assignments"):
        op.drop_table(table)
