"""KB index versions kept and switched like models: `lift kb list|activate|rollback`, audited,
bad input changes nothing (exit 2). The action server's reload is proven end to end in
tests/e2e/test_kb_switch.py."""
import json
from pathlib import Path

import numpy as np
import pytest

from lift.cli import main
from lift.governance.audit import entries, verify
from lift.governance.kb_registry import KbRegistry, KbRegistryError
from lift.retrieval.index import MANIFEST_FILE, check, read_manifest, write_index
from lift.retrieval.sources import Doc
from lift.store.schema import open_database

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "kb"


def _write_build(index_dir: Path, version: str, answer: str, built_at: str = "2026-12-01T00:00:00Z") -> None:
    """A real index of two documents (files in the format `lift kb build` writes)."""
    docs = [Doc("faq:1", "faq.json", "faq", "How long is delivery?", answer),
            Doc("faq:2", "faq.json", "faq", "Can I return things?", "Yes, within 30 days.")]
    vectors = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    index_dir.mkdir(parents=True, exist_ok=True)
    write_index(docs, vectors, index_dir, [0, 1], ["full", "full"], [d.index_text for d in docs])
    manifest = {"format": 2, "kb_version": version, "built_at": built_at,
                "counts": {"faq": 2, "total": 2}, "sources": {"faq.json": version}}
    (index_dir / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def reg(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'lift.db'}")
    r = KbRegistry(engine, tmp_path / "var" / "index", KB, actor="ops-lead")
    yield r
    engine.dispose()


def _served(reg) -> str:
    return read_manifest(reg.index_dir)["kb_version"]


def test_builds_are_kept_and_activate_rollback_switch_the_served_index(reg):
    _write_build(reg.index_dir, "aaaa00000001", "Two days.")
    assert reg.record_served(built=True) == "aaaa00000001"
    _write_build(reg.index_dir, "bbbb00000002", "Next day.", "2026-12-02T00:00:00Z")
    reg.record_served(built=True)
    assert [(v["kb_version"], v["active"]) for v in reg.versions()] == [("aaaa00000001", False), ("bbbb00000002", True)]

    out = reg.activate("aaaa", reason="B answers delivery wrongly")
    assert out == {"kb_version": "aaaa00000001", "pinned": True, "documents": 2, "from": "bbbb00000002"}
    assert _served(reg) == "aaaa00000001"
    assert "Two days." in (reg.index_dir / "docs.jsonl").read_text()
    # The staleness check accepts an operator's choice (the action server would otherwise refuse it).
    assert check(reg.index_dir, KB).state == "ok"

    assert reg.rollback(reason="fixed upstream")["kb_version"] == "bbbb00000002"
    assert _served(reg) == "bbbb00000002" and "Next day." in (reg.index_dir / "docs.jsonl").read_text()
    assert reg.rollback(reason="back to the first")["kb_version"] == "aaaa00000001"

    rows = [e for e in entries(reg.engine) if e["action"].startswith("kb.")]
    assert [(e["action"], e["target"], e["reason"], e["actor"]) for e in rows] == [
        ("kb.build", "kb:aaaa00000001", "", "ops-lead"),
        ("kb.build", "kb:bbbb00000002", "", "ops-lead"),
        ("kb.activate", "kb:aaaa00000001", "B answers delivery wrongly", "ops-lead"),
        ("kb.rollback", "kb:bbbb00000002", "fixed upstream", "ops-lead"),
        ("kb.rollback", "kb:aaaa00000001", "back to the first", "ops-lead"),
    ]
    assert verify(reg.engine).ok


def test_bad_requests_change_nothing(reg):
    with pytest.raises(KbRegistryError, match="nothing to roll back to: no knowledge-base version"):
        reg.rollback()
    _write_build(reg.index_dir, "aaaa00000001", "Two days.")
    reg.record_served(built=False)  # an existing install: kept, on the stack, no build row
    reg.record_served(built=False)  # idempotent
    assert [e["action"] for e in entries(reg.engine)] == []
    before = (reg.index_dir / MANIFEST_FILE).read_bytes()
    with pytest.raises(KbRegistryError, match="is the only one ever served; nothing changed"):
        reg.rollback()
    with pytest.raises(KbRegistryError, match="already served; nothing changed"):
        reg.activate("aaaa00000001")
    with pytest.raises(KbRegistryError, match=r"no kept knowledge-base version 'ffff'.*known: aaaa00000001"):
        reg.activate("ffff")
    assert (reg.index_dir / MANIFEST_FILE).read_bytes() == before
    assert entries(reg.engine) == []


def test_cli_exit_codes_and_messages(reg, monkeypatch, capsys):
    from lift import config

    _write_build(reg.index_dir, "aaaa00000001", "Two days.")
    reg.record_served(built=True)
    monkeypatch.setenv("LIFT_DB_URL", str(reg.engine.url))
    monkeypatch.setenv("LIFT_INDEX_DIR", str(reg.index_dir))
    config.reset_settings()
    try:
        assert main(["kb", "activate", "nope-version"]) == 2
        assert "no kept knowledge-base version 'nope-version'" in capsys.readouterr().err
        assert main(["kb", "rollback", "--reason", "x"]) == 2
        assert "nothing to roll back to" in capsys.readouterr().err
        assert main(["kb", "list", "--json"]) == 0
        [v] = json.loads(capsys.readouterr().out)
        assert (v["kb_version"], v["active"]) == ("aaaa00000001", True)
        monkeypatch.setenv("LIFT_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
        config.reset_settings()
        assert main(["kb", "rollback"]) == 3
    finally:
        config.reset_settings()
