"""``lift report experiment``, ``lift experiment ...``, ``lift flag ...`` and ``lift simulate``.

Exit codes: 0 ok, 2 bad input (unknown experiment/metric/flag/variant, percent outside
0–100, invalid experiments.yml), 3 database unreachable.
"""
from __future__ import annotations

import getpass
import json
import sys

PROG = "lift"


def register_report(report_subparsers) -> None:
    """Adds ``experiment`` under ``lift report``."""
    p = report_subparsers.add_parser(
        "experiment", help="per-variant results of an experiment (experiments.yml)",
        description="Per variant n, conversions and rate of METRIC (default: the experiment's primary "
        "metric); against the first variant: absolute and relative lift, 95%% interval, two-sided p-value; "
        "an always-valid (sequential) interval; guardrails; SRM check; and whether a winner can be named. "
        "Reads only experiment_assignments and micro_conversions.")
    p.add_argument("name", metavar="NAME", help="experiment name")
    p.add_argument("--metric", metavar="MICRO_CONVERSION", help="metric to report (default: the primary metric)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=_report)


def register(subparsers) -> None:
    e = subparsers.add_parser("experiment", help="start, stop or ship an experiment; list them")
    esub = e.add_subparsers(dest="experiment_command", required=True)
    for action, text in (("start", "start assigning conversations"),
                         ("stop", "stop assigning; everyone gets the baseline"),
                         ("ship", "make VARIANT the behaviour for everyone")):
        a = esub.add_parser(action, help=text)
        a.add_argument("name", metavar="NAME")
        if action == "ship":
            a.add_argument("variant", metavar="VARIANT")
        a.add_argument("--reason", required=True, help="why (recorded with the change)")
        a.add_argument("--actor", default=None, help="who (default: the OS user)")
        a.set_defaults(func=_experiment_action, action=action)
    ls = esub.add_parser("list", help="experiments, their effective status and recent changes")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_experiment_list)

    sim = subparsers.add_parser(
        "simulate", help="scripted shoppers against a running stack over REST (loopback)",
        description="Scripted shoppers with known conversion probabilities per variant talk to a running "
        "Lift stack over REST, exercising assignment, behaviour, micro-conversions and the report.")
    sim.add_argument("--experiment", required=True, metavar="NAME")
    sim.add_argument("--shoppers", type=int, required=True, metavar="N")
    sim.add_argument("--rate", action="append", default=[], metavar="VARIANT=P",
                     help="conversion probability of a variant's shoppers (default 0.3 for each variant)")
    sim.add_argument("--metric", metavar="MICRO_CONVERSION", help="what converting means (default: the experiment's metric)")
    sim.add_argument("--url", help="Rasa server (default: http://127.0.0.1:LIFT_RASA_PORT)")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--run-id", metavar="ID", help="fixed run id: the same sender ids, so the same assignments "
                     "(default: seed plus a clock stamp, a new conversation per run)")
    sim.add_argument("--concurrency", type=int, default=8)
    sim.add_argument("--timeout", type=float, default=600.0, help="no new shopper starts after this many seconds")
    sim.add_argument("--json", action="store_true")
    sim.set_defaults(func=_simulate)

    f = subparsers.add_parser("flag", help="feature flags")
    fsub = f.add_subparsers(dest="flag_command", required=True)
    s = fsub.add_parser("set", help="set a flag's rollout percentage")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--percent", type=float, required=True, metavar="P", help="0 to 100")
    s.add_argument("--reason", required=True, help="why (recorded with the change)")
    s.add_argument("--actor", default=None, help="who (default: the OS user)")
    s.set_defaults(func=_flag_set)


def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def _load():
    """(settings, experiments config, micro-conversion names); raises for bad files."""
    from lift.config import get_settings
    from lift.measure.rules import load_conversions
    from lift.experiments.config import load_experiments

    settings = get_settings()
    metrics = load_conversions(settings.conversions_file).names
    return settings, load_experiments(settings.experiments_file, metrics), metrics


def _engine(settings):
    from lift.store.engine import check_connection, make_engine

    from lift.experiments import rollout
    from lift.governance.audit import record_rollout_change

    engine = make_engine(settings.db_url)
    check_connection(engine)  # DatabaseUnavailable -> exit 3 in lift.cli
    if record_rollout_change not in rollout.RECORDERS:  # every rollout change also goes to audit_log
        rollout.RECORDERS.append(record_rollout_change)
    return engine


def _guard(handler):
    """Config errors -> 2; database errors during the command -> 3."""
    def run(args) -> int:
        import sqlalchemy as sa

        from lift.measure.rules import ConversionsConfigError
        from lift.store.engine import DatabaseUnavailable
        from lift.experiments.config import ExperimentsConfigError

        try:
            return handler(args)
        except (ConversionsConfigError, ExperimentsConfigError) as exc:
            return _fail(str(exc))
        except DatabaseUnavailable as exc:
            return _fail(str(exc), 3)
        except sa.exc.OperationalError as exc:
            return _fail(f"database error: {str(exc).splitlines()[0]}", 3)
    return run


