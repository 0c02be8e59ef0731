"""A multinomial logistic-regression intent model over feature blocks.

Each block (one featurizer's sentence vector: word counts, char n-gram counts, regex hits,
the MiniLM embedding) is L2-normalised on its own and weighted, so no block dominates just
because it has more or larger entries. Fitting uses scikit-learn; the fitted model is plain
arrays (weights, biases, labels), so it is stored without pickle and predicts with one
matrix product and a softmax.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np
import scipy.sparse as sp


def stack_blocks(blocks: Sequence[object], weights: Sequence[float]) -> sp.csr_matrix:
    """Rows x (sum of block widths): every block row-wise L2-normalised, times its weight.
    A block is a dense array or a scipy sparse matrix with one row per example."""
    if len(blocks) != len(weights):
        raise ValueError("one weight per block")
    from sklearn.preprocessing import normalize

    parts = [sp.csr_matrix(normalize(sp.csr_matrix(b, dtype=np.float64)) * w) for b, w in zip(blocks, weights)]
    return sp.hstack(parts, format="csr")


@dataclass
class LinearIntentModel:
    labels: List[str]
    coef: np.ndarray  # labels x features
    intercept: np.ndarray  # labels

    @classmethod
    def fit(cls, X: sp.csr_matrix, y: Sequence[str], C: float = 10.0, max_iter: int = 3000) -> "LinearIntentModel":
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            raise ValueError("need at least two intents to train")
        clf = LogisticRegression(C=C, max_iter=max_iter)  # lbfgs: multinomial, deterministic
        clf.fit(X, list(y))
        return cls([str(c) for c in clf.classes_], clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32))

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[1])

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        if X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {X.shape[1]}")
        z = np.asarray(X @ self.coef.T) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_arrays(self) -> Dict[str, np.ndarray]:
        return {"coef": self.coef, "intercept": self.intercept, "labels": np.array(self.labels, dtype=str)}

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> "LinearIntentModel":
        return cls([str(x) for x in arrays["labels"]], np.asarray(arrays["coef"]), np.asarray(arrays["intercept"]))
