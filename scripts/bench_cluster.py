"""Throughput under load: `make run-cluster` against a plain `rasa init` bot, in the same run.

    make bench-cluster     # or: .venv/bin/python scripts/bench_cluster.py [--shoppers 20] [--seconds 60]
    .venv/bin/python scripts/bench_cluster.py --soak 600    # + a bounded soak with memory per process

N concurrent shoppers (threads) each run ten-turn conversations back to back over REST for the
given time, first against the cluster (nginx -> 2 Rasa replicas -> 2 action servers, PostgreSQL,
Redis), then against the plain bot. Prints msg/s, p50/p95 latency and errors for both and the
ratios; ``--single`` adds `make run`'s single Lift process to the same run. The soak keeps the
shoppers on the cluster for --soak seconds (at most 600) and reports every process's resident
memory at start and end. Writes var/bench/cluster.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench_turns import LIFT_SCRIPT  # noqa: E402
from scripts.benchlib import percentile, postgres_database, table  # noqa: E402
from tests.support.cluster import Cluster  # noqa: E402
from tests.support.plain_bot import PLAIN_SCRIPT, PlainBot, plain_bot_model  # noqa: E402
from tests.support.servers import LiftStack, http  # noqa: E402


def load(url: str, script, shoppers: int, seconds: float) -> dict:
    """``shoppers`` threads talk for ``seconds``; every turn's latency and every failure count."""
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.monotonic() + seconds

    def shopper():
        while time.monotonic() < stop_at:
            me = f"bench-{uuid.uuid4().hex[:10]}"
            for message in script:
                if time.monotonic() >= stop_at:
                    return
                t0 = time.perf_counter()
                try:
                    status, _, _ = http("POST", f"{url}/webhooks/rest/webhook", {"sender": me, "message": message},
                                        timeout=60)
                except OSError:
                    status = 0
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if status == 200:
                        latencies.append(ms)
                    else:
                        errors[0] += 1

    t0, load_before = time.monotonic(), os.getloadavg()[0]
    threads = [threading.Thread(target=shopper) for _ in range(shoppers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.monotonic() - t0
    # the machine's 1-minute load average: other work on the host competes for the same cores
    return {"messages": len(latencies), "errors": errors[0], "seconds": round(elapsed, 1),
            "host_load_avg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "msg_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 95), 1) if latencies else None}


def rss_mb(pid: int) -> float:
    """Resident memory of a process group (the process and its children), in MB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pid:  # process group id
                status = (stat.parent / "status").read_text()
                total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return round(total / 1024, 1)


def memory(cluster: Cluster) -> dict:
    return {p["name"]: rss_mb(p["pid"]) for p in cluster.health()["processes"] if p["pid"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shoppers", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--single", action="store_true", help="also measure make run's single Lift process")
    ap.add_argument("--soak", type=float, default=0, help="soak seconds on the cluster (0: none, at most 600)")
    args = ap.parse_args()
    if not 0 <= args.soak <= 600 or args.shoppers < 1 or args.seconds <= 0:
        print("bench_cluster: --soak must be 0..600 s, --shoppers >= 1, --seconds > 0", file=sys.stderr)
        return 2
    plain_model = plain_bot_model()
    work = Path(tempfile.mkdtemp(prefix="lift-bench-cluster-"))
    # a fresh database, dropped afterwards; the server is stopped afterwards if this started it
    db_url, drop_database = postgres_database("bench_cluster", stop_server=True)
    result = {"shoppers": args.shoppers, "seconds": args.seconds}
    try:
        with Cluster(work / "cluster", db_url=db_url) as cluster:
            load(cluster.url, LIFT_SCRIPT, args.shoppers, 10)  # warm-up: first-call costs per replica
            result["cluster"] = load(cluster.url, LIFT_SCRIPT, args.shoppers, args.seconds)
            if args.soak:
                start_mem = memory(cluster)
                soak = load(cluster.url, LIFT_SCRIPT, args.shoppers, args.soak)
                result["soak"] = {**soak, "rss_mb_start": start_mem, "rss_mb_end": memory(cluster)}
        plain = PlainBot(plain_model, work)
        try:
            load(plain.url, PLAIN_SCRIPT, args.shoppers, 10)
            result["plain_rasa_init"] = load(plain.url, PLAIN_SCRIPT, args.shoppers, args.seconds)
        finally:
            plain.stop()
        if args.single:
            with LiftStack(work / "single", db_url=db_url) as single:
                load(single.rasa_url, LIFT_SCRIPT, args.shoppers, 10)
                result["single_lift"] = load(single.rasa_url, LIFT_SCRIPT, args.shoppers, args.seconds)
    finally:
        drop_database()
    c, p = result["cluster"], result["plain_rasa_init"]
    result["throughput_ratio_cluster_vs_plain"] = round(c["msg_per_s"] / p["msg_per_s"], 2)
    result["p95_ratio_cluster_vs_plain"] = round(c["p95_ms"] / p["p95_ms"], 2)
    out = ROOT / "var" / "bench" / "cluster.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"{args.shoppers} concurrent shoppers, {args.seconds:.0f} s each")
    rows = [(n, result[n]["msg_per_s"], result[n]["p50_ms"], result[n]["p95_ms"], result[n]["errors"],
             result[n]["host_load_avg"]) for n in ("cluster", "plain_rasa_init", "single_lift") if n in result]
    print(table(rows, ["target", "msg/s", "p50 ms", "p95 ms", "errors", "host load avg start/end"], floatfmt=".1f"))
    print(f"host: {os.cpu_count()} cores")
    print(f"cluster / plain: throughput {result['throughput_ratio_cluster_vs_plain']}x (target >= 1.5x), "
          f"p95 {result['p95_ratio_cluster_vs_plain']}x (target <= 1x)")
    if "soak" in result:
        s = result["soak"]
        print(f"soak {s['seconds']} s: {s['messages']} messages, {s['msg_per_s']} msg/s, p95 {s['p95_ms']} ms, "
              f"{s['errors']} errors; resident MB start -> end:")
        print(table([(name, mb, s["rss_mb_end"].get(name, "gone")) for name, mb in s["rss_mb_start"].items()],
                    ["process", "start MB", "end MB"], floatfmt=".1f", indent="  "))
    print(f"written: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
