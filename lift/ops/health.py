"""``GET /health`` of a supervised Lift, and the engine checks behind it.

The answer is JSON: ``status`` (``ok`` or ``degraded``), ``degraded`` (the names of what is not
fine), ``processes`` (state ``up``/``starting``/``restarting``, pid, restarts, where it serves)
and ``checks`` (PostgreSQL, Redis: reachable or the error). HTTP 200 when ok, 503 when degraded,
so a load balancer or an uptime probe can use it as is. It never shows a secret or a URL with
credentials.
"""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Tuple

logger = logging.getLogger(__name__)


def redis_check(url: str) -> Callable[[], Tuple[bool, str]]:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def check() -> Tuple[bool, str]:
        try:
            client.ping()
            return True, "reachable"
        except redis.RedisError as exc:
            return False, f"unreachable: {exc.__class__.__name__}"

    return check


def redis_ready(url: str) -> Callable[[], bool]:
    check = redis_check(url)
    return lambda: check()[0]


def database_check(url: str) -> Callable[[], Tuple[bool, str]]:
    from lift.store.engine import DatabaseUnavailable, check_connection, make_engine

    engine = make_engine(url, connect_timeout=2)

    def check() -> Tuple[bool, str]:
        try:
            check_connection(engine)
            return True, "reachable"
        except DatabaseUnavailable as exc:
            return False, str(exc).split(": ", 1)[-1][:200]

    return check


def serve_health(health: Callable[[], dict], port: int, host: str = "127.0.0.1") -> Optional[ThreadingHTTPServer]:
    """Serve ``/health`` in a daemon thread; None (with a warning) if the port is taken."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.split("?")[0] not in ("/health", "/"):
                self.send_error(404, "only /health is served here")
                return
            body = health()
            payload = json.dumps(body, indent=1).encode()
            self.send_response(200 if body["status"] == "ok" else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep the console for the processes' own output
            pass

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        logger.warning("health endpoint not started: port %s: %s", port, exc)
        return None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="lift-health").start()
    return server
