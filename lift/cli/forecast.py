"""`lift forecast train|eval|score`: build, measure and apply the purchase-probability model."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("forecast", help="purchase-probability forecast: train, evaluate, score sessions")
    sub = p.add_subparsers(dest="forecast_command", required=True)

    t = sub.add_parser("train", help="fit the calibrated model on the training file and write it under var/forecast")
    t.add_argument("--data", type=Path, default=None, help="training CSV (default data/external/online_shoppers_train.csv)")
    t.add_argument("--no-eval", action="store_true", help="skip the cross-validated metrics in the manifest")
    t.set_defaults(func=_train)

    e = sub.add_parser("eval", help="stratified cross-validation on the training file: AUC, Brier, ECE")
    e.add_argument("--data", type=Path, default=None)
    e.add_argument("--folds", type=int, default=5)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--plot", type=Path, default=None, help="write the calibration curve (PNG) here")
    e.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    e.set_defaults(func=_eval)

    s = sub.add_parser("score", help='print {"p": probability} as one JSON line per CSV row, in order')
    s.add_argument("file", type=Path, help="CSV with the training file's columns (Revenue optional)")
    s.add_argument("--json", action="store_true", help="JSON lines (the only output format; accepted for symmetry)")
    s.set_defaults(func=_score)


def _settings():
    from lift.config import get_settings

    return get_settings()


def _err(msg: str) -> None:
    print(f"lift forecast: {msg}", file=sys.stderr)


def _data_path(args) -> Path:
    return args.data or (_settings().root / "data" / "external" / "online_shoppers_train.csv")


def _read(path: Path, require_outcome: bool):
    """The table in ``path``, or None after printing why it can't be used (the caller exits 2)."""
    from lift.forecast.schema import ForecastInputError, read_table

    try:
        return read_table(path, require_outcome=require_outcome)
    except ForecastInputError as exc:
        _err(str(exc))
        return None


def _train(args) -> int:
    from lift.forecast.model import cross_validate, train

    path = _data_path(args)
    table = _read(path, require_outcome=True)
    if table is None:
        return 2
    evaluation = None if args.no_eval else cross_validate(table)
    out = _settings().forecast_dir
    manifest = train(table, path, out, evaluation)
    metrics = manifest["metrics"]
    summary = f" (5-fold CV: AUC {metrics['auc']}, Brier {metrics['brier']}, ECE {metrics['ece']})" if metrics else ""
    print(f"trained on {manifest['training_data']['rows']} sessions{summary} -> {out}")
    return 0


def _eval(args) -> int:
    from lift.forecast.model import cross_validate, plot_calibration

    if args.folds < 2:
        _err("--folds must be at least 2")
        return 2
    path = _data_path(args)
    table = _read(path, require_outcome=True)
    if table is None:
        return 2
    ev = cross_validate(table, folds=args.folds, seed=args.seed)
    metrics = {**ev.metrics(), "data": path.name, "seed": args.seed,
               "targets": {"auc_min": 0.93, "brier_max": 0.070}}
    metrics["meets_targets"] = ev.auc >= 0.93 and ev.brier <= 0.070
    if args.plot:
        plot_calibration(table.y, ev.oof, args.plot,
                         f"{args.folds}-fold CV on {path.name}\nAUC {ev.auc:.3f}, Brier {ev.brier:.4f}, ECE {ev.ece:.4f}")
        metrics["plot"] = str(args.plot)
    if args.json:
        print(json.dumps(metrics))
    else:
        print(f"{args.folds}-fold stratified CV on {path.name} ({ev.rows} sessions, {ev.positives} purchases)")
        print(f"AUC   {ev.auc:.4f}  (target >= 0.93)")
        print(f"Brier {ev.brier:.4f}  (target <= 0.070)")
        print(f"ECE   {ev.ece:.4f}  (10 equal-width bins)")
    return 0


def _score(args) -> int:
    from lift.forecast.model import ForecastModelMissing, load_model, single_threaded

    table = _read(args.file, require_outcome=False)
    if table is None:
        return 2
    try:
        estimator, _ = load_model(_settings().forecast_dir)
    except ForecastModelMissing as exc:
        _err(str(exc))
        return 3
    with single_threaded():
        probabilities = estimator.predict_proba(table.X)[:, 1]
    out = sys.stdout
    for p in probabilities:
        out.write(json.dumps({"p": round(float(p), 6)}) + "\n")
    return 0
