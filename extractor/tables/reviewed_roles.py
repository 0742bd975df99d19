"""Column roles a reviewer chose for a whole table (``annotations/columns/reviewed_tables.jsonl``).

A table task (``extractor review push``) asks a reviewer for each column's role
and for the header row. ``review pull`` appends the answer here, one JSON line
per answer (provenance ``review``), keyed by :func:`table_key`: the document's
content hash and a fingerprint of the table's first rows. The key is stable
across models (it is computed from the cell texts, not from the structure the
model chose), so

- the next extraction of *that* table applies the roles to every row at once
  (:func:`apply_reviewed_roles`, confidence 1.0), and
- the same layout in *another* document is not matched by key: ``retrain``
  learns it (:func:`reviewed_labelled_tables` feeds the column-role model the
  reviewed header words and contents).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractor.datamodel import Table
from extractor.errors import AnnotationsError
from extractor.jsonl import iter_jsonl
from extractor.tables.column_features import ColumnSample
from extractor.tables.column_roles import grade_keys
from extractor.tables.structure import PERFORMANCE_ROLES
from extractor.vocabulary import ROLES, clean

if TYPE_CHECKING:
    from extractor.tables.column_training import LabelledTable

REVIEWED_TABLES_FILE = Path("columns") / "reviewed_tables.jsonl"
# Rows of a table that identify it (header and first data rows).
FINGERPRINT_ROWS = 6
TABLE_KEY_PART = ":table:"


def table_fingerprint(table: Table) -> str:
    """A hash of the first rows' non-empty cell texts, each row's texts sorted.

    Sorting makes it independent of where the structure stage put a cell
    (aligning a short row, setting a category aside), so a retrained model
    that structures the table differently still finds its review.
    """
    rows = [sorted(c.text.strip() for c in row.cells if c.text.strip()) for row in table.rows[:FINGERPRINT_ROWS]]
    blob = json.dumps([len(table.rows), rows], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def table_key(doc_sha256: str, table: Table) -> str:
    """``<sha16>:table:<fingerprint>``: one table of one document (never another document's)."""
    return f"{doc_sha256[:16]}{TABLE_KEY_PART}{table_fingerprint(table)}"


def is_table_key(key: str) -> bool:
    return TABLE_KEY_PART in key


def reviewed_tables_path(annotations_dir: str | Path) -> Path:
    return Path(annotations_dir) / REVIEWED_TABLES_FILE


def _problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "not a JSON object"
    if not isinstance(entry.get("key"), str) or not is_table_key(entry["key"]):
        return "missing or malformed 'key' (expected <sha16>:table:<fingerprint>)"
    roles = entry.get("roles")
    if not isinstance(roles, dict) or not roles:
        return "'roles' must be a non-empty object column -> role"
    unknown = sorted({str(r) for r in roles.values()} - set(ROLES))
    if unknown:
        return f"unknown roles {unknown}; known: {', '.join(ROLES)}"
    if not all(str(c).isdecimal() for c in roles):
        return "'roles' keys must be column numbers"
    rows = entry.get("header_rows", [])
    if not isinstance(rows, list) or not all(isinstance(r, int) and r >= 0 for r in rows):
        return "'header_rows' must be a list of row numbers"
    return None


def load_reviewed_tables(annotations_dir: str | Path) -> dict[str, dict[str, Any]]:
    """Table key -> its latest review (later lines win); ``{}`` without the file.

    A malformed line raises AnnotationsError naming the file and line.
    """
    path = reviewed_tables_path(annotations_dir)
    if not path.exists():
        return {}
    latest: dict[str, dict[str, Any]] = {}
    for number, entry in iter_jsonl(path):
        problem = _problem(entry)
        if problem:
            raise AnnotationsError(f"line {number}: {problem}", path)
        latest[entry["key"]] = entry
    return latest


def apply_reviewed_roles(doc_sha256: str, tables: Sequence[Table], reviewed: Mapping[str, Mapping[str, Any]]) -> int:
    """Give every reviewed table of the document its reviewer's roles and header
    rows (confidence 1.0); return how many tables were changed."""
    if not reviewed:
        return 0
    changed = 0
    for table in tables:
        if table.layout == "inline":
            continue
        review = reviewed.get(table_key(doc_sha256, table))
        if review is None:
            continue
        _apply(table, {int(c): str(r) for c, r in review["roles"].items()}, list(review.get("header_rows") or []))
        changed += 1
    return changed


def _apply(table: Table, roles: dict[int, str], header_rows: list[int]) -> None:
    marked = [r for r in header_rows if r < len(table.rows)]
    headers: dict[int, str] = {}
    for r in marked:
        table.rows[r].is_header = True
        for cell in table.rows[r].cells:
            if cell.text.strip():
                word = clean(cell.text)
                headers[cell.col] = f"{headers[cell.col]}{word}" if cell.col in headers else word
    first_data = max(marked) + 1 if marked else 0
    width = max(roles) + 1
    samples = [ColumnSample(headers.get(c, ""), [], c, width) for c in range(width)]
    keys = grade_keys(samples, roles)
    for k, row in enumerate(table.rows):
        if k in marked or (k >= first_data and row.roles):
            if headers:
                row.columns = dict(headers)
            row.roles = dict(roles)
            row.role_confidence = {c: 1.0 for c in roles}
            row.grade_keys = dict(keys)
    if PERFORMANCE_ROLES & set(roles.values()):
        table.is_performance = True


def reviewed_labelled_tables(annotations_dir: str | Path) -> list[LabelledTable]:
    """The reviewed tables as column-role training examples (header words and contents)."""
    from extractor.tables.column_training import LabelledTable

    out = []
    for key, entry in sorted(load_reviewed_tables(annotations_dir).items()):
        headers = [str(h) for h in entry.get("headers") or []]
        columns_cells = [list(map(str, cells)) for cells in entry.get("columns") or []]
        width = max(int(c) for c in entry["roles"]) + 1
        headers += [""] * (width - len(headers))
        columns_cells += [[] for _ in range(width - len(columns_cells))]
        columns = [
            ColumnSample(headers[c], columns_cells[c], c, width, tuple(h for k, h in enumerate(headers) if k != c and h))
            for c in range(width)
        ]
        roles = [str(entry["roles"].get(str(c), "other")) for c in range(width)]
        out.append(LabelledTable(str(entry.get("doc_id") or ""), f"reviewed:{key}", columns, roles))
    return out
