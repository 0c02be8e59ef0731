"""The start-up heap is frozen once per process, and the Rasa tracker store does it when the
model's domain arrives (start-up done): a full collection then no longer walks it."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from lift.config import Settings
from lift.observability import heap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen(monkeypatch):
    """A process whose start-up heap is not frozen yet (undone afterwards: tests only)."""
    gc.unfreeze()
    monkeypatch.setattr(heap, "_frozen", False)
    yield
    gc.unfreeze()


class Node:  # instances are always tracked by the collector (small dicts of ints are not)
    pass


def test_freezes_once_and_full_collections_skip_what_was_alive(unfrozen):
    assert gc.get_freeze_count() == 0
    startup_objects = [Node() for _ in range(2000)]
    assert all(gc.is_tracked(o) and id(o) in {id(x) for x in gc.get_objects()} for o in startup_objects[:3])
    assert heap.freeze_startup_heap() is True
    assert gc.get_freeze_count() >= len(startup_objects)
    tracked = {id(o) for o in gc.get_objects()}
    assert not any(id(o) in tracked for o in startup_objects)  # out of every generation
    later = [Node() for _ in range(10)]
    assert heap.freeze_startup_heap() is False  # once per process: later objects stay collectable
    assert all(id(o) in {id(x) for x in gc.get_objects()} for o in later)


def test_the_tracker_store_freezes_when_the_models_domain_arrives(tmp_path, unfrozen):
    from lift.rasa_plugins.tracker_store import ConversionTrackerStore

    settings = Settings(root=ROOT, db_url=f"sqlite:///{tmp_path / 'lift.db'}", index_dir=tmp_path / "index")
    store = ConversionTrackerStore(settings=settings)
    assert gc.get_freeze_count() == 0  # created before the model is loaded: not yet
    store.domain = Domain.load(str(ROOT / "domain"))
    assert gc.get_freeze_count() > 0
