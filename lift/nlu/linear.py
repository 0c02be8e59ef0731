"""A multinomial logistic-regression intent model over feature blocks.

Each block (one featurizer's sentence vector: word counts, char n-gram counts, regex hits,
the MiniLM embedding) is L2-normalised on its own and weighted, so no block dominates just
because it has more or larger entries. Fitting uses scikit-learn; the fitted model is plain
arrays (weights, biases, labels), so it is stored without pickle and predicts with one
matrix product and a softmax.

Optionally the model also remembers the training examples' dense columns (the MiniLM sentence
vectors) and blends in a vote of the ``k`` most similar ones (cosine): each neighbour adds
``exp(temperature * cosine)`` to its intent, and the normalised votes get ``neighbour_weight`` of
the final probabilities. A wording close to one training example then counts even where the linear
layer averaged it away.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

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


def _unit_rows(M: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(M, axis=1, keepdims=True)
    return (M / np.where(norms > 0, norms, 1.0)).astype(np.float32)


@dataclass
class NeighbourVote:
    """The training examples' dense columns (unit rows) and label indices, and how they vote."""

    columns: np.ndarray  # feature indices compared (the dense blocks)
    memory: np.ndarray  # examples x len(columns), unit rows
    label_index: np.ndarray  # examples: index into LinearIntentModel.labels
    k: int = 5
    temperature: float = 20.0

    def proba(self, X: sp.csr_matrix, n_labels: int) -> np.ndarray:
        query = _unit_rows(np.asarray(X[:, self.columns].todense(), dtype=np.float32))
        sims = query @ self.memory.T
        k = min(self.k, sims.shape[1])
        votes = np.zeros((X.shape[0], n_labels), dtype=np.float64)
        for row, near in enumerate(np.argpartition(-sims, k - 1, axis=1)[:, :k]):
            np.add.at(votes[row], self.label_index[near], np.exp(self.temperature * sims[row, near]))
        return votes / votes.sum(axis=1, keepdims=True)


@dataclass
class LinearIntentModel:
    labels: List[str]
    coef: np.ndarray  # labels x features
    intercept: np.ndarray  # labels
    neighbours: Optional[NeighbourVote] = None
    neighbour_weight: float = 0.0

    @classmethod
    def fit(cls, X: sp.csr_matrix, y: Sequence[str], C: float = 10.0, max_iter: int = 3000,
            neighbour_columns: Optional[Sequence[int]] = None, neighbour_weight: float = 0.0,
            k: int = 5, temperature: float = 20.0) -> "LinearIntentModel":
        """``neighbour_columns`` (with ``neighbour_weight`` > 0): the columns the nearest-example
        vote compares; none, or a weight of 0, is the linear layer alone."""
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            raise ValueError("need at least two intents to train")
        clf = LogisticRegression(C=C, max_iter=max_iter)  # lbfgs: multinomial, deterministic
        clf.fit(X, list(y))
        labels = [str(c) for c in clf.classes_]
        vote = None
        if neighbour_columns is not None and len(neighbour_columns) and neighbour_weight > 0:
            columns = np.asarray(neighbour_columns, dtype=np.int64)
            index = {label: i for i, label in enumerate(labels)}
            vote = NeighbourVote(columns, _unit_rows(np.asarray(X[:, columns].todense(), dtype=np.float32)),
                                 np.array([index[str(label)] for label in y], dtype=np.int64), int(k), float(temperature))
        return cls(labels, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32), vote,
                   float(neighbour_weight) if vote is not None else 0.0)

    @property
    def n_features(self) -> int:
        return int(self.coef.shape[1])

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        if X.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got {X.shape[1]}")
        z = np.asarray(X @ self.coef.T) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        probs = e / e.sum(axis=1, keepdims=True)
        if self.neighbours is None or self.neighbour_weight <= 0:
            return probs
        w = self.neighbour_weight
        return (1.0 - w) * probs + w * self.neighbours.proba(X, len(self.labels))

    def to_arrays(self) -> Dict[str, np.ndarray]:
        arrays = {"coef": self.coef, "intercept": self.intercept, "labels": np.array(self.labels, dtype=str)}
        if self.neighbours is not None:
            n = self.neighbours
            arrays.update(nn_columns=n.columns, nn_memory=n.memory, nn_label_index=n.label_index,
                          nn_settings=np.array([n.k, n.temperature, self.neighbour_weight], dtype=np.float64))
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> "LinearIntentModel":
        vote, weight = None, 0.0
        if "nn_memory" in arrays:
            k, temperature, weight = (float(x) for x in arrays["nn_settings"])
            vote = NeighbourVote(np.asarray(arrays["nn_columns"]), np.asarray(arrays["nn_memory"]),
                                 np.asarray(arrays["nn_label_index"]), int(k), temperature)
        return cls([str(x) for x in arrays["labels"]], np.asarray(arrays["coef"]), np.asarray(arrays["intercept"]),
                   vote, weight)
