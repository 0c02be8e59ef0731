"""Log every full (generation-2) garbage collection of the Rasa and action-server processes.

    rm -rf var/gc && PYTHONPATH=$PWD/scripts/gc_pauses .venv/bin/python scripts/bench_turns.py
    .venv/bin/python scripts/gc_pauses/sitecustomize.py      # per process: pauses after start-up

Python imports ``sitecustomize`` from PYTHONPATH at start, so the servers the benchmark starts
(Lift's Rasa and action server, the plain `rasa init` bot, which runs in its own directory: hence
the absolute path) each append "<unix time> <ms>" to
``var/gc/<lift|actions|plain>_<pid>.log`` for every full collection. The summary leaves out each
process's first 60 s (imports and model loading) and prints the collections after that, which
land in the middle of turns. See lift/observability/heap.py.
"""
import gc
import os
import sys
import time
from pathlib import Path

LOG_DIR = Path(__file__).resolve().parents[2] / "var" / "gc"
START_UP_S = 60.0


def _install() -> None:
    args = " ".join(sys.argv)
    if "rasa" not in args or "bench_turns" in args:
        return
    tag = "plain" if "var/bench" in args else ("actions" if " actions" in args else "lift")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    out = open(LOG_DIR / f"{tag}_{os.getpid()}.log", "a", buffering=1)
    started = {}

    def timed(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        elif info["generation"] == 2 and "t" in started:
            out.write(f"{time.time():.3f} {(time.perf_counter() - started['t']) * 1000:.1f}\n")

    gc.callbacks.append(timed)


def summary() -> int:
    logs = sorted(LOG_DIR.glob("*.log"))
    if not logs:
        print(f"no logs in {LOG_DIR}: run the benchmark with PYTHONPATH=$PWD/scripts/gc_pauses first", file=sys.stderr)
        return 2
    for log in logs:
        rows = [tuple(map(float, line.split())) for line in log.read_text().splitlines() if line.strip()]
        first = min((t for t, _ in rows), default=0.0)
        later = [ms for t, ms in rows if t - first > START_UP_S]
        print(f"{log.stem:<16} full collections after start-up: {len(later)}, "
              f"longest {max(later, default=0):.0f} ms, total {sum(later):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(summary())
else:
    _install()
