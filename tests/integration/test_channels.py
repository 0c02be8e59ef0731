"""Slack and Messenger through the running Rasa server (trained model, real action server).

Replies go to a stand-in for Slack's and Facebook's APIs on loopback (SLACK_API_URL,
FB_GRAPH_URL). Refused requests must leave no trace in the tracker store.
"""
from __future__ import annotations

import json
import time
import urllib.parse
import uuid

import pytest

from tests.integration.channel_support import (
    FB_SECRET,
    FB_TOKEN,
    FB_VERIFY,
    SLACK_TOKEN,
    fb_delivery,
    fb_signature,
    slack_event,
    slack_headers,
)
from tests.support.servers import http

pytestmark = pytest.mark.e2e

SLACK = "/webhooks/slack/webhook"
FB = "/webhooks/facebook/webhook"


def uid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def post(lift, path, raw: bytes, headers=None):
    status, body, _ = http("POST", lift.url + path, raw=raw, headers=headers or {}, timeout=30)
    return status, body


# --- Slack -------------------------------------------------------------------------------------

def test_signed_slack_event_gets_a_reply_through_the_api(lift):
    user, channel = uid("U"), uid("D")
    body = slack_event("hi", user, channel, uid("Ev"))
    status, _ = post(lift, SLACK, body, slack_headers(body))
    assert status == 200
    replies = lift.api.wait_for(lambda c: c["path"] == "/slack/chat.postMessage" and c["body"].get("channel") == channel)
    assert replies, lift.stack.logs()
    assert replies[0]["auth"] == f"Bearer {SLACK_TOKEN}"
    assert any("Lift" in (r["body"].get("text") or "") for r in replies)
    events = lift.wait_user_events(user, 1)
    assert [(e["text"], e["input_channel"]) for e in events] == [("hi", "slack")]


def test_slack_retry_is_not_processed_twice(lift):
    user, channel, event_id = uid("U"), uid("D"), uid("Ev")
    body = slack_event("hello there", user, channel, event_id)
    assert post(lift, SLACK, body, slack_headers(body))[0] == 200
    assert lift.wait_user_events(user, 1)
    for attempt, reason in ((1, "http_timeout"), (2, "http_error")):
        headers = slack_headers(body)
        headers.update({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason})
        status, text = post(lift, SLACK, body, headers)
        assert status == 200 and text == "duplicate"
    time.sleep(3)
    assert len(lift.user_events(user)) == 1


def test_slack_product_cards_become_blocks(lift):
    user, channel = uid("U"), uid("D")
    body = slack_event('/search_product{"category":"audio"}', user, channel, uid("Ev"))
    assert post(lift, SLACK, body, slack_headers(body))[0] == 200
    posts = lift.api.wait_for(lambda c: c["body"].get("channel") == channel and c["body"].get("blocks")
                              and any(b.get("type") == "actions" for b in c["body"]["blocks"]))
    assert posts, lift.stack.logs()
    blocks = posts[0]["body"]["blocks"]
    assert blocks[0]["type"] == "section" and "$" in blocks[0]["text"]["text"]
    payloads = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert any(p.startswith("/add_to_cart") for p in payloads)


def test_slack_button_click_is_handled(lift):
    user, channel = uid("U"), uid("D")
    payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
               "trigger_id": uid("T"), "message": {"ts": "1.2"},
               "actions": [{"type": "button", "value": "/greet", "action_ts": f"{time.time():.6f}"}]}
    raw = ("payload=" + urllib.parse.quote(json.dumps(payload))).encode()
    status, _ = post(lift, SLACK, raw, slack_headers(raw, ctype="application/x-www-form-urlencoded"))
    assert status == 200
    assert lift.api.wait_for(lambda c: c["body"].get("channel") == channel), lift.stack.logs()
    assert [e["text"] for e in lift.wait_user_events(user, 1)] == ["/greet"]


def test_slack_bad_missing_or_stale_signature_is_refused(lift):
    user, channel = uid("U"), uid("D")
    body = slack_event("hi", user, channel, uid("Ev"))
    for headers in ({"Content-Type": "application/json"},
                    slack_headers(body, secret="not-the-secret"),
                    slack_headers(body, ts=int(time.time()) - 301 - 60),
                    slack_headers(body, ts=int(time.time()) + 3600),
                    {**slack_headers(body), "X-Slack-Signature": "v0=deadbeef"},
                    {**slack_headers(body), "X-Slack-Request-Timestamp": "yesterday"}):
        status, _ = post(lift, SLACK, body, headers)
        assert 400 <= status < 500, headers
    time.sleep(2)
    assert lift.stored_events(user) == 0
    assert not lift.api.matching(lambda c: c["body"].get("channel") == channel)


# --- Messenger -----------------------------------------------------------------------------------

def test_signed_messenger_event_gets_a_reply_through_the_graph_api(lift):
    psid = uid("PSID")
    body = fb_delivery("hi", psid, uid("mid."))
    status, _ = post(lift, FB, body, {"X-Hub-Signature-256": fb_signature(body), "Content-Type": "application/json"})
    assert status == 200
    sent = lift.api.wait_for(lambda c: c["path"] == "/graph/v19.0/me/messages"
                             and c["body"].get("recipient") == {"id": psid} and "message" in c["body"])
    assert sent, lift.stack.logs()
    assert sent[0]["query"]["access_token"] == FB_TOKEN
    texts = " ".join(m["body"]["message"].get("text", "") or
                     m["body"]["message"].get("attachment", {}).get("payload", {}).get("text", "") for m in sent)
    assert "Lift" in texts
    events = lift.wait_user_events(psid, 1)
    assert [(e["text"], e["input_channel"]) for e in events] == [("hi", "facebook")]


