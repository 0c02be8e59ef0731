#!/usr/bin/env python3
"""Held-out NLU evaluation: `make eval-nlu`.

Splits data/nlu per intent (Rasa's stratified split, fixed seed) into a training part
(75%) and a reporting part (25%) that is never used for tuning, trains the current
pipeline (config.yml) and the pipeline before issue 9 (tests/nlu/config_before_issue9.yml)
on the training part in the same run, and scores both on:

  heldout      the 25% reporting split of every intent (incl. out_of_scope)
  clinc150     CLINC150 validation-split utterances of the out-of-scope domains
               (tests/nlu/clinc150_oos_heldout.yml, written by scripts/convert_data.py)
  fresh_voice  hand-written messages in another voice than the training data, in scope
               and out of scope (tests/nlu/fresh_voice.yml)

``--split dev`` instead carves a dev split out of the 75% training part and scores on it
only: use that for tuning, so the reporting split stays unseen. Results go to
results/eval_nlu.json; the tables go to stdout. ``--sweep FILE`` re-scores the stored
predictions of a dev run over fallback thresholds and ambiguity margins (no training):
that is how FallbackClassifier's settings in config.yml are chosen.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPORT_SEED = 9009
DEV_SEED = 9010
TRAIN_FRAC = 0.75
CLINC_HELDOUT = ROOT / "tests" / "nlu" / "clinc150_oos_heldout.yml"
FRESH_VOICE = ROOT / "tests" / "nlu" / "fresh_voice.yml"
BASELINE = ROOT / "tests" / "nlu" / "config_before_issue9.yml"


def _load(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def splits(split: str):
    """(training data, {test set name: [(text, intent)]})."""
    data = _load(ROOT / "data" / "nlu")
    train, report = data.train_test_split(TRAIN_FRAC, random_seed=REPORT_SEED)
    if split == "dev":
        train, dev = train.train_test_split(0.8, random_seed=DEV_SEED)
        return train, {"dev": [(m.get("text"), m.get("intent")) for m in dev.intent_examples]}
    tests = {"heldout": [(m.get("text"), m.get("intent")) for m in report.intent_examples]}
    for name, path in (("clinc150", CLINC_HELDOUT), ("fresh_voice", FRESH_VOICE)):
        if path.is_file():
            tests[name] = [(m.get("text"), m.get("intent")) for m in _load(path).intent_examples]
    return train, tests


def _corpus_texts() -> set:
    """The texts of data/nlu/support.yml: the Bitext sample (hand-written support is elsewhere)."""
    return {m.get("text") for m in _load(ROOT / "data" / "nlu" / "support.yml").intent_examples}


def train(config: Path, nlu_dir: Path, out: Path, name: str) -> Tuple[Path, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    started = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rasa"), "train", "nlu", "--config", str(config), "--nlu", str(nlu_dir),
         "--out", str(out), "--fixed-model-name", name],
        cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"eval_nlu: training {config} failed")
    return out / f"{name}.tar.gz", time.monotonic() - started


async def predict(model: Path, texts: List[str]) -> List[dict]:
    """Per text: the predicted intent and the classifier's two best non-fallback intents'
    confidences (so the fallback and ambiguity thresholds can be compared without retraining)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        top = ranking[0] if ranking else {}
        second = ranking[1] if len(ranking) > 1 else {}
        out.append({"intent": (parsed.get("intent") or {}).get("name") or "",
                    "top": top.get("name"), "confidence": round(float(top.get("confidence") or 0.0), 4),
                    "second": round(float(second.get("confidence") or 0.0), 4)})
    return out


def _fmt(x) -> str:
    return "  -  " if x != x else f"{x:.3f}"  # NaN -> dash


def print_tables(results: Dict[str, Dict[str, dict]]) -> None:
    names = list(results)
    first = results[names[0]]
    print(f"\n{'test set':<12} {'metric':<20} " + " ".join(f"{n:>12}" for n in names))
    for test in first:
        for key in ("n", "macro_f1_support", "macro_f1_sales", "oos_rejection", "in_scope_rejected", "accuracy"):
            vals = [results[n][test][key] for n in names]
            cells = " ".join(f"{v:>12}" if key == "n" else f"{_fmt(v):>12}" for v in vals)
            print(f"{test:<12} {key:<20} {cells}")
    for n in names:
        by_source = results[n].get("heldout", {}).get("support_by_source")
        if by_source:
            print(f"heldout      support macro-F1 ({n}): Bitext messages only {_fmt(by_source['corpus'])} "
                  f"(n={by_source['corpus_n']}), hand-written only {_fmt(by_source['hand_written'])} "
                  f"(n={by_source['hand_written_n']})")
    for n in names:
        for test, res in results[n].items():
            print(f"\n[{n} / {test}] top confusions (gold -> predicted: count)")
            for c in res["top_confusions"][:8]:
                print(f"  {c['gold']} -> {c['pred']}: {c['count']}")
    test = next(iter(first))
    print(f"\nper-intent F1 on '{test}' ({', '.join(names)})")
    for intent in sorted(first[test]["per_intent"]):
        row = " ".join(f"{results[n][test]['per_intent'].get(intent, {}).get('f1', float('nan')):>8.3f}" for n in names)
        print(f"  {intent:<26}{row}")


