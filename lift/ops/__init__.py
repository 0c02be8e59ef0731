"""Running Lift as more than one process (issue 15).

Owns the per-conversation ticket lock in Redis that keeps replicas from handling two turns of
one conversation at once (:mod:`.locks`, plain redis-py; Rasa loads it through
:mod:`lift.rasa_plugins.lock_store`), the process supervisor behind ``make run`` and
``make run-cluster`` that restarts a crashed process with back-off and serves ``/health``
(:mod:`.supervisor`, :mod:`.health`), and the process plans of both commands, including the
nginx configuration in front of the replicas (:mod:`.plans`, :mod:`.nginx`).

Depends on :mod:`lift.config` and the standard library plus ``redis``; nothing in Lift imports
it except the Rasa plugin and the run scripts.
"""
