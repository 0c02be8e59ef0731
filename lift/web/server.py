"""The web chat page: a small static server that hands out the page and a session.

The page (``web/``) talks to Rasa directly over socket.io; this server only hands out the
files and a session. In ``LIFT_ENV=prod`` the session id is chosen here and signed into a
JWT (``LIFT_JWT_SECRET``, 7 days, renewed on every visit) that Lift's socket.io channel checks on connect, so a
browser cannot pick somebody else's conversation id. In dev the browser keeps its own id,
as Rasa's stock channel allows.

Also here, because ``make run`` needs it before starting Rasa: :func:`check_api_auth`
(refuse to expose the HTTP API without a token), run by ``lift web check-auth``.

Also the support tool's erasure endpoint (``POST /api/privacy/erase``, :mod:`lift.web.privacy`)
and the observability dashboard (``/dashboard``, :mod:`lift.web.dashboard`).

Nothing here imports Rasa: the page server starts in well under a second.
"""
from __future__ import annotations

import json
import logging
import mimetypes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

from lift.config import ConfigError, Settings
from lift.store.engine import make_engine
from lift.web import dashboard as dashboard_http
from lift.web import privacy as privacy_http
from lift.web.checks import BadRequest, json_object
from lift.web.sessions import issue_session_token, new_session_id, valid_session_id, verify_session_token

logger = logging.getLogger(__name__)

MIN_TOKEN_LENGTH = 16
MIN_JWT_SECRET_LENGTH = 32
MAX_SESSION_BODY = 4096

mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("text/css", ".css")


# --- start-up checks -------------------------------------------------------------------

def check_api_auth(settings: Settings) -> None:
    """Raise ConfigError unless Rasa's HTTP API and the web sessions can be protected."""
    if not (settings.rasa_auth_token or settings.jwt_secret):
        raise ConfigError(
            "refusing to start Rasa's HTTP API without credentials: set RASA_AUTH_TOKEN "
            "(make run generates one into .env) or LIFT_JWT_SECRET"
        )
    # HS256 keys shorter than the hash (32 bytes) weaken the signature (RFC 7518 3.2).
    for name, value, minimum in (("RASA_AUTH_TOKEN", settings.rasa_auth_token, MIN_TOKEN_LENGTH),
                                 ("LIFT_JWT_SECRET", settings.jwt_secret, MIN_JWT_SECRET_LENGTH)):
        if value and len(value) < minimum:
            raise ConfigError(f"{name} is too short: use at least {minimum} characters")
    if settings.is_prod and not settings.jwt_secret:
        raise ConfigError(
            "LIFT_ENV=prod needs LIFT_JWT_SECRET: the web chat's socket.io sessions are "
            "server-issued tokens signed with it"
        )
    if settings.is_prod and not settings.rasa_auth_token:
        raise ConfigError("LIFT_ENV=prod needs RASA_AUTH_TOKEN: the REST channel requires it")


# --- the page server -------------------------------------------------------------------

def session_response(settings: Settings, request: object) -> dict:
    """The session the page should use, given what the browser remembered."""
    request = request if isinstance(request, dict) else {}
    base = {
        "socket_url": settings.socket_url,
        "socket_path": "/socket.io",
        "rasa_port": settings.rasa_port,
        "env": settings.env,
    }
    if settings.is_prod:
        if not settings.jwt_secret:
            raise ConfigError("LIFT_ENV=prod needs LIFT_JWT_SECRET to issue web sessions")
        sid = verify_session_token(settings.jwt_secret, request.get("token")) or new_session_id()
        return {**base, "session_id": sid,
                "token": issue_session_token(settings.jwt_secret, sid)}
    sid = request.get("session_id")
    if not valid_session_id(sid):
        sid = new_session_id()
    return {**base, "session_id": sid, "token": None}


def _csp(settings: Settings) -> str:
    if settings.socket_url:
        # Exactly where the page's socket goes (both schemes: socket.io starts over HTTP).
        ws = "ws" + settings.socket_url[4:] if settings.socket_url.startswith("http") else settings.socket_url
        connect = ["'self'", settings.socket_url, ws]
    else:
        # The page derives the socket from its own host on LIFT_RASA_PORT, another origin.
        connect = ["'self'", "ws:", "wss:"]
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data: https:; connect-src " + " ".join(connect) + "; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