def print_sweep(path: Path) -> int:
    from lift.nlu.scoring import sweep

    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"eval_nlu: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    if stored.get("split") != "dev":
        print(f"eval_nlu: {path} is a {stored.get('split')!r} run; sweep dev runs only (never tune on the "
              "reporting split)", file=sys.stderr)
        return 2
    for label, tests in stored["results"].items():
        preds = tests["dev"]["predictions"]
        if any("second" not in p for p in preds):
            print(f"eval_nlu: {path} predates stored second confidences; re-run --split dev", file=sys.stderr)
            return 2
        print(f"\n[{label}] dev n={len(preds)}")
        print(f"{'threshold':>9} {'ambiguity':>9} {'support':>8} {'sales':>8} {'oos_rej':>8} {'in_rej':>8} {'acc':>8}")
        for r in sweep(preds, (0.15, 0.2, 0.25, 0.3, 0.35, 0.4), (0.0, 0.02, 0.05, 0.1)):
            print(f"{r['threshold']:>9} {r['ambiguity']:>9} {_fmt(r['macro_f1_support']):>8} "
                  f"{_fmt(r['macro_f1_sales']):>8} {_fmt(r['oos_rejection']):>8} "
                  f"{_fmt(r['in_scope_rejected']):>8} {_fmt(r['accuracy']):>8}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("report", "dev"), default="report")
    parser.add_argument("--config", action="append", type=Path,
                        help="pipeline(s) to score (default: config.yml and the pre-issue-9 baseline)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "eval_nlu.json")
    parser.add_argument("--sweep", type=Path, metavar="RESULTS",
                        help="re-score a dev run's stored predictions over fallback settings, no training")
    args = parser.parse_args(argv)
    if args.sweep:
        return print_sweep(args.sweep)
    configs = args.config or [ROOT / "config.yml", BASELINE]
    for c in configs:
        if not c.is_file():
            print(f"eval_nlu: no such config {c}", file=sys.stderr)
            return 2
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    from lift.nlu.scoring import score, support_by_source

    # Rasa logs every parse at debug level; the tables are what this script is for.
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.WARNING)

    train_data, tests = splits(args.split)
    corpus = _corpus_texts() if "heldout" in tests else set()
    from_corpus = [t in corpus for t, _ in tests.get("heldout", [])]  # the same for every pipeline
    results: Dict[str, Dict[str, dict]] = {}
    meta: Dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="eval_nlu_") as tmp:
        nlu_dir = Path(tmp) / "nlu"
        nlu_dir.mkdir()
        (nlu_dir / "train.yml").write_text(RasaYAMLWriter().dumps(train_data), encoding="utf-8")
        for i, config in enumerate(configs):
            label = "current" if config.resolve() == (ROOT / "config.yml").resolve() else config.stem
            if label in results:
                label = f"{label}_{i}"
            model, seconds = train(config, nlu_dir, Path(tmp) / "models", f"m{i}")
            print(f"eval_nlu: trained {config.name} in {seconds:.0f} s", file=sys.stderr)
            results[label] = {}
            for name, pairs in tests.items():
                parsed = asyncio.run(predict(model, [t for t, _ in pairs]))
                pred = [p["intent"] for p in parsed]
                results[label][name] = score([g for _, g in pairs], pred)
                if name == "heldout":  # where the support errors are: the Bitext corpus or our phrasings
                    results[label][name]["support_by_source"] = support_by_source(
                        [g for _, g in pairs], pred, from_corpus)
                results[label][name]["predictions"] = [
                    {"text": t, "gold": g, **p} for (t, g), p in zip(pairs, parsed)]
            meta[label] = {"config": str(config.relative_to(ROOT)) if config.is_relative_to(ROOT) else str(config),
                           "train_seconds": round(seconds, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"split": args.split, "train_examples": len(train_data.intent_examples),
                                    "pipelines": meta, "results": results}, indent=1), encoding="utf-8")
    print_tables(results)
    print(f"\nfull results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
