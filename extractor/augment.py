"""Rewrite annotated tables the way other regions print them, labels carried over.

From a document's expected records (activity, indicator, thresholds) a new
document is written in one of several layouts none of the samples uses:
header synonyms, extra 序号 / 权重 / 度量单位 / 备注 columns, reordered
columns, no header row, the activity split into parent and child columns,
merged activity cells omitted on continuation rows, and the grid printed as
TAB rows, one cell per TAB line or cells separated by runs of spaces. The
expected records of the new document are the same records, so a table
extracted from it can be scored without anybody labelling it again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from extractor.vocabulary import GRADES, TARGET_KEY, load_vocabulary

Record = dict[str, Any]
AUGMENTATIONS: tuple[str, ...] = (
    "synonyms", "extra_columns", "reordered", "no_header", "split_activity", "merged_omitted", "tab_lines", "spaced",
)


@dataclass
class Column:
    """One printed column: its header and how a record fills its cell."""

    header: str
    value: Callable[[Record, int], str]
    role: str


@dataclass
class Variant:
    """An augmented document and the records a reader should take from it."""

    kind: str
    text: str
    expected: list[Record]


def augment_document(records: Sequence[Record], kind: str, seed: int = 0) -> Variant:
    """``records`` (one document's expected records) printed in layout ``kind``."""
    if kind not in AUGMENTATIONS:
        raise ValueError(f"unknown augmentation {kind!r}; choose one of {', '.join(AUGMENTATIONS)}")
    rng = random.Random(f"{seed}:{kind}")
    usable = [r for r in records if r.get("indicator") and r.get("thresholds")]
    tables = _group_tables(usable)
    lines = ["某某局2025年部门预算信息公开", "", "第三部分 绩效目标", "部门职责活动绩效目标表", "单位：万元"]
    expected: list[Record] = []
    for group in tables:
        columns = _columns(group, kind, rng)
        rows = [[c.value(r, k) for c in columns] for k, r in enumerate(group)]
        if kind in ("merged_omitted", "split_activity"):
            rows = _omit_merged(rows, columns)
        header = None if kind == "no_header" else [c.header for c in columns]
        lines.extend(_render(header, rows, kind))
        lines.append("")
        expected.extend(_expected(r, kind) for r in group)
    lines.append("第四部分 其他重要事项的情况说明")
    return Variant(kind, "\n".join(lines) + "\n", expected)


def _group_tables(records: Sequence[Record]) -> list[list[Record]]:
    """Consecutive records with the same threshold keys form one table."""
    groups: list[list[Record]] = []
    for record in records:
        keys = tuple(sorted(record["thresholds"]))
        if groups and tuple(sorted(groups[-1][0]["thresholds"])) == keys:
            groups[-1].append(record)
        else:
            groups.append([record])
    return groups


def _grade_keys(group: Sequence[Record]) -> list[str]:
    keys = {k for r in group for k in r["thresholds"]}
    return [g for g in GRADES if g in keys] if keys <= set(GRADES) else [TARGET_KEY]


def _columns(group: Sequence[Record], kind: str, rng: random.Random) -> list[Column]:
    vocab = load_vocabulary()
    synonyms = kind == "synonyms"

    def pick(role: str, default: str) -> str:
        words = [w for w in vocab.roles[role] if len(w) > 1]
        return rng.choice(words) if synonyms else default

    grades = _grade_keys(group)
    style = rng.randrange(3) if synonyms else 0
    grade_columns = [
        Column(_grade_header(g, style), lambda r, k, g=g: r["thresholds"].get(g, ""), "grade") for g in grades
    ] if grades != [TARGET_KEY] else [Column(pick("target", "指标值"), lambda r, k: r["thresholds"].get(TARGET_KEY, ""), "target")]
    activity = Column(pick("activity", "职责活动"), lambda r, k: r.get("activity") or "", "activity")
    indicator = Column(pick("indicator", "绩效指标"), lambda r, k: r["indicator"], "indicator")
    columns = [activity, indicator, *grade_columns]
    if kind == "split_activity":
        parent = Column("一级职责活动", lambda r, k: r.get("parent_activity") or r.get("activity") or "", "parent_activity")
        child = Column("二级职责活动", lambda r, k: r.get("activity") or "", "activity")
        columns = [parent, child, indicator, *grade_columns]
    if kind == "extra_columns":
        columns.insert(0, Column("序号", lambda r, k: str(k + 1), "seq"))
        columns.insert(3, Column("权重", lambda r, k: str(5 + (k % 3) * 5), "weight"))
        columns.append(Column("度量单位", lambda r, k: "%" if "%" in "".join(r["thresholds"].values()) else "", "unit"))
        columns.append(Column("备注", lambda r, k: "", "basis"))
    if kind == "reordered":
        note = Column("指标解释", lambda r, k: f"反映{r['indicator']}情况", "indicator_description")
        columns = [activity, indicator, note, *reversed(grade_columns)] if grades == [TARGET_KEY] else [activity, note, indicator, *grade_columns]
    return columns


def _grade_header(grade: str, style: int) -> str:
    words = load_vocabulary().grades[grade]
    if style == 1 and len(words) > 1:
        return words[1]  # 优秀 良好 中等 较差
    if style == 2:
        return f"评价标准({grade})"
    return grade


def _omit_merged(rows: list[list[str]], columns: Sequence[Column]) -> list[list[str]]:
    """Print activity cells once per block, as a merged cell copied to text is."""
    out: list[list[str]] = []
    previous: list[str] | None = None
    for row in rows:
        printed = list(row)
        for k, column in enumerate(columns):
            if column.role in ("activity", "parent_activity") and previous is not None and previous[k] == row[k]:
                printed[k] = ""
        out.append(printed)
        previous = row
    return out


def _render(header: list[str] | None, rows: list[list[str]], kind: str) -> list[str]:
    table = ([header] if header else []) + rows
    if kind == "tab_lines":
        lines: list[str] = []
        for row in table:
            lines.extend(f"\t{cell}" for cell in row)
            lines.append("")
        return lines[:-1]
    if kind == "spaced":
        return ["    ".join(cell or "　" for cell in row) for row in table]
    return ["\t".join(row) for row in table]


def _expected(record: Record, kind: str) -> Record:
    parent = record.get("parent_activity") if kind == "split_activity" else None
    return {
        "activity": record.get("activity"),
        "parent_activity": parent,
        "indicator": record["indicator"],
        "thresholds": dict(record["thresholds"]),
    }
