"""Files that are either complete or absent: write to a temporary file, then rename.

A temporary file is named ``.<name>.<pid>.<random>.tmp`` after the process
writing it, so :func:`remove_stale_temporaries` can tell the leftovers of a
killed writer from a file another live process is still writing.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO


TMP_SUFFIX = ".tmp"
# ".<name>.<pid>.<random>.tmp"; files of the older ".<name>.<random>.tmp" form have no pid.
_TMP_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+)\.[^.]+|\.[^.]+)\.tmp$")


def tmp_prefix(path: Path) -> str:
    """The start of the name of a temporary file for ``path`` made by this process."""
    return f".{path.name}.{os.getpid()}."


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicFile:
    """A text file written under a temporary name and renamed into place on success.

    The file gets the usual permissions (0666 less the umask), not mkstemp's 0600.
    """

    def __init__(self, path: Path, newline: str | None = None, encoding: str = "utf-8") -> None:
        self.path = Path(path)
        self._newline = newline
        self._encoding = encoding
        self.handle: IO[str]

    def __enter__(self) -> AtomicFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=tmp_prefix(self.path), suffix=TMP_SUFFIX)
        os.chmod(self._tmp, 0o666 & ~_umask())
        self.handle = os.fdopen(fd, "w", encoding=self._encoding, newline=self._newline)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self.handle.flush()
                os.fsync(self.handle.fileno())
        finally:
            self.handle.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            Path(self._tmp).unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with AtomicFile(path) as out:
        out.handle.write(text)


def write_bytes_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to ``path`` atomically; with ``sync``, on the disk before it takes the name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tmp_prefix(path), suffix=TMP_SUFFIX)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files in ``folder`` whose writer is gone (killed mid-write).

    A file whose writing process is still alive is left alone. Returns what was removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        match = _TMP_NAME.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        pid = match.group("pid")
        if pid is not None and _alive(int(pid)):
            continue
        Path(entry.path).unlink(missing_ok=True)
        removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
