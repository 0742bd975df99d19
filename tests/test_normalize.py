"""Tests for extractor.normalize on real sample lines and edge cases."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from extractor.normalize import is_quote_open, normalize_line, normalize_lines, unquote_cell

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
S000 = "000_f44a55659bcd5ffe"
S001 = "001_96d939c67dd7b28c"
S004 = "004_3ff65f7921ff3963"


@cache
def raw_lines(stem: str) -> list[str]:
    """Source lines of a sample, un-normalised (1-based line N is index N-1)."""
    return (SAMPLES / f"{stem}.txt").read_text(encoding="utf-8").splitlines()


def raw_line(stem: str, number: int) -> str:
    return raw_lines(stem)[number - 1]


def test_samples_present() -> None:
    assert len(SAMPLE_FILES) >= 4


# --- line count and order -------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_line_count_and_order_preserved_on_samples(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    raw = text.splitlines()
    lines = normalize_lines(text)
    assert len(lines) == len(raw)
    assert lines == [normalize_line(line) for line in raw]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_tabs_preserved_on_samples(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for before, after in zip(text.splitlines(), normalize_lines(text), strict=True):
        assert after.count("\t") == before.count("\t")
        leading = len(before) - len(before.lstrip("\t"))
        assert after.startswith("\t" * leading)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\n\n", ["a", ""]),
        ("\n", [""]),
        ("a\r\nb\rc\nd", ["a", "b", "c", "d"]),
        ("a\r\n\r\nb\r\n", ["a", "", "b"]),
        ("a\r\rb", ["a", "", "b"]),
    ],
)
def test_only_cr_lf_crlf_break_lines(text: str, expected: list[str]) -> None:
    assert normalize_lines(text) == expected


@pytest.mark.parametrize("sep", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_unicode_separators_stay_inside_line_as_space(sep: str) -> None:
    assert normalize_lines(f"甲{sep}乙\n丙") == ["甲 乙", "丙"]


# --- per-line clean-up ----------------------------------------------------


def test_fullwidth_space_after_tab_becomes_space() -> None:
    line = raw_line(S000, 165)
    assert line == "\t\u3000\u30001、公文运转"
    assert normalize_line(line) == "\t  1、公文运转"


def test_nbsp_becomes_space() -> None:
    assert normalize_line(raw_line(S000, 2895)) == "\t项   目"


@pytest.mark.parametrize(
    ("number", "expected_end"),
    [
        (86, "当好工管委的坚强前哨和巩固后院。"),
        (87, "（二）分项绩效目标"),
        (109, "（三）工作保障措施"),
    ],
)
def test_tc_field_code_removed_real_lines(number: int, expected_end: str) -> None:
    line = raw_line(S001, number)
    assert "\\f A" in line
    out = normalize_line(line)
    assert out.endswith(expected_end)
    assert "TC" not in out and "\\" not in out
    assert line.startswith(out)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('（一）总体目标 TC "总体目标" \\f C \\l "2" ', "（一）总体目标"),
        ("标题 TC 标题 \\l 2", "标题"),
        ("\t标题 TC 标题 \\f A \\l 1 \t下一格", "\t标题\t下一格"),
        ("TC 标准化工作", "TC 标准化工作"),
        ("ATC 设备 \\f A", "ATC 设备 \\f A"),
    ],
)
def test_tc_field_code_variants(line: str, expected: str) -> None:
    assert normalize_line(line) == expected


@pytest.mark.parametrize(
    ("stem", "number", "expected"),
    [
        (S004, 54, "一、总体绩效目标"),
        (S004, 104, "部门职责及工作活动绩效目标指标："),
        (S004, 105, "1.车辆保险费绩效目标表"),
        (S000, 2372, "\t“不忘初心、牢记使命”群众性主题教育"),
    ],
)
def test_bookmarks_removed_real_lines(stem: str, number: int, expected: str) -> None:
    line = raw_line(stem, number)
    assert "[bookmark:" in line
    assert normalize_line(line) == expected


def test_bookmark_in_middle_of_line() -> None:
    assert normalize_line("甲[bookmark: _GoBack]乙[bookmark: _Toc1]") == "甲乙"


def test_no_artefacts_left_in_any_sample() -> None:
    for path in SAMPLE_FILES:
        for line in normalize_lines(path.read_text(encoding="utf-8")):
            assert "[bookmark:" not in line
            assert "\\f A" not in line
            assert "\u3000" not in line and "\xa0" not in line


def test_zero_width_removed() -> None:
    assert normalize_line("\ufeff项目\u200b名称\u200d") == "项目名称"


def test_control_chars_become_space_tabs_kept() -> None:
    assert normalize_line("\t甲\x0c乙\t\x01丙\t") == "\t甲 乙\t 丙\t"


def test_trailing_spaces_stripped_but_trailing_tabs_kept() -> None:
    assert normalize_line("\t甲\t\u3000 ") == "\t甲\t"
    assert normalize_line("\t甲\t") == "\t甲\t"
    assert normalize_line("\t") == "\t"


def test_trailing_cr_stripped() -> None:
    assert normalize_line("甲\r") == "甲"


def test_leading_spaces_kept() -> None:
    assert normalize_line("\u3000\u3000正文") == "  正文"


def test_plain_line_unchanged() -> None:
    line = "\t项目名称\t车辆保险费\t"
    assert normalize_line(line) == line


# --- quoted cells ---------------------------------------------------------


def test_unquote_real_multiline_cell() -> None:
    cell = "\n".join(raw_lines(S001)[145:148])  # lines 146-148
    assert cell.startswith('\t"做好公司日常政务') and cell.endswith('\n"')
    out = unquote_cell(cell)
    assert out.startswith("做好公司日常政务")
    assert out.endswith("协调工会、共青团、妇委会等群团组织活动和老干部工作。")
    assert '"' not in out


def test_unquote_real_triple_quoted_cell() -> None:
    cell = "\n".join(raw_lines(S001)[2523:2526])  # lines 2524-2526
    assert cell.startswith('\t"""组织') and cell.endswith('\n"""')
    out = unquote_cell(cell)
    assert out.startswith("组织协调公司日常政务")
    assert out.endswith("老干部工作。")
    assert '"' not in out and "\n" not in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"line one\n\nline two\n"', "line one\n\nline two"),
        ('  "a ""b"" c"  ', 'a "b" c'),
        ('"他说""好""，然后"', '他说"好"，然后'),
        ('""', ""),
        ('"三公"经费', '"三公"经费'),
        ('  "三公"经费支出 ', '"三公"经费支出'),
        ('"三公"与"会议"', '"三公"与"会议"'),
        ("无引号\n", "无引号"),
        ('"', '"'),
        ('"""', '"""'),
    ],
)
def test_unquote_cell_cases(text: str, expected: str) -> None:
    assert unquote_cell(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"做好公司日常政务', True),
        ('\t"做好公司日常政务', True),
        ('"""组织协调', True),
        ('"""组织协调\n\n"""', False),
        ('"做好\n\n"', False),
        ('"三公"经费', False),
        ('三公"经费', False),
        ("普通文本", False),
        ("", False),
    ],
)
def test_is_quote_open(text: str, expected: bool) -> None:
    assert is_quote_open(text) is expected


def test_quote_open_then_closed_on_real_lines() -> None:
    lines = raw_lines(S001)
    assert is_quote_open(lines[145])
    assert is_quote_open("\n".join(lines[145:147]))
    assert not is_quote_open("\n".join(lines[145:148]))
