"""Experiments and feature flags: everything needed to measure lift and roll changes out.

Owns ``experiments.yml`` (loading and validation: ``config``), the tables
``experiment_assignments``, ``experiment_state``, ``flag_state`` and ``experiment_changes``
(``tables``), sticky deterministic assignment and flag evaluation (``assignment``), the
statistics (``stats``: fixed-horizon two-proportion tests, SRM, always-valid sequential
intervals), the experiment report (``report``), rollout commands (``rollout``) and the
``lift report experiment`` / ``lift flag`` / ``lift experiment`` commands (``cli``).

Plain Python on SQLAlchemy; nothing here needs Rasa. Lower layers of Lift never import it:
``actions/`` calls :class:`~lift.experiments.assignment.Assigner` at session start.
"""
