"""Start a set of processes, restart any that exits (with back-off), stop them all on demand.

Used by ``make run`` (plan ``single``) and ``make run-cluster`` (plan ``cluster``), see
:mod:`lift.ops.plans`. Every process runs in its own process group; its output goes to
``<log_dir>/<name>.log`` (tokens in URLs masked) and, prefixed with its name, to the supervisor's stdout. A process
that exits is started again after 1, 2, 4 ... (at most ``max_backoff``) seconds; the delay
resets once it has stayed up ``stable_seconds``. ``/health`` (see :mod:`lift.ops.health`) says
which processes and engines are degraded.
"""
from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)

# Rasa passes the action server's token in the query string; nginx and servers log request lines.
_TOKEN_IN_URL = re.compile(rb"([?&](?:token|auth_token|access_token)=)[^&\s\"']+")

Check = Tuple[str, Callable[[], Tuple[bool, str]]]  # (name, () -> (ok, detail))
Task = Tuple[str, float, Callable[[], object]]  # (name, every N seconds, () -> anything)


@dataclass
class ProcessSpec:
    name: str
    argv: List[str]
    env: Dict[str, str] = field(default_factory=dict)
    # True once the process serves (probed at start and for /health), e.g. an HTTP GET.
    ready: Optional[Callable[[], bool]] = None
    # Start the next process only once this one is ready (e.g. Redis before the Rasa replicas).
    wait_ready: bool = False
    # Where it serves, as printed and shown in /health (never containing a secret).
    where: str = ""


@dataclass
class _Proc:
    spec: ProcessSpec
    popen: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    restarts: int = 0
    failures: int = 0  # consecutive short-lived runs: the back-off exponent
    next_start: Optional[float] = None
    last_exit: Optional[int] = None
    ready: bool = False
    served: bool = False  # has been ready since its last start

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


