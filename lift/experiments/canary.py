"""The model itself as a variant (a canary): experiment surface ``model``.

Rasa 3.6 serves one model per process, so the candidate runs in a second Rasa on a loopback port
(``make run`` starts it when the experiment is live: ``LIFT_CANARY_PORT``), sharing the tracker
store, the action server and the database with the front Rasa. The front's channels
(``lift.channels.canary``) decide per conversation, before Rasa sees the message:

* a conversation already routed keeps its model for the life of the process, and one with a
  stored ``experiment_assignments`` row keeps that variant even after the experiment stops
  (stopping ends *new* exposure; a conversation never changes model mid-way);
* otherwise, while the experiment is running (or shipped), the sticky hash assignment decides and
  is recorded like any other experiment's;
* variant ``candidate`` is forwarded to the canary's REST webhook (its replies are relayed to the
  shopper's channel); ``current`` is answered by the front's own model.

Every event Rasa stores carries the serving model's ``model_id`` (``metadata.model_id``, also
``micro_conversions.model_id``), and ``lift report experiment`` compares the two variants like
any other experiment. ``params.candidate_model`` names the candidate in the model registry
(``lift model list``: id, id prefix or file name); :func:`candidate_archive` resolves it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

SURFACE = "model"
CURRENT, CANDIDATE = "current", "candidate"


def check_params(params: Dict[str, Any], variants: List[str]) -> List[str]:
    """Problems with a model-canary experiment (experiments.yml)."""
    problems = []
    if variants and variants != [CURRENT, CANDIDATE]:
        problems.append(f"surface '{SURFACE}' needs exactly the variants {CURRENT} (first: the baseline) and "
                        f"{CANDIDATE}, got {', '.join(variants)}")
    ref = params.get("candidate_model")
    if not isinstance(ref, str) or not ref.strip():
        problems.append("params.candidate_model must name the candidate in the model registry "
                        "(a model id, id prefix or file name from `lift model list`)")
    for key in sorted(set(params) - {"candidate_model"}):
        problems.append(f"unknown params key '{key}' for surface '{SURFACE}' (allowed: candidate_model)")
    return problems


def routes_to_candidate(variant: str | None) -> bool:
    return variant == CANDIDATE


def candidate_model(registry, experiment) -> Tuple[str, Path]:
    """model_id and registry copy of the experiment's candidate (``RegistryError`` if unknown)."""
    model = registry.find(str(experiment.param("candidate_model")))
    return model["model_id"], (registry.models_dir / model["file"]).resolve()
