"""``lift review list|label|export``: the review queue (lift.observability.review_queue).

Exit codes: 0 done; 2 bad input (unknown item, intent or document id: the message lists the
valid names; an unwritable output file); 3 the database is unreachable (lift.cli.main).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path



def register(subparsers) -> None:
    p = subparsers.add_parser("review", help="turns to review: fallbacks, low confidence, not-sure answers, handoffs")
    rsub = p.add_subparsers(dest="review_command", required=True)
    ls = rsub.add_parser("list", help="the queue, oldest first")
    ls.add_argument("--status", choices=["open", "labeled", "all"], default="open")
    ls.add_argument("--reason", help="fallback, not_sure, handoff or low_confidence")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    lb = rsub.add_parser("label", help="record the right intent and/or knowledge-base document of an item")
    lb.add_argument("id", type=int)
    lb.add_argument("--intent", help="an intent of the domain")
    doc = lb.add_mutually_exclusive_group()
    doc.add_argument("--doc", metavar="KB_ID", help="the knowledge-base document that answers it (doc_id)")
    doc.add_argument("--no-doc", action="store_true", help="no knowledge-base document answers it")
    lb.add_argument("--json", action="store_true")
    lb.set_defaults(func=_label)
    ex = rsub.add_parser("export", help="labelled items as training data for the next model")
    ex.add_argument("--nlu", type=Path, metavar="FILE", help="Rasa NLU YAML (intent examples)")
    ex.add_argument("--retrieval", type=Path, metavar="FILE", help="retrieval dev-set lines (JSON per line)")
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(func=_export)


def _fail(msg: str) -> int:
    print(f"lift review: {msg}", file=sys.stderr)
    return 2


def _engine():
    from lift.store.schema import open_database

    return open_database(seed=False)


def _list(args) -> int:
    from lift.observability.review_queue import ReviewInputError, list_items

    try:
        items = list_items(_engine(), None if args.status == "all" else args.status, args.reason, args.limit)
    except ReviewInputError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("review queue is empty" if args.status == "open" else "no items")
    for it in items:
        conf = f"{it['confidence']:.2f}" if it["confidence"] is not None else "-"
        guess = f" (guess {it['guess']} {it['guess_confidence']:.2f})" if it["guess"] and it["guess"] != it["intent"] \
            and it["guess_confidence"] is not None else ""
        if it["kb_score"] is not None:
            guess += f" (kb {it['kb_score']:.2f})"
        label = it["label"]
        labelled = "" if it["status"] == "open" else \
            f"  -> {label['intent'] or ''}{' doc ' + label['doc_id'] if label['doc_id'] else ''}{' no doc' if label['no_doc'] else ''}"
        text = (it["text"] or "").replace("\n", " ")
        print(f"{it['id']:>5}  {it['occurred_at'][:16]}  {it['reason']:<14} {it['intent'] or '-'} {conf}{guess}  "
              f"{text[:80]!r}{labelled}")
    return 0


def _label(args) -> int:
    from lift.config import get_settings
    from lift.governance.audit import current_actor
    from lift.observability.review_queue import Label, ReviewInputError, domain_intents, kb_doc_ids, label_item

    settings = get_settings()
    label = Label(intent=args.intent, doc_id=args.doc, no_doc=args.no_doc)
    try:
        label.check(domain_intents(settings.root / "domain"), kb_doc_ids(settings.kb_dir) if args.doc else None)
        item = label_item(_engine(), args.id, label, actor=current_actor(settings.operator))
    except ReviewInputError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(item, indent=2, ensure_ascii=False))
    else:
        print(f"labelled review item {item['id']}")
    return 0


def _export(args) -> int:
    from lift.observability.review_queue import labelled_examples, write_nlu_yaml, write_retrieval_lines

    if not args.nlu and not args.retrieval:
        return _fail("give --nlu FILE and/or --retrieval FILE")
    nlu, retrieval, skipped = labelled_examples(_engine())
    try:
        if args.nlu:
            write_nlu_yaml(nlu, args.nlu)
        if args.retrieval:
            write_retrieval_lines(retrieval, args.retrieval)
    except OSError as exc:
        return _fail(f"cannot write the export: {exc}")
    result = {"nlu_examples": len(nlu) if args.nlu else None, "nlu_file": str(args.nlu) if args.nlu else None,
              "retrieval_questions": len(retrieval) if args.retrieval else None,
              "retrieval_file": str(args.retrieval) if args.retrieval else None, "skipped_payloads": skipped}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        if args.nlu:
            print(f"{len(nlu)} NLU examples -> {args.nlu}")
        if args.retrieval:
            print(f"{len(retrieval)} retrieval questions -> {args.retrieval}")
        if skipped:
            print(f"skipped {skipped} labelled button payloads / empty messages")
    return 0

