"""The observability dashboard on ``lift web serve``: ``/dashboard`` and its JSON API.

Routes (everything else under ``/dashboard/`` is 404):

- ``GET /dashboard``: the page (``web/dashboard/index.html``) for a signed-in browser, else a
  303 to ``/dashboard/login``. ``GET /dashboard/login``: the sign-in page.
- ``GET /dashboard/<file>.js|.css``: the pages' scripts and styles (no data in them).
- ``POST /dashboard/login`` ``{"token": LIFT_DASHBOARD_TOKEN}``: sets the session cookie;
  ``POST /dashboard/logout`` clears it.
- ``GET /dashboard/api/{funnel,experiments,turns,drift,unanswered}``: JSON
  (:mod:`lift.web.dashboard_data`). 401 without credentials, 400 with the reason for bad
  parameters (unknown or invalid date ranges), 503 when the database or a config file is unusable.

Credentials: the session cookie (an HS256 JWT, audience ``lift-dashboard``, valid
``LIFT_DASHBOARD_SESSION_HOURS``, signed with a key derived from the token, so rotating the
token signs everyone out; ``HttpOnly; SameSite=Strict``, plus ``Secure`` in ``LIFT_ENV=prod``),
or ``Authorization: Bearer <LIFT_DASHBOARD_TOKEN>`` for scripts. With the token unset the
dashboard is off: its pages answer 503 saying so and its API 401.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from lift.config import ConfigError, Settings
from lift.web.checks import BadRequest, bearer_token, json_object, tokens_match
from lift.web.dashboard_data import DriftBaseline, payload

logger = logging.getLogger(__name__)

PREFIX = "/dashboard"
COOKIE = "lift_dashboard"
AUDIENCE = "lift-dashboard"
API_NAMES = ("funnel", "experiments", "turns", "drift", "unanswered")
STATIC_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
DISABLED = "the dashboard is off: set LIFT_DASHBOARD_TOKEN (at least 16 characters) and restart `lift web serve`"

# (status, extra headers, body, content type)
Response = Tuple[int, Dict[str, str], bytes, str]


def is_dashboard_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _session_key(token: str) -> bytes:
    return hmac.new(token.encode(), b"lift-dashboard-session", hashlib.sha256).digest()


def issue_session(token: str, hours: int, now: Optional[float] = None) -> str:
    import jwt

    issued = int(now if now is not None else time.time())
    return jwt.encode({"aud": AUDIENCE, "iat": issued, "exp": issued + hours * 3600},
                      _session_key(token), algorithm="HS256")


def session_valid(token: Optional[str], cookie: Optional[str]) -> bool:
    import jwt

    if not token or not cookie or len(cookie) > 2048:
        return False
    try:
        jwt.decode(cookie, _session_key(token), algorithms=["HS256"], audience=AUDIENCE,
                   options={"require": ["exp", "aud"]})
    except jwt.PyJWTError:
        return False
    return True


def _cookie_value(header: Optional[str]) -> Optional[str]:
    if not header:
        return None
    try:
        jar = SimpleCookie(header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


class Dashboard:
    """The dashboard's routes; one per page server, holding its engine and drift baseline."""

    def __init__(self, settings: Settings, web_root: Path, engine) -> None:
        self.settings = settings
        self.root = web_root / "dashboard"
        self.engine = engine
        self.baseline = DriftBaseline(settings)

    @property
    def enabled(self) -> bool:
        return bool(self.settings.dashboard_token) and self.engine is not None

    def authorized(self, headers) -> bool:
        token = self.settings.dashboard_token
        if not self.enabled:
            return False
        if tokens_match(bearer_token(headers.get("Authorization")), token):
            return True
        return session_valid(token, _cookie_value(headers.get("Cookie")))

    # --- GET --------------------------------------------------------------------------

    def get(self, raw_path: str, headers) -> Response:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        if path.startswith(PREFIX + "/api/"):
            return self._api(path[len(PREFIX + "/api/"):], parse_qs(parts.query, keep_blank_values=True), headers)
        if path in (PREFIX, PREFIX + "/login"):
            if not self.enabled:
                return _json(503, {"error": DISABLED})
            if path == PREFIX and not self.authorized(headers):
                return 303, {"Location": PREFIX + "/login"}, b"", "text/plain; charset=utf-8"
            page = "index.html" if path == PREFIX else "login.html"
            return 200, {}, (self.root / page).read_bytes(), "text/html; charset=utf-8"
        name = path[len(PREFIX) + 1:]
        suffix = Path(name).suffix
        if "/" in name or name.startswith(".") or suffix not in STATIC_TYPES or not (self.root / name).is_file():
            return _json(404, {"error": "not found"})
        return 200, {}, (self.root / name).read_bytes(), STATIC_TYPES[suffix]

    def _api(self, name: str, query: Dict[str, List[str]], headers) -> Response:
        if not self.authorized(headers):
            return _json(401, {"error": "unauthorized: sign in at /dashboard/login or send "
                                        "Authorization: Bearer <LIFT_DASHBOARD_TOKEN>"})
        if name not in API_NAMES:
            return _json(404, {"error": f"no dashboard data {name!r}; available: {', '.join(API_NAMES)}"})
        from lift.experiments.config import ExperimentsConfigError
        from lift.governance.redaction import mask
        from lift.measure.rules import ConversionsConfigError
        from lift.observability.drift import BaselineError
        from lift.store.engine import DatabaseUnavailable, check_connection

        try:
            check_connection(self.engine)
            return _json(200, payload(name, query, self.engine, self.settings, self.baseline, mask))
        except BadRequest as exc:
            return _json(exc.status, {"error": exc.message})
        except (ConversionsConfigError, ExperimentsConfigError, BaselineError, OSError) as exc:
            logger.error("dashboard %s: %s", name, exc)
            return _json(503, {"error": f"configuration problem: {exc}"})
        except (DatabaseUnavailable, sa.exc.SQLAlchemyError) as exc:
            logger.error("dashboard %s: database error: %s", name, exc.__class__.__name__)
            return _json(503, {"error": "database unavailable; retry later"})

    # --- POST -------------------------------------------------------------------------

    def post(self, path: str, raw: bytes) -> Response:
        if path == PREFIX + "/logout":
            return 200, {"Set-Cookie": self._cookie("", 0)}, b'{"signed_in": false}', "application/json"
        if path != PREFIX + "/login":
            return _json(404, {"error": "not found"})
        if not self.enabled:
            return _json(503, {"error": DISABLED})
        try:
            body = json_object(raw)
        except BadRequest as exc:
            return _json(exc.status, {"error": exc.message})
        token = body.get("token")
        if not isinstance(token, str) or not tokens_match(token, self.settings.dashboard_token):
            return _json(401, {"error": "wrong token"})
        hours = self.settings.dashboard_session_hours
        cookie = self._cookie(issue_session(self.settings.dashboard_token, hours), hours * 3600)
        return 200, {"Set-Cookie": cookie}, b'{"signed_in": true}', "application/json"

    def _cookie(self, value: str, max_age: int) -> str:
        secure = "; Secure" if self.settings.is_prod else ""
        return f"{COOKIE}={value}; Path={PREFIX}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"


def _json(status: int, body: dict) -> Response:
    return status, {}, json.dumps(body).encode(), "application/json"


def check_dashboard_config(settings: Settings) -> None:
    """ConfigError when the dashboard token is set but too weak."""
    token = settings.dashboard_token
    if token and len(token) < 16:
        raise ConfigError("LIFT_DASHBOARD_TOKEN is too short: use at least 16 characters")
