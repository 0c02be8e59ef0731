"""A second real model for switch tests and benchmarks without a second 5-minute training: the
trained archive re-packed with a new ``model_id`` (and a later ``trained_at``). Rasa loads it like
any model; its events carry the new id."""
from __future__ import annotations

import io
import json
import tarfile
import uuid
from pathlib import Path


def clone_with_new_id(src: Path, dst: Path) -> str:
    new_id = uuid.uuid4().hex
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for member in tin.getmembers():
            data = tin.extractfile(member).read() if member.isfile() else None
            if member.name.lstrip("/") == "metadata.json":
                meta = json.loads(data)
                meta["model_id"] = new_id
                meta["trained_at"] = meta["trained_at"][:17] + "59.999999"  # later than the original
                data = json.dumps(meta).encode()
                member.size = len(data)
            tout.addfile(member, io.BytesIO(data) if data is not None else None)
    return new_id


def model_id_of(path: Path) -> str:
    with tarfile.open(path, "r:gz") as t:
        return json.load(t.extractfile("metadata.json"))["model_id"]


def baseline_and_candidate(models: Path, src: Path, baseline: str = "baseline.tar.gz") -> tuple:
    """``models/<baseline>`` (a copy of ``src``) and ``models/candidate.tar.gz`` (the same model with a
    new id): (baseline path, its model_id, candidate path, its model_id)."""
    models.mkdir(parents=True, exist_ok=True)
    a = models / baseline
    a.write_bytes(src.read_bytes())
    b = models / "candidate.tar.gz"
    b_id = clone_with_new_id(a, b)
    return a, model_id_of(a), b, b_id


def canary_experiments_yml(metric: str) -> str:
    """An experiments.yml running `model_canary` 50/50 with models/candidate.tar.gz as the candidate."""
    return ("experiments:\n"
            "  - name: model_canary\n    surface: model\n    status: running\n"
            "    params: {candidate_model: candidate.tar.gz}\n"
            "    variants: [{name: current, weight: 50}, {name: candidate, weight: 50}]\n"
            f"    metric: {metric}\n    min_sample: 10\n")
