"""``lift simulate``: scripted shoppers with known conversion probabilities per variant talk to
a running Lift stack over REST on loopback, so the whole loop (assignment at session start ->
behaviour -> micro-conversions in the tracker store -> report) runs for real.

Each shopper is a fresh sender id; its variant is the one the server assigns (the same hash,
:func:`lift.measure.variants.variant_for`, and nobody was assigned before), which sets its
probability of converting on the experiment's metric. Turns are intent payloads
(``/intent{...}``) so the outcome does not depend on NLU accuracy. Bounded: at most
``MAX_SHOPPERS`` shoppers, ``MAX_CONCURRENCY`` at a time, and a wall-clock deadline after which
no new shopper starts.
"""
from __future__ import annotations

import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from lift.experiments.config import Experiment
from lift.measure.variants import variant_for

MAX_SHOPPERS = 5000
MAX_CONCURRENCY = 16
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SUPPORTED_METRICS = ("cart_item_added", "price_viewed")
RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


class SimulationError(ValueError):
    """Bad parameters (exit 2)."""


class StackUnavailable(RuntimeError):
    """The Rasa server does not answer (exit 3)."""


@dataclass
class SimulationResult:
    experiment: str
    metric: str
    run_id: str
    shoppers: int
    variants: Dict[str, Dict[str, int]] = field(default_factory=dict)  # {variant: {shoppers, converted}}
    failed: int = 0
    not_started: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def check_url(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK:
        raise SimulationError(f"--url must be a loopback http URL (127.0.0.1/localhost), got {url!r}")
    return url.rstrip("/")


def _say(url: str, sender: str, message: str, timeout: float) -> list:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode() or "[]")


def _turns(metric: str, sku: str, category: str, converts: bool) -> List[str]:
    browse = f'/search_product{{"category":"{category}"}}'
    convert = {"cart_item_added": f'/add_to_cart{{"product":"{sku}"}}',
               "price_viewed": f'/ask_price{{"product":"{sku}"}}'}[metric]
    return ["/greet", browse] + ([convert] if converts else []) + ["/thank"]


def simulate(url: str, experiment: Experiment, rates: Dict[str, float], shoppers: int, *, products: Sequence,
             metric: str, seed: int = 0, concurrency: int = 8, deadline_s: float = 600.0,
             request_timeout: float = 60.0, run_id: Optional[str] = None) -> SimulationResult:
    """Run ``shoppers`` scripted conversations; ``products`` are catalog products (sku, category).

    Sender ids are ``sim-<run_id>-<i>``; the run id defaults to the seed plus a clock stamp so that
    repeated runs start new conversations. A fixed ``run_id`` replays the same assignment draw
    (sender ids hash to the same variants), so a run is reproducible end to end."""
    url = check_url(url)
    if run_id is not None and not RUN_ID.fullmatch(run_id):
        raise SimulationError("--run-id takes 1 to 40 letters, digits, '-' or '_'")
    if not 1 <= shoppers <= MAX_SHOPPERS:
        raise SimulationError(f"--shoppers must be between 1 and {MAX_SHOPPERS}")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise SimulationError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if metric not in SUPPORTED_METRICS:
        raise SimulationError(f"the simulator can script {', '.join(SUPPORTED_METRICS)}; not {metric!r}")
    unknown = set(rates) - set(experiment.variant_names)
    if unknown:
        raise SimulationError(f"--rate names unknown variant(s) {', '.join(sorted(unknown))}; "
                              f"{experiment.name} has {', '.join(experiment.variant_names)}")
    if any(not 0 <= p <= 1 for p in rates.values()):
        raise SimulationError("conversion rates must be between 0 and 1")
    in_stock = [p for p in products if p.stock > 0]
    if not in_stock:
        raise SimulationError("the catalog has no product in stock to add to a cart")
    try:  # Rasa's root answers without starting a conversation (no assignment for a probe)
        urllib.request.urlopen(f"{url}/", timeout=request_timeout).close()
    except (urllib.error.URLError, OSError) as exc:
        raise StackUnavailable(f"the Rasa server at {url} does not answer ({exc}); start it with `make run`") from None

    run_id = run_id or f"{seed}-{time.time_ns() % 10**8:08d}"
    result = SimulationResult(experiment.name, metric, run_id, shoppers,
                              {v: {"shoppers": 0, "converted": 0} for v in experiment.variant_names})
    started = time.monotonic()

    def shopper(i: int):
        if time.monotonic() - started > deadline_s:
            return None
        sender = f"sim-{run_id}-{i:05d}"
        variant = variant_for(sender, experiment.weights, salt=experiment.hash_salt)
        rng = random.Random(f"{seed}:{i}")
        product = in_stock[rng.randrange(len(in_stock))]
        converts = rng.random() < rates.get(variant, 0.0)
        try:
            for message in _turns(metric, product.sku, product.category, converts):
                _say(url, sender, message, request_timeout)
        except (urllib.error.URLError, OSError, ValueError):
            return variant, converts, False
        return variant, converts, True

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for outcome in pool.map(shopper, range(shoppers)):
            if outcome is None:
                result.not_started += 1
                continue
            variant, converts, ok = outcome
            if not ok:
                result.failed += 1
                continue
            result.variants[variant]["shoppers"] += 1
            result.variants[variant]["converted"] += int(converts)
    result.seconds = round(time.monotonic() - started, 1)
    return result
