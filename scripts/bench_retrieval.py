#!/usr/bin/env python
"""Retrieval speed: the real knowledge base in-process, and a synthetic 100k-chunk index.

    python scripts/bench_retrieval.py            # all sections, markdown on stdout
    python scripts/bench_retrieval.py --skip-synthetic
    python scripts/bench_retrieval.py --synthetic-n 20000 --hnsw

1. Single-query latency of ``Retriever.search`` (encode + FAISS + BM25 + fusion) on the
   built index, with the dev-set questions as queries (target p95 <= 25 ms on 2 cores).
2. Index build time (``lift kb build --force`` into a temporary directory, model loaded).
3. Synthetic index of N random 384-d vectors (drawn from a low-dimensional latent space,
   like real embeddings; ``--uniform`` for the worst case): exact ``IndexFlatIP`` against an
   approximate ``IndexIVFFlat`` (and with ``--hnsw`` HNSW), single-query latency and
   recall@10 against the exact result.
Everything runs on one thread: the machine is shared and speed figures must not depend on
how busy the other core is.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.benchlib import percentile, table  # noqa: E402




def timed(fn, queries, warmup=5):
    for q in queries[:warmup]:
        fn(q)
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000.0)
    return out


def real_kb(args, report):
    from lift.retrieval.encoder import Encoder
    from lift.retrieval.evaluation import load_dev
    from lift.retrieval.index import PREVIOUS_FUSION, build
    from lift.retrieval.retriever import Retriever

    t = time.perf_counter()
    encoder = Encoder.load()
    report["model_load_s"] = round(time.perf_counter() - t, 2)
    retriever = Retriever.load(args.index_dir, args.kb_dir, encoder=encoder, threshold=0.0)
    questions = [it.question for it in load_dev(args.dev)]
    queries = (questions * (args.queries // len(questions) + 1))[: args.queries]
    lat_search = timed(lambda q: retriever.search(q, k=5), queries)
    # The method before issue 9 (one vector per document, no query normalisation) on the same
    # index, timed query by query interleaved with the current one.
    previous = Retriever.load(args.index_dir, args.kb_dir, encoder=encoder, threshold=0.0)
    previous.set_fusion(PREVIOUS_FUSION)
    lat_now, lat_prev = [], []
    for q in queries[:5]:
        retriever.search(q, k=5), previous.search(q, k=5)
    for q in queries:
        for r, out in ((previous, lat_prev), (retriever, lat_now)):
            t = time.perf_counter()
            r.search(q, k=5)
            out.append((time.perf_counter() - t) * 1000.0)
    # Everything but the encoder (normalisation, FAISS, BM25, fusion), with query vectors
    # computed beforehand: the part the two methods differ in, without the encoder's noise.
    vectors = {}

    class _Precomputed:
        dim = encoder.dim

        @staticmethod
        def encode_one(text):
            if text not in vectors:
                vectors[text] = encoder.encode_one(text)
            return vectors[text]

    rest_now, rest_prev = [], []
    for r in (retriever, previous):
        r.encoder = _Precomputed
        for q in queries:
            r.search(q, k=5)  # fills the cache with this method's query text
    try:
        for q in queries:
            for r, out in ((previous, rest_prev), (retriever, rest_now)):
                t = time.perf_counter()
                r.search(q, k=5)
                out.append((time.perf_counter() - t) * 1000.0)
    finally:
        retriever.encoder = previous.encoder = encoder
    report["methods"] = {
        "previous_p50_ms": round(percentile(lat_prev, 50), 2), "previous_p95_ms": round(percentile(lat_prev, 95), 2),
        "current_p50_ms": round(percentile(lat_now, 50), 2), "current_p95_ms": round(percentile(lat_now, 95), 2),
        "rest_previous_p50_ms": round(percentile(rest_prev, 50), 3), "rest_previous_p95_ms": round(percentile(rest_prev, 95), 3),
        "rest_current_p50_ms": round(percentile(rest_now, 50), 3), "rest_current_p95_ms": round(percentile(rest_now, 95), 3),
        "rows": int(retriever.index.ntotal),
    }
    lat_encode = timed(encoder.encode_one, queries)
    # The traced single-query path against the eager model, interleaved query by query.
    eager = Encoder(model=encoder.model, dim=encoder.dim, _lock=encoder._lock)
    lat_eager, lat_traced = [], []
    for q in queries[:5]:
        eager.encode_one(q), encoder.encode_one(q)
    for q in queries:
        for enc, out in ((eager, lat_eager), (encoder, lat_traced)):
            t = time.perf_counter()
            enc.encode_one(q)
            out.append((time.perf_counter() - t) * 1000.0)
    report["encoder_paths"] = {
        "traced": encoder.traced,
        "eager_p50_ms": round(percentile(lat_eager, 50), 2), "eager_p95_ms": round(percentile(lat_eager, 95), 2),
        "traced_p50_ms": round(percentile(lat_traced, 50), 2), "traced_p95_ms": round(percentile(lat_traced, 95), 2),
    }
    report["real"] = {
        "docs": len(retriever.docs), "queries": len(queries), "kb_version": retriever.kb_version,
        "search_p50_ms": round(percentile(lat_search, 50), 2), "search_p95_ms": round(percentile(lat_search, 95), 2),
        "search_mean_ms": round(statistics.mean(lat_search), 2),
        "encode_p50_ms": round(percentile(lat_encode, 50), 2), "encode_p95_ms": round(percentile(lat_encode, 95), 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build(args.kb_dir, Path(tmp) / "index", encoder=encoder, force=True)
        report["real"]["build_s"] = round(time.perf_counter() - t, 2)


def synthetic(args, report):
    import faiss
    import numpy as np

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(7)
    n, d, nq = args.synthetic_n, 384, args.synthetic_queries

    def sample(count):
        if args.uniform:
            x = rng.standard_normal((count, d)).astype("float32")
        else:
            # Sentence embeddings occupy a low-dimensional part of the space (fast-decaying
            # spectrum); uniform random vectors are an unrealistic worst case where every
            # neighbour is almost equally far. Latent Gaussian -> random linear map -> noise.
            z = rng.standard_normal((count, args.latent_dim)).astype("float32")
            x = z @ basis + 0.1 * rng.standard_normal((count, d)).astype("float32")
        x = np.ascontiguousarray(x, dtype="float32")
        faiss.normalize_L2(x)
        return x

    basis = rng.standard_normal((args.latent_dim, d)).astype("float32") / np.sqrt(args.latent_dim)
    xb = sample(n)
    xq = sample(nq)  # fresh queries from the same distribution, not copies of stored chunks
    k = 10
    rows = []

    flat = faiss.IndexFlatIP(d)
    t = time.perf_counter()
    flat.add(xb)
    flat_build = time.perf_counter() - t
    _, exact = flat.search(xq, k)
    lat = timed(lambda i: flat.search(xq[i:i + 1], k), list(range(nq)))
    rows.append({"index": "IndexFlatIP (exact)", "build_s": round(flat_build, 2), "p50_ms": round(percentile(lat, 50), 3),
                 "p95_ms": round(percentile(lat, 95), 3), "recall@10": 1.0})

    def recall(found):
        return float(np.mean([len(set(found[i]) & set(exact[i])) / k for i in range(nq)]))

    nlist = args.nlist
    quantizer = faiss.IndexFlatIP(d)
    ivf = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    t = time.perf_counter()
    sample = xb[rng.choice(n, size=min(n, nlist * 40), replace=False)]
    ivf.train(sample)
    ivf.add(xb)
    ivf_build = time.perf_counter() - t
    for nprobe in args.nprobe:
        ivf.nprobe = nprobe
        _, found = ivf.search(xq, k)
        lat = timed(lambda i: ivf.search(xq[i:i + 1], k), list(range(nq)))
        rows.append({"index": f"IndexIVFFlat nlist={nlist} nprobe={nprobe}", "build_s": round(ivf_build, 2),
                     "p50_ms": round(percentile(lat, 50), 3), "p95_ms": round(percentile(lat, 95), 3),
                     "recall@10": round(recall(found), 4)})
    if args.hnsw:
        hnsw = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 40
        t = time.perf_counter()
        hnsw.add(xb)
        hnsw_build = time.perf_counter() - t
        for ef in (64, 128):
            hnsw.hnsw.efSearch = ef
            _, found = hnsw.search(xq, k)
            lat = timed(lambda i: hnsw.search(xq[i:i + 1], k), list(range(nq)))
            rows.append({"index": f"IndexHNSWFlat M=32 efSearch={ef}", "build_s": round(hnsw_build, 2),
                         "p50_ms": round(percentile(lat, 50), 3), "p95_ms": round(percentile(lat, 95), 3),
                         "recall@10": round(recall(found), 4)})
    kind = "uniform random" if args.uniform else f"random, intrinsic dimension {args.latent_dim}"
    report["synthetic"] = {"n": n, "dim": d, "kind": kind, "queries": nq, "rows": rows}


def markdown(report) -> str:
    out = [f"Load average (1/5/15 min) before: {report['loadavg_before']}, after: {report.get('loadavg_after')}", ""]
    if "real" in report:
        r = report["real"]
        out += [
            f"Real knowledge base ({r['docs']} chunks, kb_version `{r['kb_version']}`, {r['queries']} single queries, 1 thread)",
            "",
            table([("`Retriever.search` (normalise + encode + FAISS + BM25 + fusion)", f"{r['search_p50_ms']:.1f} ms",
                    f"{r['search_p95_ms']:.1f} ms", f"{r['search_mean_ms']:.1f} ms"),
                   ("of which query encoding", f"{r['encode_p50_ms']:.1f} ms", f"{r['encode_p95_ms']:.1f} ms", "")],
                  ["measure", "p50", "p95", "mean"], markdown=True),
            "",
        ]
        m = report["methods"]
        out += [
            f"Search, previous method (1 vector per document, no normalisation) vs current ({m['rows']} vectors, "
            f"best view per document, spelling normalisation), interleaved: p50 {m['previous_p50_ms']:.1f} -> "
            f"{m['current_p50_ms']:.1f} ms, p95 {m['previous_p95_ms']:.1f} -> {m['current_p95_ms']:.1f} ms "
            f"(ratio p95 {m['current_p95_ms'] / m['previous_p95_ms']:.2f}). Without the encoder (query vectors "
            f"precomputed): p50 {m['rest_previous_p50_ms']:.2f} -> {m['rest_current_p50_ms']:.2f} ms, "
            f"p95 {m['rest_previous_p95_ms']:.2f} -> {m['rest_current_p95_ms']:.2f} ms.",
            "",
        ]
        e = report["encoder_paths"]
        out += [
            f"Query encoding, eager sentence-transformers vs the TorchScript trace `encode_one` uses "
            f"(in use: {'yes' if e['traced'] else 'NO'}), interleaved: p50 {e['eager_p50_ms']:.1f} -> "
            f"{e['traced_p50_ms']:.1f} ms, p95 {e['eager_p95_ms']:.1f} -> {e['traced_p95_ms']:.1f} ms "
            f"(ratio p95 {e['traced_p95_ms'] / e['eager_p95_ms']:.2f}).",
            "",
            f"Index build (`lift kb build --force`, model already loaded): {r['build_s']:.1f} s; "
            f"model load: {report['model_load_s']:.1f} s.",
        ]
    if "synthetic" in report:
        s = report["synthetic"]
        out += [
            "",
            f"Synthetic index: {s['n']:,} chunks, dim {s['dim']} ({s['kind']}), {s['queries']} single queries, "
            "k=10, 1 thread",
            "",
            table([(row["index"], f"{row['build_s']:.1f} s", f"{row['p50_ms']:.2f} ms", f"{row['p95_ms']:.2f} ms",
                    f"{row['recall@10']:.3f}") for row in s["rows"]],
                  ["index", "build", "query p50", "query p95", "recall@10 vs exact"], markdown=True),
        ]
    return "\n".join(out)


def main(argv=None) -> int:
    from lift.config import get_settings

    s = get_settings()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb-dir", type=Path, default=s.kb_dir)
    ap.add_argument("--index-dir", type=Path, default=s.index_dir)
    ap.add_argument("--dev", type=Path, default=ROOT / "eval" / "retrieval_dev.jsonl")
    ap.add_argument("--queries", type=int, default=300, help="single queries timed on the real KB")
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--synthetic-n", type=int, default=100_000)
    ap.add_argument("--synthetic-queries", type=int, default=200)
    ap.add_argument("--nlist", type=int, default=1024)
    ap.add_argument("--nprobe", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--hnsw", action="store_true", help="also build an HNSW index (slower to build)")
    ap.add_argument("--latent-dim", type=int, default=48, help="intrinsic dimension of the synthetic vectors")
    ap.add_argument("--uniform", action="store_true", help="uniform random vectors instead (worst case for ANN)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args(argv)

    import os

    # Other processes share the 2 cores: the load average says how much to trust the figures.
    report: dict = {"loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    if not args.skip_real:
        from lift.retrieval import IndexNotReady

        try:
            real_kb(args, report)
        except IndexNotReady as exc:
            print(f"bench_retrieval: {exc}", file=sys.stderr)
            return 1
    if not args.skip_synthetic:
        synthetic(args, report)
    report["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
