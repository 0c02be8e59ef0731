"""Transactional email: the ``outbox`` table (a message is written in the same transaction as
the promise it keeps: an order, a booking, a code, a cancellation) and the sender that delivers
queued messages over SMTP, or into a local maildir in development (``LIFT_SMTP_URL``).

Uses :mod:`lift.store` and :mod:`lift.config` only; the commerce package writes messages here.
"""