@_guard
def _report(args) -> int:
    from lift.experiments.report import ReportInputError, experiment_report, render_text, resolve_spec

    settings, config, metrics = _load()
    engine = _engine(settings)
    try:
        spec = resolve_spec(engine, {e.name: e for e in config.experiments}, args.name, args.metric, metrics)
        report = experiment_report(engine, spec)
    except ReportInputError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    if report["decision"]["status"] == "no_data":
        message = (f"no data for experiment {args.name!r}: no conversation has been assigned to it yet "
                   "(is it running? see `lift experiment list`)")
        if not args.json:
            print(message)
            return 0
        print(f"{PROG}: {message}", file=sys.stderr)
    print(json.dumps(report, indent=2) if args.json else render_text(report))
    return 0


@_guard
def _experiment_action(args) -> int:
    from lift.experiments.rollout import RolloutError, set_experiment_status

    settings, config, _ = _load()
    engine = _engine(settings)
    try:
        change = set_experiment_status(engine, config, args.name, args.action, variant=getattr(args, "variant", None),
                                       actor=args.actor or getpass.getuser(), reason=args.reason)
    except RolloutError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    after = json.loads(change["detail"])["after"]
    what = f"shipped {after['shipped_variant']}" if args.action == "ship" else after["status"]
    print(f"experiment {args.name}: {what} (recorded: {change['actor']}, {change['reason']!r})")
    return 0


@_guard
def _experiment_list(args) -> int:
    from lift.experiments.assignment import RolloutState
    from lift.experiments.rollout import changes
    from lift.store.schema import upgrade

    settings, config, _ = _load()
    engine = _engine(settings)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            state = RolloutState.load(conn)
        recent = changes(engine, 20)
    finally:
        engine.dispose()
    rows = [{"name": e.name, "surface": e.surface, "status": state.status_of(e), "shipped_variant": state.shipped_of(e),
             "variants": e.weights, "metric": e.metric} for e in config.experiments]
    flags = [{"name": f.name, "enabled": f.enabled, "percent": state.flag_percent.get(f.name, f.percent),
              "channels": list(f.channels)} for f in config.flags]
    if args.json:
        print(json.dumps({"experiments": rows, "flags": flags, "changes": recent}, indent=2, default=str))
        return 0
    from tabulate import tabulate

    print(tabulate([[r["name"], r["surface"], r["status"] + (f" ({r['shipped_variant']})" if r["shipped_variant"] else ""),
                     ", ".join(f"{k} {v:g}%" for k, v in r["variants"].items()), r["metric"]] for r in rows],
                   headers=["experiment", "surface", "status", "variants", "metric"]))
    print()
    print(tabulate([[f["name"], "on" if f["enabled"] else "off", f"{f['percent']:g}%", ", ".join(f["channels"]) or "all"]
                    for f in flags], headers=["flag", "enabled", "percent", "channels"]))
    if recent:
        print("\nrecent changes:")
        for c in recent:
            print(f"  {c['at']:%Y-%m-%d %H:%M} {c['actor']}: {c['kind']} {c['target']} {c['action']} {c['detail']} — {c['reason']}")
    return 0


@_guard
def _flag_set(args) -> int:
    from lift.experiments.config import ExperimentsConfigError, validate_percent
    from lift.experiments.rollout import RolloutError, set_flag_percent

    try:
        validate_percent(args.percent)  # before touching anything
    except ExperimentsConfigError as exc:
        return _fail(f"flag set: {exc}")
    settings, config, _ = _load()
    engine = _engine(settings)
    try:
        change = set_flag_percent(engine, config, args.name, args.percent,
                                  actor=args.actor or getpass.getuser(), reason=args.reason)
    except RolloutError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    print(f"flag {args.name}: {json.loads(change['detail'])['after']['percent']:g}% (recorded: {change['actor']}, {change['reason']!r})")
    return 0


def _rates(specs, variants) -> dict:
    rates = {v: 0.3 for v in variants}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            rates[name] = float(value) if sep else float("nan")
        except ValueError:
            rates[name] = float("nan")
        if rates[name] != rates[name]:
            raise ValueError(f"--rate expects VARIANT=PROBABILITY, got {spec!r}")
    return rates


@_guard
def _simulate(args) -> int:
    from lift.commerce.catalog import Catalog
    from lift.experiments.simulate import SimulationError, StackUnavailable, simulate

    settings, config, _ = _load()
    try:
        exp = config.experiment(args.experiment)
    except KeyError:
        return _fail(f"unknown experiment {args.experiment!r}; valid: {', '.join(config.experiment_names) or 'none configured'}")
    try:
        rates = _rates(args.rate, exp.variant_names)
        result = simulate(args.url or f"http://127.0.0.1:{settings.rasa_port}", exp, rates, args.shoppers,
                          products=list(Catalog.load(settings.catalog_path)), metric=args.metric or exp.metric,
                          seed=args.seed, concurrency=args.concurrency, deadline_s=args.timeout,
                          run_id=args.run_id)
    except (SimulationError, ValueError) as exc:
        return _fail(f"simulate: {exc}")
    except StackUnavailable as exc:
        return _fail(f"simulate: {exc}", 3)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(f"simulated {args.shoppers} shoppers on {exp.name} ({result.metric}) in {result.seconds} s, run {result.run_id}")
        for v, counts in result.variants.items():
            print(f"  {v}: {counts['shoppers']} shoppers, {counts['converted']} converted (rate set {rates[v]:g})")
        if result.failed or result.not_started:
            print(f"  {result.failed} failed, {result.not_started} not started (deadline)")
        print(f"now: lift report experiment {exp.name} --metric {result.metric}")
    return 0 if not result.failed else 3

