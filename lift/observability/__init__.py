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
is collected in :mod:`.health`. :mod:`.heap` keeps each server's start-up heap out of Python's
full garbage collections (a 265–440 ms pause in the middle of a turn otherwise).

Intent drift against a baseline (Jensen–Shannon distance, :mod:`.drift`) is exported as a
gauge too. :mod:`.history` reads the same facts back from Rasa's ``events`` table per UTC day
(turns, latency, fallbacks, handoffs, intents, unanswered questions) for the dashboard. The
review queue lives here as well: which saved turns a person should label (:mod:`.review`, called
by the tracker store inside the turn's transaction) and the queue as people use it,
list/label/export as training data (:mod:`.review_queue`, ``lift review``). The outbox worker
reports each delivery round to :func:`.actions.observe_outbox`.

This package depends on ``prometheus_client``, scipy, :mod:`lift.config`, :mod:`lift.store`
(the default variant name, the review table), :mod:`lift.governance.scrub` (the erased-text
marker) and, for label checks, :mod:`lift.retrieval.sources`; the Rasa and rasa-sdk plugins
and the channels call into it, never the other way round.
"""
