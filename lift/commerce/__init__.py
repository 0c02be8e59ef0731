"""The store: what a shopper can buy and do, as plain Python testable without Rasa.

``catalog`` (loading, validation, mention resolution; records in ``products``, word matching
in ``matching``), ``money`` (Decimal amounts and price formatting), ``cart`` (cart slot
arithmetic, coupons), ``pricing`` (volume discounts), ``stock`` (stock levels in the database,
reserved with the order), ``orders`` (quotes, placing orders, shipping methods), ``destinations`` (countries we ship to, places named) and ``abroad`` (delivery questions about them), ``words`` (singular, stem, plural forms: shared with retrieval), ``ownership``
(who may see or change an order: owner, or email + one-time code), ``servicing`` (cancel,
address change, their records and an agent's revert), ``emails`` (the words of transactional
mail), ``leads`` (lead capture, demo slots), ``brands`` (other makers' lines a shopper may name, "iphones", and the kind of product we carry instead), ``onboarding`` (profiles), ``handoff`` (tickets
for a human agent and their life cycle) and ``validation`` (parsing what shoppers type).

Uses :mod:`lift.store` for persistence and :mod:`lift.notify` to queue mail; never imports
measurement, channels or the CLI.
"""
