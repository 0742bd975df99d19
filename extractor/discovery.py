"""Finding the documents under the paths a user names, and saying what was passed over.

Folders are walked with an explicit stack (no recursion, so any depth is fine)
and hidden names are skipped. Everything else that is not a document is
reported with a named error instead of being dropped in silence: FIFOs and
other special files, dangling or looping links, folders that cannot be
listed, paths longer than the system allows, and a folder holding no
supported document at all.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import (
    BrokenLinkError,
    DocumentLoadError,
    InputPathError,
    NoDocumentsError,
    NotRegularFileError,
    PathTooLongError,
    UnreadableFolderError,
)


@dataclass
class Discovered:
    """The documents found, in a stable order, and one error per path passed over."""

    files: list[Path] = field(default_factory=list)
    errors: list[DocumentLoadError] = field(default_factory=list)


def discover(paths: Iterable[str | Path], suffixes: Collection[str]) -> Discovered:
    """Files named directly, and files with one of ``suffixes`` under folders."""
    found = Discovered()
    for raw in paths:
        path = Path(raw)
        info = _stat(path, found)
        if info is None:
            continue
        if stat.S_ISDIR(info.st_mode):
            start = len(found.errors)
            files = _walk(path, suffixes, found, {(info.st_dev, info.st_ino)})
            found.errors[start:] = sorted(found.errors[start:], key=lambda e: e.path or "")
            found.files += sorted(files)
            if not files:
                found.errors.append(NoDocumentsError(f"no document ({_names(suffixes)}) in this folder", path))
        elif stat.S_ISREG(info.st_mode):
            found.files.append(path)
        else:
            found.errors.append(_special(path, info))
    unique: dict[Path, None] = {}
    for file in found.files:
        unique.setdefault(file.resolve(), None)
    found.files = list(unique)
    return found


def _walk(root: Path, suffixes: Collection[str], found: Discovered, seen: set[tuple[int, int]]) -> list[Path]:
    """Documents under ``root``, searched without recursion; errors go to ``found``."""
    files: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            found.errors.append(_folder_error(folder, exc))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            info = _stat(path, found)
            if info is None:
                continue
            if stat.S_ISDIR(info.st_mode):
                if (info.st_dev, info.st_ino) in seen:
                    found.errors.append(BrokenLinkError("a link back to a folder already searched (a loop); skipped", path))
                else:
                    seen.add((info.st_dev, info.st_ino))
                    subfolders.append(path)
            elif path.suffix.lower() in suffixes:
                if stat.S_ISREG(info.st_mode):
                    files.append(path)
                else:
                    found.errors.append(_special(path, info))
        stack.extend(subfolders)
    return files


def _stat(path: Path, found: Discovered) -> os.stat_result | None:
    """``os.stat`` following links; a failure is recorded as a named error."""
    try:
        return os.stat(path)
    except OSError as exc:
        found.errors.append(_path_error(path, exc))
        return None


def _path_error(path: Path, exc: OSError) -> DocumentLoadError:
    if exc.errno == errno.ENAMETOOLONG:
        return PathTooLongError(f"path of {len(str(path))} characters is too long for this system; move or rename it", path)
    if exc.errno == errno.ELOOP:
        return BrokenLinkError("a symbolic link that loops back on itself", path)
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return BrokenLinkError(f"a symbolic link to {os.readlink(path)!r}, which does not exist", path)
    if exc.errno == errno.ENOENT:
        return DocumentLoadError("no such file or folder", path)
    return InputPathError(f"cannot read: {exc.strerror}", path)


def _folder_error(folder: Path, exc: OSError) -> DocumentLoadError:
    if isinstance(exc, PermissionError):
        return UnreadableFolderError("folder cannot be listed (permission denied); its documents were skipped", folder)
    return _path_error(folder, exc)


def _special(path: Path, info: os.stat_result) -> NotRegularFileError:
    kind = (
        "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode)
        else "a socket" if stat.S_ISSOCK(info.st_mode)
        else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "not a regular file"
    )
    return NotRegularFileError(f"{kind}, not a document file; not opened", path)


def _names(suffixes: Collection[str]) -> str:
    return ", ".join(f"*{s}" for s in sorted(suffixes))
