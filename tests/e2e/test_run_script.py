"""`make run`'s script on free ports: it serves the bot over REST and the chat page, keeps the
HTTP API behind the token, restarts a crashed process (supervisor /health shows it), and SIGTERM
stops every process it started."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.support.servers import ROOT, base_env, free_port, http

pytestmark = pytest.mark.e2e


def wait_health(url, condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        code, body, _ = http("GET", url, timeout=15)
        if condition(code, body):
            return body
        time.sleep(0.5)
    return None


def test_run_script_serves_restarts_a_crashed_process_and_stops_cleanly(tmp_path):
    ports = {name: free_port() for name in ("LIFT_RASA_PORT", "LIFT_ACTION_PORT", "LIFT_WEB_PORT", "LIFT_HEALTH_PORT")}
    token = "run-script-test-token-0123456789"
    # every token given, so the script has nothing to generate into the checkout's .env
    env = base_env(RASA_AUTH_TOKEN=token, LIFT_ACTION_TOKEN="action-token-for-the-run-test",
                   LIFT_DASHBOARD_TOKEN="dashboard-token-for-the-run-test", LIFT_DB_URL=f"sqlite:///{tmp_path / 'run.db'}",
                   **{k: str(v) for k, v in ports.items()})
    log = open(tmp_path / "run.log", "w+")
    proc = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and "Lift is running" not in (tmp_path / "run.log").read_text():
            assert proc.poll() is None, (tmp_path / "run.log").read_text()
            time.sleep(1)
        output = (tmp_path / "run.log").read_text()
        assert "Lift is running" in output, output
        assert f"http://localhost:{ports['LIFT_WEB_PORT']}/" in output
        rasa = f"http://127.0.0.1:{ports['LIFT_RASA_PORT']}"
        status, replies, _ = http("POST", f"{rasa}/webhooks/rest/webhook", {"sender": "run-test", "message": "hi"})
        assert status == 200 and "Lift" in replies[0]["text"]
        assert http("GET", f"{rasa}/status")[0] in (401, 403)
        assert http("GET", f"{rasa}/status?token={token}")[0] == 200
        assert http("GET", f"http://127.0.0.1:{ports['LIFT_WEB_PORT']}/")[0] == 200
        assert http("GET", f"http://127.0.0.1:{ports['LIFT_ACTION_PORT']}/health")[0] == 200
        # a crashed action server is restarted by the supervisor; /health says so meanwhile
        health_url = f"http://127.0.0.1:{ports['LIFT_HEALTH_PORT']}/health"
        actions = next(p for p in http("GET", health_url)[1]["processes"] if p["name"] == "actions")
        os.killpg(actions["pid"], signal.SIGKILL)
        seen_degraded = wait_health(health_url, lambda code, body: code == 503 and "actions" in body["degraded"], 20)
        recovered = wait_health(health_url, lambda code, body: code == 200, 180)
        assert seen_degraded and recovered, http("GET", health_url)
        assert next(p for p in recovered["processes"] if p["name"] == "actions")["restarts"] == 1
        status, replies, _ = http("POST", f"{rasa}/webhooks/rest/webhook", {"sender": "run-test", "message": "show me your headphones"})
        assert status == 200 and "headphones" in replies[0]["text"].lower(), replies
    finally:
        os.killpg(proc.pid, signal.SIGTERM) if proc.poll() is None else None
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("not stopped 60 s after SIGTERM; its log ends:\n" + (tmp_path / "run.log").read_text()[-3000:])
    # nothing it started is left listening
    time.sleep(2)
    for port in ports.values():
        with pytest.raises(OSError):
            http("GET", f"http://127.0.0.1:{port}/", timeout=2)
    assert "stopped." in (tmp_path / "run.log").read_text()
