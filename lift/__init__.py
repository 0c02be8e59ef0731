"""Lift: the business logic of the conversion assistant, importable without Rasa.

One package per capability, lower layers first (nothing imports a layer above it):

* :mod:`lift.config` - every environment variable, read once.
* :mod:`lift.store` - database engine, sessions, tables, seed data.
* :mod:`lift.commerce` - catalog, money, cart, orders, leads, onboarding, handoff, form parsing.
* :mod:`lift.retrieval` - the knowledge-base index and retriever.
* :mod:`lift.measure` - micro-conversion rules, detection, redaction, funnel report, variants.
* :mod:`lift.graph` - the product knowledge graph (catalog, KB policies, co-purchase/co-view) and its rankings.
* :mod:`lift.forecast` - the calibrated purchase-probability model and its per-turn signals.
* :mod:`lift.web` - the web chat page server and its session tokens.
* :mod:`lift.channels` - Lift's Rasa input channels (REST, web chat, Slack, Messenger).
* :mod:`lift.rasa_plugins` - only what Rasa loads by class path (tracker store, channels).
* :mod:`lift.cli` - the ``lift`` console script, one module per command group.
"""
__version__ = "0.1.0"
