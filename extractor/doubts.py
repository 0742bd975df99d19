"""Every reason to doubt a record, as numbers a calibrator can weigh.

A record can be wrong because a cell was labelled wrongly, because its table's
column roles are uncertain or unlike anything seen in training, because a
text row was split ambiguously, or because the record itself does not look
like a performance target (no thresholds, no activity, grades out of order, a
scoring rule filed as a grade). :func:`record_doubts` measures each; the
record calibrator (:mod:`extractor.record_calibration`) turns them into one
probability that the record is right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from extractor.datamodel import Row, Table
from extractor.vocabulary import GRADES, load_vocabulary

DOUBTS: tuple[str, ...] = (
    "cell_confidence", "role_confidence", "split_confidence", "unknown_headers", "no_header",
    "no_thresholds", "no_activity", "prose_threshold", "scoring_rule", "grades_out_of_order", "roles_overruled",
    "uncertain_roles", "competing_headers",
)
# Column roles that shape a record: one set against the model's first choice is a doubt.
_RECORD_ROLES = frozenset({"parent_activity", "activity", "category1", "category2", "indicator", "grade", "target"})
_SCORING_RULE = re.compile(r"得\s*\d+\s*分|扣\s*\d*\s*分|分值|评分|计分|不得分")
_PROSE = 30  # a threshold longer than this with no number reads like a sentence
_UNCERTAIN_ROLE = 0.5  # a record column's role below this confidence is a coin toss
_ONE_COLUMN_ROLES = frozenset({"activity", "indicator", "target"})


def table_novelty(table: Table) -> dict[str, float]:
    """Share of the table's header words the vocabulary does not know, whether
    it has a header, and whether two headers name the same one-column role."""
    vocab = load_vocabulary()
    words = [c.text for row in table.rows if row.is_header for c in row.cells if c.text.strip()]
    named = [vocab.header_role(w) for w in words]
    unknown = sum(1 for w, (role, _) in zip(words, named, strict=True) if not role and not vocab.grade_of(w))
    exact = [role for role, score in named if score == 1.0 and role in _ONE_COLUMN_ROLES]
    return {
        "unknown_headers": unknown / len(words) if words else 0.0,
        "no_header": float(not words and table.layout != "inline"),
        # Two headers naming the same one-column role (三级指标 beside 绩效指标): one of them was set aside.
        "competing_headers": float(len(exact) > len(set(exact))),
    }


def record_doubts(
    cell_confidence: float,
    row: Row,
    novelty: Mapping[str, float],
    activity: str | None,
    thresholds: Mapping[str, str],
    parsed: Sequence[Mapping[str, Any]],
) -> dict[str, float]:
    """The doubts of one record (each 0 = no doubt … 1 = strong doubt, confidences as they are)."""
    roles = [row.role_confidence.get(c) for c, r in row.roles.items() if r in ("indicator", "grade", "target")]
    role_confidence = float(min([r for r in roles if r is not None], default=1.0))
    texts = [t for t in thresholds.values() if t.strip()]
    return {
        "cell_confidence": float(cell_confidence),
        "role_confidence": role_confidence,
        "split_confidence": float(row.split_confidence),
        "unknown_headers": float(novelty.get("unknown_headers", 0.0)),
        "no_header": float(novelty.get("no_header", 0.0)),
        "no_thresholds": float(not texts),
        "no_activity": float(not activity),
        "prose_threshold": float(any(p.get("value") is None and len(p.get("raw") or "") > _PROSE for p in parsed)),
        "scoring_rule": float(any(_SCORING_RULE.search(t) for t in texts)),
        "grades_out_of_order": float(_grades_out_of_order(parsed)),
        "roles_overruled": float(any(c in row.roles_overruled for c, r in row.roles.items() if r in _RECORD_ROLES)),
        # The raw score does not carry over between layouts; whether it fell below a coin toss does.
        "uncertain_roles": float(role_confidence < _UNCERTAIN_ROLE),
        "competing_headers": float(novelty.get("competing_headers", 0.0)),
    }


def _grades_out_of_order(parsed: Sequence[Mapping[str, Any]]) -> bool:
    """优 ≥ 良 ≥ 中 for "at least" targets (≤ for "at most" ones); False when it cannot be told."""
    by_grade = {p.get("grade"): p for p in parsed if p.get("grade") in GRADES[:3] and p.get("value") is not None}
    if len(by_grade) < 3 or len({p.get("unit") for p in by_grade.values()}) != 1:
        return False
    operators = {p.get("operator") for p in by_grade.values()}
    values = [float(by_grade[g]["value"]) for g in GRADES[:3]]
    if operators <= {">=", ">"}:
        return not values[0] >= values[1] >= values[2]
    if operators <= {"<=", "<"}:
        return not values[0] <= values[1] <= values[2]
    return False
