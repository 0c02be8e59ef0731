"""Product knowledge graph: what the catalog, the KB and shoppers' behaviour say about products.

Owns building the typed networkx graph (:mod:`.build`: products, categories, price bands,
attributes and policies as nodes; complement / substitute / accessory / co-purchase / co-view
edges), behaviour counts with minimum support and recency decay (:mod:`.behaviour`), saving and
loading it with a manifest under ``var/graph`` (:mod:`.store`), the rankings the bot uses —
substitutes under a constraint ("cheaper", "smaller", "wireless") and cross-sell by strategy
(:mod:`.rank`); the ``lift graph`` commands are in :mod:`lift.cli.graph`. Nothing here imports Rasa.
"""
