"""Action-server metrics: every ``POST /webhook`` timed by action name, errors by status.

Installed after :mod:`rasa_sdk_plugins.security`, whose request check stores the parsed
``next_action`` on ``request.ctx``; calls that check refuses (401/400) are not timed as
actions. ``/metrics`` itself is served on ``LIFT_ACTION_METRICS_PORT`` by
:func:`lift.observability.server.serve_metrics`, started here once, before the server runs.
"""
from __future__ import annotations

import time

from sanic import Sanic
from sanic.request import Request

from lift.config import Settings
from lift.observability.actions import ActionObserver, domain_action_names
from lift.observability.metrics import action_metrics
from lift.observability.server import serve_metrics


def install(app: Sanic, settings: Settings) -> ActionObserver:
    observer = ActionObserver(action_metrics(), domain_action_names(settings.root / "domain"))

    @app.middleware("request")
    async def lift_metrics_start(request: Request):
        if request.path == "/webhook" and request.method == "POST":
            request.ctx.metrics_start = time.perf_counter()

    @app.middleware("response")
    async def lift_metrics_observe(request: Request, resp):
        start = getattr(request.ctx, "metrics_start", None)
        action = getattr(request.ctx, "next_action", None)
        if start is not None and action is not None and resp is not None:
            observer.observe_call(action, resp.status, time.perf_counter() - start)

    serve_metrics(settings.action_metrics_port, "action server", multiproc_dir=settings.prometheus_multiproc_dir)
    return observer
