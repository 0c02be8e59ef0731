"""The forecast as a user runs it: the real `lift forecast` commands in a subprocess on a real
(small) trained model, plus the schema checks and calibration sanity on held-out rows."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lift.forecast.model import ForecastModelMissing, expected_calibration_error, load_model, train
from lift.forecast.schema import COLUMNS, ForecastInputError, encode_row, read_table

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "external" / "online_shoppers_train.csv"


def _rows():
    with DATA.open(newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows, columns=None) -> Path:
    columns = columns or list(rows[0].keys())
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """A model trained on a 60% stratified sample, and the other 40% held out for checks."""
    from sklearn.model_selection import train_test_split

    rows = _rows()
    labels = [r["Revenue"] for r in rows]
    fit_rows, held_rows = train_test_split(rows, train_size=0.6, stratify=labels, random_state=7)
    base = tmp_path_factory.mktemp("forecast")
    train_csv = _write(base / "train.csv", fit_rows)
    model_dir = base / "model"
    train(read_table(train_csv, require_outcome=True), train_csv, model_dir)
    return model_dir, held_rows, base


def run_lift(args, model_dir: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LIFT_FORECAST_DIR": str(model_dir)}
    return subprocess.run([sys.executable, "-m", "lift.cli", "forecast", *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=str(ROOT))


def test_calibrated_on_held_out_sessions(split):
    model_dir, held, base = split
    estimator, manifest = load_model(model_dir)
    table = read_table(_write(base / "held.csv", held), require_outcome=True)
    p = estimator.predict_proba(table.X)[:, 1]
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(table.y, p) > 0.88
    # Calibrated: the mean forecast matches the observed purchase rate, and bins are close.
    assert abs(p.mean() - table.y.mean()) < 0.02
    assert expected_calibration_error(table.y, p) < 0.04
    assert manifest["features"] == list(COLUMNS)
    assert len(manifest["training_data"]["sha256"]) == 64


def test_score_prints_one_line_per_row_in_order(split, tmp_path):
    model_dir, held, _ = split
    rows = held[:40]
    no_outcome = [c for c in COLUMNS]
    forward = run_lift(["score", str(_write(tmp_path / "a.csv", rows, no_outcome)), "--json"], model_dir)
    backward = run_lift(["score", str(_write(tmp_path / "b.csv", rows[::-1], no_outcome))], model_dir)
    assert forward.returncode == 0, forward.stderr
    lines = [json.loads(line) for line in forward.stdout.splitlines()]
    assert len(lines) == 40 and all(set(d) == {"p"} and 0.0 <= d["p"] <= 1.0 for d in lines)
    assert [json.loads(line) for line in backward.stdout.splitlines()] == lines[::-1]
    # The same rows in-process give the same numbers (the CLI scores what it read, row by row).
    estimator, _ = load_model(model_dir)
    expected = estimator.predict_proba(read_table(tmp_path / "a.csv").X)[:, 1]
    assert np.allclose([d["p"] for d in lines], expected, atol=1e-6)
    assert len({d["p"] for d in lines}) > 10


def test_score_accepts_the_outcome_column(split, tmp_path):
    model_dir, held, _ = split
    result = run_lift(["score", str(_write(tmp_path / "with_revenue.csv", held[:3]))], model_dir)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


@pytest.mark.parametrize("case, needle", [
    ("missing_column", "missing column(s): PageValues"),
    ("extra_column", "unexpected column(s): 'Coupon'"),
    ("non_numeric", "column 'BounceRates' must be a number"),
    ("empty", "empty"),
    ("header_only", "no sessions"),
    ("no_file", "no such file"),
    ("bad_month", "column 'Month'"),
])
def test_bad_input_exits_2_with_a_clear_message(split, tmp_path, case, needle):
    model_dir, held, _ = split
    rows = [dict(r) for r in held[:3]]
    path = tmp_path / f"{case}.csv"
    if case == "missing_column":
        _write(path, rows, [c for c in COLUMNS if c != "PageValues"])
    elif case == "extra_column":
        for r in rows:
            r["Coupon"] = "x"
        _write(path, rows, list(COLUMNS) + ["Coupon"])
    elif case == "non_numeric":
        rows[1]["BounceRates"] = "lots"
        _write(path, rows)
    elif case == "empty":
        path.write_text("")
    elif case == "header_only":
        path.write_text(",".join(COLUMNS) + "\n")
    elif case == "bad_month":
        rows[0]["Month"] = "Smarch"
        _write(path, rows)
    result = run_lift(["score", str(path), "--json"], model_dir)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_no_model_exits_3_naming_the_build_command(split, tmp_path):
    _, held, _ = split
    result = run_lift(["score", str(_write(tmp_path / "ok.csv", held[:2]))], tmp_path / "nothing")
    assert result.returncode == 3
    assert "lift forecast train" in result.stderr


def test_tampered_artefact_is_refused(split, tmp_path):
    import shutil

    model_dir, _, _ = split
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    with (copy / "model.joblib").open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ForecastModelMissing, match="lift forecast train"):
        load_model(copy)


def test_encode_row_accepts_both_june_spellings_and_rejects_negatives():
    row = dict(_rows()[0])
    row.pop("Revenue")
    row["Month"] = "June"
    a = encode_row(row)
    row["Month"] = "Jun"
    assert encode_row(row) == a
    row["ProductRelated"] = "-3"
    with pytest.raises(ForecastInputError, match="negative"):
        encode_row(row)


def test_ece_is_zero_for_perfect_bins_and_large_for_overconfidence():
    y = np.array([0] * 80 + [1] * 20)
    assert expected_calibration_error(y, np.full(100, 0.2)) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.full(100, 0.9)) == pytest.approx(0.7)
