"""Helpers shared by the evaluation modules: scores, expected-output files, atomic writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extractor.annotations import iter_jsonl


def safe_div(num: float, den: float) -> float:
    """``num / den``, or 0.0 when ``den`` is 0."""
    return float(num) / float(den) if den else 0.0


def prf(true_positives: int, n_predicted: int, n_expected: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    precision = safe_div(true_positives, n_predicted)
    recall = safe_div(true_positives, n_expected)
    f1 = safe_div(2 * precision * recall, precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def compact_text(text: Any) -> str:
    """Text with all whitespace removed (OCR gaps and line wraps are layout noise here)."""
    return "" if text is None else "".join(str(text).split())


def read_expected(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """``<doc_id>.jsonl`` files of ``directory`` as doc_id -> objects (empty if no folder)."""
    if not directory.is_dir():
        return {}
    return {path.stem: [obj for _n, obj in iter_jsonl(path)] for path in sorted(directory.glob("*.jsonl"))}
