"""A durable, append-only spool of records the database could not take yet.

One JSON object per line in ``<dir>/<name>.jsonl``. :meth:`Spool.append` writes the line and
``fsync``\\ s the file before it returns, so a record that was appended survives a crash of
the process or the machine. :meth:`Spool.drain` hands the records to a callback oldest first
and removes each one only after the callback returned (the callback must be idempotent: a
crash between its commit and the removal replays that record once more). Removal rewrites
the remaining records into a temporary file that replaces the spool atomically.

Several processes on one host may share a spool: every operation holds an exclusive
``flock`` on ``<name>.lock``, so appends and drains never interleave.
"""
from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List


class SpoolError(RuntimeError):
    """The spool file cannot be written (disk full, permissions): nothing could be kept."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """Append-only JSON-lines journal with ordered, at-least-once draining."""

    def __init__(self, directory: Path, name: str = "tracker") -> None:
        self.directory = Path(directory)
        self.path = self.directory / f"{name}.jsonl"
        self._lock_path = self.directory / f"{name}.lock"
        self._thread_lock = threading.RLock()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self._lock_path, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, record: Dict[str, Any]) -> str:
        """Write ``record`` durably (fsync'd) and return its id."""
        record = {"id": uuid.uuid4().hex, **record}
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        try:
            with self._locked():
                created = not self.path.exists()
                with open(self.path, "ab+") as fh:
                    fh.seek(0, os.SEEK_END)
                    torn = False
                    if fh.tell():  # a crash mid-append left a line without its newline
                        fh.seek(-1, os.SEEK_END)
                        torn = fh.read(1) != b"\n"
                    fh.write((b"\n" if torn else b"") + line.encode("utf-8"))
                    fh.flush()
                    os.fsync(fh.fileno())
                if created:
                    _fsync_dir(self.directory)
        except OSError as exc:
            raise SpoolError(f"cannot write the spool {self.path}: {exc}") from exc
        return record["id"]

    def _read(self) -> List[Dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    records.append(json.loads(line))
                except ValueError:
                    # Only a torn last line (crash during append, before fsync returned)
                    # can be unreadable; that append never reported success.
                    continue
        return records

    def records(self) -> List[Dict[str, Any]]:
        with self._locked():
            return self._read()

    def depth(self) -> int:
        """Records waiting (0 when the spool file does not exist)."""
        if not self.path.exists():
            return 0
        return len(self.records())

    def _rewrite(self, remaining: List[Dict[str, Any]]) -> None:
        if not remaining:
            self.path.unlink(missing_ok=True)
            _fsync_dir(self.directory)
            return
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for rec in remaining:
                fh.write(json.dumps(rec, separators=(",", ":"), default=str) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.directory)

    def drain(self, apply: Callable[[Dict[str, Any]], None]) -> int:
        """Apply records oldest first; stop at the first that raises (it stays, and so do
        the ones after it: order is kept). Returns how many were applied and removed."""
        with self._locked():
            records = self._read()
            done = 0
            try:
                for rec in records:
                    apply(rec)
                    done += 1
            finally:
                if done:
                    self._rewrite(records[done:])
            return done
