"""``lift model list|promote|rollback``."""
from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("model", help="model registry: list, promote on quality gates, roll back")
    msub = p.add_subparsers(dest="model_command", required=True)
    ls = msub.add_parser("list", help="every trained model with fingerprint, data hash, evaluations and gates")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    pr = msub.add_parser("promote", help="serve MODEL (id, id prefix or file name) if it passes governance.yml's gates")
    pr.add_argument("model", metavar="MODEL")
    pr.add_argument("--force", action="store_true", help="promote below the gates (needs --reason)")
    pr.add_argument("--reason", default="", help="why (recorded in the audit log)")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=_promote)
    rb = msub.add_parser("rollback", help="serve the model promoted before the current one")
    rb.add_argument("--reason", default="", help="why (recorded in the audit log)")
    rb.add_argument("--json", action="store_true")
    rb.set_defaults(func=_rollback)
    cn = msub.add_parser("canary", help="the candidate model of the live model-canary experiment (what `make run` "
                                        "serves on LIFT_CANARY_PORT); prints nothing when none is live")
    cn.add_argument("--json", action="store_true")
    cn.set_defaults(func=_canary)


def _registry():
    from lift.config import get_settings
    from lift.cli.audit import open_engine
    from lift.governance.policy import load_policy
    from lift.governance.registry import Registry

    settings = get_settings()
    policy = load_policy(settings.governance_file)
    return settings, Registry(open_engine(), settings.models_dir, settings.root, policy)


def _fail(exc: Exception, code: int) -> int:
    print(f"lift model: {exc}", file=sys.stderr)
    return code


def _list(args) -> int:
    from lift.governance.policy import PolicyError

    try:
        _, reg = _registry()
    except PolicyError as exc:
        return _fail(exc, 2)
    try:
        models = reg.scan()
    finally:
        reg.engine.dispose()
    for note in reg.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(models, indent=2))
        return 0
    if not models:
        print(f"no trained models in {reg.models_dir} (run `make train`)")
    for m in models:
        gates = ", ".join(f"{k} {'ok' if g['ok'] else ('missing' if g['value'] is None else 'FAIL')}"
                          for k, g in m["gates"].items()) or "no gates"
        evals = ", ".join(f"{k}: {'missing' if v == 'missing' else v['file']}" for k, v in m["evaluations"].items())
        print(f"{'*' if m['active'] else ' '} {m['model_id']}  {m['trained_at'][:19]}  {m['source_name']}")
        print(f"    fingerprint {m['fingerprint'][:16]}  training data {m['training_data_hash'][:16]}")
        print(f"    evaluations: {evals or 'none'}\n    gates: {gates}")
    return 0


def _switch(args, action) -> int:
    from lift.governance.policy import PolicyError
    from lift.governance.rasa_switch import RasaSwitchError
    from lift.governance.registry import GateFailure, RegistryError

    try:
        settings, reg = _registry()
    except PolicyError as exc:
        return _fail(exc, 2)
    try:
        result = action(reg, settings)
    except GateFailure as exc:
        return _fail(exc, 1)
    except RegistryError as exc:
        return _fail(exc, 2)
    except RasaSwitchError as exc:
        return _fail(f"{exc}; nothing changed", 3)
    finally:
        reg.engine.dispose()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    verb = "rolled back to" if "from" in result else "promoted"
    print(f"{verb} {result['model_id']}")
    for sw in result["replicas"]:
        if sw["error"]:
            print(f"  Rasa at {sw['rasa_url']}: {sw['error']}; the model sync retries it")
        elif sw["reached"]:
            print(f"  Rasa at {sw['rasa_url']} serves it ({sw['seconds']:.2f} s from request to switch)")
        else:
            print(f"  no Rasa answering at {sw['rasa_url']}; it serves models/promoted.tar.gz once it is back")
    if result.get("forced"):
        print("warning: promoted below the gates: " + "; ".join(result["gate_failures"]))
    return 0


def _replicas(settings):
    """Every Rasa replica `lift ops run` serves behind LIFT_RASA_URL (just that URL without it)."""
    from lift.governance.replicas import replica_urls, replicas_file

    return replica_urls(replicas_file(settings.root, settings.rasa_port), settings.serving_rasa_url)


def _promote(args) -> int:
    return _switch(args, lambda reg, s: reg.promote(args.model, rasa_url=s.serving_rasa_url, token=s.rasa_auth_token,
                                                   force=args.force, reason=args.reason, replicas=_replicas(s)))


def _rollback(args) -> int:
    return _switch(args, lambda reg, s: reg.rollback(rasa_url=s.serving_rasa_url, token=s.rasa_auth_token,
                                                    reason=args.reason, replicas=_replicas(s)))


def _canary(args) -> int:
    from lift.experiments.assignment import Assigner
    from lift.experiments.canary import SURFACE, candidate_model
    from lift.experiments.config import ExperimentsConfigError, load_from_settings
    from lift.governance.policy import PolicyError
    from lift.governance.registry import RegistryError

    try:
        settings, reg = _registry()
        config = load_from_settings(settings)
    except (PolicyError, ExperimentsConfigError) as exc:
        return _fail(exc, 2)
    result = None
    try:
        exp = Assigner(reg.engine, config).surface_experiment(SURFACE)
        if exp is not None:
            model_id, archive = candidate_model(reg, exp)
            result = {"experiment": exp.name, "model_id": model_id, "archive": str(archive),
                      "weights": exp.weights}
    except RegistryError as exc:
        return _fail(f"experiment {exp.name}: params.candidate_model: {exc}", 2)
    finally:
        reg.engine.dispose()
    if args.json:
        print(json.dumps(result))
    elif result:
        print(result["archive"])
    return 0
