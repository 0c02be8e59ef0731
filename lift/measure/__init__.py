"""Measurement: micro-conversions and the reports over them.

``rules`` (the ``conversions.yml`` mapping and its validation), ``redaction`` (what a recorded
value may keep), ``detector`` (first occurrence of each conversion among a conversation's
events, fed by the Rasa tracker store), ``funnel`` (the ``lift report funnel`` report over the
``micro_conversions`` table) and ``variants`` (deterministic experiment variant of a sender).

The table itself is :class:`lift.store.models.MicroConversion`; nothing here imports Rasa.
"""
