"""A row unit as a text pair for a sequence-pair classifier.

``text_a`` is the unit's own text; ``text_b`` its layout context: the column's
role, the role of the label cell to its left, the table layout, the
enumeration prefix, header-row/edge flags, then the column header, the
neighbouring cells, the cell above and the table caption, each after a marker.
Markers are added to the tokenizer as special tokens, so they stay one token.

``INPUT_FORMAT`` is saved with every model; change it whenever the pair a
record turns into changes, so an old model is refused instead of misread.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractor.enumeration import ENUMERATIONS, enumeration_kind
from extractor.features import UnitRecord, left_label_role
from extractor.features import column_role

INPUT_FORMAT = 1
# Characters of each context field kept (the unit text itself is cut by the tokenizer).
CONTEXT_CHARS = 20

ROLES = ("activity", "indicator", "description", "goal", "category", "grade", "target", "basis", "budget", "label", "unknown", "none")
LAYOUTS = ("tab_lines", "tab_rows", "inline", "other")
ENUMERATION_KINDS = (*ENUMERATIONS, "none")
FIELDS = ("HEADER", "LEFT", "RIGHT", "ABOVE", "CAPTION")  # context keys, upper-cased
FLAGS = ("HEADROW", "FIRSTCOL", "LASTCOL")


def _choice(prefix: str, value: str, allowed: Sequence[str], fallback: str) -> str:
    return f"[{prefix}:{value if value in allowed else fallback}]"


MARKERS: tuple[str, ...] = (
    *(f"[ROLE:{r}]" for r in ROLES),
    *(f"[LROLE:{r}]" for r in ROLES),
    *(f"[LAYOUT:{k}]" for k in LAYOUTS),
    *(f"[ENUM:{k}]" for k in ENUMERATION_KINDS),
    *(f"[{f}]" for f in FIELDS),
    *(f"[{f}]" for f in FLAGS),
)


def clip(text: object, limit: int = CONTEXT_CHARS) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    return " ".join(str(text or "").split())[:limit]


def _flags(ctx: dict) -> list[str]:
    col, n_cols = int(ctx.get("col", 0)), int(ctx.get("n_cols", 1))
    on = {"HEADROW": bool(ctx.get("is_header_row")), "FIRSTCOL": col == 0, "LASTCOL": col == n_cols - 1}
    return [f"[{f}]" for f in FLAGS if on[f]]


def context_text(record: UnitRecord) -> str:
    """The layout context of one unit, as marker-delimited text."""
    ctx = dict(record["context"])
    role = column_role(record)
    tags = [
        _choice("ROLE", role, ROLES, "unknown"),
        _choice("LROLE", left_label_role(record), ROLES, "unknown"),
        _choice("LAYOUT", str(ctx.get("layout", "")), LAYOUTS, "other"),
        _choice("ENUM", enumeration_kind(str(record["text"])) or "none", ENUMERATION_KINDS, "none"),
        *_flags(ctx),
    ]
    fields = [f"[{name}] {clip(ctx.get(name.lower()))}" for name in FIELDS]
    return " ".join([*tags, *fields])


def unit_pair(record: UnitRecord) -> tuple[str, str]:
    """(unit text, layout context) of one unit record."""
    return clip(record["text"], 10_000), context_text(record)


def unit_pairs(records: Sequence[UnitRecord]) -> tuple[list[str], list[str]]:
    """Texts and contexts of ``records``, as two parallel lists."""
    pairs = [unit_pair(r) for r in records]
    return [a for a, _ in pairs], [b for _, b in pairs]
