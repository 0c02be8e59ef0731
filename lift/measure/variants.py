"""Deterministic experiment variant of a conversation.

The hash behind experiment assignment and flag rollouts (``lift.experiments.assignment``,
which records each first assignment in ``experiment_assignments``): a pure function of the
sender id and a salt (experiment name + salt), so the same visitor lands in the same variant
on every session, process and machine.
"""
from __future__ import annotations

import hashlib
from typing import Mapping, Sequence, Union

from lift.store.models import DEFAULT_VARIANT

Variants = Union[Sequence[str], Mapping[str, float]]


def bucket(sender_id: str, salt: str = "") -> float:
    """A uniform number in [0, 1) derived from the sender id."""
    digest = hashlib.sha256(f"{salt}\x00{sender_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def variant_for(sender_id: str, variants: Variants = (DEFAULT_VARIANT,), salt: str = "") -> str:
    """The variant of ``sender_id``.

    ``variants`` is a list (equal split) or a mapping ``name -> weight``; with the default
    single ``control`` arm everyone gets ``control`` until an experiment is configured.
    A different ``salt`` (e.g. the experiment name) reshuffles visitors independently.
    """
    if isinstance(variants, Mapping):
        arms = [(str(name), float(w)) for name, w in variants.items()]
    else:
        arms = [(str(name), 1.0) for name in variants]
    if not arms:
        raise ValueError("at least one variant is required")
    if any(w < 0 for _, w in arms) or sum(w for _, w in arms) <= 0:
        raise ValueError("variant weights must be non-negative and not all zero")
    if len(set(n for n, _ in arms)) != len(arms):
        raise ValueError("variant names must be unique")
    total = sum(w for _, w in arms)
    point = bucket(str(sender_id), salt) * total
    acc = 0.0
    for name, weight in arms:
        acc += weight
        if point < acc:
            return name
    return next(name for name, w in reversed(arms) if w > 0)  # float rounding at the top edge
