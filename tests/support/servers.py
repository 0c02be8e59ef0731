"""Start the real action server and Rasa on free loopback ports for integration/e2e tests.

Usage::

    with LiftStack(tmp_path, db_url=...) as stack:
        replies = stack.say("alice", "hi")

Both run as subprocesses from the project root with the project's .venv; their output goes
to files under the stack's work dir (printed on failure). Every process group is killed on exit.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
         raw: Optional[bytes] = None, timeout: float = 60) -> tuple:
    """(status, parsed JSON or text, headers) without raising on 4xx/5xx."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, payload, hdrs = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        status, payload, hdrs = err.code, err.read(), dict(err.headers)
    try:
        return status, json.loads(payload.decode() or "null"), hdrs
    except (ValueError, UnicodeDecodeError):
        return status, payload.decode(errors="replace"), hdrs


def stop_groups(procs: List[subprocess.Popen], grace: float = 20) -> None:
    """SIGTERM each process group, then SIGKILL what is still there after ``grace`` seconds."""
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for p in procs:
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=5)


def base_env(**overrides: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIFT_", "RASA_AUTH", "SLACK_", "FB_"))}
    env.update({
        "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONUNBUFFERED": "1",
    })
    env.update(overrides)
    return env


@contextmanager
def web_server(env: Dict[str, str], log_path: Path, timeout: float = 30) -> Iterator[str]:
    """`lift web serve` as make run starts it (port: ``env["LIFT_WEB_PORT"]``); yields its base
    URL once ``/health`` answers, checks it printed that URL, and stops it on exit."""
    port = env["LIFT_WEB_PORT"]
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(VENV_BIN / "lift"), "web", "serve"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError("lift web serve exited:\n" + log_path.read_text())
            try:
                if http("GET", url + "health", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert url in log_path.read_text(), log_path.read_text()
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        log.close()


class Managed:
    """``with X(...) as x``: ``start()`` on entry (``stop()`` if it fails half-way), ``stop()`` on exit."""

    def start(self):
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


class LiftStack(Managed):
    """Action server + Rasa server. ``endpoints``/``credentials`` default to the project's files."""

    def __init__(self, workdir: Path, *, db_url: Optional[str] = None, env: Optional[Dict[str, str]] = None,
                 endpoints: Optional[Path] = None, credentials: Optional[Path] = None, model: Path = MODEL,
                 start_actions: bool = True, enable_api: bool = True, startup_timeout: float = 240,
                 canary_model: Optional[Path] = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.auth_token = secrets.token_urlsafe(16)
        self.action_token = secrets.token_urlsafe(16)
        self.db_url = db_url or f"sqlite:///{self.workdir / 'lift.db'}"
        self.model = model
        self.endpoints = endpoints or ROOT / "endpoints.yml"
        self.credentials = credentials or ROOT / "credentials.yml"
        self.start_actions = start_actions
        # A second Rasa serving this model on loopback; the front forwards the conversations the
        # model experiment assigns to `candidate` to it (LIFT_CANARY_URL), as `make run` does.
        self.canary_model = canary_model
        self.canary_port = free_port() if canary_model else None
        self.enable_api = enable_api
        self.startup_timeout = startup_timeout
        self.env = base_env(
            LIFT_DB_URL=self.db_url, RASA_AUTH_TOKEN=self.auth_token, LIFT_ACTION_TOKEN=self.action_token,
            LIFT_ACTION_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            LIFT_ACTION_PORT=str(self.action_port), LIFT_RASA_PORT=str(self.rasa_port), **(env or {}))
        self.procs: List[subprocess.Popen] = []

    # -- lifecycle -----------------------------------------------------------------
    def _spawn(self, name: str, args: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_path = self.workdir / f"{name}.log"  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        out = []
        for p in self.procs:
            path = getattr(p, "log_path", None)
            if path and path.exists():
                out.append(f"==== {path.name} (exit {p.poll()}) ====\n" + path.read_text(errors="replace")[-6000:])
        return "\n".join(out)

    def _wait(self, url: str, proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited during start-up:\n{self.logs()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"server did not come up at {url}:\n{self.logs()}")

    def start_action_server(self, name: str = "actions") -> subprocess.Popen:
        """(Re)start the action server on its port; returns once /health answers."""
        act = self._spawn(name, [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
                                 "--port", str(self.action_port)])
        self._wait(f"http://127.0.0.1:{self.action_port}/health", act)
        self.action_proc = act
        return act

    def kill_action_server(self) -> None:
        """SIGKILL the running action server (a crash, not a clean shutdown)."""
        proc = self.action_proc
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)

    def start(self) -> "LiftStack":
        if not self.model.exists():
            raise RuntimeError(f"no trained model at {self.model}: run `make train`")
        if self.start_actions:
            self.start_action_server()
        if self.canary_model is not None:
            canary = self._spawn("rasa-canary", [
                str(VENV_BIN / "rasa"), "run", "--model", str(self.canary_model), "-i", "127.0.0.1",
                "--port", str(self.canary_port), "--endpoints", str(self.endpoints), "--credentials", str(self.credentials),
                "--enable-api", f"--auth-token={self.auth_token}"], env={**self.env, "LIFT_METRICS_PORT": "0"})
            self._wait_model(f"http://127.0.0.1:{self.canary_port}", canary)
            self.env["LIFT_CANARY_URL"] = f"http://127.0.0.1:{self.canary_port}"
        args = [str(VENV_BIN / "rasa"), "run", "--model", str(self.model), "--port", str(self.rasa_port),
                "--endpoints", str(self.endpoints)]
        if self.credentials:
            args += ["--credentials", str(self.credentials)]
        if self.enable_api:
            args += ["--enable-api", f"--auth-token={self.auth_token}"]  # a token may start with "-"
        rasa = self._spawn("rasa", args)
        self._wait(f"http://127.0.0.1:{self.rasa_port}/", rasa)
        if self.enable_api:
            self._wait_model(self.rasa_url, rasa)
        return self

    def _wait_model(self, base: str, proc: subprocess.Popen) -> None:
        # "/" answers before the model is loaded; /status with the token says when it is.
        self._wait(f"{base}/", proc)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            status, body, _ = http("GET", f"{base}/status?token={self.auth_token}", timeout=5)
            if status == 200 and body.get("model_file"):
                return
            time.sleep(0.5)

    def stop(self) -> None:
        stop_groups(self.procs)

    # -- talking -------------------------------------------------------------------
    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def say(self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        body: Dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        status, replies, _ = http("POST", f"{self.rasa_url}/webhooks/rest/webhook", body)
        if status != 200:
            raise AssertionError(f"REST webhook returned {status}: {replies}\n{self.logs()}")
        return replies

    def tracker(self, sender: str) -> Dict[str, Any]:
        status, body, _ = http("GET", f"{self.rasa_url}/conversations/{sender}/tracker?token={self.auth_token}")
        assert status == 200, body
        return body


def new_sender() -> str:
    """A sender id no other conversation of the run uses."""
    import uuid

    return f"e2e-{uuid.uuid4().hex[:8]}"


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies if r.get("text"))


if __name__ == "__main__":  # manual smoke: python tests/support/servers.py "hi"
    import tempfile

    with LiftStack(Path(tempfile.mkdtemp())) as st:
        for msg in sys.argv[1:] or ["hi"]:
            print(msg, "->", json.dumps(st.say("smoke", msg), indent=1))
