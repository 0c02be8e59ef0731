"""`lift kb ...`: build, inspect and query the knowledge-base retrieval index; keep its versions
and switch the served one (``list``, ``activate``, ``rollback``: lift.governance.kb_registry)."""
from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("kb", help="knowledge base: build and search the retrieval index")
    sub = p.add_subparsers(dest="kb_command", required=True)

    b = sub.add_parser("build", help="(re)build the retrieval index when the sources changed")
    b.add_argument("--force", action="store_true", help="rebuild even when the index is up to date")
    b.set_defaults(func=_build)

    s = sub.add_parser("search", help="search the knowledge base; without QUERY reads one query per stdin line")
    s.add_argument("query", nargs="?", help="the question; omit it to read queries from stdin (JSON lines out)")
    s.add_argument("-k", type=int, default=5, help="number of hits (default 5)")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.add_argument("--mode", choices=("fused", "dense", "bm25"), default="fused", help=argparse.SUPPRESS)  # for evaluation and debugging
    s.set_defaults(func=_search)

    ls = sub.add_parser("list", help="kept index versions (one per build), the served one marked *")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)

    ac = sub.add_parser("activate", help="serve a kept index VERSION (kb_version or a prefix); no restart needed")
    ac.add_argument("version", metavar="VERSION")
    ac.add_argument("--reason", default="", help="why (recorded in the audit log)")
    ac.add_argument("--json", action="store_true")
    ac.set_defaults(func=_activate)

    rb = sub.add_parser("rollback", help="serve the index version served before the current one")
    rb.add_argument("--reason", default="", help="why (recorded in the audit log)")
    rb.add_argument("--json", action="store_true")
    rb.set_defaults(func=_rollback)

    st = sub.add_parser("status", help="is the index built and does it match the sources? (exit 1 if not)")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=_status)


def _settings():
    from lift.config import get_settings

    return get_settings()


def _err(msg: str) -> None:
    print(f"lift kb: {msg}", file=sys.stderr)


def _build(args) -> int:
    from lift.retrieval import IndexNotReady
    from lift.retrieval.encoder import EncoderUnavailable
    from lift.retrieval.index import build
    from lift.retrieval.sources import SourceError

    s = _settings()
    try:
        result = build(s.kb_dir, s.index_dir, force=args.force)
    except (SourceError, EncoderUnavailable, IndexNotReady, OSError) as exc:
        _err(f"cannot build: {exc}")
        return 1
    m = result.manifest
    counts = ", ".join(f"{k} {v}" for k, v in m["counts"].items() if k != "total")
    if not result.built:
        print(f"up to date: kb_version {m['kb_version']} ({m['counts']['total']} documents: {counts}) at {s.index_dir}")
        pin = m.get("activated") or {}
        if pin.get("pinned"):
            print(f"note: kb_version {m['kb_version']} is served because {pin.get('by')} chose it ({pin.get('how')}); "
                  "`lift kb build --force` builds the current sources and serves them")
        _audit_build(s, m, result.seconds, built=False)
    else:
        print(f"built kb_version {m['kb_version']}: {m['counts']['total']} documents ({counts}) "
              f"in {result.seconds:.1f} s -> {s.index_dir}")
        if not m.get("threshold"):
            print("note: no kb/threshold.json yet; run `python scripts/eval_retrieval.py --write-threshold`")
        _audit_build(s, m, result.seconds)
    return 0


def _registry(settings):
    from lift.governance.kb_registry import KbRegistry
    from lift.store.engine import check_connection, make_engine

    engine = make_engine(settings.db_url)
    check_connection(engine)  # DatabaseUnavailable
    return KbRegistry(engine, settings.index_dir, settings.kb_dir)


def _audit_build(settings, manifest, seconds: float, built: bool = True) -> None:
    """Keep the served index as a version and record a new build in the audit log (the index
    itself is built either way)."""
    from lift.store.engine import DatabaseUnavailable

    try:
        reg = _registry(settings)
    except DatabaseUnavailable as exc:
        _err(f"index built, but not recorded in the audit log: {exc}")
        return
    try:
        reg.record_served(built=built, seconds=seconds)
    finally:
        reg.engine.dispose()


def _with_registry(action):
    """``action(registry)`` with the database open; ``(exit code, result)``: 3 without a database,
    2 for a bad request (unknown version, nothing to roll back to; nothing changed)."""
    from lift.governance.kb_registry import KbRegistryError
    from lift.retrieval import IndexNotReady
    from lift.store.engine import DatabaseUnavailable

    try:
        reg = _registry(_settings())
    except DatabaseUnavailable as exc:
        _err(str(exc))
        return 3, None
    try:
        return 0, action(reg)
    except (KbRegistryError, IndexNotReady) as exc:
        _err(str(exc))
        return 2, None
    finally:
        reg.engine.dispose()


