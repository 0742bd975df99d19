"""Queue rows <-> Label Studio tasks: pure functions, no server access.

The names below must match ``review/labeling_config.xml``: the Choices tag
``label`` labels the Text tag ``unit``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from extractor.datamodel import LABELS, unit_key
from extractor.dataset import iter_output
from extractor.jsonl import iter_jsonl
from extractor.review.errors import ReviewQueueError

FROM_NAME = "label"
TO_NAME = "unit"
QUEUE_FILE = "review_queue.jsonl"
ROW_KEYS: tuple[str, ...] = (
    "doc_id", "doc_sha256", "line", "col", "text", "label", "confidence", "context",
)  # fmt: skip

_CELL = "border:1px solid #bbb;padding:4px 8px;vertical-align:top;white-space:pre-wrap;"
_UNIT = _CELL + "background:#ffe58f;font-weight:bold;outline:2px solid #d48806;"
_LABEL = "padding:4px 8px;color:#888;font-size:12px;white-space:nowrap;"


def _row_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return "not a JSON object"
    missing = [k for k in ROW_KEYS if row.get(k) is None]  # Parquet gives a missing value as None
    if missing == ["context"]:
        return "missing context (rows keep their context only when extracted with --keep-context)"
    if missing:
        return f"missing {', '.join(missing)}"
    if not isinstance(row["confidence"], (int, float)) or isinstance(
        row["confidence"], bool
    ):
        return f"confidence must be a number, got {row['confidence']!r}"
    if row["label"] not in LABELS:
        return f"label {row['label']!r} is not one of {', '.join(LABELS)}"
    if not isinstance(row["context"], dict):
        return "context must be an object"
    if not isinstance(row["line"], int) or not isinstance(row["col"], int):
        return "line and col must be integers"
    return None


def read_queue(path: str | Path) -> list[dict[str, Any]]:
    """Read queue rows; a malformed line raises ReviewQueueError with its number."""
    path = Path(path)
    if not path.exists():
        raise ReviewQueueError(
            "not found: run extraction first (it writes the review queue)", path
        )
    return _checked(iter_jsonl(path, ReviewQueueError), path, "line")


def read_all_rows(out_dir: str | Path) -> list[dict[str, Any]]:
    """Every row of an extract run (rows.jsonl, else rows.parquet), checked as queue rows are."""
    folder = Path(out_dir)
    found = [folder / name for name in ("rows.jsonl", "rows.parquet") if (folder / name).is_file()]
    if not found:
        raise ReviewQueueError("no rows.parquet or rows.jsonl: run extraction first", folder)
    return _checked(enumerate(iter_output(folder, "rows", ReviewQueueError), 1), found[0], "row")


def _checked(rows: Iterable[tuple[int, dict[str, Any]]], path: Path, unit: str) -> list[dict[str, Any]]:
    """The rows, each given its key; the first malformed one raises ReviewQueueError with its number."""
    out = []
    for number, row in rows:
        problem = _row_problem(row)
        if problem:
            raise ReviewQueueError(f"{unit} {number}: {problem}", path)
        row.setdefault("key", unit_key(row["doc_sha256"], row["line"], row["col"]))
        out.append(row)
    return out


def select_for_review(
    rows: Iterable[dict[str, Any]],
    threshold: float,
    reviewed: set[str] | frozenset[str] = frozenset(),
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Rows below ``threshold`` not yet reviewed, most uncertain first, one per key."""
    counts = {"confident": 0, "reviewed": 0, "duplicate": 0}
    chosen: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["confidence"] >= threshold:
            counts["confident"] += 1
        elif row["key"] in reviewed:
            counts["reviewed"] += 1
        elif row["key"] in chosen:
            counts["duplicate"] += 1
        else:
            chosen[row["key"]] = row
    ordered = sorted(
        chosen.values(),
        key=lambda r: (r["confidence"], r["doc_id"], r["line"], r["col"]),
    )
    return ordered, counts


def _cells(texts: list[Any], width: int, unit_col: int | None = None) -> str:
    out = []
    for i in range(width):
        text = "" if i >= len(texts) or texts[i] is None else str(texts[i])
        style = _UNIT if i == unit_col else _CELL
        mark = ' data-unit="1"' if i == unit_col else ""
        out.append(f'<td style="{style}"{mark}>{html.escape(text)}</td>')
    return "".join(out)


