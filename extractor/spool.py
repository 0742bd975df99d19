"""JSON Lines gathered over a run and written out sorted, holding only their sort keys in memory.

The review queues are sorted over the whole run (least confident row first,
most useful table first), so no line can be written before the last document
is in. A run over tens of thousands of documents queues hundreds of thousands
of rows, each with its table context: kept as dicts until the end they would
take gigabytes. A :class:`SortedSpool` appends each line to a temporary file
as it comes and keeps its key and place; :meth:`SortedSpool.write_sorted`
copies the lines out in key order (ties in the order they came).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from extractor.atomic import TMP_SUFFIX, AtomicFile, tmp_prefix


class SortedSpool:
    """Lines for ``path``, spooled to a temporary file beside it until :meth:`write_sorted`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._keys: list[tuple[tuple[Any, ...], int, int]] = []  # (key, offset, length) of each line
        self._size = 0

    def __enter__(self) -> SortedSpool:
        fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=tmp_prefix(self.path.with_suffix(".spool")),
                                         suffix=TMP_SUFFIX)
        self._file = os.fdopen(fd, "w+b")
        return self

    def add(self, key: Any, line: str) -> None:
        """Add one line (newline included) to be written in the place ``key`` gives it."""
        data = line.encode("utf-8")
        self._keys.append((tuple(key) if isinstance(key, list | tuple) else (key,), self._size, len(data)))
        self._file.write(data)
        self._size += len(data)

    def write_sorted(self) -> int:
        """Write every line to ``path`` (complete or absent), by key; returns how many."""
        self._file.flush()
        self._keys.sort(key=lambda entry: entry[0])  # stable: equal keys keep the order they came in
        fd = self._file.fileno()
        with AtomicFile(self.path) as out:
            for _key, start, length in self._keys:  # read line by line: a map of the file would count in this process's memory
                out.handle.write(os.pread(fd, length, start).decode("utf-8"))
        return len(self._keys)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._file.close()
        Path(self._tmp).unlink(missing_ok=True)