def _switch(args, action) -> int:
    code, result = _with_registry(action)
    if code:
        return code
    if args.json:
        print(json.dumps(result))
        return 0
    verb = "rolled back to" if args.kb_command == "rollback" else "activated"
    pinned = " (pinned: differs from what the sources would build; `lift kb build --force` builds and serves them)"
    print(f"{verb} kb_version {result['kb_version']} ({result['documents']} documents; was {result['from']}) "
          f"at {_settings().index_dir}{pinned if result['pinned'] else ''}; the action server switches on its next turn")
    return 0


def _activate(args) -> int:
    return _switch(args, lambda reg: reg.activate(args.version, reason=args.reason))


def _rollback(args) -> int:
    return _switch(args, lambda reg: reg.rollback(reason=args.reason))


def _list(args) -> int:
    code, versions = _with_registry(lambda reg: (reg.versions(), reg.versions_dir))
    if code:
        return code
    versions, where = versions
    if args.json:
        print(json.dumps(versions))
        return 0
    if not versions:
        print(f"no kept knowledge-base versions in {where} (run `lift kb build`)")
    for v in versions:
        print(f"{'*' if v['active'] else ' '} {v['kb_version']}  built {v['built_at']}  {v['documents']} documents")
    return 0


def _status(args) -> int:
    from lift.retrieval.index import check

    s = _settings()
    st = check(s.index_dir, s.kb_dir)
    if args.json:
        m = st.manifest or {}
        print(json.dumps({"state": st.state, "reason": st.reason, "expected_kb_version": st.kb_version,
                          "built_kb_version": m.get("kb_version"), "built_at": m.get("built_at"),
                          "counts": m.get("counts")}))
    else:
        print(f"{st.state}: {st.reason}")
    return 0 if st.state == "ok" else 1


def _load_retriever():
    from lift.retrieval import IndexNotReady
    from lift.retrieval.retriever import Retriever

    s = _settings()
    try:
        return Retriever.load(s.index_dir, s.kb_dir, threshold=s.kb_threshold)
    except IndexNotReady as exc:
        _err(str(exc))
        return None


def _hit_json(h) -> dict:
    return {"doc_id": h.doc_id, "source": h.source, "title": h.title, "score": h.score,
            "dense_score": h.dense_score, "bm25_score": h.bm25_score, "text": h.text}


def _search(args) -> int:
    from lift.retrieval import InvalidQuery

    if args.k < 1:
        _err("-k must be at least 1")
        return 2
    if args.query is not None:
        # Validate before loading the encoder: a bad query should not cost seconds.
        from lift.retrieval.retriever import clean_query

        try:
            clean_query(args.query)
        except InvalidQuery as exc:
            _err(str(exc))
            return 2
    retriever = _load_retriever()
    if retriever is None:
        return 1
    if args.query is None:
        return _search_stdin(retriever, args)
    hits = retriever.search(args.query, k=args.k, mode=args.mode)
    if args.json:
        print(json.dumps({"query": args.query, "hits": [_hit_json(h) for h in hits]}, ensure_ascii=False))
        return 0
    _print_human(retriever, args.query, hits)
    return 0


def _print_human(retriever, query, hits) -> None:
    from lift.retrieval.text import trim

    conf = retriever.confidence(hits)
    verdict = "answer" if conf >= retriever.threshold else "not sure (below threshold: the bot offers a human)"
    print(f"query: {query}")
    print(f"kb_version {retriever.kb_version}; confidence {conf:.3f} vs threshold {retriever.threshold:.3f}: {verdict}")
    for n, h in enumerate(hits, 1):
        print(f"\n{n}. {h.title}  [{h.doc_id}]")
        print(f"   source {h.source}; score {h.score:.3f} (dense {h.dense_score:.3f}, bm25 {h.bm25_score:.2f})")
        print("   " + trim(h.text, 300).replace("\n", "\n   "))


def _search_stdin(retriever, args) -> int:
    from lift.retrieval import InvalidQuery

    out = sys.stdout
    # Bytes, not text: one undecodable line must become an error entry, not kill the stream.
    for lineno, raw in enumerate(sys.stdin.buffer, 1):
        raw = raw.rstrip(b"\r\n")
        try:
            query = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry = {"query": raw.decode("utf-8", errors="replace"), "hits": [],
                     "error": f"line {lineno} is not valid UTF-8 text"}
        else:
            try:
                hits = retriever.search(query, k=args.k, mode=args.mode)
                entry = {"query": query, "hits": [_hit_json(h) for h in hits]}
            except InvalidQuery as exc:
                entry = {"query": query, "hits": [], "error": str(exc)}
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        out.flush()
    return 0
