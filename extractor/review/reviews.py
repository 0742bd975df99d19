"""Reviewers' labels on disk: ``annotations/reviews/*.jsonl``.

One JSON object per line and per annotation (see ``REVIEW_FIELDS``). Files are
only ever appended to, through a temp file + fsync + atomic rename, so a pull
that is interrupted leaves either the old file or the new one, never half.
No Label Studio import here: extraction and retraining use this module.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extractor.datamodel import LABELS
from extractor.errors import AnnotationsError
from extractor.jsonl import iter_jsonl
from extractor.tables.reviewed_roles import load_reviewed_tables

REVIEWS_SUBDIR = "reviews"
REVIEWS_FILE = "reviews.jsonl"
REVIEW_FIELDS: tuple[str, ...] = (
    "key", "doc_id", "doc_sha256", "line", "col", "text", "context", "label",
    "predicted_label", "predicted_score", "model_version", "task_id",
    "annotation_id", "reviewer", "time", "source",
)  # fmt: skip


def reviews_dir(annotations_dir: str | Path) -> Path:
    """Folder holding review files inside an annotations folder."""
    return Path(annotations_dir) / REVIEWS_SUBDIR


def reviews_path(annotations_dir: str | Path) -> Path:
    """The file ``pull`` appends to."""
    return reviews_dir(annotations_dir) / REVIEWS_FILE


def parse_time(value: Any) -> datetime:
    """Parse an ISO time (``Z`` allowed); naive times are taken as UTC."""
    if not isinstance(value, str):
        raise TypeError(f"time must be an ISO string, got {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_review(obj: Any) -> str | None:
    """Return what is wrong with one review object, or None."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    if not isinstance(obj.get("key"), str) or not obj["key"]:
        return "missing 'key'"
    if obj.get("label") not in LABELS:
        return f"label {obj.get('label')!r} is not one of {', '.join(LABELS)}"
    try:
        parse_time(obj.get("time"))
    except (TypeError, ValueError) as exc:
        return f"bad 'time': {exc}"
    return None


def iter_reviews(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield the reviews of one file; a malformed line raises AnnotationsError."""
    for number, obj in iter_jsonl(path):
        problem = _check_review(obj)
        if problem:
            raise AnnotationsError(f"line {number}: {problem}", Path(path))
        yield obj


def review_files(annotations_dir: str | Path) -> list[Path]:
    """All ``*.jsonl`` files under ``<annotations_dir>/reviews``, sorted by name."""
    folder = reviews_dir(annotations_dir)
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def iter_all_reviews(annotations_dir: str | Path) -> Iterator[dict[str, Any]]:
    """Every review line of every review file, in file then line order."""
    for path in review_files(annotations_dir):
        yield from iter_reviews(path)


def load_reviews(annotations_dir: str | Path) -> dict[str, dict[str, Any]]:
    """Map row key -> its latest review (by ``time``; later lines win ties), and
    table key -> its latest table review (``columns/reviewed_tables.jsonl``).

    ``annotations_dir`` is the annotations folder (``annotations/``); reviews
    are read from its ``reviews/`` subfolder. A missing folder gives ``{}``.
    """
    latest: dict[str, dict[str, Any]] = {}
    for review in iter_all_reviews(annotations_dir):
        held = latest.get(review["key"])
        if held is None or parse_time(review["time"]) >= parse_time(held["time"]):
            latest[review["key"]] = review
    # Whole-table reviews (column roles), keyed ``<sha16>:table:<fingerprint>``.
    latest.update(load_reviewed_tables(annotations_dir))
    return latest


def append_jsonl_atomic(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Append records as JSON lines via temp file + fsync + rename; return count."""
    path = Path(path)
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records]
    if not lines:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_bytes() if path.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(old)
            fh.write("".join(lines).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return len(lines)
