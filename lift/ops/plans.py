"""What ``make run`` (``single``) and ``make run-cluster`` (``cluster``) start, and where.

single:  action server :LIFT_ACTION_PORT, Rasa :LIFT_RASA_PORT (endpoints.yml), the chat page
         :LIFT_WEB_PORT, scheduled retention (``lift privacy purge --schedule``).
cluster: Redis (lock store), 2 action servers and 2 Rasa replicas (endpoints.cluster.yml) on
         free loopback ports, nginx on LIFT_RASA_PORT and LIFT_ACTION_PORT in front of them,
         the chat page and scheduled retention. PostgreSQL (LIFT_DB_URL) is started before, by
         scripts/run.sh through scripts/pg.sh, and watched by /health.

Every Rasa replica serves its Prometheus metrics on its own port (LIFT_METRICS_PORT + i), every
action server on LIFT_ACTION_METRICS_PORT + i.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from lift.config import Settings
from lift.ops import nginx
from lift.ops.health import database_check, redis_check, redis_ready
from lift.ops.supervisor import Check, ProcessSpec, probe


@dataclass
class Plan:
    specs: List[ProcessSpec]
    checks: List[Check] = field(default_factory=list)
    # Shown when everything is up (what a person opens or calls).
    summary: List[str] = field(default_factory=list)
    # The Rasa processes serving the promoted model (name -> URL), kept on it by the model sync.
    model_replicas: Dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(url: str):
    # generous: a replica busy with turns on a loaded machine is slow, not down
    return lambda: probe(url, timeout=10)


def _rasa_argv(bin_dir: Path, model: Path, port: int, endpoints: str, settings: Settings,
               interface: str) -> List[str]:
    argv = [str(bin_dir / "rasa"), "run", "--model", str(model), "--interface", interface, "--port", str(port),
            "--endpoints", endpoints,
            "--credentials", "credentials.yml", "--enable-api", f"--auth-token={settings.rasa_auth_token}",
            "--cors", "*"]
    if settings.jwt_secret:
        argv += ["--jwt-secret", settings.jwt_secret, "--jwt-method", "HS256"]
    return argv


def _actions(bin_dir: Path, name: str, port: int, metrics_port: int, interface: str) -> ProcessSpec:
    return ProcessSpec(name, [str(bin_dir / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                       env={"LIFT_ACTION_METRICS_PORT": str(metrics_port), "SANIC_HOST": interface},
                       ready=_http(f"http://127.0.0.1:{port}/health"), where=f"http://127.0.0.1:{port}")


def _rasa(bin_dir: Path, name: str, model: Path, port: int, endpoints: str, settings: Settings,
          metrics_port: int, env: Dict[str, str], interface: str) -> ProcessSpec:
    return ProcessSpec(name, _rasa_argv(bin_dir, model, port, endpoints, settings, interface),
                       env={"LIFT_METRICS_PORT": str(metrics_port), **env},
                       ready=_http(f"http://127.0.0.1:{port}/status?token={settings.rasa_auth_token}"),
                       where=f"http://127.0.0.1:{port}")


def _tail(bin_dir: Path, settings: Settings) -> List[ProcessSpec]:
    return [
        ProcessSpec("web", [str(bin_dir / "lift"), "web", "serve", "--port", str(settings.web_port)],
                    ready=_http(f"http://127.0.0.1:{settings.web_port}/"), where=f"http://localhost:{settings.web_port}/"),
        ProcessSpec("purge", [str(bin_dir / "lift"), "privacy", "purge", "--schedule"],
                    where=f"retention every {settings.purge_interval} s"),
    ]


def single_plan(settings: Settings, bin_dir: Path, model: Path, canary_model: Optional[Path] = None,
                canary_port: int = 5006) -> Plan:
    """``canary_model``: a candidate model served by a second Rasa on loopback; the front Rasa
    forwards the conversations the model experiment assigns to it (``LIFT_CANARY_URL``)."""
    s = settings
    front_env: Dict[str, str] = {}
    specs = [
        # as before the supervisor: every interface (make run is also reached from other machines)
        _actions(bin_dir, "actions", s.action_port, s.action_metrics_port, "0.0.0.0"),
    ]
    if canary_model is not None:
        front_env["LIFT_CANARY_URL"] = f"http://127.0.0.1:{canary_port}"
        specs.append(_rasa(bin_dir, "rasa-canary", canary_model, canary_port, "endpoints.yml", s, 0,
                           {"LIFT_CANARY_URL": ""}, "127.0.0.1"))
    front = _rasa(bin_dir, "rasa", model, s.rasa_port, "endpoints.yml", s, s.metrics_port, front_env, "0.0.0.0")
    front.where = f"http://localhost:{s.rasa_port}"
    specs += [front, *_tail(bin_dir, s)]
    summary = [
        f"  web chat:       http://localhost:{s.web_port}/   (open this in a browser)",
        f"  REST channel:   http://localhost:{s.rasa_port}/webhooks/rest/webhook",
        f"  action server:  http://localhost:{s.action_port}/health",
    ] + ([f"  model canary:   {canary_model} on 127.0.0.1:{canary_port}"] if canary_model is not None else [])
    return Plan(specs, [("database", database_check(s.db_url))], summary, {front.name: f"http://127.0.0.1:{s.rasa_port}"})


def cluster_plan(settings: Settings, bin_dir: Path, model: Path, run_dir: Path, replicas: int = 2) -> Plan:
    s = settings
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    rasa_ports = [free_port() for _ in range(replicas)]
    action_ports = [free_port() for _ in range(replicas)]
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = nginx.write_conf(run_dir / "nginx", rasa_port=s.rasa_port, rasa_replicas=rasa_ports,
                            action_port=s.action_port, action_servers=action_ports)
    redis_argv = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", str(run_dir.resolve())]
    specs = [ProcessSpec("redis", redis_argv, ready=redis_ready(redis_url), wait_ready=True,
                         where=f"redis://127.0.0.1:{redis_port} (lock store)")]
    # The replicas and action servers listen on loopback only: the public ports are nginx's.
    specs += [_actions(bin_dir, f"actions-{i + 1}", p, s.action_metrics_port + i, "127.0.0.1")
              for i, p in enumerate(action_ports)]
    # Rasa calls the action servers through nginx, so a dead one is skipped.
    rasa_env = {"LIFT_REDIS_URL": redis_url, "LIFT_ACTION_URL": f"http://127.0.0.1:{s.action_port}/webhook"}
    # Each replica keeps its own durable spool (LIFT_SPOOL_DIR, lift.store.spool): two processes
    # never append to or drain one file; a restarted replica drains what it spooled.
    specs += [_rasa(bin_dir, f"rasa-{i + 1}", model, p, "endpoints.cluster.yml", s, s.metrics_port + i,
                    {**rasa_env, "LIFT_SPOOL_DIR": str(run_dir.resolve() / "spool" / f"rasa-{i + 1}")}, "127.0.0.1")
              for i, p in enumerate(rasa_ports)]
    specs.append(ProcessSpec("nginx", nginx.nginx_argv(run_dir / "nginx", conf),
                             ready=_http(f"http://127.0.0.1:{s.rasa_port}/lift-nginx-health"),
                             where=f"Rasa :{s.rasa_port} -> {rasa_ports}; actions :{s.action_port} -> {action_ports}"))
    specs += _tail(bin_dir, s)
    checks: List[Check] = [("postgresql", database_check(s.db_url)), ("redis", redis_check(redis_url))]
    summary = [
        f"  web chat:       http://localhost:{s.web_port}/   (open this in a browser)",
        f"  REST channel:   http://localhost:{s.rasa_port}/webhooks/rest/webhook   (nginx -> {replicas} Rasa replicas)",
        f"  action server:  http://localhost:{s.action_port}/health   (nginx -> {replicas} action servers)",
        f"  health:         http://localhost:{s.health_port}/health",
        "  processes:",
        *[f"    {sp.name:<10} {sp.where}" for sp in specs],
        "  postgresql:     LIFT_DB_URL (scripts/pg.sh)",
    ]
    return Plan(specs, checks, summary, {f"rasa-{i + 1}": f"http://127.0.0.1:{p}" for i, p in enumerate(rasa_ports)})
