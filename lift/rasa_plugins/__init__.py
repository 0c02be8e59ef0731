"""What Rasa loads by class path, and nothing else: ``tracker_store.ConversionTrackerStore``
(endpoints.yml) with its two halves ``tracker_spool`` (turns saved while the database is
down) and ``tracker_window`` (bounded loads of very long sessions), ``lock_store.LiftRedisLockStore``
(endpoints.cluster.yml, logic in :mod:`lift.ops.locks`), ``channels.Lift*Input``
(credentials.yml, re-exported from :mod:`lift.channels`), and the Rasa patches that tracker
store installs: ``speedups`` and ``resilience`` (no in-memory fall-back, apologies when the
database or the action server fail), and the NLU graph components in config.yml:
``catalog_tokenizer``, ``minilm_featurizer``, ``linear_intent_classifier``, ``entity_parsers``
and ``scope_guard``, and its policy ``followup_policy`` (an action run as a follow-up ends the turn).

Kept import-free so loading one plugin does not pull in the others.
"""
