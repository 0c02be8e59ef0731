"""Lift's input channels without Rasa's dialogue engine.

Pure helpers are tested directly; the webhooks are mounted on a real Sanic server on a free
loopback port, with a message handler that records what reached it and answers through
the channel's real output (to a stand-in Slack / Graph API server, also on loopback).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import socket
import time
import urllib.parse

import aiohttp
import jwt
import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from lift.config import ConfigError, load_settings
from lift.channels.cards import format_price, product_cards, public_image_url
from lift.channels.hardening import RecentIds
from lift.channels.messenger import LiftFacebookInput, messenger_generic_template, verify_hub_signature_256
from lift.channels.rest import LiftRestInput
from lift.channels.slack import LiftSlackInput, slack_product_blocks
from lift.web.server import check_api_auth, session_response
from lift.web.sessions import issue_session_token, verify_session_token

SLACK_SECRET = "slack-signing-secret-for-tests"
FB_SECRET = "fb-app-secret-for-tests"
API_TOKEN = "rasa-auth-token-0123456789"
JWT_SECRET = "jwt-secret-0123456789abcdef-0123456789"

CARDS = {
    "type": "product_cards",
    "products": [
        {"sku": "AUD-001", "name": "Aria Wireless Headphones", "price": 129.0, "currency": "USD",
         "stock": 42, "image": "/img/AUD-001.png", "url": "/p/AUD-001",
         "buttons": [{"title": "Add to cart", "payload": '/add_to_cart{"product":"AUD-001"}'},
                     {"title": "Details", "payload": "/ask_price"}]},
        {"sku": "AUD-002", "name": "Bolt Earbuds", "price": 59, "currency": "USD", "stock": 2,
         "image": "/img/AUD-002.svg", "buttons": []},
    ],
}


def settings(**env):
    base = {"LIFT_HOME": "/tmp"}
    base.update(env)
    return load_settings(base)


# --- pure helpers -------------------------------------------------------------------------

def sign_fb(body: bytes, secret: str = FB_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_hub_signature_accepts_only_sha256():
    body = b'{"object":"page"}'
    assert verify_hub_signature_256(FB_SECRET, body, sign_fb(body))
    assert verify_hub_signature_256(FB_SECRET, body, sign_fb(body).upper().replace("SHA256", "sha256"))
    md5 = "md5=" + hmac.new(FB_SECRET.encode(), body, hashlib.md5).hexdigest()
    sha1 = "sha1=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha1).hexdigest()
    for header in (md5, sha1, "", None, "sha256", "sha256=", "sha256=zz", "=abc",
                   sign_fb(body) + "=x", sign_fb(body)[:-1], sign_fb(body, "other-secret"),
                   "sha256=" + "\u00e9" * 64):
        assert not verify_hub_signature_256(FB_SECRET, body, header), header
    assert not verify_hub_signature_256("", body, sign_fb(body, ""))
    assert not verify_hub_signature_256(FB_SECRET, body + b" ", sign_fb(body))


def test_recent_ids_forget_after_ttl():
    seen = RecentIds(ttl=10, max_items=3)
    assert seen.add("a", now=0)
    assert not seen.add("a", now=5)
    assert seen.add("a", now=20)
    for i, key in enumerate("bcd"):
        seen.add(key, now=21 + i)
    assert "a" not in seen  # evicted by size


def test_product_cards_only_for_lift_payloads():
    assert product_cards({"type": "other"}) is None
    assert product_cards(["x"]) is None
    assert product_cards({"type": "product_cards", "products": "x"}) == []
    assert [p["sku"] for p in product_cards(CARDS)] == ["AUD-001", "AUD-002"]


def test_prices_and_images():
    assert format_price(129, "USD") == "$129.00"
    assert format_price("1234.5", "EUR") == "€1,234.50"
    assert format_price(10, "CHF") == "10.00 CHF"
    assert format_price(None, "USD") == ""
    s = settings(LIFT_PUBLIC_URL="https://shop.example/")
    assert public_image_url("/img/a.png", s) == "https://shop.example/img/a.png"
    assert public_image_url("/img/a.svg", s) is None
    assert public_image_url("/img/a.png", settings()) is None
    assert public_image_url("javascript:alert(1).png", s) is None


def test_slack_blocks_carry_button_payloads():
    s = settings(LIFT_PUBLIC_URL="https://shop.example")
    blocks = slack_product_blocks(product_cards(CARDS), s)
    assert [b["type"] for b in blocks] == ["section", "actions", "section"]
    assert "Aria Wireless Headphones" in blocks[0]["text"]["text"]
    assert "$129.00" in blocks[0]["text"]["text"]
    assert blocks[0]["accessory"]["image_url"] == "https://shop.example/img/AUD-001.png"
    assert "accessory" not in blocks[2]  # svg
    assert blocks[1]["elements"][0]["value"] == '/add_to_cart{"product":"AUD-001"}'
    ids = [e["action_id"] for e in blocks[1]["elements"]]
    assert len(set(ids)) == len(ids)


def test_messenger_generic_template_limits():
    many = {"type": "product_cards", "products": [
        {"sku": f"S{i}", "name": "N" * 100, "price": i, "currency": "USD", "stock": 9,
         "buttons": [{"title": f"B{j}", "payload": f"/p{j}"} for j in range(5)]} for i in range(12)]}
    t = messenger_generic_template(product_cards(many), settings())
    payload = t["attachment"]["payload"]
    assert payload["template_type"] == "generic"
    assert len(payload["elements"]) == 10
    el = payload["elements"][0]
    assert len(el["title"]) <= 80 and len(el["buttons"]) == 3
    assert el["buttons"][0] == {"type": "postback", "title": "B0", "payload": "/p0"}
    assert "image_url" not in el


# --- auth helpers ---------------------------------------------------------------------------

def test_check_api_auth():
    with pytest.raises(ConfigError, match="RASA_AUTH_TOKEN"):
        check_api_auth(settings())
    with pytest.raises(ConfigError, match="too short"):
        check_api_auth(settings(RASA_AUTH_TOKEN="short"))
    check_api_auth(settings(RASA_AUTH_TOKEN=API_TOKEN))
    check_api_auth(settings(LIFT_JWT_SECRET=JWT_SECRET))
    with pytest.raises(ConfigError, match="LIFT_JWT_SECRET"):
        check_api_auth(settings(RASA_AUTH_TOKEN=API_TOKEN, LIFT_ENV="prod", LIFT_REDACTION_KEY="k"))
    check_api_auth(settings(RASA_AUTH_TOKEN=API_TOKEN, LIFT_JWT_SECRET=JWT_SECRET,
                            LIFT_ENV="prod", LIFT_REDACTION_KEY="k"))


def test_session_tokens():
    tok = issue_session_token(JWT_SECRET, "abcdef123456")
    assert verify_session_token(JWT_SECRET, tok) == "abcdef123456"
    assert verify_session_token(JWT_SECRET, "Bearer " + tok) == "abcdef123456"
    assert verify_session_token("another-secret-xxxxxxxxxxxxxxxxxxxxxxxx", tok) is None
    assert verify_session_token(JWT_SECRET, issue_session_token(JWT_SECRET, "abcdef123456", now=0)) is None
    assert verify_session_token(JWT_SECRET, None) is None
    assert verify_session_token(JWT_SECRET, "garbage") is None
    # Not usable against Rasa's HTTP API, which decodes without an audience.
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(tok, JWT_SECRET, algorithms=["HS256"])
    no_aud = jwt.encode({"sub": "abcdef123456", "exp": time.time() + 60}, JWT_SECRET)
    assert verify_session_token(JWT_SECRET, no_aud) is None


def test_session_response_dev_and_prod():
    dev = settings()
    first = session_response(dev, {})
    assert first["token"] is None and len(first["session_id"]) == 32
    assert session_response(dev, {"session_id": first["session_id"]})["session_id"] == first["session_id"]
    assert session_response(dev, {"session_id": "../etc"})["session_id"] != "../etc"
    prod = settings(LIFT_ENV="prod", LIFT_REDACTION_KEY="k", LIFT_JWT_SECRET=JWT_SECRET,
                    RASA_AUTH_TOKEN=API_TOKEN)
    s1 = session_response(prod, {"session_id": "chosen-by-browser"})
    assert s1["session_id"] != "chosen-by-browser"
    assert verify_session_token(JWT_SECRET, s1["token"]) == s1["session_id"]
    s2 = session_response(prod, {"token": s1["token"]})
    assert s2["session_id"] == s1["session_id"]
    forged = issue_session_token("attacker-secret-xxxxxxxxxxxxxxxxxxxxxxxx", "victim-session-id")
    assert session_response(prod, {"token": forged})["session_id"] != "victim-session-id"


# --- live webhooks ---------------------------------------------------------------------------

_app_ids = itertools.count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandIn:
    """Loopback stand-in for Slack's Web API and Facebook's Graph API: records calls."""

    def __init__(self):
        self.calls = []

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        ctype = request.content_type
        if ctype == "application/json":
            body = json.loads(raw or b"{}")
        else:
            body = dict(urllib.parse.parse_qsl(raw.decode()))
        self.calls.append({"path": request.path, "query": dict(request.query), "body": body,
                           "auth": request.headers.get("Authorization")})
        if request.path.startswith("/slack/"):
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": "1.1"})
        return web.json_response({"recipient_id": "x", "message_id": "m"})

    async def __aenter__(self):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        self.port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc):
        await self.runner.cleanup()

    async def wait_for(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.calls if predicate(c)]
            if found:
                return found
            await asyncio.sleep(0.02)
        return []


class Live:
    """A Sanic app with the given channels, on a free port, and a recording handler."""

    def __init__(self, channels):
        self.channels = channels
        self.received = []

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": f"echo: {message.text}"})
        await message.output_channel.send_response(message.sender_id, {"custom": CARDS})

    async def __aenter__(self):
        # Several apps start in one process here; test mode keeps Sanic's start-up code
        # rewriting (touchup) re-runnable, as sanic-testing does.
        Sanic.test_mode = True
        app = Sanic(f"lift_channels_test_{next(_app_ids)}")
        # Mounted like rasa.core.channels.channel.register does, with our recording handler.
        for channel in self.channels:
            app.blueprint(channel.blueprint(self.on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}")
        self.port = free_port()
        self.server = await app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True,
                                              access_log=False)
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc):
        await self.http.close()
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()

    async def post(self, path, data=b"", headers=None, params=None):
        async with self.http.post(self.url + path, data=data, headers=headers or {}, params=params) as r:
            return r.status, await r.text()


def slack_headers(body: bytes, ts: int = None, secret: str = SLACK_SECRET, ctype="application/json"):
    ts = int(time.time()) if ts is None else ts
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig, "Content-Type": ctype}


def slack_event(text="hi", event_id="Ev001", user="U123", channel="D999"):
    return json.dumps({
        "token": "x", "team_id": "T1", "type": "event_callback", "event_id": event_id,
        "authorizations": [{"user_id": "UBOT"}],
        "event": {"type": "message", "channel_type": "im", "channel": channel, "user": user,
                  "text": text, "ts": "1700000000.000100"},
    }).encode()


@pytest.fixture
def slack_settings():
    async def make(stand_in):
        return settings(SLACK_API_URL=stand_in.url + "/slack/", LIFT_PUBLIC_URL="https://shop.example")
    return make


async def test_slack_signed_event_answered_once_through_api(slack_settings):
    async with StandIn() as api:
        s = await slack_settings(api)
        channel = LiftSlackInput("xoxb-test", slack_signing_secret=SLACK_SECRET, settings=s)
        async with Live([channel]) as live:
            body = slack_event()
            status, _ = await live.post("/webhooks/slack/webhook", body, slack_headers(body))
            assert status == 200
            posts = await api.wait_for(lambda c: c["path"] == "/slack/chat.postMessage" and "blocks" in c["body"])
            assert posts, api.calls
            texts = [c["body"].get("text") for c in api.calls]
            assert "echo: hi" in texts
            blocks = json.loads(posts[0]["body"]["blocks"]) if isinstance(posts[0]["body"]["blocks"], str) \
                else posts[0]["body"]["blocks"]
            assert blocks[1]["elements"][0]["value"] == '/add_to_cart{"product":"AUD-001"}'
            assert api.calls[0]["auth"] == "Bearer xoxb-test"
            # A retry of the same event is acknowledged and not processed again.
            headers = slack_headers(body)
            headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
            status, text = await live.post("/webhooks/slack/webhook", body, headers)
            assert status == 200 and text == "duplicate"
            await asyncio.sleep(0.3)
            assert [m.text for m in live.received] == ["hi"]
            assert live.received[0].input_channel == "slack"
            assert live.received[0].sender_id == "U123"


async def test_slack_rejects_bad_signatures_and_input(slack_settings):
    async with StandIn() as api:
        s = await slack_settings(api)
        channel = LiftSlackInput("xoxb-test", slack_signing_secret=SLACK_SECRET, settings=s)
        async with Live([channel]) as live:
            body = slack_event()
            bad = [
                {"Content-Type": "application/json"},  # missing
                slack_headers(body, secret="wrong-secret"),
                slack_headers(body, ts=int(time.time()) - 600),  # stale
                {**slack_headers(body), "X-Slack-Request-Timestamp": "not-a-number"},
            ]
            for headers in bad:
                status, _ = await live.post("/webhooks/slack/webhook", body, headers)
                assert status == 401
            for raw, ctype, want in [
                (b"{not json", "application/json", 400),
                (b"[1,2]", "application/json", 400),
                (json.dumps({"event": "x"}).encode(), "application/json", 400),
                (json.dumps({"event": {"type": "message", "text": "hi", "channel_type": "im"}}).encode(),
                 "application/json", 400),
                (b"x" * (1024 * 1024), "application/json", 413),
                (b"payload=%7Bbad", "application/x-www-form-urlencoded", 400),
                (b"other=1", "application/x-www-form-urlencoded", 400),
                (b"payload=" + urllib.parse.quote(json.dumps({"actions": [{"type": "button", "value": "/x"}]})).encode(),
                 "application/x-www-form-urlencoded", 400),
                (b"hello", "text/plain", 415),
            ]:
                status, _ = await live.post("/webhooks/slack/webhook", raw, slack_headers(raw, ctype=ctype))
                assert status == want, (raw[:40], status)
            challenge = json.dumps({"type": "url_verification", "challenge": "c-123"}).encode()
            status, text = await live.post("/webhooks/slack/webhook", challenge, slack_headers(challenge))
            assert status == 200 and json.loads(text) == {"challenge": "c-123"}
            await asyncio.sleep(0.1)
            assert live.received == []


async def test_slack_interactive_button(slack_settings):
    async with StandIn() as api:
        s = await slack_settings(api)
        channel = LiftSlackInput("xoxb-test", slack_signing_secret=SLACK_SECRET, settings=s)
        async with Live([channel]) as live:
            payload = {"type": "block_actions", "user": {"id": "U123"}, "channel": {"id": "D999"},
                       "trigger_id": "t1", "message": {"ts": "1.2"},
                       "actions": [{"type": "button", "value": "/add_to_cart", "action_ts": "9.9"}]}
            raw = b"payload=" + urllib.parse.quote(json.dumps(payload)).encode()
            for _ in range(2):
                status, _ = await live.post("/webhooks/slack/webhook", raw,
                                            slack_headers(raw, ctype="application/x-www-form-urlencoded"))
                assert status == 200
            await api.wait_for(lambda c: "blocks" in c["body"])
            assert [m.text for m in live.received] == ["/add_to_cart"]


async def test_slack_without_secrets_is_disabled():
    channel = LiftSlackInput(None, slack_signing_secret="", settings=settings())
    async with Live([channel]) as live:
        body = slack_event()
        status, _ = await live.post("/webhooks/slack/webhook", body, slack_headers(body, secret=""))
        assert status == 404
        assert live.received == []


def fb_delivery(text="hi", mid="mid.1", sender="PSID-1"):
    return json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [
        {"sender": {"id": sender}, "recipient": {"id": "PAGE"}, "timestamp": 1,
         "message": {"mid": mid, "text": text}},
    ]}]}).encode()


async def test_messenger_signed_event_answered_through_graph_api():
    async with StandIn() as api:
        s = settings(FB_GRAPH_URL=api.url + "/graph/v19.0")
        channel = LiftFacebookInput("verify-me", FB_SECRET, "page-token", settings=s)
        async with Live([channel]) as live:
            body = fb_delivery()
            status, text = await live.post("/webhooks/facebook/webhook", body,
                                           {"X-Hub-Signature-256": sign_fb(body), "Content-Type": "application/json"})
            assert status == 200, text
            cards = await api.wait_for(lambda c: "attachment" in c["body"].get("message", {}))
            assert cards, api.calls
            msgs = [c for c in api.calls if c["path"] == "/graph/v19.0/me/messages"]
            assert {"text": "echo: hi"} in [c["body"].get("message") for c in msgs]
            assert msgs[0]["query"]["access_token"] == "page-token"
            assert "appsecret_proof" in msgs[0]["query"]
            tpl = cards[0]["body"]["message"]["attachment"]["payload"]
            assert tpl["template_type"] == "generic"
            assert tpl["elements"][0]["buttons"][0]["payload"] == '/add_to_cart{"product":"AUD-001"}'
            assert cards[0]["body"]["recipient"] == {"id": "PSID-1"}
            # Redelivery of the same message id is not processed again.
            status, _ = await live.post("/webhooks/facebook/webhook", body, {"X-Hub-Signature-256": sign_fb(body)})
            assert status == 200
            await asyncio.sleep(0.3)
            assert [(m.text, m.input_channel, m.sender_id) for m in live.received] == [("hi", "facebook", "PSID-1")]


async def test_messenger_rejects_forged_and_malformed():
    async with StandIn() as api:
        s = settings(FB_GRAPH_URL=api.url + "/graph")
        channel = LiftFacebookInput("verify-me", FB_SECRET, "page-token", settings=s)
        async with Live([channel]) as live:
            body = fb_delivery()
            md5 = "md5=" + hmac.new(FB_SECRET.encode(), body, hashlib.md5).hexdigest()
            sha1 = "sha1=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha1).hexdigest()
            for headers in ({}, {"X-Hub-Signature": sha1}, {"X-Hub-Signature-256": md5},
                            {"X-Hub-Signature-256": "sha256"}, {"X-Hub-Signature-256": "garbage=="},
                            {"X-Hub-Signature-256": sign_fb(body, "wrong")}):
                status, _ = await live.post("/webhooks/facebook/webhook", body, headers)
                assert status == 403, headers
            for raw, want in [(b"{oops", 400), (b"[]", 400), (b"{}", 400),
                              (json.dumps({"entry": [{"messaging": [{"message": {"text": "x"}}]}]}).encode(), 400),
                              (json.dumps({"entry": "x"}).encode(), 400),
                              (b"{" + b" " * (1024 * 1024) + b"}", 413)]:
                status, _ = await live.post("/webhooks/facebook/webhook", raw, {"X-Hub-Signature-256": sign_fb(raw)})
                assert status == want, (raw[:30], status)
            await asyncio.sleep(0.1)
            assert live.received == [] and api.calls == []


async def test_messenger_verification_handshake():
    channel = LiftFacebookInput("verify-me", FB_SECRET, "page-token", settings=settings())
    async with Live([channel]) as live:
        q = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
        async with live.http.get(live.url + "/webhooks/facebook/webhook", params=q) as r:
            assert r.status == 200 and await r.text() == "42"
        async with live.http.get(live.url + "/webhooks/facebook/webhook",
                                 params={**q, "hub.verify_token": "nope"}) as r:
            assert r.status == 403


async def test_rest_validation_and_prod_token():
    dev = LiftRestInput(settings())
    prod_settings = settings(LIFT_ENV="prod", LIFT_REDACTION_KEY="k", RASA_AUTH_TOKEN=API_TOKEN,
                             LIFT_JWT_SECRET=JWT_SECRET)
    async with Live([dev]) as live:
        ok = json.dumps({"sender": "u1", "message": "hi"}).encode()
        status, text = await live.post("/webhooks/rest/webhook", ok)
        assert status == 200 and json.loads(text)[0]["text"] == "echo: hi"
        assert json.loads(text)[1]["custom"]["type"] == "product_cards"
        for raw, want in [(b"{bad", 400), (b"[]", 400), (b"{}", 400),
                          (json.dumps({"sender": "u1"}).encode(), 400),
                          (json.dumps({"sender": "", "message": "x"}).encode(), 400),
                          (json.dumps({"sender": "u1", "message": 5}).encode(), 400),
                          (json.dumps({"sender": "u1", "message": "x", "metadata": []}).encode(), 400),
                          (json.dumps({"sender": "u1", "message": "x" * 5000}).encode(), 413),
                          (b"x" * (1024 * 1024), 413)]:
            status, _ = await live.post("/webhooks/rest/webhook", raw)
            assert status == want, (raw[:30], status)
        assert [m.text for m in live.received] == ["hi"]

    prod = LiftRestInput(prod_settings)
    async with Live([prod]) as live:
        ok = json.dumps({"sender": "u1", "message": "hi"}).encode()
        assert (await live.post("/webhooks/rest/webhook", ok))[0] == 401
        assert (await live.post("/webhooks/rest/webhook", ok, params={"token": "wrong"}))[0] == 401
        assert (await live.post("/webhooks/rest/webhook", ok, params={"token": API_TOKEN}))[0] == 200
        user_jwt = jwt.encode({"user": {"username": "u1", "role": "user"}}, JWT_SECRET)
        other_jwt = jwt.encode({"user": {"username": "u2", "role": "user"}}, JWT_SECRET)
        forged = jwt.encode({"user": {"username": "u1", "role": "admin"}}, "not-the-secret-xxxxxxxxxxxxxxxxxxxxxxxxxx")
        assert (await live.post("/webhooks/rest/webhook", ok, {"Authorization": f"Bearer {user_jwt}"}))[0] == 200
        assert (await live.post("/webhooks/rest/webhook", ok, {"Authorization": f"Bearer {other_jwt}"}))[0] == 403
        assert (await live.post("/webhooks/rest/webhook", ok, {"Authorization": f"Bearer {forged}"}))[0] == 401
        assert len(live.received) == 2


# --- socket.io -------------------------------------------------------------------------------

class SocketClient:
    """socket.io client over the websocket transport, as the page uses.

    The sync client (websocket-client): engineio's asyncio client needs a newer aiohttp
    than Rasa pins. Its blocking calls run in threads so the in-loop server keeps serving.
    """

    def __init__(self):
        import socketio

        self.client = socketio.Client(reconnection=False)
        self.events = {"bot_uttered": [], "session_confirm": [], "bot_typing": [], "lift_error": []}
        for name, bucket in self.events.items():
            self.client.on(name, (lambda b: (lambda data=None: b.append(data)))(bucket))

    async def connect(self, url, auth=None):
        await asyncio.to_thread(self.client.connect, url, transports=["websocket"], auth=auth,
                                socketio_path="/socket.io", wait_timeout=5)
        return self

    async def emit(self, event, data):
        await asyncio.to_thread(self.client.emit, event, data)

    async def close(self):
        await asyncio.to_thread(self.client.disconnect)


async def _until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return False


async def test_socketio_dev_session_persistence_and_cards():
    from lift.channels.webchat import LiftSocketIOInput

    channel = LiftSocketIOInput(settings=settings())
    async with Live([channel]) as live:
        client = await SocketClient().connect(live.url)
        ev = client.events
        try:
            await client.emit("session_request", {"session_id": "browser-session-1"})
            assert await _until(lambda: ev["session_confirm"] == ["browser-session-1"])
            await client.emit("user_uttered", {"message": "hi", "session_id": "browser-session-1"})
            assert await _until(lambda: len(ev["bot_uttered"]) == 2)
            assert ev["bot_uttered"][0] == {"text": "echo: hi"}
            assert ev["bot_uttered"][1]["custom"]["type"] == "product_cards"
            assert await _until(lambda: ev["bot_typing"] == [{"typing": True}, {"typing": False}])
            assert [(m.sender_id, m.input_channel) for m in live.received] == [("browser-session-1", "socketio")]
            for bad in (None, "text", {"message": 5}, {"message": "x" * 5000}):
                await client.emit("user_uttered", bad)
            assert await _until(lambda: len(ev["lift_error"]) == 4)
            assert len(live.received) == 1
        finally:
            await client.close()


async def test_socketio_prod_requires_server_issued_session():
    import socketio

    from lift.channels.webchat import LiftSocketIOInput

    prod = settings(LIFT_ENV="prod", LIFT_REDACTION_KEY="k", LIFT_JWT_SECRET=JWT_SECRET,
                    RASA_AUTH_TOKEN=API_TOKEN)
    channel = LiftSocketIOInput(settings=prod)
    async with Live([channel]) as live:
        for auth in (None, {"token": "garbage"},
                     {"token": issue_session_token("attacker-secret-xxxxxxxxxxxxxxxxxxxxxxxx", "victim-1234")}):
            with pytest.raises(socketio.exceptions.ConnectionError):
                await SocketClient().connect(live.url, auth)
        token = issue_session_token(JWT_SECRET, "issued-session-42")
        client = await SocketClient().connect(live.url, {"token": token})
        ev = client.events
        try:
            await client.emit("session_request", {"session_id": "victim-1234"})
            assert await _until(lambda: ev["session_confirm"] == ["issued-session-42"])
            await client.emit("user_uttered", {"message": "hi", "session_id": "victim-1234"})
            assert await _until(lambda: len(ev["bot_uttered"]) == 2)
            assert [m.sender_id for m in live.received] == ["issued-session-42"]
        finally:
            await client.close()


async def test_rasa_root_and_version_routes_are_hardened():
    s = settings(RASA_AUTH_TOKEN=API_TOKEN)

    async def hello(_):
        from sanic import response
        return response.text("Hello from Rasa: 3.6.21")

    channel = LiftRestInput(s)
    # Rasa registers "/" and "/version" on its app before the channels; do the same.
    Sanic.test_mode = True
    app = Sanic(f"lift_root_test_{next(_app_ids)}")
    app.add_route(hello, "/", methods=["GET"])
    app.add_route(hello, "/version", methods=["GET"])

    async def rasa_error(_):
        from sanic import response
        return response.json({"version": "3.6.21", "status": "failure", "code": 401}, status=401)

    app.add_route(rasa_error, "/status", methods=["GET"])
    app.blueprint(channel.blueprint(Live([]).on_new_message), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/") as r:
                assert r.status == 200 and await r.json() == {"status": "ok"}
            async with http.get(f"http://127.0.0.1:{port}/version") as r:
                assert r.status == 401 and "3.6" not in await r.text()
            async with http.get(f"http://127.0.0.1:{port}/version", params={"token": API_TOKEN}) as r:
                assert r.status == 200
            async with http.get(f"http://127.0.0.1:{port}/status") as r:
                assert r.status == 401 and await r.json() == {"status": "failure", "code": 401}
    finally:
        server.close()
        await server.wait_closed()
