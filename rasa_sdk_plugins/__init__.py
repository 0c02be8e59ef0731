"""Lift's plugin for the rasa-sdk action server (``rasa run actions``).

rasa-sdk imports a top-level package named ``rasa_sdk_plugins`` and calls ``init_hooks``;
its ``attach_sanic_app_extensions`` hook is the only place where the stock action server
can be hardened without replacing its entry point. What the hook adds is in
:mod:`rasa_sdk_plugins.security` and :mod:`rasa_sdk_plugins.metrics`.
"""
from __future__ import annotations

import sys

import pluggy

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


@hookimpl
def attach_sanic_app_extensions(app) -> None:
    from lift.config import ConfigError, get_settings
    from rasa_sdk_plugins import metrics
    from rasa_sdk_plugins.security import install

    try:
        install(app, get_settings())
        metrics.install(app, get_settings())
    except ConfigError as exc:
        # The hook runs before app.run(): exiting here keeps an unprotected server from
        # ever listening, and prints one clear line instead of a traceback.
        raise SystemExit(f"lift action server: {exc}") from None
