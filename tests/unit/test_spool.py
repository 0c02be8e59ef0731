"""lift.store.spool: durable append, ordered drain that stops at the first failure."""
from __future__ import annotations

import pytest

from lift.store.spool import Spool


def test_records_drain_in_order_and_the_file_goes_away(tmp_path):
    spool = Spool(tmp_path / "spool")
    assert spool.depth() == 0
    ids = [spool.append({"n": n}) for n in range(3)]
    assert spool.depth() == 3 and len(set(ids)) == 3
    seen = []
    assert spool.drain(lambda rec: seen.append(rec["n"])) == 3
    assert seen == [0, 1, 2]
    assert not spool.path.exists() and spool.depth() == 0


def test_a_failing_record_stays_with_everything_after_it(tmp_path):
    spool = Spool(tmp_path)
    for n in range(4):
        spool.append({"n": n})

    def apply(rec):
        if rec["n"] == 2:
            raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        spool.drain(apply)
    assert [r["n"] for r in spool.records()] == [2, 3]  # 0 and 1 removed, order kept
    assert spool.drain(lambda rec: None) == 2 and spool.depth() == 0


def test_a_torn_last_line_is_ignored_and_appends_still_work(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"n": 1})
    with open(spool.path, "a") as fh:
        fh.write('{"id": "x", "n": ')  # a crash in the middle of an append that never returned
    assert [r["n"] for r in spool.records()] == [1]
    spool.append({"n": 2})  # starts on a line of its own
    assert [r["n"] for r in spool.records()] == [1, 2]


def test_a_spool_in_an_unwritable_place_says_so(tmp_path):
    from lift.store.spool import SpoolError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SpoolError, match="cannot write the spool"):
        Spool(blocker / "spool").append({"n": 1})
