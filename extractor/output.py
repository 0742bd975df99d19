"""Streaming writers for the run's output files: each goes to a temporary file
that is renamed into place only when complete, so no reader ever sees half a file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.atomic import AtomicFile

RECORD_COLUMNS = (
    "doc_id", "source", "table", "line", "page", "parent_activity", "activity", "activity_budget",
    "indicator", "indicator_category", "confidence", "needs_review", "record_id", "unit", "year", "kind", "province", "city",
)
# A parsed threshold that has none of these says nothing its text does not.
PARSED_FIELDS = ("operator", "value", "upper", "date")
# Grades that get a column of their own in records.csv; any other grade goes to threshold_other.
CSV_GRADES = ("优", "良", "中", "差", "指标值")


def compact_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record dict as the output files hold it.

    ``parsed_thresholds`` keeps only thresholds that parsed to something (an
    operator, value or date), without empty fields, and without ``raw`` when it
    is the grade's text in ``thresholds``; ``doubts`` keeps only the doubts that
    are raised (a doubt is 0 and a ``*_confidence`` 1 when nothing is in doubt;
    readers take a missing one as that value).
    """
    out = dict(record)
    texts = record.get("thresholds") or {}
    out["parsed_thresholds"] = [
        {k: v for k, v in t.items() if v is not None and not (k == "raw" and v == texts.get(t.get("grade")))}
        for t in record.get("parsed_thresholds") or []
        if any(t.get(k) is not None for k in PARSED_FIELDS)
    ]
    out["doubts"] = {
        name: round(float(value), 6)
        for name, value in (record.get("doubts") or {}).items()
        if float(value) != (1.0 if name.endswith("confidence") else 0.0)
    }
    return out


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(row, ensure_ascii=False), its encoder made once


def jsonl_line(row: Mapping[str, Any]) -> str:
    """``row`` as one line of a JSON Lines file (UTF-8, Chinese kept readable), newline included."""
    return _ENCODE(row) + "\n"


class JsonlWriter(AtomicFile):
    """JSON Lines, UTF-8 with Chinese kept readable; counts what it wrote."""

    count = 0

    def write(self, row: Mapping[str, Any]) -> None:
        self.handle.write(jsonl_line(row))
        self.count += 1

    def write_all(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Write each of ``rows``."""
        for row in rows:
            self.write(row)


class RecordsCsvWriter(AtomicFile):
    """records.csv in UTF-8 with BOM, so Excel shows the Chinese text."""

    def __init__(self, path: Path, extra_columns: Sequence[str] = ()) -> None:
        super().__init__(path, newline="", encoding="utf-8-sig")
        self.extra_columns = tuple(extra_columns)

    def __enter__(self) -> RecordsCsvWriter:
        super().__enter__()
        self._writer = csv.writer(self.handle)
        self._writer.writerow(csv_header(self.extra_columns))
        return self

    def write(self, record: Mapping[str, Any]) -> None:
        self._writer.writerow(csv_row(record, self.extra_columns))

    def write_lines(self, text: str) -> None:
        """Add rows already written as CSV text (:func:`csv_lines`)."""
        self.handle.write(text)


def csv_header(extra_columns: Sequence[str] = ()) -> list[str]:
    """The columns of records.csv."""
    return [*RECORD_COLUMNS, *(f"threshold_{g}" for g in CSV_GRADES), "threshold_other", "parsed_thresholds", *extra_columns]


def csv_row(record: Mapping[str, Any], extra_columns: Sequence[str] = ()) -> list[Any]:
    """One record's values in :func:`csv_header` order."""
    # A plain list in header order (flatten_record's order): csv.DictWriter checks each row's keys.
    return [*flatten_record(record).values(), *(record.get(c) for c in extra_columns)]


def csv_lines(records: Iterable[Mapping[str, Any]], extra_columns: Sequence[str] = ()) -> str:
    """Records as records.csv rows (no header), the text :meth:`RecordsCsvWriter.write_lines` adds."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    for record in records:
        writer.writerow(csv_row(record, extra_columns))
    return text.getvalue()


def flatten_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as one CSV row: categories joined, one column per usual grade."""
    row = {key: record.get(key) for key in RECORD_COLUMNS}
    row["indicator_category"] = " / ".join(record.get("indicator_category") or [])
    thresholds = dict(record.get("thresholds") or {})
    for grade in CSV_GRADES:
        row[f"threshold_{grade}"] = thresholds.pop(grade, "")
    row["threshold_other"] = _ENCODE(thresholds) if thresholds else ""
    row["parsed_thresholds"] = _ENCODE(record.get("parsed_thresholds") or [])
    return row
