"""Labelled row units in ``annotations/``: reading, validating and merging.

Layout of the folder:

- ``hand/<doc_id>.jsonl``: hand-checked labels of the sample documents;
- ``reviews/*.jsonl``: reviewers' labels pulled from Label Studio (append-only);
- ``expected_records/``, ``expected_sections/``: hand-checked expected output.

Each label line carries the unit's ``text`` and ``context`` snapshot, so
training never needs the source document. A malformed line stops everything
with the file and line named: we never train on half the data silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.datamodel import LABELS
from extractor.errors import AnnotationsError
from extractor.jsonl import iter_jsonl

HAND_DIR = "hand"
REVIEWS_DIR = "reviews"
_REQUIRED = ("key", "doc_id", "line", "col", "text", "label", "context")
_REQUIRED_CONTEXT = ("layout", "col", "row_texts", "header")


@dataclass
class Annotation:
    """One labelled row unit."""

    key: str
    doc_id: str
    line: int
    col: int
    text: str
    label: str
    context: dict[str, Any]
    source: str = "hand"
    time: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The unit record the classifier consumes."""
        return {"text": self.text, "context": self.context}


def parse_annotation(obj: dict[str, Any], path: Path, number: int) -> Annotation:
    """Validate one annotation object; errors name the file, line and field."""
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        raise AnnotationsError(f"line {number}: missing field(s) {', '.join(missing)}", path)
    if obj["label"] not in LABELS:
        raise AnnotationsError(f"line {number}: label {obj['label']!r} is not one of {', '.join(LABELS)}", path)
    context = obj["context"]
    if not isinstance(context, dict) or any(k not in context for k in _REQUIRED_CONTEXT):
        raise AnnotationsError(f"line {number}: context must be an object with {', '.join(_REQUIRED_CONTEXT)}", path)
    try:
        line, col = int(obj["line"]), int(obj["col"])
    except (TypeError, ValueError) as exc:
        raise AnnotationsError(f"line {number}: line and col must be integers", path) from exc
    known = set(_REQUIRED) | {"source", "time"}
    return Annotation(
        key=str(obj["key"]),
        doc_id=str(obj["doc_id"]),
        line=line,
        col=col,
        text=str(obj["text"]),
        label=obj["label"],
        context=context,
        source=str(obj.get("source", "hand")),
        time=str(obj.get("time", "")),
        extra={k: v for k, v in obj.items() if k not in known},
    )


def read_annotation_file(path: Path) -> list[Annotation]:
    return [parse_annotation(obj, path, number) for number, obj in iter_jsonl(path)]


def _files(directory: Path) -> Iterable[Path]:
    return sorted(directory.glob("*.jsonl")) if directory.is_dir() else []


def load_annotations(root: str | Path) -> list[Annotation]:
    """Hand labels overlaid with reviews; for one unit the newest review wins."""
    root = Path(root)
    if not root.is_dir():
        raise AnnotationsError("annotations folder not found", root)
    merged: dict[str, Annotation] = {}
    for path in _files(root / HAND_DIR):
        for ann in read_annotation_file(path):
            merged[ann.key] = ann
    reviews = [ann for path in _files(root / REVIEWS_DIR) for ann in read_annotation_file(path)]
    for ann in sorted(reviews, key=lambda a: a.time):
        merged[ann.key] = ann
    if not merged:
        raise AnnotationsError("no annotations found (expected hand/*.jsonl or reviews/*.jsonl)", root)
    return list(merged.values())


def data_fingerprint(annotations: Sequence[Annotation]) -> str:
    """sha256 over the (key, label, text) of every annotation, order-independent."""
    digest = hashlib.sha256()
    for key, label, text in sorted((a.key, a.label, a.text) for a in annotations):
        digest.update(f"{key}\t{label}\t{text}\n".encode())
    return digest.hexdigest()


def training_files(root: str | Path) -> list[Path]:
    """The files ``load_annotations`` reads, for hashing into the model card."""
    root = Path(root)
    return [*_files(root / HAND_DIR), *_files(root / REVIEWS_DIR)]
