"""Prometheus metrics for the running assistant (issue 14).

Owns the metric definitions (names fixed by SPEC §2: ``lift_turn_duration_seconds``,
``lift_messages_total{intent}``, ``lift_micro_conversions_total{name,variant,channel}``,
``lift_fallbacks_total``, ``lift_handoffs_total`` and the rest in :mod:`.metrics`), how a
saved turn's events become observations (:mod:`.turns`, pure Python on Rasa events), the
action-server side (:mod:`.actions`) and the ``/metrics`` HTTP endpoint of each process
(:mod:`.server`, started once per process by the Rasa tracker store and the rasa-sdk
plugin, never at import time). Labels are low-cardinality by construction: intent and
action labels are limited to names the domain declares ("other" otherwise), channels to
Lift's channels; no sender id or text ever becomes a label.

What each process reports as its health (``GET /health``: ok or degraded, per component)
is collected in :mod:`.health`.

Intent drift against a baseline (Jensen–Shannon distance, :mod:`.drift`) is exported as a
gauge too. This package depends on ``prometheus_client``, scipy, :mod:`lift.config` and
:mod:`lift.store.models` (the default variant name); the Rasa and rasa-sdk plugins and the
channels call into it, never the other way round.
"""
