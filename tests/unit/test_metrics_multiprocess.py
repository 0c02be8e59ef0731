"""Several worker processes with PROMETHEUS_MULTIPROC_DIR: the first to bind the port serves
the sum of all workers; the second logs that the port is taken and keeps running."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout)
from lift.config import load_settings
from lift.observability.metrics import chat_metrics
from lift.observability.server import serve_metrics
settings = load_settings()
chat_metrics().messages.labels("greet").inc(int(sys.argv[1]))
chat_metrics().handoffs.inc()
print("SERVING" if serve_metrics(int(sys.argv[2]), "worker", addr="127.0.0.1",
                                 multiproc_dir=settings.prometheus_multiproc_dir) else "NOT SERVING", flush=True)
sys.stdin.read()  # stay alive until the test closes stdin
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(n: int, port: int, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(n), str(port)], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def read_until(proc: subprocess.Popen, *words: str) -> str:
    out = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        out += line
        if any(w in line for w in words) or not line:
            return out
    raise AssertionError(out)


def test_first_worker_serves_the_sum_of_all_workers(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    port = free_port()
    first = start(2, port, env)
    second = None
    try:
        assert "SERVING" in read_until(first, "SERVING")
        second = start(3, port, env)
        out = read_until(second, "SERVING")
        assert "NOT SERVING" in out and f"port {port} is already in use (multiprocess mode" in out
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            text = resp.read().decode()
        assert 'lift_messages_total{intent="greet"} 5.0' in text
        assert "lift_handoffs_total 2.0" in text
    finally:
        for proc in (first, second):
            if proc is not None:
                proc.stdin.close()
                proc.wait(timeout=20)


OUTBOX_WORKER = """
import sys
from lift.config import load_settings
from lift.observability.metrics import action_metrics
from lift.observability.server import serve_metrics
backlog, oldest, sent = (float(a) for a in sys.argv[1:4])
m = action_metrics()
m.outbox_backlog.set(backlog)
m.outbox_oldest.set(oldest)
m.outbox_deliveries.labels("sent").inc(sent)
print("SERVING" if serve_metrics(int(sys.argv[4]), "worker", addr="127.0.0.1",
                                 multiproc_dir=load_settings().prometheus_multiproc_dir) else "NOT SERVING", flush=True)
sys.stdin.read()
"""


def test_two_action_servers_report_one_outbox_not_the_sum(tmp_path):
    # Both see the same outbox table: the backlog is the larger (fresher) of the two reports,
    # the oldest waiting message the earlier, and delivery attempts add up.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    port = free_port()
    procs = []
    try:
        for backlog, oldest, sent in (("4", "1000", "2"), ("3", "900", "5")):
            proc = subprocess.Popen([sys.executable, "-c", OUTBOX_WORKER, backlog, oldest, sent, str(port)], cwd=ROOT,
                                    env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True)
            procs.append(proc)
            read_until(proc, "SERVING")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            text = resp.read().decode()
        assert "lift_outbox_backlog 4.0" in text
        assert "lift_outbox_oldest_waiting_timestamp_seconds 900.0" in text
        assert 'lift_outbox_deliveries_total{outcome="sent"} 7.0' in text
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait(timeout=20)
