"""What the benchmark scripts (scripts/bench_*.py) share: percentiles of timings (numpy's, linear
interpolation), their p50/p95/mean summary, and the tables they print (tabulate).

Also the throwaway PostgreSQL database a bench runs against (:func:`postgres_database`). Import it
as ``from scripts.benchlib import ...`` (the scripts put the project root on sys.path).
"""
from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterable, Sequence, Tuple, Union

import numpy as np
from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]


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


def postgres_database(who: str, stop_server: bool = False) -> Tuple[str, Callable[[], None]]:
    """(url, cleanup) of a fresh database on scripts/pg.sh's PostgreSQL. ``cleanup`` drops it and,
    with ``stop_server``, stops the server when this call started it. Exits with pg.sh's message
    (prefixed by ``who``) when PostgreSQL cannot be started."""
    import sqlalchemy as sa

    proc = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{who}: scripts/pg.sh failed:\n{proc.stderr}")
    started = "started" in proc.stderr
    server = sa.engine.make_url(proc.stdout.strip().splitlines()[-1])
    name = f"lift_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def cleanup() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if stop_server and started:
            subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop"], capture_output=True)

    return server.set(database=name).render_as_string(hide_password=False), cleanup
