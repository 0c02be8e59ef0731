"""Debian's Prometheus for tests: installed by scripts/install_prometheus.sh, started on loopback."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from tests.support.servers import ROOT, free_port

OPS = ROOT / "ops" / "prometheus"


def prometheus_bin_dir() -> Path:
    proc = subprocess.run([str(ROOT / "scripts" / "install_prometheus.sh")], capture_output=True, text=True,
                          timeout=900)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"scripts/install_prometheus.sh failed:\n{proc.stderr}")
    return Path(proc.stdout.strip().splitlines()[-1])


class Prometheus:
    """The project's prometheus.yml with its targets pointed at ``targets`` (job -> host:port)."""

    def __init__(self, workdir: Path, targets: Dict[str, str], interval: str = "1s") -> None:
        self.workdir = Path(workdir)
        self.port = free_port()
        self.bin = prometheus_bin_dir() / "prometheus"
        config = yaml.safe_load((OPS / "prometheus.yml").read_text())
        config["global"].update(scrape_interval=interval, evaluation_interval=interval)
        config["rule_files"] = [str(OPS / f) for f in config["rule_files"]]
        for job in config["scrape_configs"]:
            job["static_configs"] = [{"targets": [targets[job["job_name"]]]}]
        self.config_path = self.workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Prometheus":
        self.log = open(self.workdir / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [str(self.bin), f"--config.file={self.config_path}", f"--web.listen-address=127.0.0.1:{self.port}",
             f"--storage.tsdb.path={self.workdir / 'tsdb'}"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited:\n{(self.workdir / 'prometheus.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("prometheus did not become ready")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()

    def query(self, promql: str) -> List[Dict[str, Any]]:
        url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = json.loads(resp.read())
        assert body["status"] == "success", body
        return body["data"]["result"]

    def wait_for(self, promql: str, timeout: float = 60) -> List[Dict[str, Any]]:
        """The query's result once it is non-empty and every value is a number."""
        deadline = time.monotonic() + timeout
        result: List[Dict[str, Any]] = []
        while time.monotonic() < deadline:
            result = self.query(promql)
            if result and all(r["value"][1] not in ("NaN", "+Inf", "-Inf") for r in result):
                return result
            time.sleep(1)
        raise AssertionError(f"no value for {promql!r} within {timeout}s (last: {result})")
