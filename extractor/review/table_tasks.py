"""Whole-table review tasks <-> Label Studio: pure functions, no server access.

A table task shows the table as HTML (row numbers on the left, the first
``SHOWN_ROWS`` rows) and asks for the header rows (``header_row``, several
when headers are stacked, or 无表头) and each column's role (``role_0`` …
``role_<MAX_COLUMNS-1>``, one Choices per column, the roles of
:data:`extractor.vocabulary.ROLES`). The model's roles are pre-selected, so
a reviewer only corrects. Table tasks live in their own project (the label
config differs from the cell tasks'), named ``<project>-tables``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.jsonl import iter_jsonl
from extractor.review.errors import ReviewQueueError
from extractor.table_queue import TABLE_QUEUE_FILE
from extractor.vocabulary import ROLES, load_vocabulary

MAX_COLUMNS = 12
SHOWN_ROWS = 8
NO_HEADER = "无表头"
HEADER_FROM = "header_row"
TO_NAME = "table"
TABLES_SUFFIX = "-tables"
_ENTRY_KEYS = ("key", "doc_id", "doc_sha256", "table", "line", "n_cols", "rows", "header_rows", "roles", "gain")
_CELL = "border:1px solid #bbb;padding:4px 8px;vertical-align:top;white-space:pre-wrap;"
_NUM = "padding:4px 8px;color:#888;font-size:12px;white-space:nowrap;"


def tables_project(title: str) -> str:
    """The project holding the table tasks of cell project ``title``."""
    return f"{title}{TABLES_SUFFIX}"


def role_from(column: int) -> str:
    return f"role_{column}"


def header_choice(row: int) -> str:
    """The header-row choice naming table row ``row`` (0-based) as the reviewer sees it."""
    return f"第{row + 1}行"


def table_label_config() -> str:
    """The labelling config of table tasks (built from ROLES, so it never drifts from them)."""
    vocab = load_vocabulary()
    hint = {role: (vocab.roles.get(role) or ["其他"])[0] for role in ROLES}
    choices = "".join(f'<Choice value="{r}" hint="{html.escape(hint[r])}"/>' for r in ROLES)
    rows = "".join(f'<Choice value="{header_choice(k)}"/>' for k in range(SHOWN_ROWS))
    columns = "".join(
        f'<Header value="第{c + 1}列：$col{c}" size="6"/>'
        f'<Choices name="{role_from(c)}" toName="{TO_NAME}" choice="single" showInline="true">{choices}</Choices>'
        for c in range(MAX_COLUMNS)
    )
    return (
        "<View>"
        '<Header value="$location" size="5"/>'
        f'<HyperText name="{TO_NAME}" value="$html" inline="true" selectionEnabled="false"/>'
        '<Header value="哪几行是表头？" size="6"/>'
        f'<Choices name="{HEADER_FROM}" toName="{TO_NAME}" choice="multiple" showInline="true" required="true">'
        f'<Choice value="{NO_HEADER}"/>{rows}</Choices>'
        '<Header value="每一列的角色（已按模型预选，只改错的；表格没有的列不用选）" size="6"/>'
        f"{columns}</View>"
    )


def read_table_queue(out_dir: str | Path) -> list[dict[str, Any]]:
    """Entries of ``out_dir/table_queue.jsonl`` (``[]`` when the extraction wrote none)."""
    path = Path(out_dir) / TABLE_QUEUE_FILE
    if not path.exists():
        return []
    entries = []
    for number, entry in iter_jsonl(path, ReviewQueueError):
        missing = [k for k in _ENTRY_KEYS if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise ReviewQueueError(f"line {number}: missing {', '.join(missing)}", path)
        entries.append(entry)
    return entries


def table_html(entry: Mapping[str, Any]) -> str:
    """The table's first rows as an HTML table, each row numbered as the header choices name it."""
    width = int(entry["n_cols"])
    out = []
    numbers = "".join(f'<th style="{_NUM}">第{c + 1}列</th>' for c in range(width))
    out.append(f'<tr><td style="{_NUM}"></td>{numbers}</tr>')
    for k, row in enumerate(entry["rows"][:SHOWN_ROWS]):
        cells = "".join(f'<td style="{_CELL}">{html.escape(str(t))}</td>' for t in list(row) + [""] * (width - len(row)))
        out.append(f'<tr><td style="{_NUM}">{header_choice(k)}</td>{cells}</tr>')
    more = len(entry["rows"]) - SHOWN_ROWS
    if more > 0:
        out.append(f'<tr><td colspan="{width + 1}" style="{_NUM}">……（另有 {more} 行）</td></tr>')
    return '<table class="review-table" style="border-collapse:collapse;font-size:14px;">' + "".join(out) + "</table>"


def _column_titles(entry: Mapping[str, Any]) -> list[str]:
    """What each column is called in the task: its header text, else its first filled cell."""
    rows = entry["rows"]
    header = [rows[k] for k in entry["header_rows"] if k < len(rows)]
    titles = []
    for c in range(MAX_COLUMNS):
        if c >= int(entry["n_cols"]):
            titles.append("（无此列）")
            continue
        named = "".join(str(r[c]) for r in header if c < len(r) and str(r[c]).strip())
        first = next((str(r[c]) for r in rows if c < len(r) and str(r[c]).strip()), "")
        titles.append(named or f"（无表头）{first[:20]}")
    return titles


