"""Keep the start-up heap out of Python's full garbage collections.

A Lift server holds close to a million long-lived Python objects once it has started (the NLU
pipeline, spaCy, the catalog, the graph, the encoder's modules). CPython's generation-2
collection walks all of them, which took 265–440 ms here, and it runs in the middle of a turn: each
Rasa and action-server process did one such collection in every `make bench` run. That froze
every conversation in the process for that long.

:func:`freeze_startup_heap` moves everything alive at the end of start-up into the permanent
generation (``gc.freeze``). The same collection then walks only what was created since: 1 ms
in the same benchmark. Objects frozen this way are never collected. That is right for what
start-up builds, which lives as long as the process. Garbage left over from start-up is
collected first. Call it once start-up is done and nothing waits on the
process: the action server before it listens, Rasa once its model is loaded.
"""
from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)

_frozen = False


def freeze_startup_heap() -> bool:
    """Collect start-up garbage and freeze what is left, once per process; True when this call froze."""
    global _frozen
    if _frozen:
        return False
    t0 = time.perf_counter()
    gc.collect()
    gc.freeze()
    _frozen = True
    logger.info("start-up heap frozen: %d objects kept out of full collections (%.0f ms)",
                gc.get_freeze_count(), (time.perf_counter() - t0) * 1000)
    return True

