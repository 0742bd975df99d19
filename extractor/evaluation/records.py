"""Record-level evaluation against hand-checked expected records.

A record is one ``records.jsonl`` line (an :class:`~extractor.datamodel.IndicatorRecord`
as a dict). Predicted and expected records are matched as multisets by
(doc_id, line, indicator text with whitespace removed). A matched record is
right only when its activity and every threshold (same grade keys, same raw
text up to whitespace) are right too; unmatched predictions are extra,
unmatched expectations missing.

Expected records of a long document may cover only part of it: ``scope``
maps a doc_id to the (first, last) source line ranges that were checked, and
only predictions inside them are scored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.errors import AnnotationsError
from extractor.evaluation.common import compact_text, prf, safe_div

Record = Mapping[str, Any]
Scope = Mapping[str, Sequence[Sequence[int]]]
SCOPE_FILE = "scope.json"
MAX_MISTAKES = 200


def record_key(record: Record) -> tuple[str, int, str]:
    """What identifies a record: document, source line and indicator text."""
    return (str(record["doc_id"]), int(record["line"]), compact_text(record.get("indicator")))


def thresholds_of(record: Record) -> dict[str, str]:
    """Grade -> threshold text, whitespace removed."""
    return {compact_text(k): compact_text(v) for k, v in (record.get("thresholds") or {}).items()}


def record_mistakes(predicted: Record, expected: Record) -> list[str]:
    """Fields of a matched record that are wrong: ``activity``, ``indicator``, ``thresholds``."""
    wrong = [f for f in ("activity", "indicator") if compact_text(predicted.get(f)) != compact_text(expected.get(f))]
    if thresholds_of(predicted) != thresholds_of(expected):
        wrong.append("thresholds")
    return wrong


@dataclass
class RecordMatch:
    """Matched (predicted, expected) pairs, and the unmatched records on each side."""

    pairs: list[tuple[Record, Record]] = field(default_factory=list)
    extra: list[Record] = field(default_factory=list)
    missing: list[Record] = field(default_factory=list)


def match_records(predicted: Sequence[Record], expected: Sequence[Record]) -> RecordMatch:
    """Pair records with equal keys; among duplicates, identical records pair first."""
    by_key: dict[tuple[str, int, str], tuple[list[Record], list[Record]]] = defaultdict(lambda: ([], []))
    for rec in predicted:
        by_key[record_key(rec)][0].append(rec)
    for rec in expected:
        by_key[record_key(rec)][1].append(rec)
    match = RecordMatch()
    for preds, exps in by_key.values():
        preds, exps = list(preds), list(exps)
        for p in list(preds):
            twin = next((e for e in exps if not record_mistakes(p, e)), None)
            if twin is not None:
                match.pairs.append((p, twin))
                preds.remove(p)
                exps.remove(twin)
        match.pairs.extend(zip(preds, exps, strict=False))
        match.extra.extend(preds[len(exps) :])
        match.missing.extend(exps[len(preds) :])
    return match


def in_scope(record: Record, scope: Scope | None) -> bool:
    """True when the record's document is not limited by ``scope`` or its line is in a checked range."""
    if not scope or record["doc_id"] not in scope:
        return True
    line = int(record["line"])
    return any(lo <= line <= hi for lo, hi in scope[record["doc_id"]])


def load_scope(directory: Path) -> dict[str, list[list[int]]]:
    """``scope.json`` of an expected-records folder: doc_id -> checked [first, last] line ranges."""
    path = directory / SCOPE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(doc): [[int(lo), int(hi)] for lo, hi in ranges] for doc, ranges in data.items()}
    except (json.JSONDecodeError, TypeError, ValueError, AttributeError) as exc:
        raise AnnotationsError(f"expected {{doc_id: [[first_line, last_line], ...]}} ({exc})", path) from exc


def record_metrics(predicted: Sequence[Record], expected: Sequence[Record], scope: Scope | None = None) -> dict[str, Any]:
    """Pooled and per-document record precision/recall/F1 and field accuracies, with the mistakes."""
    predicted = [r for r in predicted if in_scope(r, scope)]
    expected = [r for r in expected if in_scope(r, scope)]
    docs = sorted({str(r["doc_id"]) for r in expected} | {str(r["doc_id"]) for r in predicted})
    pooled = _scores(predicted, expected)
    pooled["per_document"] = {
        doc: _scores([r for r in predicted if r["doc_id"] == doc], [r for r in expected if r["doc_id"] == doc], mistakes=False)
        for doc in docs
    }
    pooled["scope"] = {doc: [list(r) for r in ranges] for doc, ranges in (scope or {}).items()}
    return pooled


def _scores(predicted: Sequence[Record], expected: Sequence[Record], mistakes: bool = True) -> dict[str, Any]:
    match = match_records(predicted, expected)
    wrong = [(p, e, record_mistakes(p, e)) for p, e in match.pairs]
    correct = sum(not fields for _p, _e, fields in wrong)
    matched = len(match.pairs)
    flagged_wrong = [p for p, _e, fields in wrong if fields] + match.extra
    scores: dict[str, Any] = {
        **prf(correct, len(predicted), len(expected)),
        "expected": len(expected),
        "predicted": len(predicted),
        "matched": matched,
        "correct": correct,
        "missing": len(match.missing),
        "extra": len(match.extra),
        "thresholds_exact": safe_div(sum("thresholds" not in f for _p, _e, f in wrong), matched),
        "activity_accuracy": safe_div(sum("activity" not in f for _p, _e, f in wrong), matched),
        "parent_activity_accuracy": safe_div(
            sum(compact_text(p.get("parent_activity")) == compact_text(e.get("parent_activity")) for p, e in match.pairs), matched
        ),
        "needs_review_share": safe_div(sum(bool(p.get("needs_review")) for p in predicted), len(predicted)),
        "wrong_flagged_share": safe_div(sum(bool(p.get("needs_review")) for p in flagged_wrong), len(flagged_wrong)),
    }
    if mistakes:
        scores["mistakes"] = _mistake_rows(wrong, match)[:MAX_MISTAKES]
    return scores


def _mistake_rows(wrong: list[tuple[Record, Record, list[str]]], match: RecordMatch) -> list[dict[str, Any]]:
    """One row per wrong, missing or extra record, in document order."""
    rows = [_mistake(", ".join(f), p, e) for p, e, f in wrong if f]
    rows += [_mistake("missing", None, e) for e in match.missing]
    rows += [_mistake("extra", p, None) for p in match.extra]
    return sorted(rows, key=lambda r: (r["doc_id"], r["line"], r["indicator"]))


def _mistake(kind: str, predicted: Record | None, expected: Record | None) -> dict[str, Any]:
    ref = expected if expected is not None else predicted
    assert ref is not None

    def brief(rec: Record | None) -> dict[str, Any] | None:
        return None if rec is None else {"activity": rec.get("activity"), "thresholds": dict(rec.get("thresholds") or {})}

    return {
        "doc_id": str(ref["doc_id"]),
        "line": int(ref["line"]),
        "indicator": str(ref.get("indicator") or ""),
        "wrong": kind,
        "expected": brief(expected),
        "predicted": brief(predicted),
    }
