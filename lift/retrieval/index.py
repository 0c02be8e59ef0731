"""Building the versioned retrieval index and checking it against the current sources.

Layout of ``index_dir`` (``var/index`` by default), written as a whole into a temporary
sibling directory and swapped in with renames, so a reader never sees half a build::

    manifest.json     model, source sha256s, kb_version, build time, counts, threshold
    index.faiss       IndexFlatIP over L2-normalised float32 vectors (cosine similarity),
                      one row per view of a document (lift/retrieval/views.py)
    docs.jsonl        the doc map, one line per document: doc_id, source, kind, title, text, meta
    rows.json         for every vector row: the position of its document in docs.jsonl and the view
    bm25_tokens.json  the tokenised BM25 corpus, one entry per vector row
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional

from lift.retrieval.errors import FIX, IndexMissing, IndexStale
from lift.retrieval.sources import CHUNKING_VERSION, Doc, load_documents, source_hashes
from lift.retrieval.text import tokenize
from lift.retrieval.views import VIEWS, VIEWS_VERSION, expand

FORMAT_VERSION = 2  # 2: several rows (views) per document, rows.json
MANIFEST_FILE = "manifest.json"
INDEX_FILE = "index.faiss"
DOCS_FILE = "docs.jsonl"
BM25_FILE = "bm25_tokens.json"
ROWS_FILE = "rows.json"
THRESHOLD_FILE = "threshold.json"  # in the KB directory, written by scripts/eval_retrieval.py

# How the dense and the BM25 evidence are combined. A document's dense score is the best of
# its views (lift/retrieval/views.py); BM25 scores the ``full`` view. ``method``:
# * "score": candidates of either ranking ordered by cosine + lexical_weight * ln(1 + BM25)
#   (the same shape as the answer confidence, see Retriever.confidence);
# * "rrf": reciprocal rank fusion (Cormack et al. 2009) with ``k`` and the two weights.
# * ``dense_pool`` K (score fusion): the dense top K come first, re-ranked by the fused score,
#   so a passage that only shares words with the question cannot push out the closest meanings.
# Chosen by `scripts/eval_retrieval.py --tune` on the tuning data: the tuning half of the dev
# set with its typo/terse variants plus the voice set eval/retrieval_tuning_voice.jsonl (558
# questions). With the ``asked`` view (kb/asked.json, 2026-12-05): score fusion with weight 0.2
# re-ranking the dense top 3, MRR 0.929 / hit@5 0.989 / answered correctly 0.851, against 0.928 /
# 0.981 / 0.811 for the best setting without it (weight 0.4 over the dense top 3, the choice
# before), every RRF setting and score fusion over all candidates; ``normalize`` (query spelling,
# lift/retrieval/spelling.py) helped in every row.
FUSION = {"method": "score", "lexical_weight": 0.2, "dense_pool": 3, "k": 10, "dense_weight": 1.0, "bm25_weight": 0.5,
          "candidates": 50, "lexical_bonus": 0.05, "dense_views": ["full", "title", "text", "asked"],
          "bm25_views": ["full"], "normalize": True}
# The method before issue 9 (one vector per document, RRF k=60, no query normalisation), kept
# so the evaluation and the benchmark compare against it in the same run.
PREVIOUS_FUSION = {**FUSION, "method": "rrf", "dense_pool": 0, "k": 60, "bm25_weight": 0.5, "dense_views": ["full"],
                   "bm25_views": ["full"], "normalize": False}

CHUNKING = {
    "version": CHUNKING_VERSION,
    "policy_split": "## sections",
    "index_text": "title. text [+ product nicknames]",
    "tokenizer": "lowercase alnum, stopwords, lift.commerce.words.stem",
    "views": {"version": VIEWS_VERSION, **{k: list(v) for k, v in VIEWS.items()}},
}


def _params_digest_input(model: Dict[str, str]) -> dict:
    return {"format": FORMAT_VERSION, "model": model, "chunking": CHUNKING}


def compute_kb_version(hashes: Dict[str, str], model: Dict[str, str]) -> str:
    payload = json.dumps({"sources": hashes, **_params_digest_input(model)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def read_threshold_file(kb_dir: Path) -> Optional[dict]:
    path = Path(kb_dir) / THRESHOLD_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        float(data["threshold"])
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexStale(f"{path} is malformed ({exc}); re-run scripts/eval_retrieval.py --write-threshold") from None
    return data


def read_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / MANIFEST_FILE
    if not path.is_file():
        raise IndexMissing(f"no retrieval index at {index_dir} (manifest.json missing): {FIX}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexStale(f"retrieval index manifest {path} is unreadable ({exc}): {FIX}") from None


@dataclass
class Status:
    state: str  # "ok" | "missing" | "stale"
    reason: str
    kb_version: str  # what the current sources would build
    manifest: Optional[dict]


def _diff_sources(built: Dict[str, str], now: Dict[str, str]) -> List[str]:
    out = []
    for name in sorted(set(built) | set(now)):
        if name not in now:
            out.append(f"{name} removed")
        elif name not in built:
            out.append(f"{name} added")
        elif built[name] != now[name]:
            out.append(f"{name} changed")
    return out


def check(index_dir: Path, kb_dir: Path) -> Status:
    """Compare the built index with the current sources and model without loading anything heavy."""
    from lift.retrieval.encoder import model_identity

    index_dir, kb_dir = Path(index_dir), Path(kb_dir)
    hashes = source_hashes(kb_dir)
    model = model_identity()
    expected = compute_kb_version(hashes, model)
    try:
        manifest = read_manifest(index_dir)
    except IndexMissing as exc:
        return Status("missing", str(exc), expected, None)
    except IndexStale as exc:
        return Status("stale", str(exc), expected, None)
    missing = [f for f in (INDEX_FILE, DOCS_FILE, ROWS_FILE, BM25_FILE) if not (index_dir / f).is_file()]
    if missing:
        return Status("missing", f"retrieval index at {index_dir} lacks {', '.join(missing)}: {FIX}", expected, manifest)
    built_version = manifest.get("kb_version")
    if built_version == expected:
        return Status("ok", f"index {built_version} matches the sources", expected, manifest)
    pin = manifest.get("activated") or {}
    if pin.get("pinned"):
        # An operator chose this version (`lift kb activate|rollback`): it is served as it is.
        return Status("ok", f"index {built_version} was activated by {pin.get('by', '?')} ({pin.get('how', 'activate')}); "
                      f"the sources would build {expected}", expected, manifest)
    reasons = _diff_sources(manifest.get("sources") or {}, hashes)
    if (manifest.get("model") or {}).get("package_version") != model["package_version"]:
        reasons.append(f"model package {model['package']} is now {model['package_version']}")
    if (manifest.get("chunking") or {}) != CHUNKING or manifest.get("format") != FORMAT_VERSION:
        reasons.append("chunking rules or index format changed in the code")
    why = "; ".join(reasons) or "build parameters changed"
    return Status("stale", f"retrieval index {built_version} is stale ({why}): {FIX}", expected, manifest)


@dataclass
class BuildResult:
    built: bool
    manifest: dict
    seconds: float
    index_dir: Path


@contextlib.contextmanager
def _build_lock(index_dir: Path):
    import fcntl

    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir.parent / f".{index_dir.name}.lock"
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _swap_in(tmp: Path, index_dir: Path) -> None:
    """Replace ``index_dir`` by ``tmp``: two renames, the old build removed afterwards."""
    old = None
    if index_dir.exists():
        old = index_dir.parent / f".{index_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}"
        os.rename(index_dir, old)
    try:
        os.rename(tmp, index_dir)
    except OSError:
        if old is not None:
            os.rename(old, index_dir)  # put the previous build back rather than leave nothing
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_index(docs: List[Doc], vectors, out_dir: Path, row_doc: List[int], row_view: List[str],
                row_text: List[str]) -> None:
    """Write the files of one build; ``vectors`` has one row per (document, view) row."""
    import faiss
    import numpy as np

    vectors = np.ascontiguousarray(vectors, dtype="float32")
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(out_dir / INDEX_FILE))
    with open(out_dir / DOCS_FILE, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d.to_dict(), ensure_ascii=False) + "\n")
    (out_dir / ROWS_FILE).write_text(json.dumps({"doc": row_doc, "view": row_view}), encoding="utf-8")
    (out_dir / BM25_FILE).write_text(json.dumps([tokenize(t) for t in row_text]), encoding="utf-8")


def build(kb_dir: Path, index_dir: Path, encoder=None, force: bool = False) -> BuildResult:
    """Build the index unless it already matches the sources (``force`` rebuilds anyway).

    ``encoder`` is loaded only when a build is actually needed.
    """
    from lift.retrieval.encoder import model_identity, shared_encoder, weights_sha256

    kb_dir, index_dir = Path(kb_dir), Path(index_dir)
    start = time.perf_counter()
    with _build_lock(index_dir):
        status = check(index_dir, kb_dir)
        if status.state == "ok" and not force:
            manifest = status.manifest
            threshold = read_threshold_file(kb_dir)
            if threshold != manifest.get("threshold"):
                # Re-calibration does not change a single vector: record it without re-encoding.
                manifest = {**manifest, "threshold": threshold}
                _write_json_atomic(index_dir / MANIFEST_FILE, manifest)
            return BuildResult(False, manifest, time.perf_counter() - start, index_dir)
        hashes = source_hashes(kb_dir)
        docs = load_documents(kb_dir)
        encoder = encoder or shared_encoder()
        t_encode = time.perf_counter()
        row_doc, row_view, row_text = expand(docs)
        vectors = encoder.encode(row_text)
        encode_seconds = time.perf_counter() - t_encode
        model = model_identity()
        counts: Dict[str, int] = {}
        for d in docs:
            counts[d.kind] = counts.get(d.kind, 0) + 1
        threshold = read_threshold_file(kb_dir)
        manifest = {
            "format": FORMAT_VERSION,
            "kb_version": compute_kb_version(hashes, model),
            "built_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "model": {**model, "weights_sha256": weights_sha256(), "dim": int(vectors.shape[1]),
                      "normalized": True, "similarity": "cosine (inner product)"},
            "sources": hashes,
            "chunking": CHUNKING,
            "fusion": FUSION,
            "counts": {**dict(sorted(counts.items())), "total": len(docs)},
            "rows": len(row_doc),
            "threshold": threshold,
            "files": {"index": INDEX_FILE, "docs": DOCS_FILE, "rows": ROWS_FILE, "bm25": BM25_FILE},
            "encode_seconds": round(encode_seconds, 3),
        }
        index_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.tmp-", dir=index_dir.parent))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the index is not secret
        try:
            write_index(docs, vectors, tmp, row_doc, row_view, row_text)
            manifest["build_seconds"] = round(time.perf_counter() - start, 3)
            (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            _swap_in(tmp, index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return BuildResult(True, manifest, time.perf_counter() - start, index_dir)


def copy_index(src: Path, dst: Path) -> None:
    """Copy a built index directory as a whole (temporary sibling, then one rename)."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(src):  # no build swaps ``src`` while it is copied
        tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.tmp-", dir=dst.parent))
        os.chmod(tmp, 0o755)
        try:
            for name in (MANIFEST_FILE, INDEX_FILE, DOCS_FILE, ROWS_FILE, BM25_FILE):
                shutil.copy2(src / name, tmp / name)
            _swap_in(tmp, dst)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def serve_version(version_dir: Path, index_dir: Path, kb_dir: Path, activation: dict) -> dict:
    """Make the kept build in ``version_dir`` the served index at ``index_dir``; returns its manifest.

    The served manifest records ``activation`` and, when the version is not what the current
    sources would build, ``pinned`` so the staleness check (and so the action server) accepts it
    until the next ``lift kb build --force``. Readers see the old or the new index, never a mix.
    """
    from lift.retrieval.encoder import model_identity

    version_dir, index_dir = Path(version_dir), Path(index_dir)
    manifest = read_manifest(version_dir)
    expected = compute_kb_version(source_hashes(Path(kb_dir)), model_identity())
    with _build_lock(index_dir):
        tmp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.tmp-", dir=index_dir.parent))
        os.chmod(tmp, 0o755)
        try:
            for name in (INDEX_FILE, DOCS_FILE, ROWS_FILE, BM25_FILE):
                shutil.copy2(version_dir / name, tmp / name)
            served = {**manifest, "activated": {**activation, "pinned": manifest.get("kb_version") != expected}}
            (tmp / MANIFEST_FILE).write_text(json.dumps(served, indent=2) + "\n", encoding="utf-8")
            _swap_in(tmp, index_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return served


@dataclass
class IndexFiles:
    index: object  # faiss index, one vector per row
    docs: List[Doc]
    row_doc: List[int]  # row -> position in docs
    row_view: List[str]
    corpus: List[List[str]]  # BM25 tokens per row


def load_files(index_dir: Path) -> IndexFiles:
    """The files of a build; raises IndexMissing/IndexStale."""
    import faiss

    index_dir = Path(index_dir)
    for f in (INDEX_FILE, DOCS_FILE, ROWS_FILE, BM25_FILE):
        if not (index_dir / f).is_file():
            raise IndexMissing(f"retrieval index at {index_dir} lacks {f}: {FIX}")
    try:
        index = faiss.read_index(str(index_dir / INDEX_FILE))
        with open(index_dir / DOCS_FILE, encoding="utf-8") as fh:
            docs = [Doc.from_dict(json.loads(line)) for line in fh if line.strip()]
        corpus = json.loads((index_dir / BM25_FILE).read_text(encoding="utf-8"))
        rows = json.loads((index_dir / ROWS_FILE).read_text(encoding="utf-8"))
        row_doc, row_view = [int(i) for i in rows["doc"]], [str(v) for v in rows["view"]]
    except (RuntimeError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise IndexStale(f"retrieval index at {index_dir} is damaged ({exc}): {FIX}") from None
    if not (index.ntotal == len(row_doc) == len(row_view) == len(corpus)) or \
            sorted(set(row_doc)) != list(range(len(docs))):
        raise IndexStale(
            f"retrieval index at {index_dir} is inconsistent ({index.ntotal} vectors, {len(row_doc)} rows, "
            f"{len(docs)} docs, {len(corpus)} BM25 rows): {FIX}")
    return IndexFiles(index, docs, row_doc, row_view, corpus)
