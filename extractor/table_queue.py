"""Tables whose column roles are uncertain: the entries of ``table_queue.jsonl``.

One entry per performance table (not an inline list) whose least sure column
role is below ``TABLE_REVIEW_BELOW``, with what a reviewer needs to name every
column at once (the table's rows as cell texts, the roles the model chose) and
what answering it is worth: ``gain``, the expected number of wrong records it
fixes (the sum of ``1 - confidence`` over the table's records, or one per row
when it gave none). ``covers`` lists the unit keys whose label simply follows
their column's role: a table task decides them, so they are not also queued as
cell tasks. Header cells are never cell tasks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from extractor.datamodel import IndicatorRecord, RowUnit, Section, Table
from extractor.tables.reviewed_roles import table_key

TABLE_QUEUE_FILE = "table_queue.jsonl"
# A table is queued when one of its columns' roles is less sure than this.
TABLE_REVIEW_BELOW = 0.8
# Rows a table task carries (a reviewer sees the first ones; pull keeps them as training contents).
MAX_TASK_ROWS = 40
# Labels a cell takes from its column's role (as in the pipeline).
_ROLE_LABELS = {"activity": "activity", "parent_activity": "activity", "indicator": "indicator", "grade": "threshold", "target": "threshold"}


def queue_order(entry: Mapping[str, Any]) -> tuple[float, str, int]:
    """Where an entry goes in table_queue.jsonl: most gain first, then by document and line."""
    return (-entry["gain"], entry["doc_id"], entry["line"])


def table_entries(
    doc_id: str, doc_sha256: str, source: str, tables: Sequence[Table], sections: Sequence[Section],
    units: Sequence[RowUnit], records: Sequence[IndicatorRecord], model_version: str, below: float = TABLE_REVIEW_BELOW,
) -> list[dict[str, Any]]:
    """The document's uncertain tables as table-queue entries, most gain first.

    A table counts when it is a performance table or sits in a performance
    section: a header the model cannot read may be why it was not flagged."""
    performance = [(s.line, s.end_line) for s in sections if s.type == "performance"]
    out = []
    for table in tables:
        in_part = any(lo <= table.line <= hi for lo, hi in performance)
        if table.layout == "inline" or not (table.is_performance or in_part):
            continue
        roles, confidence = _table_roles(table)
        if not roles or min(confidence.values()) >= below:
            continue
        width = max([len(r.cells) for r in table.rows] + [max(roles) + 1])
        mine = [r for r in records if r.table == table.index]
        gain = sum(1.0 - float(r.confidence) for r in mine) if mine else float(sum(1 for r in table.rows if not r.is_header))
        table_units = [u for u in units if u.table == table.index]
        out.append({
            "key": table_key(doc_sha256, table),
            "doc_id": doc_id, "doc_sha256": doc_sha256, "source": source,
            "table": table.index, "line": table.line, "end_line": table.end_line,
            "caption": table.caption, "section_title": table.section_title,
            "n_cols": width, "n_rows": len(table.rows),
            "rows": [_texts(row.cells, width) for row in table.rows[:MAX_TASK_ROWS]],
            "header_rows": [k for k, row in enumerate(table.rows[:MAX_TASK_ROWS]) if row.is_header],
            "roles": {str(c): r for c, r in sorted(roles.items())},
            "role_confidence": {str(c): round(v, 4) for c, v in sorted(confidence.items())},
            "min_role_confidence": round(min(confidence.values()), 4),
            "n_records": len(mine), "gain": round(gain, 4),
            "covers": [u.key for u in table_units if _follows_role(u)],
            "header_units": [u.key for u in table_units if u.context.get("is_header_row")],
            "model_version": model_version,
        })  # fmt: skip
    return sorted(out, key=lambda e: (-e["gain"], e["doc_id"], e["line"]))


def _table_roles(table: Table) -> tuple[dict[int, str], dict[int, float]]:
    """The roles of the table's first data band, with their confidences."""
    for row in table.rows:
        if row.roles and not row.is_header:
            return dict(row.roles), {c: float(row.role_confidence.get(c, 0.0)) for c in row.roles}
    return {}, {}


def _texts(cells: Sequence[Any], width: int) -> list[str]:
    out = [""] * width
    for cell in cells:
        if 0 <= cell.col < width:
            out[cell.col] = cell.text
    return out


def _follows_role(unit: RowUnit) -> bool:
    role = str(unit.context.get("column_role") or "")
    return not unit.context.get("is_header_row") and bool(role) and unit.label == _ROLE_LABELS.get(role, "other")
