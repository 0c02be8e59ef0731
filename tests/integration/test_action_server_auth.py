"""The action server with Lift's rasa-sdk plugin, started as a real process on a free port.

It serves a small action package written by the test (no trained model, no KB needed):
one action that works and one that fails while the tracker carries personal data.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-action-token-6f1c"
EMAIL = "jane.private@example.org"
PHONE = "+1 555 0100 777"

ACTIONS = {
    "__init__.py": "",
    "resources.py": """
        from pathlib import Path

        MARKER = Path({marker!r})

        def startup():
            MARKER.write_text("started")
    """,
    "sample.py": """
        from rasa_sdk import Action
        from rasa_sdk.events import SlotSet

        class ActionEcho(Action):
            def name(self):
                return "action_echo"

            async def run(self, dispatcher, tracker, domain):
                dispatcher.utter_message(text="echo")
                return [SlotSet("variant", "a")]

        class ActionBoom(Action):
            def name(self):
                return "action_boom"

            async def run(self, dispatcher, tracker, domain):
                # The message carries the personal data, as a careless action might.
                raise RuntimeError("cannot handle " + str(tracker.get_slot("email")))
    """,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def write_actions(base: Path, marker: Path) -> None:
    pkg = base / "actions"
    pkg.mkdir()
    for name, src in ACTIONS.items():
        (pkg / name).write_text(textwrap.dedent(src.format(marker=str(marker))))


def server_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFT_")}
    env.update({"SANIC_HOST": "127.0.0.1", "LIFT_HOME": str(ROOT), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("actsrv")
    marker = base / "startup-ran"
    write_actions(base, marker)
    port = free_port()
    log = open(base / "server.log", "wb")
    # `python -m rasa_sdk` is what `rasa run actions` runs, minus importing all of Rasa.
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=base, env=server_env(LIFT_ACTION_TOKEN=TOKEN), stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/health", proc)
        yield {"url": url, "marker": marker, "log": base / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def action_call(action: str) -> dict:
    return {
        "next_action": action,
        "sender_id": "user-1",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "user-1",
            "slots": {"email": EMAIL, "phone": PHONE},
            "latest_message": {"text": f"my email is {EMAIL}", "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_startup_hook_ran(action_server):
    assert action_server["marker"].read_text() == "started"


def test_health_is_open_and_reveals_nothing(action_server):
    r = requests.get(action_server["url"] + "/health", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("params,headers", [
    ({}, {}),
    ({"token": "wrong"}, {}),
    ({"token": ""}, {}),
    ({"token": TOKEN + "x"}, {}),
    ({"token": "t\u00e9st"}, {}),
    ({}, {"Authorization": "Bearer wrong"}),
])
def test_webhook_without_valid_token_is_refused(action_server, params, headers):
    r = requests.post(action_server["url"] + "/webhook", params=params, headers=headers,
                      json=action_call("action_echo"), timeout=10)
    assert r.status_code == 401
    assert EMAIL not in r.text


def test_action_list_needs_token(action_server):
    assert requests.get(action_server["url"] + "/actions", timeout=5).status_code == 401
    r = requests.get(action_server["url"] + "/actions", params={"token": TOKEN}, timeout=5)
    assert r.status_code == 200
    assert {"name": "action_echo"} in r.json()


def test_webhook_with_token_runs_action(action_server):
    r = requests.post(action_server["url"] + "/webhook", params={"token": TOKEN},
                      json=action_call("action_echo"), timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["events"] == [{"event": "slot", "timestamp": None, "name": "variant", "value": "a"}]
    assert body["responses"][0]["text"] == "echo"


def test_compressed_call_with_token_runs_action(action_server):
    data = zlib.compress(json.dumps(action_call("action_echo")).encode())
    r = requests.post(action_server["url"] + "/webhook", params={"token": TOKEN}, data=data,
                      headers={"Content-Encoding": "deflate",
                               "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 200, r.text


def test_forced_action_error_returns_no_personal_data(action_server):
    r = requests.post(action_server["url"] + "/webhook", params={"token": TOKEN},
                      json=action_call("action_boom"), timeout=10)
    assert r.status_code == 500
    assert r.json() == {"error": "internal error"}
    for secret in (EMAIL, PHONE, "user-1", "tracker", "slots", TOKEN):
        assert secret not in r.text
    # The server log names the failure (type and frames) but neither the token nor the tracker.
    log = action_server["log"].read_text(errors="replace")
    assert "RuntimeError (message withheld)" in log and "sample.py" in log
    for secret in (TOKEN, EMAIL, PHONE, "0100 777"):
        assert secret not in log


@pytest.mark.parametrize("data,headers", [
    (b"{not json", {"Content-Type": "application/json"}),
    (b"[1, 2]", {"Content-Type": "application/json"}),
    (b'"text"', {"Content-Type": "application/json"}),
    (b"{}", {"Content-Type": "application/json"}),
    (json.dumps({"next_action": "action_echo", "tracker": "x"}).encode(), {}),
    (json.dumps({"next_action": 5, "tracker": {}}).encode(), {}),
    (b"\x00\x01garbage", {"Content-Encoding": "deflate"}),
    (b"x" * (1024 * 1024), {"Content-Type": "application/json"}),
])
def test_malformed_action_calls_are_client_errors(action_server, data, headers):
    r = requests.post(action_server["url"] + "/webhook", params={"token": TOKEN}, data=data,
                      headers=headers, timeout=10)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert "request_body" not in r.text


def test_unknown_action_is_404_without_echo(action_server):
    r = requests.post(action_server["url"] + "/webhook", params={"token": TOKEN},
                      json=action_call("action_missing"), timeout=10)
    assert r.status_code == 404
    assert EMAIL not in r.text


def test_unknown_path_and_wrong_method_do_not_leak(action_server):
    r = requests.get(action_server["url"] + "/nope", params={"token": TOKEN}, timeout=5)
    assert r.status_code == 404
    r = requests.get(action_server["url"] + "/webhook", params={"token": TOKEN}, timeout=5)
    assert r.status_code == 405


def test_server_refuses_to_start_without_token(tmp_path):
    write_actions(tmp_path, tmp_path / "marker")
    proc = subprocess.run(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(free_port())],
        cwd=tmp_path, env=server_env(), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    assert "LIFT_ACTION_TOKEN" in proc.stderr + proc.stdout
    assert not (tmp_path / "marker").exists()


def test_failing_startup_stops_the_server(tmp_path):
    write_actions(tmp_path, tmp_path / "marker")
    (tmp_path / "actions" / "resources.py").write_text(
        "def startup():\n    raise RuntimeError('kb index missing: run lift kb build')\n")
    proc = subprocess.run(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(free_port())],
        cwd=tmp_path, env=server_env(LIFT_ACTION_TOKEN=TOKEN), capture_output=True, text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "kb index missing" in proc.stderr + proc.stdout
