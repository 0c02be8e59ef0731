"""``lift report ...`` subcommands."""
from __future__ import annotations

import argparse
import json
import sys


def _iso(text: str):
    from lift.measure.funnel import ReportError, parse_iso

    try:
        return parse_iso(text)
    except ReportError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="micro-conversion reports")
    rsub = p.add_subparsers(dest="report_command", required=True)
    f = rsub.add_parser(
        "funnel",
        help="conversations reaching each funnel step (conversions.yml funnels)",
        description="Conversations reaching each step of the funnels in conversions.yml, "
        "step-to-step rates, overall and split by channel and by variant.",
    )
    f.add_argument("--since", type=_iso, metavar="ISO", help="from this UTC date/time (inclusive)")
    f.add_argument("--until", type=_iso, metavar="ISO", help="up to this UTC date/time (exclusive)")
    f.add_argument("--funnel", metavar="NAME", help="only this funnel (default: all)")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    f.set_defaults(func=_funnel)

    from lift.cli.experiments import register_report

    register_report(rsub)


def _funnel(args) -> int:
    from lift.config import get_settings
    from lift.measure.funnel import ReportError, funnel_report, render_table
    from lift.measure.rules import ConversionsConfigError, load_conversions
    from lift.store.engine import check_connection, make_engine

    settings = get_settings()
    try:
        config = load_conversions(settings.conversions_file)
    except ConversionsConfigError as exc:
        print(f"lift report: {exc}", file=sys.stderr)
        return 2
    funnels = dict(config.funnels)
    if args.funnel:
        if args.funnel not in funnels:
            known = ", ".join(funnels) or "none defined"
            print(f"lift report: unknown funnel {args.funnel!r} (known: {known})", file=sys.stderr)
            return 2
        funnels = {args.funnel: funnels[args.funnel]}
    if not funnels:
        print(f"lift report: no funnels defined in {config.source} (add a 'funnels:' section)", file=sys.stderr)
        return 2
    engine = make_engine(settings.db_url)
    try:  # an unreachable or failing database propagates: lift.cli.main exits 3
        check_connection(engine)
        report = funnel_report(engine, funnels, since=args.since, until=args.until)
    except ReportError as exc:
        print(f"lift report: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report))
    return 0
