"""Knowledge-base index versions, kept and switched like models (``lift kb list|activate|rollback``).

* Every index ``lift kb build`` serves is kept as ``<index_dir>/../kb_versions/<kb_version>/`` (a
  copy of the build: FAISS index, doc map, BM25 corpus, manifest) and pushed on the activation
  stack (table ``kb_deployments``, kind ``build``).
* :meth:`KbRegistry.activate` serves a kept version, :meth:`KbRegistry.rollback` the one served
  before the current one. Both copy the kept build over the served index directory in one swap
  (:func:`lift.retrieval.index.serve_version`); the action server notices the new manifest on its
  next turn and reloads, without a restart (:func:`lift.retrieval.get_retriever`).
* Every build, activation and rollback is appended to ``audit_log`` (who, version, ``--reason``)
  in the same transaction as the stack change. Bad input changes nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.governance import audit
from lift.retrieval.errors import IndexNotReady
from lift.retrieval.index import MANIFEST_FILE, copy_index, read_manifest, serve_version
from lift.store.models import KbDeployment

VERSIONS_DIR = "kb_versions"


class KbRegistryError(ValueError):
    """Unknown version, nothing to roll back to, already served...; the message says why. Nothing changed."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass
class KbRegistry:
    engine: Engine
    index_dir: Path
    kb_dir: Path
    actor: Optional[str] = None

    @property
    def versions_dir(self) -> Path:
        return Path(self.index_dir).parent / VERSIONS_DIR

    def _ensure_tables(self) -> None:
        if not sa.inspect(self.engine).has_table(KbDeployment.__tablename__):
            from lift.store.schema import upgrade

            upgrade(self.engine)

    # -- queries ---------------------------------------------------------------------
    def served_version(self) -> Optional[str]:
        """kb_version of the index being served (its manifest), None when there is none."""
        try:
            return read_manifest(self.index_dir).get("kb_version")
        except IndexNotReady:
            return None

    def _stack(self, limit: Optional[int] = None) -> List[Any]:
        self._ensure_tables()
        q = (sa.select(KbDeployment.id, KbDeployment.kb_version).where(KbDeployment.rolled_back.is_(False))
             .order_by(KbDeployment.id.desc()))
        with self.engine.connect() as conn:
            return conn.execute(q.limit(limit) if limit else q).all()

    def versions(self) -> List[Dict[str, Any]]:
        """Every kept version, oldest build first, with the served one marked."""
        served = self.served_version()
        out = []
        for path in self.versions_dir.glob(f"*/{MANIFEST_FILE}") if self.versions_dir.is_dir() else []:
            try:
                m = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            out.append({"kb_version": m.get("kb_version"), "built_at": m.get("built_at"),
                        "documents": (m.get("counts") or {}).get("total"), "sources": sorted(m.get("sources") or {}),
                        "active": m.get("kb_version") == served, "path": str(path.parent)})
        return sorted(out, key=lambda v: (v["built_at"] or "", v["kb_version"] or ""))

    def find(self, ref: str) -> Dict[str, Any]:
        ref = (ref or "").strip()
        versions = self.versions()
        exact = [v for v in versions if v["kb_version"] == ref]
        prefix = [v for v in versions if len(ref) >= 4 and str(v["kb_version"]).startswith(ref)]
        if exact or len(prefix) == 1:
            return (exact or prefix)[0]
        known = ", ".join(v["kb_version"] for v in versions) or "none kept yet (run `lift kb build`)"
        raise KbRegistryError(f"no kept knowledge-base version {ref!r} (known: {known}); nothing changed")

    # -- changes ---------------------------------------------------------------------
    def record_served(self, *, built: bool, seconds: float = 0.0) -> Optional[str]:
        """Keep the served index as a version; push it on the stack when it is new there.

        Called after every ``lift kb build``: a fresh build (``built``) is audited as ``kb.build``;
        an up-to-date index is only kept (the first time) so an existing install can roll back to it.
        """
        self._ensure_tables()
        try:
            manifest = read_manifest(self.index_dir)
        except IndexNotReady:
            return None
        version = str(manifest["kb_version"])
        kept = self.versions_dir / version
        if not (kept / MANIFEST_FILE).is_file():
            copy_index(self.index_dir, kept)
        top = self._stack(1)
        on_top = bool(top) and top[0].kb_version == version
        if on_top and not built:
            return version
        with self.engine.begin() as conn:
            audit.lock_chain(conn)
            if not on_top:
                conn.execute(sa.insert(KbDeployment).values(kb_version=version, kind="build", activated_at=_now(),
                                                            actor=audit.current_actor(self.actor), reason="",
                                                            rolled_back=False))
            if built:
                audit.append_audit(conn, self.actor, "kb.build", f"kb:{version}", "",
                                   {"documents": manifest["counts"]["total"], "seconds": round(seconds, 1)})
        return version

    def _serve(self, version: str, how: str, reason: str) -> Dict[str, Any]:
        activation = {"by": audit.current_actor(self.actor), "at": _now().isoformat() + "Z", "how": how,
                      "reason": reason}
        served = serve_version(self.versions_dir / version, self.index_dir, self.kb_dir, activation)
        return {"kb_version": version, "pinned": served["activated"]["pinned"], "documents": served["counts"]["total"]}

    def activate(self, ref: str, *, reason: str = "") -> Dict[str, Any]:
        target = self.find(ref)
        version = target["kb_version"]
        previous = self.served_version()
        if version == previous:
            raise KbRegistryError(f"knowledge-base version {version} is already served; nothing changed")
        result = self._serve(version, "activate", reason)
        with self.engine.begin() as conn:
            audit.lock_chain(conn)
            conn.execute(sa.insert(KbDeployment).values(kb_version=version, kind="activate", activated_at=_now(),
                                                        actor=audit.current_actor(self.actor), reason=reason,
                                                        rolled_back=False))
            audit.append_audit(conn, self.actor, "kb.activate", f"kb:{version}", reason, {"from": previous})
        return {**result, "from": previous}

    def rollback(self, *, reason: str = "") -> Dict[str, Any]:
        stack = self._stack(2)
        if len(stack) < 2:
            what = ("no knowledge-base version has been built or activated" if not stack
                    else f"kb_version {stack[0].kb_version} is the only one ever served")
            raise KbRegistryError(f"nothing to roll back to: {what}; nothing changed")
        current, previous = stack
        if not (self.versions_dir / previous.kb_version / MANIFEST_FILE).is_file():
            raise KbRegistryError(f"kb_version {previous.kb_version} is no longer kept in {self.versions_dir}; "
                                  "nothing changed")
        result = self._serve(previous.kb_version, "rollback", reason)
        with self.engine.begin() as conn:
            audit.lock_chain(conn)
            conn.execute(sa.update(KbDeployment).where(KbDeployment.id == current.id).values(rolled_back=True))
            audit.append_audit(conn, self.actor, "kb.rollback", f"kb:{previous.kb_version}", reason,
                               {"from": current.kb_version, "to": previous.kb_version})
        return {**result, "from": current.kb_version}


__all__ = ["KbRegistry", "KbRegistryError", "VERSIONS_DIR"]
