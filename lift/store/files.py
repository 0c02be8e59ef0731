"""Noticing that files on disk changed, and reloading what was read from them only then.

One implementation for every "reload when these files change" in Lift: the served knowledge-base
index (:func:`lift.retrieval.get_retriever`), the ``kb_version`` of its manifest
(:class:`lift.measure.detector.KbVersionSource`) and the domain and NLU drift baseline the
tracker store reads at each model switch (:mod:`lift.rasa_plugins.tracker_store`).

A file's signature is its path, inode, size and modification time: a file rewritten in place
changes its size or mtime, and one swapped in by rename (an index build, ``lift kb activate``,
``lift kb rollback``) is a new inode even when the rest is equal. Standard library only.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Hashable, Tuple, TypeVar, Union

T = TypeVar("T")
Signature = Tuple[Tuple[str, int, int, int], ...]
PathLike = Union[str, "os.PathLike[str]"]


def files_signature(path: PathLike) -> Signature:
    """(path, inode, size, mtime_ns) of the file at ``path``, or of every file below it when it is a
    directory (sorted by path); ``()`` when nothing is there. A file that vanishes between listing
    and ``stat`` is left out."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


class FileMemo:
    """Values loaded from files, each kept until its files' signature changes.

    ``get(path, load, key)`` returns what ``load()`` returned the last time for ``(path, key)``
    while :func:`files_signature` of ``path`` is unchanged, and calls ``load()`` again (replacing
    the old value) when it changed. A ``load`` that raises stores nothing: the next call tries
    again. Costs one ``stat`` per file per call.
    """

    def __init__(self) -> None:
        self._entries: Dict[Tuple[str, Hashable], Tuple[Signature, Any]] = {}

    def get(self, path: PathLike, load: Callable[[], T], key: Hashable = None) -> T:
        slot = (str(path), key)
        signature = files_signature(path)
        entry = self._entries.get(slot)
        if entry is None or entry[0] != signature:
            entry = (signature, load())
            self._entries[slot] = entry
        return entry[1]

    def clear(self) -> None:
        self._entries.clear()
