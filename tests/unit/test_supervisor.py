"""The supervisor behind make run / make run-cluster, with real child processes."""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from lift.ops.health import serve_health
from lift.ops.nginx import render_conf
from lift.ops.supervisor import ProcessSpec, Supervisor

PY = sys.executable


def marker_ready(path: Path):
    return lambda: path.exists()


def alive(pid: int) -> bool:
    """Running (a killed process whose new parent has not reaped it yet is a zombie: not alive)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def make(tmp_path, specs, **kw) -> Supervisor:
    kw.setdefault("out", io.StringIO())
    return Supervisor(specs, cwd=tmp_path, env=dict(os.environ), log_dir=tmp_path / "log", **kw)


def test_a_crashed_process_is_restarted_with_growing_backoff_and_others_keep_running(tmp_path):
    starts = tmp_path / "starts"
    crasher = ProcessSpec("crasher", [PY, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"])
    steady = ProcessSpec("steady", [PY, "-c", "import time; time.sleep(60)"])
    sup = make(tmp_path, [crasher, steady], base_backoff=0.2, max_backoff=0.8, stable_seconds=30)
    sup.start(ready_timeout=10)
    steady_pid = sup.pid_of("steady")
    delays, last = [], None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(delays) < 4:
        sup.tick()
        proc = sup.procs[0]
        if proc.next_start is not None and proc.next_start != last:
            last = proc.next_start
            delays.append(round(proc.next_start - time.monotonic(), 1))
        time.sleep(0.02)
    try:
        assert len(delays) == 4
        assert delays[0] <= 0.2 and 0.3 <= delays[1] <= 0.4 and delays[2] >= 0.7 and delays[3] <= 0.8  # 0.2, 0.4, 0.8, cap
        assert len(starts.read_text()) >= 4
        health = sup.health()
        assert sup.pid_of("steady") == steady_pid  # never touched
        assert health["processes"][0]["restarts"] >= 3 and health["processes"][0]["last_exit"] == 3
    finally:
        sup.stop()
    assert sup.pid_of("steady") is None


def test_health_names_what_is_degraded_and_answers_503(tmp_path):
    ok_marker = tmp_path / "ready"
    ok_marker.touch()
    specs = [ProcessSpec("good", [PY, "-c", "import time; time.sleep(60)"], ready=marker_ready(ok_marker)),
             ProcessSpec("slow", [PY, "-c", "import time; time.sleep(60)"], ready=lambda: False)]
    sup = make(tmp_path, specs, checks=[("redis", lambda: (False, "unreachable: ConnectionError")),
                                        ("postgresql", lambda: (True, "reachable"))])
    with pytest.raises(RuntimeError, match="not ready after start-up: slow"):
        sup.start(ready_timeout=1.5)
    sup.refresh_health()
    from tests.support.servers import free_port

    port = free_port()
    server = serve_health(sup.health, port)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5)
        assert err.value.code == 503
        body = json.loads(err.value.read())
        assert body["status"] == "degraded" and body["degraded"] == ["slow", "redis"]
        assert {p["name"]: p["state"] for p in body["processes"]} == {"good": "up", "slow": "starting"}
    finally:
        server.shutdown()
        sup.stop()


def test_stop_ends_whole_process_groups_and_output_is_logged_per_process(tmp_path):
    child_pid = tmp_path / "child.pid"
    script = (f"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              f"open({str(child_pid)!r}, 'w').write(str(p.pid)); print('hello from parent', flush=True); "
              f"print('POST /webhook?token=s3cret&x=1 HTTP/1.1', flush=True); time.sleep(60)")
    out = io.StringIO()
    sup = make(tmp_path, [ProcessSpec("family", [PY, "-c", script], ready=marker_ready(child_pid))], out=out)
    sup.start(ready_timeout=10)
    grandchild = int(child_pid.read_text())
    deadline = time.monotonic() + 5
    while "hello from parent" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    sup.stop(grace=5)
    deadline = time.monotonic() + 5
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)
    assert "family | hello from parent" in out.getvalue()
    logged = (tmp_path / "log" / "family.log").read_text()
    assert "hello from parent" in logged
    assert "/webhook?token=***&x=1" in logged and "s3cret" not in logged + out.getvalue()


def test_run_returns_on_request_stop(tmp_path):
    sup = make(tmp_path, [ProcessSpec("idle", [PY, "-c", "import time; time.sleep(60)"])])
    sup.start(ready_timeout=5)
    threading.Timer(0.5, sup.request_stop).start()
    t0 = time.monotonic()
    sup.run(poll_seconds=0.05)
    sup.stop()
    assert time.monotonic() - t0 < 5


@pytest.fixture
def own_signals():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_the_signal_handler_takes_no_lock_the_interrupted_main_thread_may_hold(tmp_path, own_signals):
    # A signal runs its handler between two bytecodes of the main thread - possibly inside
    # Event.wait() while that thread holds the Event's lock. A handler calling Event.set() then
    # waits for a lock its own thread holds: `make run` never stopped on SIGTERM (seen in CI).
    sup = make(tmp_path, [])
    sup.install_signals()
    handler = signal.getsignal(signal.SIGTERM)
    returned = threading.Event()

    def interrupted_inside_wait():
        with sup._stopping._cond:  # what the main thread holds inside Event.wait()
            handler(signal.SIGTERM, None)
        returned.set()

    threading.Thread(target=interrupted_inside_wait, daemon=True).start()
    assert returned.wait(3), "the SIGTERM handler blocked on the lock the interrupted thread held"
    assert sup.stopping  # the request is not lost: the main loop's next check turns it into a stop


def test_sigterm_stops_supervising(tmp_path, own_signals):
    sup = make(tmp_path, [ProcessSpec("idle", [PY, "-c", "import time; time.sleep(60)"])])
    sup.install_signals()
    sup.start(ready_timeout=5)
    threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM)).start()
    t0 = time.monotonic()
    sup.run(poll_seconds=0.05)
    sup.stop(grace=5)
    assert time.monotonic() - t0 < 5
    assert all(not p.running for p in sup.procs)


def test_nginx_conf_spreads_rest_and_actions_and_keeps_socketio_sticky(tmp_path):
    conf = render_conf(tmp_path, rasa_port=5005, rasa_replicas=[6001, 6002], action_port=5055, action_servers=[7001, 7002])
    assert "listen 127.0.0.1:5005;" in conf and "listen 127.0.0.1:5055;" in conf
    rasa = conf[conf.index("upstream rasa {"):conf.index("upstream rasa_socketio")]
    sticky = conf[conf.index("upstream rasa_socketio"):conf.index("upstream actions")]
    assert "least_conn" in rasa and "127.0.0.1:6001" in rasa and "127.0.0.1:6002" in rasa
    assert "hash $remote_addr consistent" in sticky
    assert "keepalive_timeout 3s" in rasa  # idle upstream connections are dropped before Sanic drops them
    rasa_server = conf[conf.index("listen 127.0.0.1:5005;"):conf.index("listen 127.0.0.1:5055;")]
    assert "non_idempotent" not in rasa_server  # a shopper's message that reached a replica is never replayed
    actions_server = conf[conf.index("listen 127.0.0.1:5055;"):]
    assert "non_idempotent" in actions_server and "proxy_next_upstream_tries 2" in actions_server


def test_single_plan_serves_a_canary_model_on_loopback_and_points_the_front_at_it(tmp_path):
    from lift.config import load_settings
    from lift.ops.plans import single_plan

    settings = load_settings({"RASA_AUTH_TOKEN": "t", "LIFT_DB_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    plain = single_plan(settings, tmp_path, tmp_path / "current.tar.gz")
    assert [s.name for s in plain.specs] == ["actions", "rasa", "web", "purge"]
    plan = single_plan(settings, tmp_path, tmp_path / "current.tar.gz", tmp_path / "candidate.tar.gz", 5016)
    specs = {s.name: s for s in plan.specs}
    canary, front = specs["rasa-canary"], specs["rasa"]
    assert str(tmp_path / "candidate.tar.gz") in canary.argv and canary.argv[canary.argv.index("--interface") + 1] == "127.0.0.1"
    assert canary.env["LIFT_CANARY_URL"] == "" and canary.env["LIFT_METRICS_PORT"] == "0"
    assert front.env["LIFT_CANARY_URL"] == "http://127.0.0.1:5016"
    assert [s.name for s in plan.specs].index("rasa-canary") < [s.name for s in plan.specs].index("rasa")
    assert plan.model_replicas == {"rasa": f"http://127.0.0.1:{settings.rasa_port}"}  # never the canary


def test_cluster_plan_puts_replicas_on_loopback_behind_nginx_with_their_own_ports_and_spools(tmp_path):
    from lift.config import load_settings
    from lift.ops.plans import cluster_plan

    settings = load_settings({"RASA_AUTH_TOKEN": "t", "LIFT_DB_URL": f"sqlite:///{tmp_path / 'x.db'}",
                              "LIFT_RASA_PORT": "5105", "LIFT_ACTION_PORT": "5155"})
    plan = cluster_plan(settings, tmp_path, tmp_path / "current.tar.gz", tmp_path / "run")
    specs = {s.name: s for s in plan.specs}
    assert list(specs) == ["redis", "actions-1", "actions-2", "rasa-1", "rasa-2", "nginx", "web", "purge"]
    r1, r2 = specs["rasa-1"], specs["rasa-2"]
    for r in (r1, r2):
        assert r.argv[r.argv.index("--interface") + 1] == "127.0.0.1" and "endpoints.cluster.yml" in r.argv
        assert r.env["LIFT_ACTION_URL"] == "http://127.0.0.1:5155/webhook"  # through nginx
    assert r1.env["LIFT_SPOOL_DIR"] != r2.env["LIFT_SPOOL_DIR"]
    assert r1.env["LIFT_METRICS_PORT"] != r2.env["LIFT_METRICS_PORT"]
    assert specs["actions-1"].env["SANIC_HOST"] == "127.0.0.1"
    conf = (tmp_path / "run" / "nginx" / "nginx.conf").read_text()
    assert "listen 127.0.0.1:5105;" in conf and r1.where.rsplit(":", 1)[1] in conf
    assert plan.model_replicas == {"rasa-1": r1.where, "rasa-2": r2.where}


def test_tasks_run_periodically_while_supervising_and_a_failing_round_is_logged_and_retried(tmp_path):
    rounds = []

    def task():
        rounds.append(time.monotonic())
        if len(rounds) == 2:
            raise RuntimeError("replica refused")

    out = io.StringIO()
    sup = make(tmp_path, [ProcessSpec("idle", [PY, "-c", "import time; time.sleep(60)"])], out=out,
               tasks=[("model sync", 0.1, task)])
    sup.start(ready_timeout=5)
    threading.Timer(1.0, sup.request_stop).start()
    sup.run(poll_seconds=0.05)
    sup.stop()
    assert len(rounds) >= 4  # went on after the failing round
    assert "supervisor: model sync failed: RuntimeError: replica refused" in out.getvalue()


def test_a_missing_program_is_named_at_start(tmp_path):
    sup = make(tmp_path, [ProcessSpec("ghost", [str(tmp_path / "no-such-program")])])
    with pytest.raises(RuntimeError, match="ghost: cannot start .*no-such-program"):
        sup.start(ready_timeout=5)
