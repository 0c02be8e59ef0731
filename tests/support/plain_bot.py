"""A plain `rasa init` bot (trained once, cached under var/bench) on a free port: the baseline
the benchmarks compare Lift with, in the same run."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.support.servers import ROOT, VENV_BIN, base_env, free_port, http

# Ten turns a `rasa init` bot understands.
PLAIN_SCRIPT = [
    "hi", "I am sad", "yes", "hello", "great", "are you a bot?", "hi", "very unhappy", "no", "bye",
]
PLAIN_DIR = ROOT / "var" / "bench" / "plain_bot"


def plain_bot_model() -> Path:
    """`rasa init` (which also trains) once, cached under var/bench: its training is not what we measure."""
    models = sorted((PLAIN_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    PLAIN_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(PLAIN_DIR)], cwd=PLAIN_DIR,
                   env=base_env(), check=True, stdout=subprocess.DEVNULL)
    return sorted((PLAIN_DIR / "models").glob("*.tar.gz"))[-1]


class PlainBot:
    def __init__(self, model: Path, workdir: Path):
        self.port = free_port()
        self.log = open(workdir / "plain.log", "wb")
        self.proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "--model", str(model), "--port", str(self.port)],
                                     cwd=PLAIN_DIR, env=base_env(), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            status, body, _ = http("POST", f"{self.url}/webhooks/rest/webhook", {"sender": "warm", "message": "hi"}, timeout=5) \
                if self._up() else (0, None, None)
            if status == 200 and body:
                return
            time.sleep(0.5)
        raise RuntimeError("plain bot did not start")

    def _up(self) -> bool:
        try:
            return http("GET", f"{self.url}/", timeout=2)[0] == 200
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)
