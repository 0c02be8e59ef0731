"""Conversion forecast: a calibrated purchase-probability model and its per-turn serving.

Owns the UCI "Online Shoppers" session schema and CSV validation (:mod:`.schema`),
training / cross-validated evaluation / the model artefact under ``var/forecast``
(:mod:`.model`), the conversation signals read from a tracker's events and the fast
per-turn scorer (:mod:`.signals`), and the decision of experiment ``purchase_assist``, the
only place the live probability is acted on (:mod:`.assist`); the ``lift forecast`` commands
are in ``lift.cli.forecast``.
Plain Python (scikit-learn); nothing here imports Rasa.
"""
