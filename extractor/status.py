"""A document's status, as bulk converters report it: success, partial or failure.

``partial`` means the document was read but something a user should know went
wrong on the way to its records, each with a machine-readable reason:

- ``performance_part_without_records``: the document has a performance part
  (section or table) and gave no record at all;
- ``table_without_records:<line>``: a performance table starting at that line gave none;
- ``uncertain_column_roles:<line>``: the indicator or target columns of that
  table were chosen at less than even odds;
- ``most_records_need_review``: more than half of the records are below the
  review threshold.

``failure`` (the document could not be read or processed) is reported with
its error code.
"""

from __future__ import annotations

from typing import Any

from extractor.pipeline import DocumentResult

SUCCESS, PARTIAL, FAILURE = "success", "partial", "failure"
_UNSURE = 0.5
_KEY_ROLES = ("indicator", "grade", "target")


def document_status(result: DocumentResult) -> dict[str, Any]:
    """{"status": …, "reasons": […]} of one extracted document."""
    reasons: list[str] = []
    performance_tables = [t for t in result.tables if t.is_performance]
    has_part = bool(performance_tables) or any(s.type == "performance" for s in result.sections)
    if has_part and not result.records:
        reasons.append("performance_part_without_records")
    with_records = {r.table for r in result.records}
    for table in performance_tables:
        if table.index not in with_records:
            reasons.append(f"table_without_records:{table.line}")
        confidences = [
            row.role_confidence.get(col, 1.0)
            for row in table.rows for col, role in row.roles.items() if role in _KEY_ROLES
        ]
        if confidences and min(confidences) < _UNSURE:
            reasons.append(f"uncertain_column_roles:{table.line}")
    if result.records and sum(r.needs_review for r in result.records) * 2 > len(result.records):
        reasons.append("most_records_need_review")
    return {"status": PARTIAL if reasons else SUCCESS, "reasons": reasons}


def failure_status(error: dict[str, Any]) -> dict[str, Any]:
    """The documents row of a document that failed, from its errors.jsonl entry."""
    return {"source": error.get("source"), "status": FAILURE, "reasons": [str(error.get("code", "E000"))]}
