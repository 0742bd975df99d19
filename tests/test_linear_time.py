"""Extraction work grows linearly with document size.

Counted in lines of this package's code executed (every loop iteration,
comprehensions included), not seconds, so the test is as steady on a busy
machine as on an idle one: a scan back over the document per table, or a pass
over every unit per table, makes the count for a document repeated ``K`` times
grow like ``K**2``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from extractor.datamodel import Section
from extractor.models import load_classifier
from extractor.pipeline import process_loaded
from extractor.reader import read_document
from extractor.tables import containing_sections
from tests.helpers import DOC_004, ROOT

K = 5
# Linear work gives a ratio of about K; the caches (texts seen once) only lower it.
MAX_RATIO = K * 1.3


PACKAGE = str(ROOT / "extractor")


def _calls(path: Path, classifier: Any) -> tuple[int, int]:
    """Lines of ``extractor`` code executed to extract ``path``, and the records found."""
    doc = read_document(path)
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
        result = process_loaded(doc, classifier, 0.9)
    finally:
        sys.settrace(None)
    return count, len(result.records)


def test_lines_executed_grow_linearly_with_document_size(tmp_path: Path) -> None:
    classifier = load_classifier(ROOT / "models")
    text = DOC_004.read_text(encoding="utf-8")
    one, many = tmp_path / "one.txt", tmp_path / "many.txt"
    one.write_text(text, encoding="utf-8")
    many.write_text(text * K, encoding="utf-8")
    _calls(many, classifier)  # warm every cache, so both counts below are of warm runs
    calls_one, records_one = _calls(one, classifier)
    calls_many, records_many = _calls(many, classifier)
    assert records_one > 50 and records_many == K * records_one
    assert calls_many / calls_one <= MAX_RATIO, f"{calls_many} lines run for {K}x against {calls_one} for 1x"


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