def prediction(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The model's header rows and roles as a Label Studio result."""
    shown = [k for k in entry["header_rows"] if k < SHOWN_ROWS]
    result = [_choices(HEADER_FROM, [header_choice(k) for k in shown] or [NO_HEADER])]
    for c, role in sorted(entry["roles"].items(), key=lambda kv: int(kv[0])):
        if int(c) < MAX_COLUMNS:
            result.append(_choices(role_from(int(c)), [role]))
    return result


def _choices(name: str, values: list[str]) -> dict[str, Any]:
    return {"from_name": name, "to_name": TO_NAME, "type": "choices", "value": {"choices": values}}


def build_table_task(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Label Studio import object (data + the model's prediction) for one table."""
    titles = _column_titles(entry)
    data = {
        "key": entry["key"], "doc_id": entry["doc_id"], "doc_sha256": entry["doc_sha256"],
        "source": entry.get("source", ""), "table": entry["table"], "line": entry["line"],
        "n_cols": entry["n_cols"], "rows": entry["rows"], "header_rows": entry["header_rows"],
        "predicted_roles": entry["roles"], "gain": entry["gain"], "n_records": entry.get("n_records", 0),
        "model_version": str(entry.get("model_version") or "unknown"),
        "location": f"文档 {entry['doc_id']} · 第 {entry['line']} 行的表格 · {entry.get('caption') or entry.get('section_title') or ''}",
        "html": table_html(entry),
        **{f"col{c}": titles[c] for c in range(MAX_COLUMNS)},
    }  # fmt: skip
    score = float(entry.get("min_role_confidence", 0.0))
    return {"data": data, "predictions": [{"model_version": data["model_version"], "score": score, "result": prediction(entry)}]}


def select_tables(
    entries: Iterable[Mapping[str, Any]], reviewed: set[str] | frozenset[str] = frozenset()
) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    """Tables to push, most gain first, one per key; counts of those left out by reason."""
    counts = {"reviewed": 0, "duplicate": 0, "too_wide": 0}
    chosen: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        if entry["key"] in reviewed:
            counts["reviewed"] += 1
        elif int(entry["n_cols"]) > MAX_COLUMNS:
            counts["too_wide"] += 1
        elif entry["key"] in chosen:
            counts["duplicate"] += 1
        else:
            chosen[entry["key"]] = entry
    return sorted(chosen.values(), key=lambda e: (-float(e["gain"]), e["doc_id"], e["line"])), counts


def review_order(tables: Sequence[Mapping[str, Any]], cells: Sequence[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """(key, expected gain) of every task, best first: a table's gain is the wrong
    records it is expected to fix, a cell's is its chance of being wrong."""
    items = [(str(t["key"]), float(t["gain"])) for t in tables]
    items += [(str(r["key"]), 1.0 - float(r["confidence"])) for r in cells]
    return sorted(items, key=lambda kv: -kv[1])


def table_answer(task: Mapping[str, Any], result: Any) -> tuple[list[int], dict[str, str]]:
    """(header rows, column -> role) of an annotation of a table task; ValueError says what is wrong."""
    data = task.get("data") or {}
    if not isinstance(result, list) or not result:
        raise ValueError("the annotation has no result")
    picked: dict[str, list[str]] = {}
    for item in result:
        if isinstance(item, dict) and item.get("type") == "choices":
            picked[str(item.get("from_name"))] = list((item.get("value") or {}).get("choices") or [])
    rows = picked.get(HEADER_FROM)
    if not rows:
        raise ValueError("no header row chosen (pick 无表头 when the table has none)")
    if NO_HEADER in rows and len(rows) > 1:
        raise ValueError(f"{NO_HEADER} chosen together with header rows {rows}")
    named = {header_choice(k): k for k in range(SHOWN_ROWS)}
    header_rows = sorted(named[r] for r in rows if r in named)
    width = int(data.get("n_cols") or 0)
    predicted = data.get("predicted_roles") or {}
    roles: dict[str, str] = {}
    for c in range(min(width, MAX_COLUMNS)):
        choice = picked.get(role_from(c)) or [predicted.get(str(c), "other")]
        if len(choice) != 1 or choice[0] not in ROLES:
            raise ValueError(f"column {c + 1}: expected one role of {', '.join(ROLES)}, got {choice}")
        roles[str(c)] = choice[0]
    return header_rows, roles


def reviewed_table_entry(task: Mapping[str, Any], header_rows: list[int], roles: dict[str, str]) -> dict[str, Any]:
    """The ``columns/reviewed_tables.jsonl`` line of one answer: roles, header rows,
    and the header words and column contents the column-role model trains on."""
    data = task.get("data") or {}
    rows = [list(map(str, r)) for r in data.get("rows") or []]
    width = int(data.get("n_cols") or 0)
    headers = ["".join(r[c].strip() for k, r in enumerate(rows) if k in header_rows and c < len(r)) for c in range(width)]
    body = rows[max(header_rows) + 1 :] if header_rows else rows
    columns = [[r[c] if c < len(r) else "" for r in body] for c in range(width)]
    return {
        "key": data["key"], "doc_id": data.get("doc_id"), "doc_sha256": data.get("doc_sha256"),
        "source_file": data.get("source"), "table": data.get("table"), "line": data.get("line"),
        "header_rows": header_rows, "roles": roles, "headers": headers, "columns": columns,
        "predicted_roles": data.get("predicted_roles"), "model_version": data.get("model_version"),
    }  # fmt: skip
