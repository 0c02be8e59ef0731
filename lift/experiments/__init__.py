"""Experiments and feature flags: everything needed to measure lift and roll changes out.

Owns ``experiments.yml`` (loading and validation: ``config``), sticky deterministic
assignment and flag evaluation (``assignment``), the statistics (``stats``: fixed-horizon
two-proportion tests, SRM, always-valid sequential intervals), the experiment report
(``report``) and rollout decisions (``rollout``), and the surfaces whose variants need more
than a lookup: the cart-idle nudge (``cart_idle``: a Rasa reminder, a coupon or a reminder when
the shopper goes quiet with a full cart) and the model canary (``canary``: a candidate model in
a second Rasa process, routed to by ``lift.channels.canary``). Its tables (``experiment_assignments``,
``experiment_state``, ``flag_state``, ``experiment_changes``) are declared in
:mod:`lift.store.models`; the commands live in :mod:`lift.cli.experiments`.

Plain Python on SQLAlchemy; nothing here needs Rasa. Lower layers of Lift never import it:
``actions/`` calls :class:`~lift.experiments.assignment.Assigner` at session start and on
the surfaces experiments change (cross-sell).
"""
