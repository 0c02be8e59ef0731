"""A running Lift stack with Slack and Messenger configured against a loopback stand-in.

One stack per test session (Rasa with the trained model, the action server, both real
processes) is shared by the channel and security tests: `stack_with_channels(request)`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List

import sqlalchemy as sa

from tests.support.servers import LiftStack

SLACK_SECRET = "slack-signing-" + secrets.token_hex(8)
SLACK_TOKEN = "xoxb-test-" + secrets.token_hex(4)
FB_SECRET = "fb-app-secret-" + secrets.token_hex(8)
FB_TOKEN = "fb-page-token-" + secrets.token_hex(4)
FB_VERIFY = "fb-verify-" + secrets.token_hex(4)


class StandInAPI:
    """Slack Web API and Facebook Graph API stand-in on 127.0.0.1: records every call."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = (self.headers.get("Content-Type") or "").split(";")[0]
                if ctype == "application/json":
                    body = json.loads(raw or b"{}")
                else:
                    body = dict(urllib.parse.parse_qsl(raw.decode()))
                    if isinstance(body.get("blocks"), str):
                        body["blocks"] = json.loads(body["blocks"])
                url = urllib.parse.urlsplit(self.path)
                with outer.lock:
                    outer.calls.append({"path": url.path, "query": dict(urllib.parse.parse_qsl(url.query)),
                                        "body": body, "auth": self.headers.get("Authorization")})
                reply = {"ok": True, "ts": "1.1"} if url.path.startswith("/slack/") else {"message_id": "m.1"}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def matching(self, predicate: Callable[[Dict[str, Any]], bool]) -> List[Dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if predicate(c)]

    def wait_for(self, predicate: Callable[[Dict[str, Any]], bool], timeout: float = 60) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if found:
                return found
            time.sleep(0.1)
        return []


class ChannelStack:
    def __init__(self, stack: LiftStack, api: StandInAPI) -> None:
        self.stack = stack
        self.api = api
        self.engine = sa.create_engine(stack.db_url, future=True)

    @property
    def url(self) -> str:
        return self.stack.rasa_url

    def stored_events(self, sender_id: str) -> int:
        """Events stored for a conversation, read from the tracker store's database."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return 0
            return conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"),
                                {"s": sender_id}).scalar_one()

    def user_events(self, sender_id: str) -> List[Dict[str, Any]]:
        tracker = self.stack.tracker(sender_id)
        return [e for e in tracker.get("events", []) if e.get("event") == "user"]

    def wait_user_events(self, sender_id: str, count: int, timeout: float = 60) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        events: List[Dict[str, Any]] = []
        while time.monotonic() < deadline:
            events = self.user_events(sender_id)
            if len(events) >= count:
                return events
            time.sleep(0.2)
        return events


def stack_with_channels(request, tmp_path_factory) -> ChannelStack:
    """The session's shared stack, started on first use and stopped when pytest ends."""
    cached = getattr(request.config, "_lift_channel_stack", None)
    if cached is not None:
        return cached
    api = StandInAPI()
    request.config.add_cleanup(api.close)
    stack = LiftStack(tmp_path_factory.mktemp("lift-stack"), env={
        "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": api.url + "/slack/",
        "FB_VERIFY": FB_VERIFY, "FB_SECRET": FB_SECRET, "FB_PAGE_ACCESS_TOKEN": FB_TOKEN,
        "FB_GRAPH_URL": api.url + "/graph/v19.0",
    })
    request.config.add_cleanup(stack.stop)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    shared = ChannelStack(stack, api)
    request.config._lift_channel_stack = shared
    return shared


def slack_headers(body: bytes, ts: int = None, secret: str = SLACK_SECRET,
                  ctype: str = "application/json") -> Dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig, "Content-Type": ctype}


def slack_event(text: str, user: str, channel: str, event_id: str) -> bytes:
    return json.dumps({
        "token": "unused", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"user_id": "UBOT", "is_bot": True}],
        "event": {"type": "message", "channel_type": "im", "channel": channel, "user": user,
                  "text": text, "ts": f"{time.time():.6f}"},
    }).encode()


def fb_signature(body: bytes, secret: str = FB_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def fb_delivery(text: str, psid: str, mid: str) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "PAGE1", "time": int(time.time() * 1000), "messaging": [
        {"sender": {"id": psid}, "recipient": {"id": "PAGE1"}, "timestamp": int(time.time() * 1000),
         "message": {"mid": mid, "text": text}}]}]}).encode()