class _Handler(BaseHTTPRequestHandler):
    def version_string(self) -> str:
        return "lift-web"
    settings: Settings
    web_root: Path
    privacy_engine = None  # set when LIFT_ADMIN_TOKEN enables the erasure endpoint
    dashboard: "dashboard_http.Dashboard"

    def log_message(self, fmt: str, *args) -> None:  # stdlib default writes to stderr
        logger.debug("web: " + fmt, *args)

    def _send(self, status: int, body: bytes, ctype: str, cache: str = "no-cache",
              extra: Optional[dict] = None) -> None:
        self.send_response(status)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", _csp(self.settings))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", cache="no-store")

    def _resolve(self, url_path: str) -> Optional[Path]:
        path = url_path.split("?", 1)[0].split("#", 1)[0]
        if path in ("", "/"):
            path = "/index.html"
        parts = [p for p in path.split("/") if p]
        if any(p.startswith(".") or "\\" in p for p in parts):
            return None
        candidate = (self.web_root.joinpath(*parts)).resolve()
        try:
            candidate.relative_to(self.web_root)
        except ValueError:
            return None
        return candidate if candidate.is_file() else None

    def _dashboard(self, response: "dashboard_http.Response") -> None:
        status, headers, body, ctype = response
        cache = "no-cache" if ctype.startswith(("application/javascript", "text/css")) else "no-store"
        self._send(status, body, ctype, cache, headers)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/health":
            return self._json(200, {"status": "ok"})
        if dashboard_http.is_dashboard_path(path):
            return self._dashboard(self.dashboard.get(self.path, self.headers))
        target = self._resolve(self.path)
        if target is None:
            return self._json(404, {"error": "not found"})
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        cache = "public, max-age=86400" if "/vendor/" in self.path or "/img/" in self.path \
            else "no-cache"
        self._send(200, target.read_bytes(), ctype, cache)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in ("/session", privacy_http.PATH) and not dashboard_http.is_dashboard_path(path):
            return self._json(404, {"error": "not found"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._json(400, {"error": "bad Content-Length"})
        if length < 0 or length > MAX_SESSION_BODY:
            return self._json(413, {"error": "request too large"})
        raw = self.rfile.read(length) if length else b"{}"
        if dashboard_http.is_dashboard_path(path):
            return self._dashboard(self.dashboard.post(path, raw))
        if path == privacy_http.PATH:
            return self._json(*privacy_http.handle_erase(self.settings, self.privacy_engine,
                                                         self.headers.get("Authorization"), raw))
        try:
            body = json_object(raw)
        except BadRequest as exc:
            return self._json(exc.status, {"error": exc.message})
        try:
            return self._json(200, session_response(self.settings, body))
        except ConfigError as exc:
            return self._json(503, {"error": str(exc)})

    def _method_not_allowed(self) -> None:
        self._json(405, {"error": "method not allowed"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _method_not_allowed


def make_server(settings: Settings, host: str = "127.0.0.1", port: Optional[int] = None,
                web_root: Optional[Path] = None) -> ThreadingHTTPServer:
    """A page server bound to host:port (port 0 picks a free one); call serve_forever()."""
    root = (web_root or settings.root / "web").resolve()
    if not (root / "index.html").is_file():
        raise ConfigError(f"web chat page not found: {root / 'index.html'}")
    if settings.is_prod and not settings.jwt_secret:
        raise ConfigError("LIFT_ENV=prod needs LIFT_JWT_SECRET to issue web sessions")
    dashboard_http.check_dashboard_config(settings)
    # The database engine of the erasure endpoint and the dashboard, created once here (no
    # connection is made until a request).
    engine = make_engine(settings.db_url) if settings.admin_token or settings.dashboard_token else None
    handler = type("LiftWebHandler", (_Handler,), {
        "settings": settings, "web_root": root, "privacy_engine": engine if settings.admin_token else None,
        "dashboard": dashboard_http.Dashboard(settings, root, engine)})
    server = ThreadingHTTPServer((host, settings.web_port if port is None else port), handler)
    server.daemon_threads = True
    return server


def page_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "") else host
    return f"http://{shown}:{port}/"
