"""What Rasa loads by class path, and nothing else: ``tracker_store.ConversionTrackerStore``
(endpoints.yml), ``lock_store.LiftRedisLockStore`` (endpoints.cluster.yml, logic in
:mod:`lift.ops.locks`), ``channels.Lift*Input`` (credentials.yml, re-exported from
:mod:`lift.channels`) and ``speedups``, the Rasa patch that tracker store installs.

Kept import-free so loading one plugin does not pull in the others.
"""