def probe(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Supervisor:
    def __init__(self, specs: List[ProcessSpec], *, cwd: Path, env: Dict[str, str], log_dir: Path,
                 checks: Optional[List[Check]] = None, base_backoff: float = 1.0, max_backoff: float = 30.0,
                 stable_seconds: float = 60.0, out=None, tasks: Optional[List[Task]] = None):
        """``tasks`` run periodically, each on its own thread, while :meth:`run` supervises (e.g.
        the model sync of :mod:`lift.governance.replicas`); one that raises is logged and run again."""
        self.procs = [_Proc(s) for s in specs]
        self.cwd = Path(cwd)
        self.env = env
        self.log_dir = Path(log_dir)
        self.checks = list(checks or [])
        self.tasks = list(tasks or [])
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.stable_seconds = stable_seconds
        self.out = out or sys.stdout
        self._out_lock = threading.Lock()
        self._stopping = threading.Event()
        # set by the signal handler, which must take no lock: Event.set() there deadlocks when the
        # signal lands while the main thread holds the Event's own lock inside Event.wait()
        self._signalled = False
        self._check_results: Dict[str, Tuple[bool, str]] = {}

    # -- output --------------------------------------------------------------------------
    def say(self, line: str) -> None:
        with self._out_lock:
            self.out.write(line + "\n")
            self.out.flush()

    def _pump(self, proc: _Proc, pipe) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        width = max(len(p.spec.name) for p in self.procs)
        with open(self.log_dir / f"{proc.spec.name}.log", "ab") as log:
            for raw in iter(pipe.readline, b""):
                raw = _TOKEN_IN_URL.sub(rb"\1***", raw)
                log.write(raw)
                log.flush()
                self.say(f"{proc.spec.name:<{width}} | {raw.decode(errors='replace').rstrip()}")

    # -- lifecycle -----------------------------------------------------------------------
    def _spawn(self, proc: _Proc) -> None:
        env = {**self.env, **proc.spec.env}
        try:
            popen = subprocess.Popen(proc.spec.argv, cwd=self.cwd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:  # e.g. redis-server or nginx not installed
            raise RuntimeError(f"{proc.spec.name}: cannot start {proc.spec.argv[0]}: {exc.strerror or exc}") from exc
        proc.popen, proc.started_at, proc.next_start = popen, time.monotonic(), None
        proc.ready = proc.served = False
        threading.Thread(target=self._pump, args=(proc, popen.stdout), daemon=True).start()

    def _wait_ready(self, procs: List[_Proc], deadline: float) -> None:
        """Supervise (restarting what crashes) until ``procs`` are all ready or ``deadline``."""
        while not self.stopping:
            self.tick()
            for proc in procs:
                if proc.running and not proc.ready and proc.spec.ready:
                    proc.ready = proc.served = bool(proc.spec.ready())
            waiting = [p.spec.name for p in procs if p.spec.ready and not p.ready]
            if not waiting:
                return
            if time.monotonic() >= deadline:
                raise RuntimeError(f"not ready after start-up: {', '.join(waiting)}; see their logs in {self.log_dir}")
            self._stopping.wait(0.5)

    def start(self, ready_timeout: float = 600.0) -> None:
        """Start every process in order (a ``wait_ready`` one must be ready before the next
        starts); return once all are ready; raise if that takes longer than ``ready_timeout``."""
        deadline = time.monotonic() + ready_timeout
        for proc in self.procs:
            self._spawn(proc)
            if proc.spec.wait_ready:
                self._wait_ready([proc], deadline)
        self._wait_ready(self.procs, deadline)

    def backoff(self, failures: int) -> float:
        return min(self.max_backoff, self.base_backoff * (2 ** max(0, failures - 1)))

    def tick(self) -> None:
        """One supervision step: notice exits, schedule and perform restarts."""
        now = time.monotonic()
        for proc in self.procs:
            if proc.popen is not None and proc.popen.poll() is not None and proc.next_start is None:
                proc.last_exit = proc.popen.returncode
                proc.ready = False
                lived = now - proc.started_at
                proc.failures = 1 if lived >= self.stable_seconds else proc.failures + 1
                delay = self.backoff(proc.failures)
                proc.next_start = now + delay
                self.say(f"supervisor: {proc.spec.name} exited ({proc.last_exit}) after {lived:.0f} s; "
                         f"restarting in {delay:.0f} s")
            elif proc.next_start is not None and now >= proc.next_start and not self.stopping:
                proc.restarts += 1
                self.say(f"supervisor: restarting {proc.spec.name} (restart {proc.restarts})")
                self._spawn(proc)

    def refresh_health(self) -> None:
        """Probe readiness and run the engine checks (slow parts of /health, done off-request)."""
        for proc in self.procs:
            if proc.spec.ready:
                proc.ready = proc.running and bool(proc.spec.ready())
                proc.served = proc.served or proc.ready
            else:
                proc.ready = proc.running
        for name, fn in self.checks:
            try:
                self._check_results[name] = fn()
            except Exception as exc:  # noqa: BLE001 - a failing probe is a degraded engine
                self._check_results[name] = (False, f"{exc.__class__.__name__}: {exc}")

    def health(self) -> dict:
        now = time.monotonic()
        processes = []
        for p in self.procs:
            ready = p.ready if p.spec.ready else True
            if p.running:  # "unresponsive": served since its start, its probe fails now
                state = "up" if ready else "unresponsive" if p.served else "starting"
            else:
                state = "restarting"
            processes.append({
                "name": p.spec.name, "state": state, "where": p.spec.where,
                "pid": p.popen.pid if p.running else None, "restarts": p.restarts, "last_exit": p.last_exit,
                "uptime_s": round(now - p.started_at, 1) if p.running else 0,
                "next_start_in_s": round(max(0.0, p.next_start - now), 1) if p.next_start else None,
            })
        checks = [{"name": n, "ok": ok, "detail": d} for n, (ok, d) in self._check_results.items()]
        degraded = [p["name"] for p in processes if p["state"] != "up"] + [c["name"] for c in checks if not c["ok"]]
        return {"status": "degraded" if degraded else "ok", "degraded": degraded,
                "processes": processes, "checks": checks}

    def run(self, poll_seconds: float = 0.5, health_every: float = 2.0) -> None:
        """Supervise until :meth:`request_stop` (or SIGINT/SIGTERM via :meth:`install_signals`).
        Health probes run in their own thread: a slow probe never delays a restart."""
        def probe_loop():
            while not self._stopping.is_set():
                self.refresh_health()
                self._stopping.wait(health_every)

        def task_loop(name: str, every: float, fn: Callable[[], object]) -> None:
            while not self._stopping.wait(every):
                try:
                    fn()
                except Exception as exc:  # noqa: BLE001 - a failing round is retried next time
                    self.say(f"supervisor: {name} failed: {exc.__class__.__name__}: {exc}")

        threading.Thread(target=probe_loop, daemon=True, name="lift-health-probes").start()
        for name, every, fn in self.tasks:
            threading.Thread(target=task_loop, args=(name, every, fn), daemon=True, name=f"lift-{name}").start()
        while not self.stopping:
            self.tick()
            self._stopping.wait(poll_seconds)

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested; turns a signal's request into the Event other threads wait on
        (called from the main thread's loops, never from the signal handler)."""
        if self._signalled and not self._stopping.is_set():
            self._stopping.set()
        return self._stopping.is_set()

    def request_stop(self, *_args) -> None:
        """Stop supervising (from any thread; not from a signal handler: see :meth:`install_signals`)."""
        self._stopping.set()

    def _on_signal(self, *_args) -> None:
        # a plain assignment: the main loop notices it within one poll and sets the Event
        self._signalled = True

    def install_signals(self) -> None:
        """SIGINT/SIGTERM stop supervising. The handler only sets a flag: it runs in the main thread
        between any two bytecodes, possibly while that thread holds a lock it would need."""
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM every process group (reverse start order), SIGKILL what is left after ``grace``."""
        self._stopping.set()
        alive = [p for p in reversed(self.procs) if p.running]
        for p in alive:
            try:
                os.killpg(p.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        for p in alive:
            try:
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.popen.wait(timeout=5)

    def pid_of(self, name: str) -> Optional[int]:
        for p in self.procs:
            if p.spec.name == name and p.running:
                return p.popen.pid
        return None
