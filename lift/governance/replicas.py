"""Every Rasa replica serves the promoted model, including one that was down during a promotion.

``models/promoted.tar.gz`` (written by :class:`~.registry.Registry`) is the one pointer to the
model every replica should serve. Two parts keep the replicas on it:

* **the replica list**: ``lift ops run`` writes which Rasa processes serve the promoted model
  behind its public URL (:func:`write_replicas`, ``var/run/replicas-<LIFT_RASA_PORT>.json``;
  removed when it stops). ``lift model promote|rollback`` switches each of them
  (:func:`replica_urls`); without such a file only ``LIFT_RASA_URL`` (or the Rasa port) is switched.
* **the model sync** (:class:`ModelSync`, run by the supervisor every ``LIFT_MODEL_SYNC``
  seconds): a replica whose ``GET /status`` names another model than the pointer's is switched
  with ``PUT /model``. A replica that was down during a promotion, or restarted by the
  supervisor with the model it was started with, is on the promoted model within one round of
  answering again. A model a replica refuses is retried after :data:`RETRY_FAILED_AFTER` seconds.
"""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from lift.governance.rasa_switch import RasaSwitchError, served_model, switch_model
from lift.governance.registry import PROMOTED_LINK

logger = logging.getLogger(__name__)

RETRY_FAILED_AFTER = 60.0


def replicas_file(root: Path, rasa_port: int) -> Path:
    return root / "var" / "run" / f"replicas-{rasa_port}.json"


def write_replicas(path: Path, front: str, replicas: Dict[str, str]) -> None:
    """Record the replicas (name -> URL) serving the promoted model behind ``front``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"front": front, "replicas": replicas}, indent=1))
    os.replace(tmp, path)


def replica_urls(path: Path, front: str) -> List[str]:
    """The replica URLs ``lift ops run`` recorded for ``front``; ``[front]`` when none are."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return [front]
    replicas = data.get("replicas") if isinstance(data, dict) and data.get("front") == front else None
    return list(replicas.values()) if isinstance(replicas, dict) and replicas else [front]


def promoted_target(models_dir: Path) -> Optional[Tuple[Path, str]]:
    """(archive, model_id) the pointer names; None before any promotion. Registry copies are
    named ``<model_id>.tar.gz`` (:meth:`~.registry.Registry.scan`)."""
    link = models_dir / PROMOTED_LINK
    if not link.exists():
        return None
    archive = link.resolve()
    return archive, archive.name[: -len(".tar.gz")]


class ModelSync:
    """One round (:meth:`sync_once`) puts every reachable replica on the promoted model."""

    def __init__(self, replicas: Dict[str, str], token: Optional[str], models_dir: Path,
                 say: Callable[[str], None] = logger.warning) -> None:
        self.replicas = dict(replicas)
        self.token = token
        self.models_dir = Path(models_dir)
        self.say = say
        self._failed: Dict[Tuple[str, str], float] = {}

    def sync_once(self) -> Dict[str, str]:
        """Per replica: ``current``, ``down`` (no answer or no model yet), ``switched``, ``failed``
        or ``waiting`` (failed recently; retried later). Empty before any promotion."""
        target = promoted_target(self.models_dir)
        if target is None:
            return {}
        archive, model_id = target
        states: Dict[str, str] = {}
        for name, url in self.replicas.items():
            served = served_model(url, self.token)
            if served is None:
                states[name] = "down"
            elif served == model_id:
                states[name] = "current"
            elif time.monotonic() - self._failed.get((name, model_id), -RETRY_FAILED_AFTER) < RETRY_FAILED_AFTER:
                states[name] = "waiting"
            else:
                states[name] = self._switch(name, url, archive, model_id, served)
        return states

    def _switch(self, name: str, url: str, archive: Path, model_id: str, served: str) -> str:
        if promoted_target(self.models_dir) != (archive, model_id):
            return "waiting"  # promoted again during this round: the next round uses the new pointer
        try:
            result = switch_model(url, self.token, archive, model_id)
        except RasaSwitchError as exc:
            self._failed[(name, model_id)] = time.monotonic()
            self.say(f"model sync: {name} did not switch to the promoted model {model_id}: {exc}")
            return "failed"
        if not result.reached:
            return "down"
        self._failed.pop((name, model_id), None)
        self.say(f"model sync: {name} switched from {served} to the promoted model {model_id} "
                 f"({result.seconds:.1f} s)")
        return "switched"
