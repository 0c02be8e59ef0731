"""What the benchmark scripts (scripts/bench_*.py) share: percentiles of timings (numpy's, linear
interpolation), their p50/p95/mean summary, and the tables they print (tabulate).

Import it as ``from scripts.benchlib import ...`` (the scripts put the project root on sys.path).
"""
from __future__ import annotations

from typing import Dict, Iterable, Sequence, Union

import numpy as np
from tabulate import tabulate


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values``, numpy's linear interpolation; nan when empty."""
    arr = np.asarray(list(values), dtype=float)
    return float(np.percentile(arr, q)) if arr.size else float("nan")


def summary(values: Iterable[float], digits: int = 3, scale: float = 1.0) -> Dict[str, float]:
    """``n``, ``p50_ms``, ``p95_ms`` and ``mean_ms`` of timings (``scale`` turns them into
    milliseconds: 1000 for seconds), rounded to ``digits``; nan figures when there are none."""
    ms = [float(v) * scale for v in values]
    mean = float(np.mean(ms)) if ms else float("nan")
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), digits), "p95_ms": round(percentile(ms, 95), digits),
            "mean_ms": round(mean, digits)}


def table(rows: Iterable[Sequence], headers: Sequence[str], *, markdown: bool = False,
          floatfmt: Union[str, Sequence[str]] = "g", indent: str = "") -> str:
    """``rows`` under ``headers``, numbers right-aligned: a terminal table, or with ``markdown`` a
    GitHub table as the README quotes it. Numbers are formatted with ``floatfmt`` (one format for
    every float, or one per column); a column holding strings shows them as given. ``indent``
    prefixes every line."""
    rows = [list(row) for row in rows]
    as_given = [i for i in range(len(headers)) if any(isinstance(row[i], str) for row in rows)]  # "143 ms", "1.000"
    text = tabulate(rows, headers=list(headers), tablefmt="github" if markdown else "simple",
                    floatfmt=floatfmt if isinstance(floatfmt, str) else list(floatfmt), disable_numparse=as_given)
    return "\n".join(indent + line for line in text.splitlines())
