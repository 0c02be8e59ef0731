"""The model registry: every trained model with its evidence, promotion on quality gates,
rollback, and the switch of the serving Rasa without a restart.

* :func:`scan` registers each ``models/*.tar.gz`` not seen before (by Rasa's ``model_id`` from the
  archive's ``metadata.json``), keeps an immutable copy as ``models/registry/<model_id>.tar.gz``, and
  records the archive's SHA-256 (fingerprint), the training-data hash (Rasa's own core/NLU/config
  fingerprints stored in the archive) and the evaluation results of the files named in
  ``governance.yml`` (a result file belongs to the newest model trained before it was written;
  absent files are recorded as missing).
* :func:`promote` refuses a model below a gate (or without the evaluation a gate needs) unless
  forced with a reason; :func:`rollback` returns to the model served before the current one.
  Both point ``models/promoted.tar.gz`` at the registry copy (what ``make run`` serves at start)
  and ask every running Rasa replica to load it (``PUT /model`` with ``RASA_AUTH_TOKEN``), so the
  next turn is answered by it. The first replica that answers must load it (else nothing changed);
  a replica that is down or fails after that is reported, and :mod:`.replicas` (the supervisor's
  model sync) brings it onto the pointer when it is back. Every registration, promotion and
  rollback is appended to ``audit_log``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.store.models import Deployment, RegisteredModel
from lift.governance import audit
from lift.governance.policy import Policy
from lift.governance.rasa_switch import RasaSwitchError, SwitchResult, switch_model
from lift.retrieval.sources import sha256_file

PROMOTED_LINK = "promoted.tar.gz"
REGISTRY_DIR = "registry"


class RegistryError(ValueError):
    """A model cannot be found, promoted or rolled back; the message says why. Nothing changed."""


class GateFailure(RegistryError):
    def __init__(self, model_id: str, failures: List[str]):
        super().__init__(f"model {model_id} is below the quality gates: " + "; ".join(failures)
                         + " (use --force --reason TEXT to promote anyway)")
        self.failures = failures


def ensure_tables(engine: Engine) -> None:
    if not sa.inspect(engine).has_table("model_deployments"):
        from lift.store.schema import upgrade

        upgrade(engine)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def read_archive(path: Path) -> Dict[str, Any]:
    """model_id, trained_at, rasa version and training-data hash from a Rasa model archive."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            meta = json.load(tar.extractfile("metadata.json"))
            try:
                fps = json.load(tar.extractfile("components/finetuning_validator/fingerprints-for-validation.json"))
            except KeyError:
                fps = {}
    except (tarfile.TarError, KeyError, OSError, ValueError, TypeError) as exc:
        raise RegistryError(f"{path} is not a readable Rasa model archive ({exc.__class__.__name__})") from None
    data_fp = {k: fps.get(k) for k in ("fingerprint-core", "fingerprint-nlu", "fingerprint-config")}
    return {"model_id": str(meta["model_id"]), "trained_at": str(meta.get("trained_at", "")),
            "rasa_version": meta.get("rasa_open_source_version"),
            "training_data_hash": hashlib.sha256(audit.canonical(data_fp).encode()).hexdigest()}


def _lookup(data: Any, dotted: str) -> Any:
    """``a.b c.d`` -> data["a"]["b c"]["d"] (keys may contain spaces)."""
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


