"""Nothing gets in unauthenticated: Rasa's HTTP API and the action server, as they run."""
from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest

from tests.support.servers import http

pytestmark = pytest.mark.e2e

EMAIL = "alice.private@example.com"
PHONE = "+1 415 555 0134"


PROTECTED = [
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/conversations/someone/tracker"),
    ("GET", "/conversations/someone/story"),
    ("POST", "/conversations/someone/messages"),
    ("POST", "/conversations/someone/tracker/events"),
    ("PUT", "/conversations/someone/tracker/events"),
    ("POST", "/conversations/someone/trigger_intent"),
    ("POST", "/conversations/someone/predict"),
    ("POST", "/conversations/someone/execute"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("POST", "/model/train"),
    ("POST", "/model/parse"),
    ("POST", "/model/predict"),
    ("POST", "/model/test/intents"),
    ("POST", "/model/test/stories"),
]


@pytest.mark.parametrize("method,path", PROTECTED)
@pytest.mark.parametrize("credential", ["none", "wrong token", "forged jwt"])
def test_http_api_refuses_requests_without_valid_credentials(lift, method, path, credential):
    headers, query = {}, ""
    if credential == "wrong token":
        query = "?token=" + "x" * 24
    elif credential == "forged jwt":
        forged = jwt.encode({"user": {"username": "admin", "role": "admin"}}, "attacker-key-" + "k" * 32)
        headers["Authorization"] = f"Bearer {forged}"
    status, body, _ = http(method, lift.url + path + query, body={"text": "hi"}, headers=headers)
    assert status in (401, 403), (method, path, status, body)
    assert "3.6.21" not in json.dumps(body)


def test_http_api_works_with_the_token(lift):
    token = lift.stack.auth_token
    status, body, _ = http("GET", f"{lift.url}/status?token={token}")
    assert status == 200 and body.get("model_file")
    assert http("GET", f"{lift.url}/version?token={token}")[0] == 200


def test_root_is_open_and_reveals_nothing(lift):
    status, body, _ = http("GET", lift.url + "/")
    assert status == 200 and body == {"status": "ok"}


def test_tracker_of_a_conversation_with_personal_data_is_not_readable(lift):
    sender = "sec-" + uuid.uuid4().hex[:8]
    lift.stack.say(sender, f"my email is {EMAIL}")
    status, body, _ = http("GET", f"{lift.url}/conversations/{sender}/tracker")
    assert status == 401 and EMAIL not in json.dumps(body)
    status, body, _ = http("GET", f"{lift.url}/conversations/{sender}/tracker?token={lift.stack.auth_token}")
    assert status == 200 and EMAIL in json.dumps(body)


def _action_call(action: str, tracker: dict) -> dict:
    return {"next_action": action, "sender_id": tracker.get("sender_id", "x"), "version": "3.6.21",
            "domain": {}, "tracker": tracker}


def _tracker_with_personal_data(sender: str, **overrides) -> dict:
    tracker = {
        "sender_id": sender,
        "slots": {"email": EMAIL, "phone": PHONE, "person_name": "Alice Private", "cart": []},
        "latest_message": {"text": f"I am Alice, {EMAIL}, {PHONE}", "intent": {"name": "view_cart"},
                           "entities": []},
        "events": [{"event": "user", "text": f"I am Alice, {EMAIL}"}],
        "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    }
    tracker.update(overrides)
    return tracker


@pytest.mark.parametrize("token", [None, "", "wrong-token-value"])
def test_action_server_refuses_calls_without_the_token(lift, token):
    url = lift.stack.action_url + "/webhook" + (f"?token={token}" if token is not None else "")
    status, body, _ = http("POST", url, body=_action_call("action_view_cart", _tracker_with_personal_data("s1")))
    assert status in (401, 403)
    assert EMAIL not in json.dumps(body)
    assert http("GET", lift.stack.action_url + "/actions")[0] in (401, 403)


def test_action_server_health_is_open_and_reveals_nothing(lift):
    status, body, _ = http("GET", lift.stack.action_url + "/health")
    assert status == 200 and body == {"status": "ok"}


def test_forced_action_error_returns_no_personal_data(lift):
    # A real action and a tracker the SDK cannot load (no sender_id): the call fails inside
    # the server while the request carries the customer's data, which rasa-sdk 3.6 would
    # echo back. (An exception raised by action code itself is covered in
    # test_action_server_auth.py.)
    tracker = _tracker_with_personal_data("s2")
    del tracker["sender_id"]
    url = f"{lift.stack.action_url}/webhook?token={lift.stack.action_token}"
    status, body, _ = http("POST", url, body=_action_call("action_view_cart", tracker))
    assert status == 500, body
    text = json.dumps(body)
    for secret in (EMAIL, PHONE, "Alice", "request_body", "tracker", "slots"):
        assert secret not in text
    assert body == {"error": "internal error"}


def test_action_server_works_with_the_token(lift):
    url = f"{lift.stack.action_url}/webhook?token={lift.stack.action_token}"
    status, body, _ = http("POST", url, body=_action_call("action_view_cart", _tracker_with_personal_data("s3")))
    assert status == 200, body
    assert body["responses"]


# --- LIFT_ENV=prod ---------------------------------------------------------------------------

PROD_JWT_SECRET = "prod-jwt-secret-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def prod_stack(tmp_path_factory):
    from tests.support.servers import LiftStack

    stack = LiftStack(tmp_path_factory.mktemp("prod"), env={
        "LIFT_ENV": "prod", "LIFT_JWT_SECRET": PROD_JWT_SECRET,
        "LIFT_REDACTION_KEY": "prod-redaction-" + uuid.uuid4().hex})
    with stack:
        yield stack


def test_prod_rest_channel_requires_the_token(prod_stack):
    url = prod_stack.rasa_url + "/webhooks/rest/webhook"
    body = {"sender": "prod-user-1", "message": "hi"}
    assert http("POST", url, body=body)[0] == 401
    assert http("POST", url + "?token=wrong-token-value-123", body=body)[0] == 401
    other = jwt.encode({"user": {"username": "someone-else", "role": "user"}}, PROD_JWT_SECRET)
    assert http("POST", url, body=body, headers={"Authorization": f"Bearer {other}"})[0] == 403
    status, replies, _ = http("POST", f"{url}?token={prod_stack.auth_token}", body=body)
    assert status == 200 and any("Lift" in (r.get("text") or "") for r in replies)
    own = jwt.encode({"user": {"username": "prod-user-2", "role": "user"}}, PROD_JWT_SECRET)
    status, replies, _ = http("POST", url, body={"sender": "prod-user-2", "message": "hi"},
                              headers={"Authorization": f"Bearer {own}"})
    assert status == 200 and replies


def test_prod_web_chat_needs_a_server_issued_session(prod_stack):
    import socketio

    from lift.web.sessions import issue_session_token

    url = prod_stack.rasa_url
    for auth in (None, {"token": "forged"},
                 {"token": issue_session_token("attacker-" + "k" * 32, "victim-session-0001")}):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(url, transports=["websocket"], auth=auth, wait_timeout=10)

    session_id = "issued-" + uuid.uuid4().hex[:12]
    client = socketio.Client(reconnection=False)
    replies, confirmed = [], []
    client.on("bot_uttered", lambda data: replies.append(data))
    client.on("session_confirm", lambda sid: confirmed.append(sid))
    client.connect(url, transports=["websocket"], wait_timeout=10,
                   auth={"token": issue_session_token(PROD_JWT_SECRET, session_id)})
    try:
        client.emit("session_request", {"session_id": "victim-session-0001"})
        client.emit("user_uttered", {"message": "hi", "session_id": "victim-session-0001"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not replies:
            time.sleep(0.1)
    finally:
        client.disconnect()
    assert confirmed == [session_id]
    assert replies and "Lift" in replies[0].get("text", "")
    tracker = prod_stack.tracker(session_id)
    assert [e["text"] for e in tracker["events"] if e.get("event") == "user"] == ["hi"]
    victim = prod_stack.tracker("victim-session-0001")
    assert not [e for e in victim["events"] if e.get("event") == "user"]