def _headers(context: dict[str, Any], width: int) -> list[str]:
    headers = context.get("table_headers") or {}
    if isinstance(headers, dict):
        return [str(headers.get(str(i), headers.get(i, ""))) for i in range(width)]
    if isinstance(headers, list):
        return [str(h) for h in headers]
    return []


def row_html(context: dict[str, Any], col: int) -> str:
    """The row as an HTML table (unit cell highlighted) between its neighbours."""
    current = list(context.get("row_texts") or [])
    prev = list(context.get("prev_row_texts") or [])
    nxt = list(context.get("next_row_texts") or [])
    width = max(
        len(current), len(prev), len(nxt), col + 1, int(context.get("n_cols") or 0)
    )
    headers = _headers(context, width)
    rows = []
    if any(headers):
        th = "".join(
            f'<th style="{_CELL}background:#f0f0f0;">{html.escape(h)}</th>'
            for h in headers[:width]
        )
        rows.append(f'<tr><td style="{_LABEL}">表头</td>{th}</tr>')
    none = f'<td colspan="{width}" style="{_LABEL}">（无）</td>'
    rows.append(
        f'<tr><td style="{_LABEL}">上一行</td>{_cells(prev, width) if prev else none}</tr>'
    )
    rows.append(
        f'<tr><td style="{_LABEL}">本行 ▶</td>{_cells(current, width, col)}</tr>'
    )
    rows.append(
        f'<tr><td style="{_LABEL}">下一行</td>{_cells(nxt, width) if nxt else none}</tr>'
    )
    return (
        '<table class="review-row" style="border-collapse:collapse;font-size:14px;">'
        + "".join(rows)
        + "</table>"
    )


def prediction_result(label: str) -> list[dict[str, Any]]:
    """A Label Studio result selecting ``label``."""
    return [
        {
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "choices",
            "value": {"choices": [label]},
        }
    ]


def build_task(row: dict[str, Any]) -> dict[str, Any]:
    """Label Studio import object (data + the model's prediction) for one row."""
    context = row["context"]
    header = str(context.get("header") or "")
    section = str(row.get("section_title") or context.get("section_title") or "")
    source = str(row.get("source") or "")
    data = {
        "key": row["key"],
        "doc_id": row["doc_id"],
        "source": source,
        "doc_sha256": row["doc_sha256"],
        "line": row["line"],
        "end_line": row.get("end_line", row["line"]),
        "table": row.get("table"),
        "row": row.get("row"),
        "col": row["col"],
        "text": row["text"],
        "section_title": section,
        "header": header,
        "location": f"文档 {row['doc_id']} · 第 {row['line']} 行 · {source}",
        "section_display": f"章节：{section or '（无）'}",
        "header_display": f"列标题：{header or '（无）'}",
        "html": row_html(context, row["col"]),
        "context": context,
        "predicted_label": row["label"],
        "predicted_score": float(row["confidence"]),
        "model_version": str(row.get("model_version") or "unknown"),
    }
    prediction = {
        "model_version": data["model_version"],
        "score": data["predicted_score"],
        "result": prediction_result(row["label"]),
    }
    return {"data": data, "predictions": [prediction]}


def choice_of(result: Any) -> str:
    """The single label chosen in an annotation result; ValueError says why not."""
    if not isinstance(result, list) or not result:
        raise ValueError("the annotation has no result (no label chosen)")
    choices = [
        item.get("value", {}).get("choices")
        for item in result
        if isinstance(item, dict)
        and item.get("from_name") == FROM_NAME
        and item.get("type") == "choices"
    ]
    if len(choices) != 1 or not isinstance(choices[0], list) or len(choices[0]) != 1:
        raise ValueError(
            f"expected exactly one '{FROM_NAME}' choice, got {json.dumps(result, ensure_ascii=False)[:200]}"
        )
    label = choices[0][0]
    if label not in LABELS:
        raise ValueError(f"choice {label!r} is not one of {', '.join(LABELS)}")
    return str(label)
