"""Tables of experiments and flags.

``experiment_assignments`` is the fact table the report reads (with ``micro_conversions``).
``experiment_state`` and ``flag_state`` hold rollout decisions made with ``lift experiment``
/ ``lift flag`` (they override experiments.yml); ``experiment_changes`` is their append-only
record (who, what, why). Created with :func:`create_tables` (idempotent) until migrations
exist for them.
"""
from __future__ import annotations

import sqlalchemy as sa

from lift.db import Base


class ExperimentAssignment(Base):
    """The variant a conversation got in an experiment: written once, at first exposure."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (
        sa.Index("ix_experiment_assignments_sender_experiment", "sender_id", "experiment", unique=True),
        sa.Index("ix_experiment_assignments_experiment_variant", "experiment", "variant"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False)
    experiment = sa.Column(sa.String(64), nullable=False)
    variant = sa.Column(sa.String(64), nullable=False)
    assigned_at = sa.Column(sa.DateTime, nullable=False)  # UTC, naive (project convention)


class ExperimentState(Base):
    """Status set by ``lift experiment start|stop|ship``; wins over experiments.yml."""

    __tablename__ = "experiment_state"

    experiment = sa.Column(sa.String(64), primary_key=True)
    status = sa.Column(sa.String(16), nullable=False)
    shipped_variant = sa.Column(sa.String(64), nullable=True)
    updated_at = sa.Column(sa.DateTime, nullable=False)


class FlagState(Base):
    """Rollout percentage set by ``lift flag set``; wins over experiments.yml."""

    __tablename__ = "flag_state"

    flag = sa.Column(sa.String(64), primary_key=True)
    percent = sa.Column(sa.Float, nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False)


class ExperimentChange(Base):
    """Append-only record of every rollout change (never updated or deleted by Lift)."""

    __tablename__ = "experiment_changes"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(sa.DateTime, nullable=False)
    actor = sa.Column(sa.String(128), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)  # experiment | flag
    target = sa.Column(sa.String(64), nullable=False)
    action = sa.Column(sa.String(16), nullable=False)  # start | stop | ship | set
    detail = sa.Column(sa.Text, nullable=False)  # JSON: before/after
    reason = sa.Column(sa.Text, nullable=False)


TABLES = [ExperimentAssignment.__table__, ExperimentState.__table__, FlagState.__table__, ExperimentChange.__table__]


def create_tables(engine: sa.engine.Engine) -> None:
    """Create the tables above if missing (idempotent, safe with parallel starters)."""
    try:
        Base.metadata.create_all(engine, tables=TABLES)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        inspector = sa.inspect(engine)
        if not all(inspector.has_table(t.name) for t in TABLES):
            raise
