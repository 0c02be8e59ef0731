"""The ``/metrics`` endpoint of a process: started once, never at import time.

:func:`serve_metrics` starts prometheus_client's HTTP server on a daemon thread. A second
call in the same process is a no-op; a port already in use is logged as one clear line and
the assistant keeps running (metrics are worth less than conversations).

Several worker processes (``PROMETHEUS_MULTIPROC_DIR`` set, as prometheus_client's
multiprocess mode requires): every worker writes its samples to that directory, the first
worker to bind the port serves the aggregate of all of them, and the others log that the
port is served already. Without that variable each process serves only its own samples,
so give each replica its own port (``LIFT_METRICS_PORT`` / ``LIFT_ACTION_METRICS_PORT``).
"""
from __future__ import annotations

import errno
import logging
import threading
from pathlib import Path
from typing import Dict, Optional

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_started: Dict[int, bool] = {}


def metrics_registry(multiproc_dir: Optional[Path] = None) -> CollectorRegistry:
    """What ``/metrics`` serves: this process's registry, or all workers' in multiprocess mode."""
    if multiproc_dir:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))
        return registry
    return REGISTRY


def serve_metrics(port: int, what: str, addr: str = "0.0.0.0", registry: Optional[CollectorRegistry] = None,
                  multiproc_dir: Optional[Path] = None) -> bool:
    """Serve ``/metrics`` on ``port`` (0 disables). True when this call or an earlier one bound it.

    ``multiproc_dir`` is ``Settings.prometheus_multiproc_dir`` (``PROMETHEUS_MULTIPROC_DIR``)."""
    if port <= 0:
        logger.info("%s metrics disabled (port %s)", what, port)
        return False
    with _lock:
        if port in _started:
            return _started[port]
        try:
            start_http_server(port, addr=addr, registry=registry or metrics_registry(multiproc_dir))
        except OSError as exc:
            _started[port] = False
            if exc.errno == errno.EADDRINUSE:
                shared = " (multiprocess mode: another worker serves them)" if multiproc_dir else ""
                logger.warning("%s metrics not served: port %d is already in use%s; set another port "
                               "with its LIFT_*METRICS_PORT variable", what, port, shared)
            else:
                logger.warning("%s metrics not served on port %d: %s", what, port, exc)
            return False
        _started[port] = True
        logger.info("%s metrics on http://%s:%d/metrics", what, addr, port)
        return True
