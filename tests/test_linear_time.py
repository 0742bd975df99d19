"""Extraction work grows linearly with document size.

Counted in lines of this package's code executed (every loop iteration,
comprehensions included), not seconds, so the test is as steady on a busy
machine as on an idle one: a scan back over the document per table, or a pass
over every unit per table, makes the count for a document repeated ``K`` times
grow like ``K**2``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from extractor.assemble import assemble
from extractor.datamodel import Section
from extractor.document import analyse
from extractor.models import load_classifier
from extractor.pipeline import classify_units
from extractor.reader import read_document
from extractor.tables import containing_sections, find_tables
from tests.helpers import DOC_004, ROOT

K = 5
# Linear work gives a ratio of K (5.00 for both stages when measured); one pass
# over every unit per inline table gave 6.2, the old caption scan 8.3.
MAX_RATIO = K * 1.15


PACKAGE = str(ROOT / "extractor")


def _lines_run(action: Callable[[], Any]) -> int:
    """Lines of ``extractor`` code executed by ``action()``."""
    count = 0

    def line(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return line

    def call(frame: FrameType, event: str, arg: Any) -> Any:
        return line if frame.f_code.co_filename.startswith(PACKAGE) else None

    sys.settrace(call)
    try:
        action()
    finally:
        sys.settrace(None)
    return count


def _stages(path: Path, classifier: Any) -> dict[str, int]:
    """Lines run by the table finder and by record assembly on ``path``."""
    doc = read_document(path)
    layout = analyse(doc, classifier.column_model)
    classify_units(layout.units, classifier)
    records: list[Any] = []
    return {
        "find_tables": _lines_run(lambda: find_tables(doc.lines, layout.sections)),
        "assemble": _lines_run(lambda: records.extend(assemble(doc, layout.tables, layout.units, 0.9))),
        "records": len(records),
    }


def test_table_finding_and_assembly_run_in_linear_time(tmp_path: Path) -> None:
    classifier = load_classifier(ROOT / "models")
    text = DOC_004.read_text(encoding="utf-8")  # grid and inline tables
    one, many = tmp_path / "one.txt", tmp_path / "many.txt"
    one.write_text(text, encoding="utf-8")
    many.write_text(text * K, encoding="utf-8")
    _stages(many, classifier)  # warm every cache, so both counts below are of warm runs
    counts_one, counts_many = _stages(one, classifier), _stages(many, classifier)
    assert counts_one["records"] > 50 and counts_many["records"] == K * counts_one["records"]
    for stage in ("find_tables", "assemble"):
        ratio = counts_many[stage] / counts_one[stage]
        assert ratio <= MAX_RATIO, f"{stage}: {counts_many[stage]} lines run for {K}x against {counts_one[stage]} for 1x"


def _section(line: int, end_line: int, level: int, title: str) -> Section:
    return Section(line=line, end_line=end_line, level=level, number="", title=title, type="other")


@pytest.mark.parametrize("lines", [[1, 5, 12, 30, 31, 50], [50, 31, 5, 1, 30, 12]])
def test_containing_sections_match_a_scan_of_every_section(lines: list[int]) -> None:
    sections = [
        _section(1, 40, 1, "一"), _section(2, 10, 2, "（一）"), _section(11, 30, 2, "（二）"),
        _section(12, 12, 3, "1."), _section(31, 40, 2, "（三）"), _section(41, 60, 1, "二"),
    ]
    expected = [[s for s in sections if s.line <= line <= s.end_line] for line in lines]
    assert containing_sections(sections, lines) == expected
