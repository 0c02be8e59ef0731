"""lift.store.files: the one "reload when these files change" helper, and the places that use it
(the manifest's kb_version for conversions, the tracker store's domain memo)."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from lift.measure.detector import KbVersionSource
from lift.rasa_plugins.tracker_store import ConversionTrackerStore
from lift.store.files import FileMemo, files_signature


def _same_times(src, dst):
    st = os.stat(src)
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_signature_changes_on_rewrite_and_on_a_swapped_in_copy(tmp_path):
    f = tmp_path / "manifest.json"
    assert files_signature(f) == ()  # nothing there
    f.write_text('{"kb_version": "a"}')
    first = files_signature(f)
    assert first and files_signature(f) == first
    # Same size, same mtime, but a new file renamed over it (how an index is swapped in).
    copy = tmp_path / "copy.json"
    shutil.copy(f, copy)
    _same_times(f, copy)
    os.replace(copy, f)
    swapped = files_signature(f)
    assert swapped != first and [s[2:] for s in swapped] == [s[2:] for s in first]
    f.write_text('{"kb_version": "bb"}')
    assert files_signature(f) != swapped


def test_directory_signature_covers_every_file_below_it(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.yml").write_text("a")
    before = files_signature(tmp_path / "d")
    assert [os.path.basename(s[0]) for s in before] == ["a.yml"]
    (tmp_path / "d" / "sub" / "b.yml").write_text("b")
    after = files_signature(tmp_path / "d")
    assert [os.path.relpath(s[0], tmp_path / "d") for s in after] == ["a.yml", "sub/b.yml"]


def test_memo_loads_once_per_signature_and_per_key(tmp_path):
    f = tmp_path / "data.txt"
    f.write_text("one")
    calls = []

    def load():
        calls.append(f.read_text())
        return f.read_text()

    memo = FileMemo()
    assert memo.get(f, load) == "one" and memo.get(f, load) == "one"
    assert calls == ["one"]
    assert memo.get(f, load, key="other") == "one" and len(calls) == 2  # a separate entry
    f.write_text("two!")
    assert memo.get(f, load) == "two!" and memo.get(f, load) == "two!"
    assert calls == ["one", "one", "two!"]


def test_memo_keeps_nothing_when_the_load_fails(tmp_path):
    f = tmp_path / "data.txt"
    f.write_text("x")
    memo, attempts = FileMemo(), []

    def failing():
        attempts.append(1)
        raise ValueError("bad file")

    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get(f, failing)
    assert len(attempts) == 2
    assert memo.get(f, lambda: "ok") == "ok"


def test_kb_version_source_rereads_only_a_changed_manifest(tmp_path, monkeypatch):
    manifest = tmp_path / "index" / "manifest.json"
    source = KbVersionSource(manifest)
    assert source() is None  # no index yet
    manifest.parent.mkdir()
    manifest.write_text(json.dumps({"kb_version": "kb-1"}))
    assert source() == "kb-1"
    reads = []
    real = type(manifest).read_text
    monkeypatch.setattr(type(manifest), "read_text", lambda self, *a, **k: reads.append(self) or real(self, *a, **k))
    assert source() == "kb-1" and reads == []  # unchanged: one stat, no read
    # A swapped-in index: another directory renamed into place, same size and mtime.
    new_dir = tmp_path / "index.new"
    new_dir.mkdir()
    (new_dir / "manifest.json").write_text(json.dumps({"kb_version": "kb-2"}))
    _same_times(manifest, new_dir / "manifest.json")
    os.rename(manifest.parent, tmp_path / "index.old")
    assert source() is None  # mid-swap
    reads.clear()
    os.rename(new_dir, manifest.parent)
    assert source() == "kb-2" and source() == "kb-2" and len(reads) == 1
    manifest.write_text("{broken")
    assert source() is None
    assert KbVersionSource(None)() is None


DOMAIN = """version: "3.1"
intents: [greet]
slots:
  email:
    type: text
    mappings: [{type: from_text}]
"""


def test_tracker_store_reads_the_domain_files_again_only_when_they_change(tmp_path):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "base.yml").write_text(DOMAIN)
    first = ConversionTrackerStore._load_domain_files(tmp_path, None)
    assert "email" in [s.name for s in first.slots] and "phone" not in [s.name for s in first.slots]
    assert ConversionTrackerStore._load_domain_files(tmp_path, None) is first  # kept for the next model switch
    (tmp_path / "domain" / "more.yml").write_text(
        'version: "3.1"\nslots:\n  phone:\n    type: text\n    mappings: [{type: from_text}]\n')
    again = ConversionTrackerStore._load_domain_files(tmp_path, None)
    assert again is not first and {"email", "phone"} <= {s.name for s in again.slots}
