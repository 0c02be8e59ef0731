"""Lift's own tables (Rasa's events live in Rasa's ``events`` table).

Every table Lift writes is declared here on one :data:`Base`, so its metadata is the whole
application schema (what ``lift db upgrade`` manages) without importing any capability.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()

# Attribution defaults of a micro-conversion row (the measure package uses the same names).
DEFAULT_VARIANT = "control"
NO_KB_VERSION = "none"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Lead(Base):
    __tablename__ = "leads"
    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    person_name = sa.Column(sa.String(200), nullable=False)
    email = sa.Column(sa.String(320), nullable=False)
    company = sa.Column(sa.String(200), nullable=False)
    team_size = sa.Column(sa.Integer, nullable=False)
    # UTC, naive. Unique: one lead per demo slot, whoever commits first (NULLs may repeat).
    demo_time = sa.Column(sa.DateTime, nullable=True, index=True, unique=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Coupon(Base):
    __tablename__ = "coupons"
    code = sa.Column(sa.String(40), primary_key=True)
    percent_off = sa.Column(sa.Numeric(5, 2), nullable=True)
    amount_off = sa.Column(sa.Numeric(10, 2), nullable=True)
    min_subtotal = sa.Column(sa.Numeric(10, 2), nullable=False, default=0)
    expires_at = sa.Column(sa.DateTime, nullable=True)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    description = sa.Column(sa.String(200), nullable=False, default="")
    # "10% off your first order": refused once the order's email has an order (migration 0007)
    first_order_only = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())


class Order(Base):
    __tablename__ = "orders"
    order_id = sa.Column(sa.String(32), primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=True, index=True)
    email = sa.Column(sa.String(320), nullable=False)
    items = sa.Column(sa.JSON, nullable=False)  # [{sku, name, qty, unit_price}]
    subtotal = sa.Column(sa.Numeric(10, 2), nullable=False)
    discount = sa.Column(sa.Numeric(10, 2), nullable=False, default=0)
    shipping_cost = sa.Column(sa.Numeric(10, 2), nullable=False, default=0)
    total = sa.Column(sa.Numeric(10, 2), nullable=False)
    coupon_code = sa.Column(sa.String(40), nullable=True)
    shipping_address = sa.Column(sa.String(500), nullable=False)
    shipping_method = sa.Column(sa.String(40), nullable=False)
    # processing -> shipped -> delivered; or cancelled (only from processing)
    status = sa.Column(sa.String(20), nullable=False, default="processing")
    carrier = sa.Column(sa.String(40), nullable=True)
    tracking_number = sa.Column(sa.String(64), nullable=True)
    estimated_delivery = sa.Column(sa.Date, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class HandoffTicket(Base):
    __tablename__ = "handoff_tickets"
    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(64), nullable=True)
    reason = sa.Column(sa.String(64), nullable=False)
    summary = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="queued")  # queued -> claimed -> closed, or queued -> withdrawn
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    claimed_by = sa.Column(sa.String(100), nullable=True)
    claimed_at = sa.Column(sa.DateTime, nullable=True)
    closed_at = sa.Column(sa.DateTime, nullable=True)


class CustomerProfile(Base):
    """What onboarding collects; one row per sender (updated on re-onboarding)."""

    __tablename__ = "customer_profiles"
    sender_id = sa.Column(sa.String(255), primary_key=True)
    email = sa.Column(sa.String(320), nullable=False)
    person_name = sa.Column(sa.String(200), nullable=False)
    interests = sa.Column(sa.JSON, nullable=False)
    newsletter_opt_in = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class MicroConversion(Base):
    """One micro-conversion of one conversation, recorded once, at its first occurrence."""

    __tablename__ = "micro_conversions"
    __table_args__ = (
        # Exactly once per conversation and name, even with concurrent writers.
        sa.Index("ix_micro_conversions_sender_name", "sender_id", "name", unique=True),
        sa.Index("ix_micro_conversions_name_occurred", "name", "occurred_at"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False)
    name = sa.Column(sa.String(64), nullable=False)
    occurred_at = sa.Column(sa.DateTime, nullable=False)  # UTC, naive (project convention)
    channel = sa.Column(sa.String(64), nullable=True)
    variant = sa.Column(sa.String(64), nullable=False, default=DEFAULT_VARIANT)
    model_id = sa.Column(sa.String(64), nullable=True)
    kb_version = sa.Column(sa.String(64), nullable=False, default=NO_KB_VERSION)
    value = sa.Column(sa.Text, nullable=True)
    event_type = sa.Column(sa.String(32), nullable=False)


class StockLevel(Base):
    """Units on hand per product; seeded from the catalog, then only changed in transactions
    that place or cancel orders (never below zero)."""

    __tablename__ = "stock_levels"
    __table_args__ = (sa.CheckConstraint("stock >= 0", name="ck_stock_levels_non_negative"),)
    sku = sa.Column(sa.String(32), primary_key=True)
    stock = sa.Column(sa.Integer, nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class OrderAccess(Base):
    """One conversation's claim on an order it did not place: the one-time code sent to the
    order's email (only its keyed hash), wrong attempts, a lock, and the link once proven."""

    __tablename__ = "order_access"
    __table_args__ = (sa.UniqueConstraint("order_id", "sender_id", name="uq_order_access_order_sender"),)
    id = sa.Column(sa.Integer, primary_key=True)
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.order_id"), nullable=False)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    code_hash = sa.Column(sa.String(64), nullable=True)
    code_expires_at = sa.Column(sa.DateTime, nullable=True)
    codes_sent = sa.Column(sa.Integer, nullable=False, default=0)
    failed_attempts = sa.Column(sa.Integer, nullable=False, default=0)
    locked_at = sa.Column(sa.DateTime, nullable=True)
    verified_at = sa.Column(sa.DateTime, nullable=True)  # set: the conversation is linked to the order
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class OrderChange(Base):
    """Every change made to an order: who, when, what, old -> new; an agent can revert it."""

    __tablename__ = "order_changes"
    id = sa.Column(sa.Integer, primary_key=True)
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.order_id"), nullable=False, index=True)
    kind = sa.Column(sa.String(32), nullable=False)  # cancel / change_address / change_email / revert
    actor = sa.Column(sa.String(300), nullable=False)  # "sender:<id>" or "agent:<name>"
    old_value = sa.Column(sa.JSON, nullable=False)
    new_value = sa.Column(sa.JSON, nullable=False)
    reverts_id = sa.Column(sa.Integer, sa.ForeignKey("order_changes.id"), nullable=True)
    reverted_by_id = sa.Column(sa.Integer, nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Refund(Base):
    """Money owed back for a cancelled order: pending -> completed (or voided by a revert)."""

    __tablename__ = "refunds"
    id = sa.Column(sa.Integer, primary_key=True)
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.order_id"), nullable=False, index=True)
    amount = sa.Column(sa.Numeric(10, 2), nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="pending")
    reason = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """A transactional email, written in the transaction that makes the promise and delivered
    afterwards by the sender (queued -> sending -> sent, or back to queued/failed on errors)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_id", "status", "id"),)
    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(40), nullable=False)  # order_confirmation, verification_code, ...
    recipient = sa.Column(sa.String(320), nullable=False)
    subject = sa.Column(sa.String(300), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="queued")
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.String(500), nullable=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    sent_at = sa.Column(sa.DateTime, nullable=True)


# ----------------------------------------------------------------- experiments (lift.experiments)


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


# --- governance (lift.governance owns the logic) ------------------------------------

class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    at = sa.Column(sa.String(32), nullable=False)  # ISO 8601 UTC, stored as text so it hashes exactly
    actor = sa.Column(sa.String(200), nullable=False)
    action = sa.Column(sa.String(64), nullable=False, index=True)
    target = sa.Column(sa.String(500), nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    details = sa.Column(sa.Text, nullable=False)  # canonical JSON
    prev_hash = sa.Column(sa.String(64), nullable=False)
    hash = sa.Column(sa.String(64), nullable=False, unique=True)


class AuditHead(Base):
    """One row (id=1): the newest ``seq`` and its hash. Updated first by every append (the lock)."""

    __tablename__ = "audit_head"
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    seq = sa.Column(sa.Integer, nullable=False)
    hash = sa.Column(sa.String(64), nullable=False)


class RegisteredModel(Base):
    __tablename__ = "model_registry"
    model_id = sa.Column(sa.String(64), primary_key=True)
    file = sa.Column(sa.String(500), nullable=False)  # the registry copy, relative to the models dir
    source_name = sa.Column(sa.String(255), nullable=False)  # file name it was found under
    fingerprint = sa.Column(sa.String(64), nullable=False)  # sha256 of the archive
    training_data_hash = sa.Column(sa.String(64), nullable=False)
    trained_at = sa.Column(sa.String(32), nullable=False)  # ISO UTC from the archive
    registered_at = sa.Column(sa.DateTime, nullable=False)
    rasa_version = sa.Column(sa.String(32), nullable=True)
    evaluations = sa.Column(sa.Text, nullable=False, default="{}")  # JSON {name: {file, mtime, results} | "missing"}


class Deployment(Base):
    """The promotion stack: the active model is the newest row not rolled back."""

    __tablename__ = "model_deployments"
    id = sa.Column(sa.Integer, primary_key=True)
    model_id = sa.Column(sa.String(64), nullable=False)
    promoted_at = sa.Column(sa.DateTime, nullable=False)
    actor = sa.Column(sa.String(200), nullable=False)
    reason = sa.Column(sa.Text, nullable=False, default="")
    forced = sa.Column(sa.Boolean, nullable=False, default=False)
    rolled_back = sa.Column(sa.Boolean, nullable=False, default=False)


# --- review queue (lift.observability.review owns the logic) ------------------------

class ReviewItem(Base):
    """A user turn a person should look at: fell back, low confidence, "not sure" answer or
    handoff. Written by the tracker store with the turn's events, once per message."""

    __tablename__ = "review_items"
    __table_args__ = (
        sa.Index("ix_review_items_sender_turn", "sender_id", "turn_key", unique=True),
        sa.Index("ix_review_items_status_id", "status", "id"),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False)
    turn_key = sa.Column(sa.String(64), nullable=False)  # the message's id (or its timestamp)
    occurred_at = sa.Column(sa.DateTime, nullable=False)  # UTC, naive
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    channel = sa.Column(sa.String(64), nullable=True)
    reason = sa.Column(sa.String(20), nullable=False)  # fallback | not_sure | handoff | low_confidence
    text = sa.Column(sa.Text, nullable=True)  # what the shopper wrote: personal data, erasable
    intent = sa.Column(sa.String(100), nullable=True)  # as predicted (may be nlu_fallback)
    confidence = sa.Column(sa.Float, nullable=True)
    guess = sa.Column(sa.String(100), nullable=True)  # best intent other than nlu_fallback
    guess_confidence = sa.Column(sa.Float, nullable=True)
    kb_score = sa.Column(sa.Float, nullable=True)  # top knowledge-base confidence of a "not sure"
    model_id = sa.Column(sa.String(64), nullable=True)
    status = sa.Column(sa.String(16), nullable=False, default="open")  # open -> labeled
    label_intent = sa.Column(sa.String(100), nullable=True)
    label_doc_id = sa.Column(sa.String(200), nullable=True)
    label_no_doc = sa.Column(sa.Boolean, nullable=False, default=False)  # no KB document answers it
    labeled_by = sa.Column(sa.String(200), nullable=True)
    labeled_at = sa.Column(sa.DateTime, nullable=True)
class KbDeployment(Base):
    """The knowledge-base activation stack: the served kb_version is the newest row not rolled back."""

    __tablename__ = "kb_deployments"
    id = sa.Column(sa.Integer, primary_key=True)
    kb_version = sa.Column(sa.String(64), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)  # build | activate | rollback
    activated_at = sa.Column(sa.DateTime, nullable=False)
    actor = sa.Column(sa.String(200), nullable=False)
    reason = sa.Column(sa.Text, nullable=False, default="")
    rolled_back = sa.Column(sa.Boolean, nullable=False, default=False)
