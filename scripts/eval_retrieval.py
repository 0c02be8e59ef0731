#!/usr/bin/env python
"""Retrieval quality on three question sets, and the answer-threshold calibration.

    python scripts/eval_retrieval.py                    # markdown tables on stdout
    python scripts/eval_retrieval.py --write-threshold  # also store kb/threshold.json
    python scripts/eval_retrieval.py --misses           # questions the fused ranking misses (tuning sets only)
    python scripts/eval_retrieval.py --tune             # the fusion grid on the tuning data, best first

Sets (lift/retrieval/tuning.py): fusion and threshold are chosen on the *tuning half* of
``eval/retrieval_dev.jsonl`` with its typo/terse variants together with the *voice set*
``eval/retrieval_tuning_voice.jsonl`` (both reported, labelled as tuning data); the
*reporting half* of the dev file and ``eval/retrieval_independent.jsonl`` are never tuned on.
Each is reported for the current method and, in the same run, the method before issue 9.

The threshold lives in ``kb/threshold.json`` (committed, reviewed like any KB change): the
retriever reads it at load, ``lift kb build`` copies it into the manifest, and
``LIFT_KB_THRESHOLD`` overrides it. Needs a current index (`lift kb build`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv=None) -> int:
    from lift.config import get_settings

    s = get_settings()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=ROOT / "eval" / "retrieval_dev.jsonl")
    ap.add_argument("--independent", type=Path, default=ROOT / "eval" / "retrieval_independent.jsonl")
    ap.add_argument("--voice", type=Path, default=ROOT / "eval" / "retrieval_tuning_voice.jsonl",
                    help="tuning questions in a shopper's voice (tuned on, reported as tuning data)")
    ap.add_argument("--kb-dir", type=Path, default=s.kb_dir)
    ap.add_argument("--index-dir", type=Path, default=s.index_dir)
    ap.add_argument("--write-threshold", action="store_true", help="write the chosen threshold to KB_DIR/threshold.json")
    ap.add_argument("--misses", action="store_true", help="print the tuning-set questions (tuning half, voice set) whose top fused hit is wrong; "
                    "the held-out sets are never listed, so nothing is chosen by looking at them")
    ap.add_argument("--tune", action="store_true", help="run the fusion grid on the tuning data and print it")
    ap.add_argument("--json", type=Path, help="also write all figures as JSON to this file")
    args = ap.parse_args(argv)

    from lift.retrieval import IndexNotReady
    from lift.retrieval.evaluation import DevSetError, choose_threshold, load_dev, metrics, outcome_at, run, set_table
    from lift.retrieval.index import FUSION, PREVIOUS_FUSION, THRESHOLD_FILE
    from lift.retrieval.retriever import Retriever
    from lift.retrieval.tuning import held_out, search_fusion, split_dev, tuning_set

    try:
        # The threshold is what we are about to choose, so any placeholder will do here.
        retriever = Retriever.load(args.index_dir, args.kb_dir, threshold=0.0)
    except IndexNotReady as exc:
        print(f"eval_retrieval: {exc}", file=sys.stderr)
        return 1
    known = {d.doc_id for d in retriever.docs}
    # a question labelled with a superseded FAQ entry is also answered by the policy that replaces it
    by = {d.doc_id: d.meta["superseded_by"] for d in retriever.docs if d.meta.get("superseded_by")}
    try:
        tune, report = split_dev(load_dev(args.dev, known_ids=known, superseded=by))
        independent = load_dev(args.independent, known_ids=known, superseded=by)
        voice = load_dev(args.voice, known_ids=known, superseded=by)
    except (DevSetError, OSError) as exc:
        print(f"eval_retrieval: {exc}", file=sys.stderr)
        return 1
    tune_aug = tuning_set(tune, voice)
    # A held-out question that coincides word for word with a tuned-on one is left out of its figures.
    n_report, n_independent = len(report), len(independent)
    report = held_out(report, voice)
    independent = held_out(independent, tune, voice)

    if args.tune:
        print(f"Fusion grid on the tuning half with its variants and the voice set ({len(tune_aug)} questions), "
              "best first\n")
        print("| fused MRR | hit@5 | answered correctly | fusion | dense views | normalise |")
        print("|---|---|---|---|---|---|")
        for (mrr, hit5, cov), f in search_fusion(retriever, tune_aug, FUSION):
            how = (f"RRF k={f['k']}, BM25 weight {f['bm25_weight']}" if f["method"] == "rrf"
                   else f"score, lexical weight {f['lexical_weight']}"
                   + (f", re-ranking the dense top {f['dense_pool']}" if f.get("dense_pool") else ""))
            print(f"| {mrr:.3f} | {hit5:.3f} | {cov:.3f} | {how} | {'+'.join(f['dense_views'])} | {f['normalize']} |")
        return 0

    sets = {"tuning half": tune, "voice set": voice, "reporting half": report, "independent set": independent}
    results = {}
    for label, fusion in (("before", PREVIOUS_FUSION), ("now", FUSION)):
        retriever.set_fusion(fusion)
        choice = choose_threshold(run(retriever, tune_aug))
        results[label] = {"choice": choice, "rows": {name: run(retriever, items) for name, items in sets.items()}}
    retriever.set_fusion(FUSION)
    now, before = results["now"], results["before"]
    choice = now["choice"]

    print(f"Retrieval quality, kb_version `{retriever.kb_version}`. Fusion and threshold chosen on the tuning "
          f"half with its typo and terse variants and the voice set ({len(tune_aug)} questions); threshold {choice.threshold:.3f} "
          f"(before: {before['choice'].threshold:.3f}).\n")
    titles = {"tuning half": f"Tuning half of `{_label(args.dev)}`",
              "voice set": f"Voice set `{_label(args.voice)}` (tuning data: written in a shopper's voice, tuned on)",
              "reporting half": f"Reporting half of `{_label(args.dev)}` (never tuned on"
                                + (f"; {n_report - len(report)} also in the voice set left out)" if n_report != len(report) else ")"),
              "independent set": f"Independent set `{_label(args.independent)}` (never tuned on; "
                                 f"{n_independent - len(independent)} questions also in the tuning data left out)"}
    for name in sets:
        print(set_table(titles[name], now["rows"][name], before["rows"][name], choice.threshold) + "\n")

    if args.misses:
        for name in ("tuning half", "voice set"):
            print(f"\n{name}: questions whose top fused hit is not a labelled answer")
            for r in now["rows"][name]:
                if r.item.doc_id is not None and r.ranks["fused"] != 1:
                    print(f"- {r.item.question!r}: want {r.item.doc_id}, got {r.top['fused']} (rank {r.ranks['fused']}, "
                          f"dense {r.ranks['dense']}, bm25 {r.ranks['bm25']}, conf {r.confidence:.3f})")
                elif r.item.doc_id is None and r.confidence >= choice.threshold:
                    print(f"- out-of-KB {r.item.question!r} answered with {r.top['fused']} (conf {r.confidence:.3f})")

    dev_sha = hashlib.sha256(args.dev.read_bytes()).hexdigest()
    if args.json:
        summary = {"kb_version": retriever.kb_version, "dev_sha256": dev_sha, "threshold": choice.to_dict(), "sets": {
            name: {label: {"metrics": {m: vars(metrics(results[label]["rows"][name], m)) for m in ("dense", "bm25", "fused")},
                           "threshold": outcome_at(results[label]["rows"][name], results[label]["choice"].threshold).to_dict()}
                   for label in results} for name in sets}}
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    if args.write_threshold:
        out = {
            "threshold": round(choice.threshold, 4),
            "score": "Retriever.confidence: cosine of the top fused hit (best view) + 0.05 * ln(1 + its BM25 score)",
            "kb_version": retriever.kb_version,
            "chosen_by": "scripts/eval_retrieval.py",
            "chosen_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "dev_set": _label(args.dev), "dev_sha256": dev_sha,
            "chosen_on": "tuning half of the dev set with its typo and terse variants, and the voice set "
                         f"{_label(args.voice)} (lift/retrieval/tuning.py)",
            "voice_sha256": hashlib.sha256(args.voice.read_bytes()).hexdigest(),
            "rule": "max(correct - 2 * (wrong + false answers)) with false-answer rate <= 10%",
            **{k: v for k, v in choice.to_dict().items() if k != "threshold"},
        }
        path = args.kb_dir / THRESHOLD_FILE
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
