"""Hybrid retrieval over the built index: dense (FAISS, best view per document) + BM25, fused.

Scores, all of them reported on every hit:

* ``dense_score``: cosine similarity between the query and the closest view of the passage (-1..1).
* ``bm25_score``: raw BM25 (Okapi) score, 0 when no query word occurs in the passage.
* ``score``: the fused score scaled to at most 1; hits are ordered by it. With score fusion
  (the default, see ``index.FUSION``) it is cosine + w * ln(1 + BM25) divided by the best
  value possible for the query, and with ``dense_pool`` K the dense top K are ranked first; with reciprocal rank fusion 1 means ranked first by both.

Whether to *answer* is decided on :meth:`Retriever.confidence` of the top hit, built on its
``dense_score``: unlike ranks, a cosine similarity says how close the best passage is in
absolute terms, so one threshold works for every query. The threshold is calibrated on the
development set (scripts/eval_retrieval.py) and stored in ``kb/threshold.json``.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from lift.retrieval.errors import IndexMissing, IndexStale, InvalidQuery
from lift.retrieval.index import FUSION, THRESHOLD_FILE, check, load_files, read_manifest, read_threshold_file
from lift.retrieval.sources import Doc
from lift.retrieval.spelling import SpellingNormalizer
from lift.retrieval.text import sanitize, tokenize, trim

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
ANSWER_CHARS = 480
MODES = ("fused", "dense", "bm25")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Hit:
    doc_id: str
    source: str
    title: str
    text: str
    score: float
    dense_score: float
    bm25_score: float
    kind: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    doc_id: str
    source: str
    title: str
    text: str  # sanitised and trimmed for display
    score: float  # the confidence compared with the threshold
    threshold: float
    kb_version: str
    kind: str
    meta: Dict[str, object]


@dataclass(frozen=True)
class Assessment:
    answer: Optional[Answer]
    confidence: float
    hits: List[Hit]


def clean_query(query) -> str:
    """The query as searchable text, or :class:`InvalidQuery` with a message fit for a shopper."""
    if isinstance(query, bytes):
        try:
            query = query.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidQuery("the question is not valid UTF-8 text", "not_text") from None
    if not isinstance(query, str):
        raise InvalidQuery("the question must be text", "not_text")
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. undecodable bytes from argv
        raise InvalidQuery("the question is not valid UTF-8 text", "not_text") from None
    query = _CONTROL_RE.sub(" ", unicodedata.normalize("NFKC", query)).strip()
    if not query:
        raise InvalidQuery("the question is empty", "empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the question is too long ({len(query)} characters; the limit is {MAX_QUERY_CHARS})",
                           "too_long")
    return query


def _model_vocab(encoder) -> List[str]:
    """Whole words of the encoder's WordPiece vocabulary (words the model knows as such)."""
    tokenizer = getattr(getattr(encoder, "model", None), "tokenizer", None)
    vocab = tokenizer.get_vocab() if tokenizer is not None and hasattr(tokenizer, "get_vocab") else {}
    return [w for w in vocab if not w.startswith("##")]


def _rankdata(order: np.ndarray) -> Dict[int, int]:
    return {int(i): r + 1 for r, i in enumerate(order)}


