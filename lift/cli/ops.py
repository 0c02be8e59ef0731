"""``lift ops ...``: run Lift's processes under the supervisor (``make run``, ``make run-cluster``)
and ask a running supervisor what is degraded."""
from __future__ import annotations

import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("ops", help="run and watch Lift's processes")
    sub = p.add_subparsers(dest="ops_command", required=True)
    run = sub.add_parser("run", help="start a plan's processes, restart crashed ones, Ctrl-C stops all")
    run.add_argument("--plan", choices=["single", "cluster"], default="single")
    run.add_argument("--model", default=None, help="default: models/promoted.tar.gz, else models/current.tar.gz")
    run.add_argument("--replicas", type=int, default=2, help="cluster: Rasa replicas and action servers")
    run.add_argument("--canary-model", default=None, help="single: a candidate model in a second Rasa on loopback")
    run.add_argument("--canary-port", type=int, default=5006)
    run.set_defaults(func=_cmd_run)
    health = sub.add_parser("health", help="print the supervisor's /health; exit 1 if degraded")
    health.add_argument("--port", type=int, default=None, help="default: LIFT_HEALTH_PORT")
    health.set_defaults(func=_cmd_health)


def _cmd_run(args) -> int:
    import os
    from pathlib import Path

    from lift.config import ConfigError, get_settings
    from lift.governance.replicas import ModelSync, replicas_file, write_replicas
    from lift.ops.health import serve_health
    from lift.ops.plans import cluster_plan, single_plan
    from lift.ops.supervisor import Supervisor

    settings = get_settings()
    if not settings.rasa_auth_token:
        raise ConfigError("RASA_AUTH_TOKEN must be set (scripts/run.sh generates it into .env)")
    if args.replicas < 1:
        raise ConfigError("--replicas must be at least 1")
    models = settings.models_dir
    model = Path(args.model) if args.model else (
        (models / "promoted.tar.gz").resolve() if (models / "promoted.tar.gz").exists() else models / "current.tar.gz")
    if not model.exists():
        print(f"lift ops run: no model at {model}: run `make train`", file=sys.stderr)
        return 3
    bin_dir = Path(sys.executable).parent
    if args.plan == "cluster":
        plan = cluster_plan(settings, bin_dir, model, settings.root / "var" / "cluster" / str(settings.rasa_port), args.replicas)
    else:
        canary = Path(args.canary_model) if args.canary_model else None
        if canary is not None and not canary.exists():
            print(f"lift ops run: no canary model at {canary}", file=sys.stderr)
            return 3
        plan = single_plan(settings, bin_dir, model, canary, args.canary_port)
    # Every replica on the promoted model: `lift model promote` switches the ones listed here, the
    # model sync any that missed it (down, or restarted with the model it was started with).
    replicas = replicas_file(settings.root, settings.rasa_port)
    write_replicas(replicas, settings.serving_rasa_url, plan.model_replicas)
    sync = ModelSync(plan.model_replicas, settings.rasa_auth_token, settings.models_dir)
    tasks = [("model sync", float(settings.model_sync), sync.sync_once)] if settings.model_sync else []
    sup = Supervisor(plan.specs, cwd=settings.root, env=dict(os.environ), log_dir=settings.log_dir,
                     checks=plan.checks, tasks=tasks)
    sync.say = sup.say
    sup.install_signals()
    server = serve_health(sup.health, settings.health_port) if settings.health_port else None
    try:
        sup.say(f"starting {len(plan.specs)} processes ({args.plan}); logs in {settings.log_dir}")
        try:
            sup.start()
        except RuntimeError as exc:
            print(f"lift ops run: {exc}", file=sys.stderr)
            return 3
        if not sup.stopping:
            sup.refresh_health()
            sup.say("\nLift is running:")
            for line in plan.summary + ([f"  health:         http://localhost:{settings.health_port}/health"]
                                        if server and args.plan == "single" else []):
                sup.say(line)
            sup.say("Ctrl-C stops everything.")
            sup.run()
    finally:
        sup.stop()
        if server:
            server.shutdown()
        replicas.unlink(missing_ok=True)
        sup.say("stopped.")
    return 0


def _cmd_health(args) -> int:
    import json
    import urllib.error
    import urllib.request

    from lift.config import get_settings

    port = args.port or get_settings().health_port
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
            body, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        body, status = err.read(), err.code
    except (urllib.error.URLError, OSError) as exc:
        print(f"lift ops health: no supervisor answers on port {port}: {exc}", file=sys.stderr)
        return 3
    print(json.dumps(json.loads(body), indent=1))
    return 0 if status == 200 else 1
