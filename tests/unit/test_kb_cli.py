"""`lift kb ...` as a user runs it: the real console script in a subprocess, plus in-process output checks."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from lift.retrieval.index import build
from tests.unit.test_retrieval_kb import make_small_kb

ROOT = Path(__file__).resolve().parents[2]
LIFT = ROOT / ".venv" / "bin" / "lift"


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    from lift.retrieval.encoder import shared_encoder

    base = tmp_path_factory.mktemp("cli")
    kb_dir, index_dir = make_small_kb(base / "kb"), base / "index"
    build(kb_dir, index_dir, encoder=shared_encoder())
    return kb_dir, index_dir


def run_lift(args, kb, stdin: bytes = b"", index_dir=None):
    kb_dir, built_index = kb
    if not LIFT.exists():
        pytest.fail(f"{LIFT} missing: run `.venv/bin/pip install -e . --no-deps`")
    env = {**os.environ, "LIFT_KB_DIR": str(kb_dir), "LIFT_INDEX_DIR": str(index_dir or built_index)}
    env.pop("LIFT_KB_THRESHOLD", None)
    return subprocess.run([str(LIFT), *args], input=stdin, capture_output=True, env=env, timeout=300)


def test_stdin_mode_one_json_line_per_query_including_bad_ones(kb):
    lines = [
        b"do you take paypal",
        b"",
        b"x" * 5000,
        b"caf\xe9 \xff\xfe not utf-8",
        "how much is express delivery? \u00e9\u00e8".encode(),
        b"electric kettle",
    ]
    proc = run_lift(["kb", "search", "-k", "3"], kb, stdin=b"\n".join(lines) + b"\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)
    ok = out[0]
    assert ok["query"] == "do you take paypal" and len(ok["hits"]) == 3
    assert set(ok["hits"][0]) >= {"doc_id", "source", "score", "text"}
    assert ok["hits"][0]["doc_id"] == "2mJCxUVM" and ok["hits"][0]["source"] == "faq.json"
    assert [h["score"] for h in ok["hits"]] == sorted((h["score"] for h in ok["hits"]), reverse=True)
    assert out[1]["hits"] == [] and "empty" in out[1]["error"]
    assert out[2]["hits"] == [] and "too long" in out[2]["error"]
    assert out[3]["hits"] == [] and "UTF-8" in out[3]["error"]
    assert out[4]["hits"][0]["doc_id"] == "policy:shipping#shipping-costs"
    assert out[5]["hits"][0]["doc_id"] == "product:KIT-004"


def test_undecodable_argument_is_a_clear_error(kb):
    proc = run_lift(["kb", "search", b"caf\xe9".decode("utf-8", "surrogateescape")], kb)
    assert proc.returncode == 2
    assert "not valid UTF-8" in proc.stderr.decode() and b"Traceback" not in proc.stderr


def test_missing_index_is_a_clear_error(kb, tmp_path):
    proc = run_lift(["kb", "search", "paypal"], kb, index_dir=tmp_path / "none")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "lift kb build" in err and "Traceback" not in err


def test_build_reports_up_to_date_and_status(kb):
    proc = run_lift(["kb", "build"], kb)
    assert proc.returncode == 0 and proc.stdout.decode().startswith("up to date")
    proc = run_lift(["kb", "status", "--json"], kb)
    status = json.loads(proc.stdout)
    assert proc.returncode == 0 and status["state"] == "ok" and status["built_kb_version"] == status["expected_kb_version"]


@pytest.fixture
def in_process(kb, monkeypatch):
    from lift.config import reset_settings

    kb_dir, index_dir = kb
    monkeypatch.setenv("LIFT_KB_DIR", str(kb_dir))
    monkeypatch.setenv("LIFT_INDEX_DIR", str(index_dir))
    monkeypatch.delenv("LIFT_KB_THRESHOLD", raising=False)
    reset_settings()
    yield
    reset_settings()


def test_human_readable_search(in_process, capsys):
    from lift.cli import main

    assert main(["kb", "search", "do you take paypal", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "1. What payment methods do you accept?  [2mJCxUVM]" in out
    assert "source faq.json" in out and "confidence" in out and "answer" in out


def test_json_single_query_and_bad_arguments(in_process, capsys):
    from lift.cli import main

    assert main(["kb", "search", "electric kettle", "--json", "-k", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "electric kettle" and data["hits"][0]["doc_id"] == "product:KIT-004"
    assert main(["kb", "search", "   "]) == 2
    assert "empty" in capsys.readouterr().err
    assert main(["kb", "search", "y" * 5000]) == 2
    assert "too long" in capsys.readouterr().err
    assert main(["kb", "search", "paypal", "-k", "0"]) == 2


def test_status_reports_stale_sources(kb, tmp_path, capsys, monkeypatch):
    import shutil

    from lift.cli import main
    from lift.config import reset_settings

    kb_dir, index_dir = kb
    shutil.copytree(kb_dir, tmp_path / "kb")
    (tmp_path / "kb" / "policies" / "shipping.md").write_text("# Shipping\n\n## Changed\nNew text.\n")
    monkeypatch.setenv("LIFT_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("LIFT_INDEX_DIR", str(index_dir))
    reset_settings()
    try:
        assert main(["kb", "status"]) == 1
        assert "policies/shipping.md changed" in capsys.readouterr().out
        assert main(["kb", "search", "paypal"]) == 1
        assert "lift kb build" in capsys.readouterr().err
    finally:
        reset_settings()
