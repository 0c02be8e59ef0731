"""Knowledge-base index versions served like models (issue 12): the activation stack.

Each row says which ``kb_version`` became the served index, how (``build``, ``activate``,
``rollback``), who and why; the active version is the newest row not rolled back. The index
files themselves are kept under ``var/kb_versions/<kb_version>/`` (lift.governance.kb_registry).

Revision ID: 0006_kb_versions
Revises: 0005_review
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_kb_versions"
down_revision = "0005_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_deployments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kb_version", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("activated_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("rolled_back", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_deployments")
