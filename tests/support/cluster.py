"""`scripts/run.sh cluster` (make run-cluster) on free public ports, for tests and benchmarks.

    with Cluster(workdir, db_url=postgres_url) as c:
        c.say("alice", "hi"); c.health(); c.kill("rasa-1")

The whole process group is stopped on exit; the output is in ``workdir/run.log``.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from tests.support.servers import ROOT, Managed, base_env, free_port, http, stop_groups


class Cluster(Managed):
    def __init__(self, workdir: Path, *, db_url: str, startup_timeout: float = 900, replicas: int = 2,
                 env: Optional[Dict[str, str]] = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in ("LIFT_RASA_PORT", "LIFT_ACTION_PORT", "LIFT_WEB_PORT",
                                                     "LIFT_HEALTH_PORT", "LIFT_METRICS_PORT", "LIFT_ACTION_METRICS_PORT")}
        self.token = secrets.token_urlsafe(16)
        self.env = base_env(RASA_AUTH_TOKEN=self.token, LIFT_ACTION_TOKEN=secrets.token_urlsafe(16), LIFT_DB_URL=db_url,
                            LIFT_LOG_DIR=str(self.workdir / "log"), **{k: str(v) for k, v in self.ports.items()},
                            **(env or {}))
        self.startup_timeout = startup_timeout
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = self.workdir / "run.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['LIFT_RASA_PORT']}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> "Cluster":
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(ROOT / "scripts" / "run.sh"), "cluster"], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while "Lift is running" not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"run-cluster did not come up (exit {self.proc.poll()}):\n{self.output()[-8000:]}")
            time.sleep(1)
        return self

    def stop(self) -> None:
        if self.proc:
            stop_groups([self.proc], grace=90)

    # -- using it ------------------------------------------------------------------------
    def health(self) -> Dict[str, Any]:
        return http("GET", f"http://127.0.0.1:{self.ports['LIFT_HEALTH_PORT']}/health", timeout=10)[1]

    def replicas(self) -> Dict[str, str]:
        """Rasa replica name -> its own loopback URL."""
        return {p["name"]: p["where"] for p in self.health()["processes"] if p["name"].startswith("rasa-")}

    def served_model(self, url: str) -> Optional[Dict[str, Any]]:
        """A replica's ``GET /status`` (model_id, model_file); None while it does not answer."""
        try:
            status, body, _ = http("GET", f"{url}/status?token={self.token}", timeout=10)
        except OSError:
            return None
        return body if status == 200 and isinstance(body, dict) else None

    def process(self, name: str) -> Dict[str, Any]:
        return next(p for p in self.health()["processes"] if p["name"] == name)

    def kill(self, name: str) -> int:
        """SIGKILL one supervised process (as a crash would); returns its pid."""
        pid = self.process(name)["pid"]
        assert pid, f"{name} is not running"
        os.killpg(pid, signal.SIGKILL)
        return pid

    def warm_up(self) -> None:
        """One turn straight to every Rasa replica: its first turn builds lazily loaded parts (slow)."""
        for p in self.health()["processes"]:
            if p["name"].startswith("rasa-"):
                status, body, _ = http("POST", f"{p['where']}/webhooks/rest/webhook",
                                       {"sender": f"warmup-{p['name']}", "message": "hi"}, timeout=300)
                assert status == 200, body

    def say(self, sender: str, message: str, timeout: float = 120) -> tuple:
        return http("POST", f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": message}, timeout=timeout)

    def tracker_events(self, sender: str) -> List[Dict[str, Any]]:
        status, body, _ = http("GET", f"{self.url}/conversations/{sender}/tracker?token={self.token}", timeout=60)
        assert status == 200, body
        return body["events"]
