"""`lift kb activate|rollback` against a running assistant: the next turn is answered from the
switched-to index (its text and its kb_version, in the slot and in the user event's metadata),
without restarting the action server; both switches are in the audit log.

Version B is a real build of a copy of kb/ whose policy sections start with "Rev B."; version
A is the project's own index (built by `make kb` before the tests) copied in and kept by
`lift kb build`, so the test encodes the knowledge base once.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from lift.retrieval.index import copy_index, read_manifest
from tests.support.servers import ROOT, LiftStack, texts

pytestmark = pytest.mark.e2e
QUESTION = "how many days do I have to return something?"


def lift(env, *args):
    return subprocess.run([sys.executable, "-m", "lift.cli", *args], env={**env, "PYTHONPATH": str(ROOT)},
                          cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("kbswitch")
    kb_b = base / "kb_b"
    shutil.copytree(ROOT / "kb", kb_b)
    for page in (kb_b / "policies").glob("*.md"):
        page.write_text(re.sub(r"(?m)^(## .+)$", r"\1\nRev B.", page.read_text(encoding="utf-8")), encoding="utf-8")
    # and every FAQ answer: whichever passage answers the question, version B's says so
    faq = json.loads((kb_b / "faq.json").read_text(encoding="utf-8"))
    (kb_b / "faq.json").write_text(json.dumps([{**e, "answer": e["answer"] + " Rev B."} for e in faq], indent=1),
                                   encoding="utf-8")
    index = base / "var" / "index"
    stack = LiftStack(base / "stack", env={"LIFT_INDEX_DIR": str(index), "LIFT_OPERATOR": "kb-editor"})
    built = lift({**stack.env, "LIFT_KB_DIR": str(kb_b)}, "kb", "build")
    assert built.returncode == 0, built.stderr
    b = read_manifest(index)["kb_version"]
    copy_index(ROOT / "var" / "index", index)  # what `lift kb build` of kb/ serves
    kept = lift(stack.env, "kb", "build")
    assert kept.returncode == 0 and "up to date" in kept.stdout, kept.stdout + kept.stderr
    a = read_manifest(index)["kb_version"]
    assert a != b
    with stack:
        yield stack, a, b


def ask(stack, sender):
    reply = texts(stack.say(sender, QUESTION))
    tracker = stack.tracker(sender)
    user = [e for e in tracker["events"] if e["event"] == "user"][-1]
    return reply, tracker["slots"]["kb_version"], user["metadata"].get("kb_version")


def test_activate_and_rollback_switch_the_served_knowledge_base(setup):
    stack, a, b = setup
    listed = json.loads(lift(stack.env, "kb", "list", "--json").stdout)
    assert {(v["kb_version"], v["active"]) for v in listed} == {(a, True), (b, False)}

    reply, slot, recorded = ask(stack, "kb-switch-1")
    assert "Source:" in reply and "Rev B" not in reply
    assert slot == recorded == a

    switched = lift(stack.env, "kb", "activate", b[:8], "--reason", "returns copy approved by legal")
    assert switched.returncode == 0, switched.stderr
    assert f"activated kb_version {b}" in switched.stdout
    reply, slot, recorded = ask(stack, "kb-switch-1")  # same conversation, next turn, no restart
    assert "Rev B" in reply, reply
    assert slot == recorded == b

    back = lift(stack.env, "kb", "rollback", "--reason", "legal withdrew approval")
    assert back.returncode == 0, back.stderr
    reply, slot, recorded = ask(stack, "kb-switch-2")
    assert "Rev B" not in reply and slot == recorded == a

    log = json.loads(lift(stack.env, "audit", "log", "--json").stdout)
    kb_rows = [(e["action"], e["target"], e["reason"], e["actor"]) for e in log if e["action"].startswith("kb.")]
    assert kb_rows[-2:] == [("kb.activate", f"kb:{b}", "returns copy approved by legal", "kb-editor"),
                            ("kb.rollback", f"kb:{a}", "legal withdrew approval", "kb-editor")]
    assert lift(stack.env, "audit", "verify").returncode == 0


def test_unknown_version_and_nothing_to_roll_back_change_nothing(setup):
    stack, a, b = setup
    before = json.loads(lift(stack.env, "kb", "list", "--json").stdout)
    unknown = lift(stack.env, "kb", "activate", "0000dead")
    assert unknown.returncode == 2 and "no kept knowledge-base version '0000dead'" in unknown.stderr
    assert json.loads(lift(stack.env, "kb", "list", "--json").stdout) == before
