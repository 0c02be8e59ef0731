"""Train, evaluate, save and load the purchase-probability model.

The model is scikit-learn's ``HistGradientBoostingClassifier`` (native categorical splits for
Month / VisitorType / Weekend) wrapped in ``CalibratedClassifierCV`` (Platt scaling fitted on
out-of-fold predictions, ``ensemble=False`` so serving runs one booster, not five).
``train`` writes ``model.joblib`` and ``manifest.json`` under the forecast directory (``var/forecast``);
:func:`load_model` refuses a missing or foreign artefact with a message naming ``lift forecast train``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import numpy as np

from lift.forecast.schema import CATEGORICAL_MASK, COLUMNS, Table

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
BUILD_COMMAND = "lift forecast train"

# Chosen by 5-fold CV on the training file (README, model card); small leaves + strong
# regularisation: the file has only ~1,300 purchases.
HGB_PARAMS: Dict[str, Any] = dict(
    learning_rate=0.03, max_iter=400, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0,
)


def single_threaded():
    """OpenMP with one thread: on a busy shared machine the boosters' parallel regions wait on
    descheduled threads (measured: 10 s single-threaded vs 476 s with 2 threads at load 10)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


class ForecastModelMissing(RuntimeError):
    """No usable model artefact; the message names the command that builds it."""


def make_estimator(seed: int = 0):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    booster = HistGradientBoostingClassifier(categorical_features=CATEGORICAL_MASK, random_state=seed, **HGB_PARAMS)
    return CalibratedClassifierCV(booster, method="sigmoid", cv=5, ensemble=False)


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Bin-count-weighted mean |observed rate - mean prediction| over equal-width bins."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() * abs(y[mask].mean() - p[mask].mean())
    return float(total / len(y))


@dataclass(frozen=True)
class Evaluation:
    auc: float
    brier: float
    ece: float
    folds: int
    rows: int
    positives: int
    oof: np.ndarray

    def metrics(self) -> Dict[str, Any]:
        return {"auc": round(self.auc, 4), "brier": round(self.brier, 4), "ece": round(self.ece, 4),
                "folds": self.folds, "rows": self.rows, "positive_rate": round(self.positives / self.rows, 4)}


def cross_validate(table: Table, folds: int = 5, seed: int = 0) -> Evaluation:
    """Stratified k-fold: every row is scored by a model that never saw it."""
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if table.y is None:
        raise ValueError("cross-validation needs the outcome column Revenue")
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with single_threaded():
        oof = cross_val_predict(make_estimator(seed), table.X, table.y, cv=skf, method="predict_proba")[:, 1]
    return Evaluation(
        auc=float(roc_auc_score(table.y, oof)), brier=float(brier_score_loss(table.y, oof)),
        ece=expected_calibration_error(table.y, oof), folds=folds, rows=len(table.y),
        positives=int(table.y.sum()), oof=oof,
    )


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def train(table: Table, data_path: Path, out_dir: Path, evaluation: Optional[Evaluation] = None,
          seed: int = 0) -> Dict[str, Any]:
    """Fit on all rows, write the artefact + manifest atomically enough (manifest last)."""
    import joblib
    import sklearn

    if table.y is None:
        raise ValueError("training needs the outcome column Revenue")
    with single_threaded():
        estimator = make_estimator(seed).fit(table.X, table.y)
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, out_dir / MODEL_FILE)
    manifest = {
        "format": FORMAT_VERSION,
        "model": "HistGradientBoostingClassifier + CalibratedClassifierCV(sigmoid, cv=5, ensemble=False)",
        "params": HGB_PARAMS,
        "features": list(COLUMNS),
        "categorical": [c for c, is_cat in zip(COLUMNS, CATEGORICAL_MASK) if is_cat],
        "training_data": {"file": data_path.name, "sha256": file_sha256(data_path), "rows": int(len(table.y)),
                          "positive_rate": round(float(table.y.mean()), 4)},
        "trained_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "sklearn": sklearn.__version__,
        "model_sha256": file_sha256(out_dir / MODEL_FILE),
        "metrics": evaluation.metrics() if evaluation else None,
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_model(model_dir: Path) -> Tuple[Any, Dict[str, Any]]:
    """The fitted estimator and its manifest; :class:`ForecastModelMissing` when unusable."""
    import joblib
    import sklearn

    manifest_path, model_path = model_dir / MANIFEST_FILE, model_dir / MODEL_FILE
    if not manifest_path.exists() or not model_path.exists():
        raise ForecastModelMissing(f"no forecast model in {model_dir}: run `{BUILD_COMMAND}` first")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ForecastModelMissing(f"forecast manifest {manifest_path} is unreadable ({exc}): "
                                   f"run `{BUILD_COMMAND}` again") from None
    if manifest.get("format") != FORMAT_VERSION or manifest.get("features") != list(COLUMNS):
        raise ForecastModelMissing(f"forecast model in {model_dir} was built by another version of Lift: "
                                   f"run `{BUILD_COMMAND}` again")
    if manifest.get("sklearn") != sklearn.__version__:
        raise ForecastModelMissing(f"forecast model was built with scikit-learn {manifest.get('sklearn')}, "
                                   f"this is {sklearn.__version__}: run `{BUILD_COMMAND}` again")
    if manifest.get("model_sha256") != file_sha256(model_path):
        raise ForecastModelMissing(f"forecast model {model_path} does not match its manifest: "
                                   f"run `{BUILD_COMMAND}` again")
    return joblib.load(model_path), manifest


def plot_calibration(y: np.ndarray, p: np.ndarray, out: Path, title: str) -> None:
    """Reliability diagram (observed purchase rate per predicted-probability bin) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve

    frac_pos, mean_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot(mean_pred, frac_pos, marker="o", label="Lift forecast (out-of-fold)")
    ax.set_xlabel("predicted purchase probability")
    ax.set_ylabel("observed purchase rate")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