def test_messenger_product_cards_become_generic_templates(lift):
    psid = uid("PSID")
    body = fb_delivery('/search_product{"category":"audio"}', psid, uid("mid."))
    assert post(lift, FB, body, {"X-Hub-Signature-256": fb_signature(body)})[0] == 200
    templates = lift.api.wait_for(
        lambda c: c["body"].get("recipient") == {"id": psid}
        and c["body"].get("message", {}).get("attachment", {}).get("payload", {}).get("template_type") == "generic")
    assert templates, lift.stack.logs()
    element = templates[0]["body"]["message"]["attachment"]["payload"]["elements"][0]
    assert "$" in element["subtitle"]
    assert any(b["payload"].startswith("/add_to_cart") for b in element["buttons"])


def test_messenger_redelivery_is_not_processed_twice(lift):
    psid, mid = uid("PSID"), uid("mid.")
    body = fb_delivery("hello", psid, mid)
    assert post(lift, FB, body, {"X-Hub-Signature-256": fb_signature(body)})[0] == 200
    assert lift.wait_user_events(psid, 1)
    assert post(lift, FB, body, {"X-Hub-Signature-256": fb_signature(body)})[0] == 200
    time.sleep(3)
    assert len(lift.user_events(psid)) == 1


def test_messenger_bad_missing_or_weak_signature_is_refused(lift):
    import hashlib
    import hmac

    psid = uid("PSID")
    body = fb_delivery("hi", psid, uid("mid."))
    sha1 = "sha1=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha1).hexdigest()
    md5 = "md5=" + hmac.new(FB_SECRET.encode(), body, hashlib.md5).hexdigest()
    for headers in ({}, {"X-Hub-Signature": sha1}, {"X-Hub-Signature-256": md5},
                    {"X-Hub-Signature-256": fb_signature(body, "not-the-secret")},
                    {"X-Hub-Signature-256": "sha256"}, {"X-Hub-Signature-256": "sha256=a=b"}):
        status, _ = post(lift, FB, body, headers)
        assert status == 403, headers
    time.sleep(2)
    assert lift.stored_events(psid) == 0
    assert not lift.api.matching(lambda c: c["body"].get("recipient") == {"id": psid})


def test_messenger_verification_handshake(lift):
    q = {"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "1158201444"}
    status, body, _ = http("GET", lift.url + FB + "?" + urllib.parse.urlencode(q))
    assert status == 200 and str(body) == "1158201444"
    q["hub.verify_token"] = "wrong"
    assert http("GET", lift.url + FB + "?" + urllib.parse.urlencode(q))[0] == 403


# --- bad input on every webhook ----------------------------------------------------------------------

MB = b"{" + b'"x":"' + b"a" * (1024 * 1024) + b'"}'


def _bad_bodies():
    return [
        ("malformed", b"{not json"),
        ("array", b"[1, 2, 3]"),
        ("empty", b""),
        ("1MB", MB),
    ]


@pytest.mark.parametrize("name,raw", _bad_bodies())
def test_rest_webhook_bad_input_is_4xx(lift, name, raw):
    status, _ = post(lift, "/webhooks/rest/webhook", raw, {"Content-Type": "application/json"})
    assert 400 <= status < 500, (name, status)


@pytest.mark.parametrize("payload", [{}, {"sender": "x"}, {"message": "hi"}, {"sender": ["x"], "message": "hi"},
                                     {"sender": "x", "message": {"text": "hi"}}])
def test_rest_webhook_missing_fields_are_4xx(lift, payload):
    status, _ = post(lift, "/webhooks/rest/webhook", json.dumps(payload).encode())
    assert 400 <= status < 500, payload


@pytest.mark.parametrize("name,raw", _bad_bodies() + [
    ("no event", json.dumps({"type": "event_callback", "event_id": "x"}).encode()),
    ("event not object", json.dumps({"type": "event_callback", "event": [1]}).encode()),
    ("no user", json.dumps({"type": "event_callback", "event": {"type": "message", "text": "hi",
                                                                 "channel_type": "im"}}).encode()),
])
def test_slack_webhook_bad_input_is_4xx(lift, name, raw):
    # Correctly signed, so the body itself is what gets judged.
    status, _ = post(lift, SLACK, raw, slack_headers(raw))
    assert 400 <= status < 500, (name, status)


@pytest.mark.parametrize("raw", [b"payload=%7Bnope", b"other=1",
                                 b"payload=" + urllib.parse.quote(json.dumps({"actions": "x"})).encode()])
def test_slack_interactive_bad_input_is_4xx(lift, raw):
    status, _ = post(lift, SLACK, raw, slack_headers(raw, ctype="application/x-www-form-urlencoded"))
    assert 400 <= status < 500, raw


@pytest.mark.parametrize("name,raw", _bad_bodies() + [
    ("no entry", json.dumps({"object": "page"}).encode()),
    ("entry not list", json.dumps({"object": "page", "entry": {"a": 1}}).encode()),
    ("no sender", json.dumps({"object": "page", "entry": [{"messaging": [{"message": {"text": "hi"}}]}]}).encode()),
])
def test_messenger_webhook_bad_input_is_4xx(lift, name, raw):
    status, _ = post(lift, FB, raw, {"X-Hub-Signature-256": fb_signature(raw)})
    assert 400 <= status < 500, (name, status)
