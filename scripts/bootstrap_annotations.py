"""Write the hand-checked row labels of the sample documents to ``annotations/hand/``.

How the shipped annotations were made (GROBID-style: pre-annotate, then a
person corrects labels, never text):

1. header rules pre-label every row unit (the 职责活动 column is an activity,
   绩效指标 / 三级指标 an indicator, 优良中差 / 指标值 a threshold, …);
2. a person read every performance table of the four samples against these
   labels (``python scripts/bootstrap_annotations.py --show DOC``) and wrote
   each correction into ``CORRECTIONS`` below, keyed by (doc_id, line, col).

Re-running the script reproduces ``annotations/hand/*.jsonl`` exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extractor.datamodel import RowUnit
from extractor.document import load_units
from extractor.vocabulary import GRADES, TARGET_KEY as TARGET_VALUE, clean as clean_header

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = ROOT / "annotations" / "hand"
ANNOTATOR = "header-rules, checked by hand"

# Hand corrections: (doc_id, line, col) -> label.
CORRECTIONS: dict[tuple[str, int, int], str] = {
    # 003 lines 285-287: the basis column ("(冀政办函(2013)17号)文件要求") broken
    # over lines by the PDF, not a target value.
    **{("003_325a9de861070d6d", line, 5): "other" for line in (285, 286, 287)},
}

_ACTIVITY_HEADERS = {"职责活动", "项目名称"}
_THRESHOLD_HEADERS = {*GRADES, TARGET_VALUE, "目标值", "评价标准", "绩效标准"}


def rule_label(unit: RowUnit) -> str:
    """The label the header rules give a unit."""
    ctx = unit.context
    if ctx["is_header_row"]:
        return "other"
    if ctx["layout"] == "inline":
        return {"职责活动": "activity", "绩效指标": "indicator", "绩效标准": "threshold", "评价标准": "threshold"}.get(
            unit.header, "other"
        )
    if _after_project_name(ctx["row_texts"], unit.col):
        return "activity"
    header = clean_header(unit.header)
    headers = {clean_header(h) for h in ctx["table_headers"]}
    indicator_header = "三级指标" if "三级指标" in headers else "绩效指标"
    if header in _ACTIVITY_HEADERS:
        return "activity"
    if header == indicator_header:
        return "indicator"
    if header in _THRESHOLD_HEADERS:
        return "threshold"
    return "other"


def _after_project_name(texts: list[str], col: int) -> bool:
    """Cells right of a "项目名称" cell hold the project (activity) name."""
    names = [k for k, t in enumerate(texts) if clean_header(t) == "项目名称"]
    return bool(names) and col > names[0] and not any(clean_header(t) == "项目编码" for t in texts[names[0] + 1 : col + 1])


def label_document(path: Path) -> list[dict]:
    """Annotation records for every row unit of one document."""
    records = []
    for unit in load_units(path):
        label = CORRECTIONS.get((unit.doc_id, unit.line, unit.col), rule_label(unit))
        records.append(
            {
                "key": unit.key,
                "doc_id": unit.doc_id,
                "doc_sha256": unit.doc_sha256,
                "line": unit.line,
                "col": unit.col,
                "text": unit.text,
                "label": label,
                "source": "hand",
                "annotator": ANNOTATOR,
                "context": unit.context,
            }
        )
    return records


def show(path: Path) -> None:
    """Print every unit with its label, one table row per line, for checking."""
    last = None
    for rec in label_document(path):
        row = (rec["context"]["row"], rec["line"] if rec["context"]["layout"] == "tab_rows" else None)
        if row != last:
            print()
            print(f"L{rec['line']:>5}", end="")
            last = row
        text = rec["text"].replace("\n", "⏎")[:16]
        print(f" [{rec['label'][:3]}:{rec['col']}] {text}", end="")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", metavar="DOC", help="print one sample's labelled units for checking")
    args = parser.parse_args(argv)
    if args.show:
        show(SAMPLES / f"{args.show}.txt")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(SAMPLES.glob("*.txt")):
        records = label_document(path)
        target = OUT / f"{path.stem}.jsonl"
        target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {len(records)} units", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
