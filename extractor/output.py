"""Writers for the run's output files: always to a temporary file, then renamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.models.base import write_text_atomic

RECORD_COLUMNS = (
    "doc_id", "source", "table", "line", "parent_activity", "activity", "activity_budget",
    "indicator", "indicator_category", "confidence", "needs_review",
)


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """One JSON object per line (UTF-8, Chinese kept readable); returns the count."""
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
    write_text_atomic(path, "".join(lines))
    return len(lines)


def flatten_record(record: Mapping[str, Any], grades: Sequence[str]) -> dict[str, Any]:
    """A record as one CSV row: categories joined, one column per threshold grade."""
    row = {key: record.get(key) for key in RECORD_COLUMNS}
    row["indicator_category"] = " / ".join(record.get("indicator_category") or [])
    for grade in grades:
        row[f"threshold_{grade}"] = (record.get("thresholds") or {}).get(grade, "")
    row["parsed_thresholds"] = json.dumps(record.get("parsed_thresholds") or [], ensure_ascii=False)
    return row


def write_records_csv(path: Path, records: Sequence[Mapping[str, Any]]) -> None:
    """records.csv in UTF-8 with BOM, so Excel shows the Chinese text."""
    grades: list[str] = []
    for record in records:
        for grade in record.get("thresholds") or {}:
            if grade not in grades:
                grades.append(grade)
    header = [*RECORD_COLUMNS, *(f"threshold_{g}" for g in grades), "parsed_thresholds"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(flatten_record(record, grades))
    write_text_atomic(path, "\ufeff" + buffer.getvalue())
