"""A user's metadata sidecar: a CSV keyed by document path or content hash.

Every other column (region, URL, anything) is copied onto the document and
its records. Relative paths are read relative to the CSV's own folder, so a
sidecar kept beside a corpus works from anywhere.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import MetadataFileError

KEY_COLUMNS = ("path", "sha256")


@dataclass(frozen=True)
class Sidecar:
    """Rows of the CSV by resolved path and by sha256; ``columns`` are the copied ones."""

    columns: tuple[str, ...] = ()
    by_path: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    by_sha256: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)

    def lookup(self, path: str | Path, sha256: str) -> dict[str, str | None]:
        """The copied columns for a document (path match first, then content); None where absent."""
        row = self.by_path.get(str(Path(path).resolve())) or self.by_sha256.get(sha256.lower()) or {}
        return {column: row.get(column) for column in self.columns}


def load_sidecar(path: str | Path, reserved: Collection[str] = ()) -> Sidecar:
    """Read the sidecar at ``path``; a malformed one raises MetadataFileError naming the line.

    ``reserved`` are output field names a column may not take (it would hide them).
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            columns = _columns(header, reserved, path)
            by_path: dict[str, dict[str, str | None]] = {}
            by_sha: dict[str, dict[str, str | None]] = {}
            for number, raw in enumerate(reader, 2):
                row = {k.strip(): (v.strip() or None) if isinstance(v, str) else None for k, v in raw.items() if k}
                values = {c: row.get(c) for c in columns}
                if row.get("path"):
                    _put(by_path, str((path.parent / row["path"]).resolve()), values, number, path)
                if row.get("sha256"):
                    _put(by_sha, row["sha256"].lower(), values, number, path)
                if not row.get("path") and not row.get("sha256"):
                    raise MetadataFileError(f"line {number}: neither path nor sha256 is given", path)
    except UnicodeDecodeError as exc:
        raise MetadataFileError(f"not UTF-8 text ({exc.reason})", path) from exc
    except csv.Error as exc:
        raise MetadataFileError(f"not a valid CSV file ({exc})", path) from exc
    except OSError as exc:
        raise MetadataFileError(f"cannot read: {exc.strerror}", path) from exc
    return Sidecar(tuple(columns), by_path, by_sha)


def _columns(header: list[str], reserved: Collection[str], path: Path) -> list[str]:
    if not any(key in header for key in KEY_COLUMNS):
        raise MetadataFileError("line 1: the header needs a path or a sha256 column", path)
    columns = [h for h in header if h and h not in KEY_COLUMNS]
    clash = [c for c in columns if c in reserved]
    if clash:
        raise MetadataFileError(f"line 1: column(s) {', '.join(clash)} would hide fields of the output; rename them", path)
    if len(set(columns)) != len(columns):
        raise MetadataFileError("line 1: a column name appears twice", path)
    return columns


def _put(index: dict[str, dict[str, str | None]], key: str, values: dict[str, str | None], number: int, path: Path) -> None:
    if key in index:
        raise MetadataFileError(f"line {number}: {key} is listed twice", path)
    index[key] = values
