"""Section-heading evaluation against hand-checked expected sections.

Headings are matched by source line: precision is the share of found headings
that are real, recall the share of real headings found. Among matched headings
``level_accuracy`` (and ``type_accuracy`` where both sides have a type) tell
whether the outline is right, not just the heading lines.

Headings need no model: ``python -m extractor.evaluation.score_sections``
prints these scores without the (training) ``extractor evaluate`` run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.datamodel import Section
from extractor.evaluation.common import prf, read_expected, safe_div
from extractor.reader import read_document
from extractor.segmenter import segment

SectionLike = Section | Mapping[str, Any]


def _as_dict(section: SectionLike) -> Mapping[str, Any]:
    return section.to_dict() if isinstance(section, Section) else section


def section_scores(predicted: Sequence[SectionLike], expected: Sequence[SectionLike]) -> dict[str, Any]:
    """Heading precision/recall/F1 by line, and level/type accuracy among matched headings."""
    found = {int(s["line"]): s for s in map(_as_dict, predicted)}
    truth = {int(s["line"]): s for s in map(_as_dict, expected)}
    matched = sorted(found.keys() & truth.keys())
    typed = [n for n in matched if found[n].get("type") and truth[n].get("type")]
    counts = {
        "expected": len(truth),
        "predicted": len(found),
        "matched": len(matched),
        "level_right": sum(int(found[n]["level"]) == int(truth[n]["level"]) for n in matched),
        "typed": len(typed),
        "type_right": sum(found[n]["type"] == truth[n]["type"] for n in typed),
    }
    return {
        **prf(counts["matched"], counts["predicted"], counts["expected"]),
        **counts,
        **_accuracies(counts),
        "missing_lines": sorted(truth.keys() - found.keys()),
        "extra_lines": sorted(found.keys() - truth.keys()),
    }


def section_metrics(
    predicted: Mapping[str, Sequence[SectionLike]], expected: Mapping[str, Sequence[SectionLike]]
) -> dict[str, Any]:
    """Scores pooled over the documents that have expected sections, and per document."""
    docs = sorted(doc for doc in expected if doc in predicted)
    per_doc = {doc: section_scores(predicted[doc], expected[doc]) for doc in docs}
    totals = {k: sum(per_doc[d][k] for d in docs) for k in _COUNTS}
    return {
        **prf(totals["matched"], totals["predicted"], totals["expected"]),
        **totals,
        **_accuracies(totals),
        "documents": docs,
        "per_document": per_doc,
    }


_COUNTS = ("expected", "predicted", "matched", "level_right", "typed", "type_right")


def _accuracies(counts: Mapping[str, int]) -> dict[str, float]:
    return {
        "level_accuracy": safe_div(counts["level_right"], counts["matched"]),
        "type_accuracy": safe_div(counts["type_right"], counts["typed"]),
    }


def segment_and_score(sources: Mapping[str, Path], expected_dir: Path) -> dict[str, Any] | None:
    """Segment each source (doc_id -> text file) that has ``<doc_id>.jsonl`` in
    ``expected_dir`` and score it; ``None`` when no source has expected sections."""
    expected = read_expected(expected_dir)
    docs = sorted(d for d in sources if d in expected)
    if not docs:
        return None
    found: dict[str, list[Section]] = {d: segment(read_document(sources[d]).lines) for d in docs}
    return section_metrics(found, {d: expected[d] for d in docs})

