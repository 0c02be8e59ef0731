"""One-row scoring of a fitted ``HistGradientBoostingClassifier`` in ~0.1 ms.

scikit-learn predicts tree by tree (one compiled call per tree, 400 trees here), which costs
several milliseconds per row — too slow for a per-turn forecast. :class:`FlatEnsemble` copies
the fitted trees' node arrays (``TreePredictor.nodes``, the categorical bitsets and the bin
mapper's known categories) into flat numpy arrays once, and walks all trees at the same time,
one vectorised step per depth level. The routing rules are scikit-learn 1.1's: NaN follows
``missing_go_to_left``; a categorical value goes left when it is in the node's left bitset,
right when it is a known category, and like a missing value otherwise; a numeric value goes
left when ``<= num_threshold``. ``tests/unit/test_forecast_serving.py`` and
``scripts/bench_forecast.py`` check it returns scikit-learn's numbers.
"""
from __future__ import annotations

import numpy as np


def _bits(bitsets: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether ``values[i]`` is set in bitset ``rows[i]`` (8 x uint32 = 256 categories)."""
    ok = (values >= 0) & (values < 256)
    v = np.where(ok, values, 0)
    words = bitsets[rows, v // 32]
    return ok & (((words >> (v % 32).astype(np.uint32)) & 1) == 1)


class FlatEnsemble:
    def __init__(self, booster) -> None:
        if booster.n_trees_per_iteration_ != 1:
            raise ValueError("FlatEnsemble scores binary classifiers only")
        trees = [iteration[0] for iteration in booster._predictors]
        sizes = np.array([len(t.nodes) for t in trees])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        nodes = np.concatenate([t.nodes for t in trees])
        node_offset = np.repeat(offsets, sizes)
        self.roots = offsets.astype(np.int64)
        self.left = nodes["left"].astype(np.int64) + node_offset
        self.right = nodes["right"].astype(np.int64) + node_offset
        self.feature = nodes["feature_idx"].astype(np.int64)
        self.threshold = nodes["num_threshold"].astype(np.float64)
        self.missing_left = nodes["missing_go_to_left"].astype(bool)
        self.is_leaf = nodes["is_leaf"].astype(bool)
        self.is_categorical = nodes["is_categorical"].astype(bool)
        self.value = nodes["value"].astype(np.float64)
        bitset_counts = np.array([t.raw_left_cat_bitsets.shape[0] for t in trees])
        bitset_offsets = np.concatenate([[0], np.cumsum(bitset_counts)[:-1]])
        self.left_bitsets = np.concatenate([t.raw_left_cat_bitsets for t in trees]).astype(np.uint32)
        self.bitset_row = nodes["bitset_idx"].astype(np.int64) + np.repeat(bitset_offsets, sizes)
        known, f_idx_map = booster._bin_mapper.make_known_categories_bitsets()
        self.known_bitsets = np.asarray(known, dtype=np.uint32)
        self.f_idx_map = np.asarray(f_idx_map, dtype=np.int64)
        self.baseline = float(np.ravel(booster._baseline_prediction)[0])
        self.max_depth = int(nodes["depth"].max()) + 1

    def raw(self, x: np.ndarray) -> float:
        """The booster's decision value for one row ``x`` (1-D, encoded features)."""
        idx = self.roots.copy()
        for _ in range(self.max_depth):
            inner = ~self.is_leaf[idx]
            if not inner.any():
                break
            active = idx[inner]
            values = x[self.feature[active]]
            missing = np.isnan(values)
            go_left = values <= self.threshold[active]
            cat = self.is_categorical[active] & ~missing
            if cat.any():
                nodes, codes = active[cat], values[cat].astype(np.int64)
                in_left = _bits(self.left_bitsets, self.bitset_row[nodes], codes)
                known = _bits(self.known_bitsets, self.f_idx_map[self.feature[nodes]], codes)
                go_left[cat] = np.where(in_left, True, np.where(known, False, self.missing_left[nodes]))
            go_left = np.where(missing, self.missing_left[active], go_left)
            idx[inner] = np.where(go_left, self.left[active], self.right[active])
        return self.baseline + float(self.value[idx].sum())
