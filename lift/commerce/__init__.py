"""The store: what a shopper can buy and do, as plain Python testable without Rasa.

``catalog`` (loading, validation, mention resolution; records in ``products``, word matching
in ``matching``), ``money`` (Decimal amounts and price formatting), ``cart`` (cart slot
arithmetic, coupons), ``orders`` (quotes, placing and servicing orders, shipping methods),
``leads`` (lead capture, demo slots), ``onboarding`` (profiles), ``handoff`` (tickets for a
human agent) and ``validation`` (parsing what shoppers type into forms).

Uses :mod:`lift.store` for persistence; never imports measurement, channels or the CLI.
"""
