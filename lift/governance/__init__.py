"""Governance: what Lift keeps, forgets and can prove.

Owns the hash-chained ``audit_log`` (:mod:`.audit`), erasure of a person's data from every
table Lift and Rasa write (:mod:`.erasure`), retention (:mod:`.retention`, ``governance.yml``),
redaction of logs and agent-facing text (:mod:`.redaction`), the model registry
(:mod:`.registry`), switching the serving Rasa replicas to the promoted model and keeping them
on it (:mod:`.rasa_switch`, :mod:`.replicas`, whose model sync ``lift ops run`` runs) and the kept knowledge-base index versions (:mod:`.kb_registry`). Plain
Python over SQLAlchemy; the CLI (``lift privacy|audit|model|kb``) and the HTTP endpoint
(``lift.web.privacy``) are thin wrappers. Lower layers never import this package.
"""
