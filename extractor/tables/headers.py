"""Header rows: recognise them and map columns to header text.

Tables do not always have headers, and OCR mangles the ones they have, so a
row counts as a header when most of its cells are known header words.
"""

from __future__ import annotations

import re

from extractor.datamodel import Row

GRADES = ("优", "良", "中", "差")
TARGET_VALUE = "指标值"
HEADER_WORDS = frozenset(
    {
        "职责活动", "年度预算数", "预算数", "内容描述", "绩效目标", "绩效指标", "评价标准",
        "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标描述", "指标值",
        "指标值确定依据", "项目名称", "项目编码", "单位名称", "单位性质", "单位规格",
        "经费保障形式", "目标值", "评分标准", "指标名称", "考核标准", "备注",
        *GRADES,
    }
)
# Words whose presence in a header marks a performance table.
PERFORMANCE_WORDS = frozenset({"绩效指标", "评价标准", "指标值", "三级指标", "一级指标", "二级指标", "绩效指标描述", "目标值"})
_NOISE = re.compile(r"[\s　·.．。:：,，\-—_|/\\ī]+")


def clean_header(text: str) -> str:
    """Header text without spaces and OCR debris."""
    return _NOISE.sub("", text)


def is_header_word(text: str) -> bool:
    word = clean_header(text)
    return word in HEADER_WORDS or (len(word) >= 3 and word.endswith("描述") and len(word) <= 8)


# Labels of key-value rows ("项目名称 | 车辆保险费"), not column headers.
ROW_LABELS = frozenset({"项目名称", "项目编码"})


def is_header_row(row: Row) -> bool:
    """At least two header words making up at least half of the non-empty cells."""
    texts = [c.text for c in row.cells if c.text.strip()]
    hits = sum(is_header_word(t) and clean_header(t) not in ROW_LABELS for t in texts)
    return hits >= 2 and hits * 2 >= len(texts)


def merge_header(previous: dict[int, str], row: Row, stacked: bool) -> dict[int, str]:
    """Columns after header ``row``; a header stacked on another refines it."""
    columns = dict(previous) if stacked else {}
    texts = repair_split_headers([c.text for c in row.cells])
    for cell, text in zip(row.cells, texts, strict=True):
        if text.strip():
            columns[cell.col] = clean_header(text)
    return columns


def is_performance_header(columns: dict[int, str]) -> bool:
    values = set(columns.values())
    return bool(values & PERFORMANCE_WORDS) or len(values & set(GRADES)) >= 3


# Header word -> the role its column plays. A role generalises across the
# vocabularies of different templates (三级指标 and 绩效指标 both name indicators).
_ROLES = {
    "职责活动": "activity", "项目名称": "activity", "指标名称": "indicator", "三级指标": "indicator",
    "年度预算数": "budget", "预算数": "budget",
    "内容描述": "description", "绩效指标描述": "description", "指标描述": "description",
    "主要职责": "description", "职责目标": "description",
    "绩效目标": "goal",
    "一级指标": "category", "二级指标": "category",
    "优": "grade", "良": "grade", "中": "grade", "差": "grade",
    "评价标准": "grade", "绩效标准": "grade", "考核标准": "grade", "评分标准": "grade",
    "指标值": "target", "目标值": "target",
    "指标值确定依据": "basis", "备注": "basis",
}


def header_role(header: str, table_headers: list[str] | tuple[str, ...] = ()) -> str:
    """The role of a column: activity, indicator, grade, target, category, … or none/unknown.

    "绩效指标" names the indicator column unless the table has a 三级指标
    column, in which case it is the indicator's description.
    """
    word = clean_header(header)
    if not word:
        return "none"
    if word == "绩效指标":
        return "description" if "三级指标" in {clean_header(h) for h in table_headers} else "indicator"
    return _ROLES.get(word, "label" if word in HEADER_WORDS else "unknown")


def repair_split_headers(texts: list[str]) -> list[str]:
    """Rejoin header words that OCR split over two cells ("绩效指标" + "示描述")."""
    fixed = list(texts)
    for k in range(len(fixed) - 1):
        left, right = clean_header(fixed[k]), clean_header(fixed[k + 1])
        if left == "绩效指标" and right.endswith("描述") and len(right) <= 4:
            fixed[k] = fixed[k + 1] = "绩效指标描述"
    return fixed


# A category word of the standard framework, as printed in a cell.
_CATEGORY_WORD = re.compile(r"^(产出|效益|效果|满意度|数量|质量|时效|成本|社会效益|经济效益|生态效益|可持续影响|服务对象满意度)指标$")
_TARGET_LIKE = re.compile(r"[%％≥≤＞＜><]|\d")


def realign_shifted_row(row: Row) -> None:
    """Re-map a row pushed one column right by an inserted category cell.

    Trap seen in the corpus: "产出指标 | 已编制的…比率 | 100% | ≥90% | ≥80%"
    under "绩效指标 | 优 | 良 | 中 | 差". The category word sits in the
    indicator column, the indicator under 优, the grades one column late. When
    the row reads exactly like that, the category cell gets the 二级指标 role
    and every later cell the header of the column to its left.
    """
    indicator = next((c for c, h in row.columns.items() if header_role(h) == "indicator"), None)
    texts = [c.text for c in row.cells]
    if indicator is None or indicator + 2 >= len(texts):
        return
    name, rest = texts[indicator + 1], [t for t in texts[indicator + 2 :] if t.strip()]
    if not _CATEGORY_WORD.match(clean_header(texts[indicator])) or _TARGET_LIKE.search(name) or len(clean_header(name)) < 4:
        return
    if not rest or not all(_TARGET_LIKE.search(t) for t in rest):
        return
    shifted = {c: h for c, h in row.columns.items() if c < indicator}
    shifted[indicator] = "二级指标"
    shifted.update({c + 1: h for c, h in row.columns.items() if c >= indicator})
    row.columns = shifted
