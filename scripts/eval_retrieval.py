#!/usr/bin/env python
"""Evaluate retrieval on the dev set and calibrate the answer threshold.

    python scripts/eval_retrieval.py                    # markdown table on stdout
    python scripts/eval_retrieval.py --write-threshold  # also store kb/threshold.json
    python scripts/eval_retrieval.py --misses           # list questions the fused ranking misses

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


def main(argv=None) -> int:
    from lift.config import get_settings

    s = get_settings()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=ROOT / "eval" / "retrieval_dev.jsonl")
    ap.add_argument("--kb-dir", type=Path, default=s.kb_dir)
    ap.add_argument("--index-dir", type=Path, default=s.index_dir)
    ap.add_argument("--write-threshold", action="store_true", help="write the chosen threshold to KB_DIR/threshold.json")
    ap.add_argument("--misses", action="store_true", help="print the questions whose top fused hit is wrong")
    ap.add_argument("--json", type=Path, help="also write all figures as JSON to this file")
    args = ap.parse_args(argv)

    from lift.retrieval import IndexNotReady
    from lift.retrieval.evaluation import DevSetError, choose_threshold, load_dev, markdown_report, metrics, run
    from lift.retrieval.index import THRESHOLD_FILE
    from lift.retrieval.retriever import Retriever

    try:
        # The threshold is what we are about to choose, so any placeholder will do here.
        retriever = Retriever.load(args.index_dir, args.kb_dir, threshold=0.0)
    except IndexNotReady as exc:
        print(f"eval_retrieval: {exc}", file=sys.stderr)
        return 1
    try:
        items = load_dev(args.dev, known_ids={d.doc_id for d in retriever.docs})
    except (DevSetError, OSError) as exc:
        print(f"eval_retrieval: {exc}", file=sys.stderr)
        return 1
    rows = run(retriever, items)
    choice = choose_threshold(rows)
    try:
        dev_label = args.dev.resolve().relative_to(ROOT)
    except ValueError:
        dev_label = args.dev
    print(markdown_report(rows, choice, retriever.kb_version, str(dev_label)))

    if args.misses:
        print("\nquestions whose top fused hit is not a labelled answer:")
        for r in rows:
            if r.item.doc_id is not None and r.ranks["fused"] != 1:
                print(f"- {r.item.question!r}: want {r.item.doc_id}, got {r.top['fused']} "
                      f"(rank {r.ranks['fused']}, dense {r.ranks['dense']}, bm25 {r.ranks['bm25']}, conf {r.confidence:.3f})")
        print("\nout-of-KB questions above the threshold:")
        for r in rows:
            if r.item.doc_id is None and r.confidence >= choice.threshold:
                print(f"- {r.item.question!r}: {r.top['fused']} (conf {r.confidence:.3f})")

    dev_sha = hashlib.sha256(args.dev.read_bytes()).hexdigest()
    summary = {
        "kb_version": retriever.kb_version,
        "dev_set": str(dev_label), "dev_sha256": dev_sha,
        "metrics": {m: vars(metrics(rows, m)) for m in ("dense", "bm25", "fused")},
        "threshold": choice.to_dict(),
    }
    if args.json:
        args.json.write_text(json.dumps({**summary, "curve": choice.curve}, indent=2) + "\n")
    if args.write_threshold:
        out = {
            "threshold": round(choice.threshold, 4),
            "score": "Retriever.confidence: cosine of the top fused hit + 0.05 * ln(1 + its BM25 score)",
            "kb_version": retriever.kb_version,
            "chosen_by": "scripts/eval_retrieval.py",
            "chosen_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "dev_set": str(dev_label), "dev_sha256": dev_sha,
            "rule": "max(correct - 2 * (wrong + false answers)) with false-answer rate <= 10%",
            **{k: v for k, v in choice.to_dict().items() if k != "threshold"},
        }
        path = args.kb_dir / THRESHOLD_FILE
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