@dataclass
class Registry:
    engine: Engine
    models_dir: Path
    root: Path
    policy: Policy
    actor: Optional[str] = None
    notes: List[str] = field(default_factory=list)

    # -- registration ----------------------------------------------------------------
    def scan(self) -> List[Dict[str, Any]]:
        """Register new archives and attach evaluation results; returns :meth:`models`."""
        ensure_tables(self.engine)
        reg_dir = self.models_dir / REGISTRY_DIR
        for path in sorted(self.models_dir.glob("*.tar.gz")):
            if path.is_symlink() or not path.is_file():
                continue
            try:
                info = read_archive(path)
            except RegistryError as exc:
                self.notes.append(str(exc))
                continue
            with self.engine.begin() as conn:
                if conn.execute(sa.select(RegisteredModel.model_id).where(RegisteredModel.model_id == info["model_id"])).first():
                    continue
                reg_dir.mkdir(parents=True, exist_ok=True)
                copy = reg_dir / f"{info['model_id']}.tar.gz"
                if not copy.exists():
                    tmp = copy.with_suffix(".part")
                    shutil.copy2(path, tmp)
                    os.replace(tmp, copy)
                fingerprint = sha256_file(copy)
                audit.lock_chain(conn)
                conn.execute(sa.insert(RegisteredModel).values(
                    model_id=info["model_id"], file=str(copy.relative_to(self.models_dir)), source_name=path.name,
                    fingerprint=fingerprint, training_data_hash=info["training_data_hash"],
                    trained_at=info["trained_at"], registered_at=_now(), rasa_version=info["rasa_version"], evaluations="{}"))
                audit.append_audit(conn, self.actor, "model.register", f"model:{info['model_id']}", "",
                                   {"file": path.name, "fingerprint": fingerprint,
                                    "training_data_hash": info["training_data_hash"]})
        self._attach_evaluations()
        return self.models()

    def _attach_evaluations(self) -> None:
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(RegisteredModel.model_id, RegisteredModel.trained_at,
                                          RegisteredModel.evaluations)).all()
            if not rows:
                return
            by_time = sorted(rows, key=lambda r: r.trained_at)
            evals = {r.model_id: json.loads(r.evaluations or "{}") for r in rows}
            for name, rel in self.policy.evaluations.items():
                path = (self.root / rel)
                for r in rows:
                    evals[r.model_id].setdefault(name, "missing")
                if not path.is_file():
                    continue
                mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).replace(tzinfo=None).isoformat()
                owners = [r for r in by_time if r.trained_at and r.trained_at <= mtime]
                if not owners:
                    continue
                try:
                    results = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self.notes.append(f"evaluation file {rel} is not valid JSON; ignored")
                    continue
                evals[owners[-1].model_id][name] = {"file": rel, "written_at": mtime, "results": results}
            for model_id, value in evals.items():
                conn.execute(sa.update(RegisteredModel).where(RegisteredModel.model_id == model_id)
                             .values(evaluations=audit.canonical(value)))

    # -- queries ---------------------------------------------------------------------
    def active_id(self) -> Optional[str]:
        ensure_tables(self.engine)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(Deployment.model_id).where(Deployment.rolled_back.is_(False))
                               .order_by(Deployment.id.desc()).limit(1)).first()
        return row[0] if row else None

    def models(self) -> List[Dict[str, Any]]:
        ensure_tables(self.engine)
        active = self.active_id()
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(RegisteredModel).order_by(RegisteredModel.trained_at)).mappings().all()
        out = []
        for r in rows:
            evals = json.loads(r["evaluations"] or "{}")
            out.append({"model_id": r["model_id"], "file": r["file"], "source_name": r["source_name"],
                        "fingerprint": r["fingerprint"], "training_data_hash": r["training_data_hash"],
                        "trained_at": r["trained_at"], "active": r["model_id"] == active,
                        "evaluations": evals, "gates": self.gate_report(evals)})
        return out

    def gate_report(self, evals: Dict[str, Any]) -> Dict[str, Any]:
        report = {}
        for metric, minimum in self.policy.gates.items():
            name, key = metric.split(".", 1)
            entry = evals.get(name)
            value = _lookup(entry.get("results"), key) if isinstance(entry, dict) else None
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                report[metric] = {"min": minimum, "value": None, "ok": False}
            else:
                report[metric] = {"min": minimum, "value": value, "ok": value >= minimum}
        return report

    def find(self, ref: str) -> Dict[str, Any]:
        models = self.scan()
        ref = ref.strip()
        exact = [m for m in models if ref in (m["model_id"], m["file"]) or Path(ref).name == m["source_name"]]
        if exact:
            return exact[-1]
        prefix = [m for m in models if len(ref) >= 6 and m["model_id"].startswith(ref)]
        if len(prefix) == 1:
            return prefix[0]
        known = ", ".join(f"{m['model_id'][:12]} ({m['source_name']})" for m in models) or "none registered"
        raise RegistryError(f"no model {ref!r} (known: {known})")

    # -- switching -------------------------------------------------------------------
    def _serve(self, model: Dict[str, Any], rasa_urls: Sequence[str],
               token: Optional[str]) -> Tuple[SwitchResult, List[SwitchResult]]:
        """Switch the replicas in order; the first one reached proves the model loads (its
        RasaSwitchError changes nothing); then the pointer, then the others (their errors are
        reported, not raised: the pointer has moved and the model sync retries them)."""
        archive = (self.models_dir / model["file"]).resolve()
        results: List[SwitchResult] = []
        urls = list(rasa_urls)
        while urls and not any(r.reached for r in results):
            results.append(switch_model(urls.pop(0), token, archive, model["model_id"]))
        link = self.models_dir / PROMOTED_LINK
        tmp = self.models_dir / (PROMOTED_LINK + ".tmp")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(Path(model["file"]))
        os.replace(tmp, link)
        for url in urls:
            try:
                results.append(switch_model(url, token, archive, model["model_id"]))
            except RasaSwitchError as exc:
                results.append(SwitchResult(url, reached=True, error=str(exc)))
        first = next((r for r in results if r.reached), results[0])
        return first, results

    def promote(self, ref: str, *, rasa_url: str, token: Optional[str], force: bool = False,
                reason: str = "", replicas: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """``replicas``: every Rasa serving the promoted model (default: just ``rasa_url``)."""
        model = self.find(ref)
        failures = [f"{m} is {'missing' if g['value'] is None else g['value']} (needs >= {g['min']})"
                    for m, g in model["gates"].items() if not g["ok"]]
        if failures and not force:
            raise GateFailure(model["model_id"], failures)
        if force and not reason.strip():
            raise RegistryError("--force needs --reason: say why the gates are overridden")
        if model["active"]:
            raise RegistryError(f"model {model['model_id']} is already the promoted model; nothing changed")
        switch, each = self._serve(model, replicas or [rasa_url], token)
        with self.engine.begin() as conn:
            audit.lock_chain(conn)
            conn.execute(sa.insert(Deployment).values(model_id=model["model_id"], promoted_at=_now(),
                                                      actor=audit.current_actor(self.actor),
                                                      reason=reason, forced=bool(failures), rolled_back=False))
            audit.append_audit(conn, self.actor, "model.promote", f"model:{model['model_id']}", reason,
                               {"forced": bool(failures), "gate_failures": failures, "fingerprint": model["fingerprint"],
                                "switch": switch.as_dict(), "replicas": [r.as_dict() for r in each]})
        return {"model_id": model["model_id"], "forced": bool(failures), "gate_failures": failures,
                "switch": switch.as_dict(), "replicas": [r.as_dict() for r in each]}

    def rollback(self, *, rasa_url: str, token: Optional[str], reason: str = "",
                 replicas: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        self.scan()
        with self.engine.connect() as conn:
            stack = conn.execute(sa.select(Deployment.id, Deployment.model_id).where(Deployment.rolled_back.is_(False))
                                 .order_by(Deployment.id.desc()).limit(2)).all()
        if len(stack) < 2:
            what = "no model has been promoted" if not stack else f"model {stack[0].model_id} is the only one ever promoted"
            raise RegistryError(f"nothing to roll back to: {what}; nothing changed")
        current, previous = stack
        model = next(m for m in self.models() if m["model_id"] == previous.model_id)
        switch, each = self._serve(model, replicas or [rasa_url], token)
        with self.engine.begin() as conn:
            audit.lock_chain(conn)
            conn.execute(sa.update(Deployment).where(Deployment.id == current.id).values(rolled_back=True))
            audit.append_audit(conn, self.actor, "model.rollback", f"model:{previous.model_id}", reason,
                               {"from": current.model_id, "to": previous.model_id, "switch": switch.as_dict(),
                                "replicas": [r.as_dict() for r in each]})
        return {"from": current.model_id, "model_id": previous.model_id, "switch": switch.as_dict(),
                "replicas": [r.as_dict() for r in each]}


__all__ = ["Registry", "RegistryError", "GateFailure", "RasaSwitchError", "read_archive", "ensure_tables"]
