"""Save and load the product graph with a manifest (like the KB index), under ``var/graph``.

The manifest records the catalog version (hash), the policy files' hashes, the behaviour
parameters and counts, the build time and a ``graph_version``; :func:`load_graph` refuses a
missing graph, or one built from another catalog, naming ``lift graph build``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import networkx as nx
from networkx.readwrite import json_graph

from lift.commerce.catalog import Catalog

GRAPH_FILE = "graph.json"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
BUILD_COMMAND = "lift graph build"


class GraphNotReady(RuntimeError):
    """No usable graph; the message names the command that builds it."""


def save_graph(g: nx.MultiDiGraph, out_dir: Path, manifest_extra: Dict[str, Any]) -> Dict[str, Any]:
    from lift.graph.build import counts

    out_dir.mkdir(parents=True, exist_ok=True)
    body = json.dumps(json_graph.node_link_data(g), sort_keys=True).encode()
    (out_dir / GRAPH_FILE).write_bytes(body)
    manifest = {
        "format": FORMAT_VERSION,
        "graph_version": hashlib.sha256(body).hexdigest()[:12],
        "catalog_version": g.graph.get("catalog_version"),
        "built_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "counts": counts(g),
        **manifest_extra,
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_graph(graph_dir: Path, catalog: Optional[Catalog] = None) -> Tuple[nx.MultiDiGraph, Dict[str, Any]]:
    graph_path, manifest_path = graph_dir / GRAPH_FILE, graph_dir / MANIFEST_FILE
    if not graph_path.exists() or not manifest_path.exists():
        raise GraphNotReady(f"no product graph in {graph_dir}: run `{BUILD_COMMAND}` first")
    try:
        manifest = json.loads(manifest_path.read_text())
        body = graph_path.read_bytes()
        g = json_graph.node_link_graph(json.loads(body), directed=True, multigraph=True)
    except (OSError, ValueError, KeyError) as exc:
        raise GraphNotReady(f"product graph in {graph_dir} is unreadable ({exc}): run `{BUILD_COMMAND}` again") from None
    if manifest.get("format") != FORMAT_VERSION or manifest.get("graph_version") != hashlib.sha256(body).hexdigest()[:12]:
        raise GraphNotReady(f"product graph in {graph_dir} does not match its manifest: run `{BUILD_COMMAND}` again")
    if catalog is not None and manifest.get("catalog_version") != catalog.version:
        raise GraphNotReady(f"product graph in {graph_dir} was built from another catalog version "
                            f"({manifest.get('catalog_version')}, catalog is {catalog.version}): run `{BUILD_COMMAND}`")
    return g, manifest