class Retriever:
    def __init__(self, docs: List[Doc], index, corpus: List[List[str]], encoder, manifest: dict,
                 threshold: float, threshold_info: Optional[dict] = None,
                 row_doc: Optional[List[int]] = None, row_view: Optional[List[str]] = None):
        """``index`` and ``corpus`` hold one row per view of a document; ``row_doc`` maps a row
        to its document (default: one row per document, in order) and ``row_view`` names it."""
        import faiss

        # One query at a time over a few hundred vectors: OpenMP workers only add spin-waiting
        # that competes with the encoder for the shared cores (measured: p50 176 -> 62 ms).
        faiss.omp_set_num_threads(1)
        if index.d != encoder.dim:
            raise IndexStale(f"index dimension {index.d} does not match the encoder ({encoder.dim}): run `lift kb build`")
        self.docs = docs
        self.index = index
        self.encoder = encoder
        self.manifest = manifest
        self.kb_version: str = manifest.get("kb_version", "")
        self.threshold = float(threshold)
        self.threshold_info = threshold_info or {}
        self._row_doc = np.asarray(row_doc if row_doc is not None else range(len(docs)), dtype="int64")
        self._row_view = np.asarray(row_view if row_view is not None else ["full"] * len(docs))
        self._corpus = corpus
        self._vectors = index.reconstruct_n(0, index.ntotal)
        self._speller = SpellingNormalizer([d.index_text for d in docs], _model_vocab(encoder))
        self.set_fusion(FUSION)

    def set_fusion(self, fusion: dict) -> None:
        """Fusion parameters (see ``index.FUSION``); the evaluation tries alternatives with it."""
        from rank_bm25 import BM25Okapi

        self._fusion = dict(fusion)
        views = set(self._row_view.tolist())
        self._dense_rows = np.isin(self._row_view, list(fusion.get("dense_views") or views))
        # BM25 statistics (idf, average length) over the selected rows only.
        self._bm25_row_ids = np.flatnonzero(np.isin(self._row_view, list(fusion.get("bm25_views") or views)))
        # BM25Okapi divides by the average document length, so an all-empty corpus is invalid.
        self._bm25 = BM25Okapi([self._corpus[i] or ["_"] for i in self._bm25_row_ids])

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, index_dir: Path, kb_dir: Path, encoder=None, threshold: Optional[float] = None) -> "Retriever":
        """Load a built index; raises IndexMissing / IndexStale (both name `lift kb build`).

        The manifest is compared with the current sources in ``kb_dir`` (and the installed
        model), so the bot never answers from an index built from other documents.
        ``threshold`` overrides the calibrated one (``LIFT_KB_THRESHOLD``).
        """
        index_dir, kb_dir = Path(index_dir), Path(kb_dir)
        manifest = read_manifest(index_dir)
        status = check(index_dir, kb_dir)
        if status.state == "missing":
            raise IndexMissing(status.reason)
        if status.state != "ok":
            raise IndexStale(status.reason)
        files = load_files(index_dir)
        if encoder is None:
            from lift.retrieval.encoder import shared_encoder

            encoder = shared_encoder()
        info = read_threshold_file(kb_dir) or manifest.get("threshold") or None
        if threshold is None:
            if info is None:
                raise IndexMissing(
                    f"no calibrated answer threshold ({kb_dir / THRESHOLD_FILE} missing): run "
                    "`python scripts/eval_retrieval.py --write-threshold` or set LIFT_KB_THRESHOLD")
            threshold = float(info["threshold"])
            if info.get("kb_version") and info["kb_version"] != manifest.get("kb_version"):
                logger.warning("answer threshold was calibrated on kb_version %s, index is %s; "
                               "re-run scripts/eval_retrieval.py", info["kb_version"], manifest.get("kb_version"))
        return cls(files.docs, files.index, files.corpus, encoder, manifest, threshold, info,
                   row_doc=files.row_doc, row_view=files.row_view)

    # ------------------------------------------------------------------ search
    def _per_doc(self, row_scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Each document's best score over its rows selected by ``rows`` (-inf if none)."""
        out = np.full(len(self.docs), -np.inf, dtype="float32")
        np.maximum.at(out, self._row_doc[rows], row_scores[rows])
        return out

    def _dense(self, qvec: np.ndarray, n: int):
        """Document positions ranked by their best view (FAISS over the rows), and every
        document's best cosine (a few hundred dot products, so BM25-only candidates still
        report a dense score)."""
        scores, ids = self.index.search(qvec.reshape(1, -1), self.index.ntotal)
        order: List[int] = []
        seen = set()
        for i in ids[0]:
            if i < 0 or not self._dense_rows[i]:
                continue
            d = int(self._row_doc[i])
            if d not in seen:
                seen.add(d)
                order.append(d)
                if len(order) >= n:
                    break
        dense_all = self._per_doc(self._vectors @ qvec, self._dense_rows)
        return np.asarray(order, dtype="int64"), dense_all

    def _bm25_scores(self, query: str) -> np.ndarray:
        toks = tokenize(query)
        if not toks:
            return np.zeros(len(self.docs), dtype="float32")
        per_doc = np.zeros(len(self.docs), dtype="float32")
        np.maximum.at(per_doc, self._row_doc[self._bm25_row_ids], np.asarray(self._bm25.get_scores(toks), dtype="float32"))
        return per_doc

    def search(self, query: str, k: int = 5, mode: str = "fused") -> List[Hit]:
        """Top ``k`` hits, best first. Raises :class:`InvalidQuery` for empty/too long queries."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        return self.search_modes(query, k, (mode,))[mode]

    def search_modes(self, query: str, k: int = 5, modes=MODES) -> Dict[str, List[Hit]]:
        """Hits of several rankings for one query, encoding it once (used by the evaluation)."""
        query = clean_query(query)
        if self._fusion.get("normalize", True):
            query = self._speller.normalize(query)
        k = max(1, min(int(k), len(self.docs)))
        pool = min(len(self.docs), max(k, int(self._fusion["candidates"])))
        need_dense = any(m != "bm25" for m in modes)
        need_bm25 = any(m != "dense" for m in modes)
        bm25 = self._bm25_scores(query) if need_bm25 else None
        dense_all = None
        d_ids = np.array([], dtype="int64")
        if need_dense:
            d_ids, dense_all = self._dense(self.encoder.encode_one(query), pool)
        b_ids = np.array([], dtype="int64")
        if bm25 is not None:
            positive = np.flatnonzero(bm25 > 0)
            b_ids = positive[np.argsort(-bm25[positive], kind="stable")][:pool]

        out: Dict[str, List[Hit]] = {}
        for mode in modes:
            if mode == "dense":
                ranked = [(int(i), float(dense_all[i])) for i in d_ids[:k]]
            elif mode == "bm25":
                ranked = [(int(i), float(bm25[i])) for i in b_ids[:k]]
            else:
                ranked = self._fuse(d_ids, b_ids, dense_all, bm25, k)
            out[mode] = [self._hit(i, score, dense_all, bm25) for i, score in ranked]
        return out

    def _fuse(self, d_ids, b_ids, dense_all, bm25, k):
        if self._fusion.get("method") == "score":
            # Score fusion: the answer confidence itself (cosine + lexical bonus) ranks the candidates.
            lam = float(self._fusion["lexical_weight"])
            cands = set(int(i) for i in d_ids) | set(int(i) for i in b_ids)
            scored = {i: float(dense_all[i]) + lam * float(np.log1p(max(0.0, float(bm25[i])))) for i in cands}
            order = sorted(scored, key=lambda i: (-scored[i], i))
            pool = int(self._fusion.get("dense_pool") or 0)
            if pool:
                # Lexical re-ranking of the dense shortlist: the ``dense_pool`` passages closest in
                # meaning come first, in fused order; a passage that only shares words follows them.
                first = set(int(i) for i in d_ids[:pool])
                order = [i for i in order if i in first] + [i for i in order if i not in first]
            order = order[:k]
            # Reported on 0..1 like the RRF score: divided by the best value any passage could reach.
            best = 1.0 + lam * float(np.log1p(max(0.0, float(bm25.max())))) if len(bm25) else 1.0
            return [(i, scored[i] / best) for i in order]
        kk = float(self._fusion["k"])
        wd, wb = float(self._fusion["dense_weight"]), float(self._fusion["bm25_weight"])
        best = (wd + wb) / (kk + 1.0)
        fused: Dict[int, float] = {}
        for i, r in _rankdata(d_ids).items():
            fused[i] = fused.get(i, 0.0) + wd / (kk + r)
        for i, r in _rankdata(b_ids).items():
            fused[i] = fused.get(i, 0.0) + wb / (kk + r)
        # Equal fused scores are ordered by cosine: deterministic and meaningful.
        order = sorted(fused, key=lambda i: (-fused[i], -float(dense_all[i]), i))[:k]
        return [(i, fused[i] / best) for i in order]

    def _hit(self, i: int, score: float, dense_all, bm25) -> Hit:
        d = self.docs[i]
        return Hit(
            doc_id=d.doc_id, source=d.source, title=d.title, text=d.text, kind=d.kind,
            score=round(score, 6),
            dense_score=round(float(dense_all[i]), 6) if dense_all is not None else 0.0,
            bm25_score=round(float(bm25[i]), 6) if bm25 is not None else 0.0,
        )

    def confidence(self, hits: List[Hit]) -> float:
        """How sure we are that the top hit answers the question (compared with the threshold).

        The cosine similarity of the top fused passage, plus a small bonus that grows with
        its BM25 score: a passage that is both semantically close *and* shares the question's
        rarer words is a safer answer than one that is only close in embedding space.
        """
        if not hits:
            return 0.0
        top = hits[0]
        return float(top.dense_score + self._fusion["lexical_bonus"] * np.log1p(max(0.0, top.bm25_score)))

    def assess(self, query: str) -> Assessment:
        """Search once and decide: the answer when confidence reaches the threshold, else none."""
        hits = self.search(query, k=5)
        conf = round(self.confidence(hits), 4)
        if not hits or conf < self.threshold:
            return Assessment(None, conf, hits)
        top = hits[0]
        doc = self.doc(top.doc_id)
        if doc is not None and doc.meta.get("superseded_by"):  # kb/superseded.json: the policy answers
            return Assessment(self.answer_about(doc.meta["superseded_by"], conf), conf, hits)
        return Assessment(self._answer(top.doc_id, top.source, top.title, top.text, top.kind,
                                       doc.meta if doc else {}, conf), conf, hits)

    def _answer(self, doc_id: str, source: str, title: str, text: str, kind: str, meta, score: float) -> Answer:
        return Answer(doc_id=doc_id, source=source, title=sanitize(title), text=trim(sanitize(text), ANSWER_CHARS),
                      score=score, threshold=self.threshold, kb_version=self.kb_version, kind=kind, meta=dict(meta))

    def answer_about(self, doc_id: str, score: float) -> Optional[Answer]:
        """The answer from the document ``doc_id`` itself, for a question about something the
        shopper named (a product page when the search's top hit was another product); ``score``
        is the search's confidence, recorded as usual."""
        doc = self.doc(doc_id)
        if doc is None:
            return None
        return self._answer(doc.doc_id, doc.source, doc.title, doc.text, doc.kind, doc.meta, score)

    def answer(self, query: str) -> Optional[Answer]:
        """The best passage when its confidence reaches the threshold, else ``None`` (not sure)."""
        return self.assess(query).answer

    def doc(self, doc_id: str) -> Optional[Doc]:
        by_id = self.__dict__.get("_by_id")
        if by_id is None:
            by_id = self.__dict__["_by_id"] = {d.doc_id: d for d in self.docs}
        return by_id.get(doc_id)
