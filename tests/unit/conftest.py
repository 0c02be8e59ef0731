"""Fixtures for action tests: the real domain, the real catalog, a fresh SQLite database."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture(scope="session")
def shipped_retriever(tmp_path_factory):
    """A retriever over a copy of the shipped ``kb/`` (real encoder, calibrated threshold)."""
    import shutil

    from lift.retrieval.encoder import shared_encoder
    from lift.retrieval.index import build
    from lift.retrieval.retriever import Retriever

    base = tmp_path_factory.mktemp("shipped-kb")
    shutil.copytree(ROOT / "kb", base / "kb")
    build(base / "kb", base / "index", encoder=shared_encoder())
    return Retriever.load(base / "index", base / "kb", encoder=shared_encoder())


@pytest.fixture(scope="session")
def catalog():
    from lift.commerce.catalog import Catalog

    return Catalog.load(ROOT / "kb" / "catalog.json")


@pytest.fixture(scope="session")
def product_graph(catalog):
    from lift.graph.build import build_graph, read_policies

    return build_graph(catalog, read_policies(ROOT / "kb" / "policies"))


@pytest.fixture
def res(tmp_path, catalog, product_graph):
    """Action-server resources on a throwaway database, installed for the actions."""
    from actions import resources
    from lift.config import load_settings
    from lift.store.schema import open_database

    settings = load_settings({"LIFT_DB_URL": f"sqlite:///{tmp_path / 'lift.db'}"})
    r = resources.Resources(settings=settings, engine=open_database(settings.db_url), catalog=catalog,
                            graph=product_graph)
    resources.use(r)
    yield r
    r.engine.dispose()


@pytest.fixture
def order(res, catalog):
    """An order of 2 Aria headphones placed by the conversation ``owner-1`` (email owner@example.com)."""
    from lift.commerce import cart, orders

    return orders.create_order(res.engine, catalog, sender_id="owner-1", cart=cart.add_item([], catalog.get("AUD-001"), 2),
                               email="owner@example.com", shipping_address="12 Market Street, Springfield",
                               shipping_method="standard")


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
