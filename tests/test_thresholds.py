"""Tests for extractor.thresholds, mostly on threshold strings from samples/*.txt.

Each real case names the sample file and 1-based line it was copied from.
"""

from __future__ import annotations

import json
import math
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.datamodel import ParsedThreshold
from extractor.errors import ConfigError
from extractor.thresholds import (
    ONE_CHARACTER_NUMERALS,
    direction_operator,
    load_threshold_vocabulary,
    parse_threshold,
    parse_thresholds,
    split_graded_standard,
)

S000 = "samples/000_f44a55659bcd5ffe.txt"
S001 = "samples/001_96d939c67dd7b28c.txt"
S003 = "samples/003_325a9de861070d6d.txt"
S004 = "samples/004_3ff65f7921ff3963.txt"

Fields = tuple[str | None, float | None, float | None, str | None]

# (text, source, (operator, value, upper, unit)) for cells copied verbatim.
REAL_CASES: list[tuple[str, str, Fields]] = [
    # samples/000: graded table cells written in Chinese.
    ("效果达到95%及以上", f"{S000}:200", (">=", 95.0, None, "%")),
    ("90%及以上", f"{S000}:211", (">=", 90.0, None, "%")),
    ("85%以下", f"{S000}:233", ("<=", 85.0, None, "%")),
    ("80%以下", f"{S000}:213", ("<=", 80.0, None, "%")),
    ("效果80%以下", f"{S000}:203", ("<=", 80.0, None, "%")),
    ("质量达到80%以下", f"{S000}:223", ("<=", 80.0, None, "%")),
    ("行文差错率为0。", f"{S000}:190", ("=", 0.0, None, None)),
    ("行文差错率为30%以上。", f"{S000}:193", (">=", 30.0, None, "%")),
    ("发文数同比提高10%", f"{S000}:181", ("=", 10.0, None, "%")),
    ("发文数同比提高60%以上。", f"{S000}:183", (">=", 60.0, None, "%")),
    ("90%完成", f"{S000}:301", ("=", 90.0, None, "%")),
    ("90%采集85%上报", f"{S000}:281", ("=", 90.0, None, "%")),
    ("全年组织中心组学习不少于20次", f"{S000}:790", (">=", 20.0, None, "次")),
    ("舆情信息报送数量不少于12条", f"{S000}:880", (">=", 12.0, None, "条")),
    ("故障次数少于3次", f"{S000}:1302", ("<", 3.0, None, "次")),
    ("故障次数大于3次", f"{S000}:1304", (">", 3.0, None, "次")),
    # Two conditions joined into one range (exclusive bounds: see test_two_sided_ranges).
    ("少于10次多于5次", f"{S000}:2204", ("range", 5.0, 10.0, "次")),
    ("有2种以上宣传形式", f"{S000}:661", (">=", 2.0, None, "种")),
    ("每年9个以上", f"{S000}:1743", (">=", 9.0, None, "个")),
    ("3个及以下", f"{S000}:1876", ("<=", 3.0, None, "个")),
    ("40条及以下", f"{S000}:864", ("<=", 40.0, None, "条")),
    ("5天以上", f"{S000}:1783", (">=", 5.0, None, "天")),
    ("高于10%", f"{S000}:1616", (">", 10.0, None, "%")),
    ("低于80%", f"{S000}:1094", ("<", 80.0, None, "%")),
    ("少于100", f"{S000}:1114", ("<", 100.0, None, None)),
    ("80以下", f"{S000}:1204", ("<=", 80.0, None, None)),
    ("10月前", f"{S000}:1143", ("by", 10.0, None, "月")),  # a deadline: by October
    ("12月以后", f"{S000}:1324", (">=", 12.0, None, "月")),
    ("后延5个工作日", f"{S000}:2114", ("=", 5.0, None, "工作日")),
    ("0次", f"{S000}:904", ("=", 0.0, None, "次")),
    ("100%", f"{S000}:510", ("=", 100.0, None, "%")),
    ("85－100%", f"{S000}:511", ("range", 85.0, 100.0, "%")),
    # samples/001: symbol operators, full-width and per-mille.
    ("≥80%", f"{S001}:163", (">=", 80.0, None, "%")),
    ("≤60%", f"{S001}:164", ("<=", 60.0, None, "%")),
    ("＞60%", f"{S001}:165", (">", 60.0, None, "%")),
    ("≤50%", f"{S001}:166", ("<=", 50.0, None, "%")),
    ("≥95%", f"{S001}:345", (">=", 95.0, None, "%")),
    ("＜85%", f"{S001}:348", ("<", 85.0, None, "%")),
    ("<0.5%", f"{S001}:265", ("<", 0.5, None, "%")),
    ("≧70%", f"{S001}:1532", (">=", 70.0, None, "%")),
    ("＜0.1‰", f"{S001}:955", ("<", 0.1, None, "‰")),
    ("＞4‰", f"{S001}:3996", (">", 4.0, None, "‰")),
    ("≥0.8万亩", f"{S001}:3901", (">=", 0.8, None, "万亩")),
    ("﹤0.5万亩", f"{S001}:3904", ("<", 0.5, None, "万亩")),
    ("≥30株", f"{S001}:4210", (">=", 30.0, None, "株")),
    ("≥ 4", f"{S001}:2799", (">=", 4.0, None, None)),
    ("80%-89%", f"{S001}:4272", ("range", 80.0, 89.0, "%")),
    ("95%-100%", f"{S001}:4412", ("range", 95.0, 100.0, "%")),
    ("90%－95%", f"{S001}:4413", ("range", 90.0, 95.0, "%")),
    ("形成5个（含）以上政策研究报告、请示等文", f"{S001}:2091", (">=", 5.0, None, "个")),
    # samples/003: OCR output, indicator words bleed into the value cell.
    ("≥46 提高效 率", f"{S003}:214", (">=", 46.0, None, None)),
    ("≥1044 圆满 完成", f"{S003}:378", (">=", 1044.0, None, None)),
    ("≥1000 条", f"{S003}:252", (">=", 1000.0, None, "条")),
    ("≤3.2万元", f"{S003}:255", ("<=", 3.2, None, "万元")),
    (">1 购置数 量达标", f"{S003}:338", (">", 1.0, None, None)),
    ("≥10 次数", f"{S003}:419", (">=", 10.0, None, None)),
    ("≥1 日常工 作得到有力 保障", f"{S003}:238", (">=", 1.0, None, None)),
    ("≥80%", f"{S003}:436", (">=", 80.0, None, "%")),
    ("16. 56", f"{S003}:208", ("=", 16.56, None, None)),
    ("6月底", f"{S003}:210", ("=", 6.0, None, "月")),
    # samples/004: project tables, value glued to the indicator name.
    ("≥90确保投保车辆数量", f"{S004}:153", (">=", 90.0, None, None)),
    ("≥70日常运转保障率", f"{S004}:1198", (">=", 70.0, None, None)),
    ("100%", f"{S004}:135", ("=", 100.0, None, "%")),
]

# Real cells that state no comparison at all.
REAL_TEXT_ONLY: list[tuple[str, str]] = [
    ("全部及时完成", f"{S000}:300"),
    ("涉密", f"{S000}:328"),
    ("全部采集全部上报", f"{S000}:280"),
    ("修复比较及时。", f"{S000}:372"),
    ("建议取消本项。每年养护实际需求与资金安排难以确定，难以评价。", f"{S001}:3771"),
    ("A020103", f"{S001}:4570"),  # an expenditure code, not a number to compare
]

INLINE_STANDARD_004 = "90%以上的为优； 80%-90%的为良； 70%-80%的为中； 70%以下的为差。"


def _fields(parsed: ParsedThreshold) -> Fields:
    return (parsed.operator, parsed.value, parsed.upper, parsed.unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=source) for text, source, expected in REAL_CASES],
)
def test_real_threshold_strings(text: str, expected: Fields) -> None:
    parsed = parse_threshold(text)
    assert _fields(parsed) == expected
    assert parsed.raw == text
    assert parsed.grade is None


@pytest.mark.parametrize(
    "text", [pytest.param(text, id=source) for text, source in REAL_TEXT_ONLY]
)
def test_real_text_without_comparison(text: str) -> None:
    parsed = parse_threshold(text, grade="优")
    assert parsed == ParsedThreshold("优", None, None, None, None, text)


def test_at_least_forty_real_strings() -> None:
    assert len({text for text, _, _ in REAL_CASES}) >= 40


@pytest.mark.parametrize(
    ("text", "source"),
    [(text, source) for text, source, _ in REAL_CASES] + REAL_TEXT_ONLY,
)
def test_real_strings_occur_at_their_source_line(text: str, source: str) -> None:
    path, line = source.rsplit(":", 1)
    repo = Path(__file__).resolve().parent.parent
    lines = (repo / path).read_text(encoding="utf-8").splitlines()
    assert text in lines[int(line) - 1].split("\t")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Operators the corpus does not happen to use.
        ("90%以上（含）", (">=", 90.0, None, "%")),
        ("不低于95%", (">=", 95.0, None, "%")),
        ("大于等于90%", (">=", 90.0, None, "%")),
        ("超过80%", (">", 80.0, None, "%")),
        ("不超过5天", ("<=", 5.0, None, "天")),
        ("小于等于3次", ("<=", 3.0, None, "次")),
        ("控制在3.2万元以内", ("<=", 3.2, None, "万元")),
        ("不足60%", ("<", 60.0, None, "%")),
        ("3天内完成", ("<=", 3.0, None, "天")),
        ("＝100%", ("=", 100.0, None, "%")),
        (">=90", (">=", 90.0, None, None)),
        ("<= 2小时", ("<=", 2.0, None, "小时")),
        # Ranges with other separators, unit only on the upper bound.
        ("80%~90%", ("range", 80.0, 90.0, "%")),
        ("80%至90%", ("range", 80.0, 90.0, "%")),
        ("80-90%", ("range", 80.0, 90.0, "%")),
        # Full-width digits and point, thousands separators, 百分之.
        ("≥９０．５％", (">=", 90.5, None, "%")),
        ("≥1,044 圆满完成", (">=", 1044.0, None, None)),
        ("百分之85以上", (">=", 85.0, None, "%")),
        ("百分之百", ("=", 100.0, None, "%")),
        # Unit words that begin an ordinary word are not units.
        ("完成5项内容", ("=", 5.0, None, "项")),
        ("3个后备干部", ("=", 3.0, None, "个")),
        ("≥2000平方米", (">=", 2000.0, None, "平方米")),
        ("1.5亿元", ("=", 1.5, None, "亿元")),
    ],
)
def test_edge_cases(text: str, expected: Fields) -> None:
    parsed = parse_threshold(text)
    assert _fields(parsed) == expected
    assert parsed.raw == text


@pytest.mark.parametrize("text", ["", "   ", "无", "/", "-", "——", "圆满完成", "及时完成"])
def test_empty_and_none_like_text(text: str) -> None:
    assert parse_threshold(text, grade="指标值") == ParsedThreshold(
        "指标值", None, None, None, None, text
    )


def test_raw_is_untouched() -> None:
    text = " ≥１６. 56万元 "
    parsed = parse_threshold(text)
    assert parsed.raw == text
    assert _fields(parsed) == (">=", 16.56, None, "万元")


def test_grade_argument_is_kept() -> None:
    assert parse_threshold("≥90%", grade="良").grade == "良"
    assert parse_threshold("≥90%", grade="指标值").grade == "指标值"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90%以上的为优", ("优", ">=", 90.0, None, "%")),
        ("80%-90%的为良", ("良", "range", 80.0, 90.0, "%")),
        ("70%-80%的为中", ("中", "range", 70.0, 80.0, "%")),
        ("70%以下的为差。", ("差", "<=", 70.0, None, "%")),
        ("5篇为优", ("优", "=", 5.0, None, "篇")),
        ("1篇为差", ("差", "=", 1.0, None, "篇")),
        ("95%及以上为优秀", ("优", ">=", 95.0, None, "%")),
    ],
)
def test_inline_grade_overrides_argument(text: str, expected: tuple) -> None:
    parsed = parse_threshold(text, grade="指标值")
    assert (parsed.grade, *_fields(parsed)) == expected
    assert parsed.raw == text


def test_grade_word_inside_prose_is_not_a_grade() -> None:
    # samples/000 line 270: "为优秀单位" names no grade of this cell.
    text = "在市委系统信息工作中名列前茅，为优秀单位。"
    assert parse_threshold(text, grade="优").grade == "优"
    assert parse_threshold(text).grade is None


def test_parse_thresholds_keeps_order_and_grades() -> None:
    # samples/000 lines 200-203: one indicator's 优/良/中/差 cells.
    row = {
        "优": "效果达到95%及以上",
        "良": "效果达到90%及以上",
        "中": "效果达到80%及以上",
        "差": "效果80%以下",
    }
    parsed = parse_thresholds(row)
    assert [(p.grade, *_fields(p)) for p in parsed] == [
        ("优", ">=", 95.0, None, "%"),
        ("良", ">=", 90.0, None, "%"),
        ("中", ">=", 80.0, None, "%"),
        ("差", "<=", 80.0, None, "%"),
    ]
    assert [p.raw for p in parsed] == list(row.values())


def test_parse_thresholds_reverse_order_and_indicator_value() -> None:
    # samples/001 lines 345-348 in reverse, plus a 指标值 cell (samples/004:153).
    row = {
        "差": "＜85%",
        "中": "≥85%",
        "良": "≥90%",
        "优": "≥95%",
        "指标值": "≥90确保投保车辆数量",
    }
    parsed = parse_thresholds(row)
    assert [p.grade for p in parsed] == ["差", "中", "良", "优", "指标值"]
    assert [p.operator for p in parsed] == ["<", ">=", ">=", ">=", ">="]
    assert [p.value for p in parsed] == [85.0, 85.0, 90.0, 95.0, 90.0]


def test_parse_thresholds_empty() -> None:
    assert parse_thresholds({}) == []


def test_split_graded_standard_line_84() -> None:
    # samples/004 line 84, after "绩效标准：".
    text = INLINE_STANDARD_004 + "5篇为优；4篇为良；3篇为中；1篇为差。"
    assert split_graded_standard(text) == [
        ("优", "90%以上"),
        ("良", "80%-90%"),
        ("中", "70%-80%"),
        ("差", "70%以下"),
        ("优", "5篇"),
        ("良", "4篇"),
        ("中", "3篇"),
        ("差", "1篇"),
    ]


def test_split_graded_standard_drops_label_line_66() -> None:
    # samples/004 line 66 verbatim, label included.
    assert split_graded_standard("绩效标准：" + INLINE_STANDARD_004) == [
        ("优", "90%以上"),
        ("良", "80%-90%"),
        ("中", "70%-80%"),
        ("差", "70%以下"),
    ]


def test_split_graded_standard_ascii_semicolons_and_junk() -> None:
    text = "90%以上的为优;80%-90%的为良;说明文字;70%以下的为差"
    assert split_graded_standard(text) == [
        ("优", "90%以上"),
        ("良", "80%-90%"),
        ("差", "70%以下"),
    ]


@pytest.mark.parametrize("text", ["", "涉密", "≥90%", "行文差错率为0。"])
def test_split_graded_standard_without_grades(text: str) -> None:
    assert split_graded_standard(text) == []


def test_split_then_parse_round_trip() -> None:
    pairs = split_graded_standard(INLINE_STANDARD_004)
    parsed = [parse_threshold(value, grade) for grade, value in pairs]
    assert [(p.grade, *_fields(p)) for p in parsed] == [
        ("优", ">=", 90.0, None, "%"),
        ("良", "range", 80.0, 90.0, "%"),
        ("中", "range", 70.0, 80.0, "%"),
        ("差", "<=", 70.0, None, "%"),
    ]


# --- Issue 14: strings the parser got wrong ------------------------------------
# Every case below failed on the parser before the fix (value missing, a bound or
# the sign lost, a deadline read as "="), unless marked as a regression guard.

Full = tuple[str | None, float | None, float | None, str | None, bool | None, bool | None, str | None]


def _full(parsed: ParsedThreshold) -> Full:
    return (
        parsed.operator, parsed.value, parsed.upper, parsed.unit,
        parsed.lower_inclusive, parsed.upper_inclusive, parsed.date,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("百分之九十", ("=", 90.0, None, "%", None, None, None)),
        ("百分之九十五点五以上", (">=", 95.5, None, "%", None, None, None)),
        ("三天内", ("<=", 3.0, None, "天", None, None, None)),
        ("不少于三次", (">=", 3.0, None, "次", None, None, None)),
        ("九十分以上", (">=", 90.0, None, "分", None, None, None)),
        ("不低于两千元", (">=", 2000.0, None, "元", None, None, None)),
        ("一个月内完成", ("<=", 1.0, None, "月", None, None, None)),
        ("三万元以内", ("<=", 3.0, None, "万元", None, None, None)),
        ("三分之二以上", (">=", 2 / 3, None, None, None, None, None)),
        ("千分之五以下", ("<=", 5.0, None, "‰", None, None, None)),
    ],
)
def test_chinese_numerals(text: str, expected: Full) -> None:
    parsed = parse_threshold(text)
    assert _full(parsed) == pytest.approx(expected)
    assert parsed.raw == text


@pytest.mark.parametrize(
    "text",
    # Numeral characters inside ordinary words count nothing.
    ["统一后实施", "一次性完成", "十分满意", "一级指标", "第一次会议", "一定程度提高", "三年行动计划"],
)
def test_chinese_numerals_inside_words_are_not_numbers(text: str) -> None:
    assert _full(parse_threshold(text)) == (None, None, None, None, None, None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80%（含）-90%", ("range", 80.0, 90.0, "%", True, None, None)),
        ("80%-90%（含）", ("range", 80.0, 90.0, "%", None, True, None)),
        ("80%（不含）至90%（含）", ("range", 80.0, 90.0, "%", False, True, None)),
        ("80%≤x<90%", ("range", 80.0, 90.0, "%", True, False, None)),
        ("80%＜满意度≤90%", ("range", 80.0, 90.0, "%", False, True, None)),
        ("90%>x≥80%", ("range", 80.0, 90.0, "%", True, False, None)),
        ("[80%,90%)", ("range", 80.0, 90.0, "%", True, False, None)),
        ("（80%，90%］", ("range", 80.0, 90.0, "%", False, True, None)),
        ("≥80%且<90%", ("range", 80.0, 90.0, "%", True, False, None)),
        ("<90%且≥80%", ("range", 80.0, 90.0, "%", True, False, None)),
        ("大于80%小于90%", ("range", 80.0, 90.0, "%", False, False, None)),
        ("80%以上90%以下", ("range", 80.0, 90.0, "%", True, True, None)),
        ("80%以上、90%以下", ("range", 80.0, 90.0, "%", True, True, None)),
        ("少于10次多于5次", ("range", 5.0, 10.0, "次", False, False, None)),
        ("90%-80%", ("range", 80.0, 90.0, "%", None, None, None)),  # bounds put in order
        # Regression guards (parsed right before): plain ranges, equal bounds.
        ("10%~10%", ("range", 10.0, 10.0, "%", None, None, None)),
        ("80%-90%", ("range", 80.0, 90.0, "%", None, None, None)),
    ],
)
def test_two_sided_ranges(text: str, expected: Full) -> None:
    parsed = parse_threshold(text)
    assert _full(parsed) == expected
    assert parsed.raw == text


@pytest.mark.parametrize(
    "text",
    # One condition and another quantity: no range.
    ["3天内≥80%", "≥80%且≥90%", "90%采集85%上报"],
)
def test_two_quantities_that_are_no_range(text: str) -> None:
    assert parse_threshold(text).operator != "range"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-5%", ("=", -5.0, None, "%", None, None, None)),
        ("≤-5%", ("<=", -5.0, None, "%", None, None, None)),
        ("≥－0.5%", (">=", -0.5, None, "%", None, None, None)),
        ("负5%", ("=", -5.0, None, "%", None, None, None)),
        ("-10%~10%", ("range", -10.0, 10.0, "%", None, None, None)),
        ("-10%~-5%", ("range", -10.0, -5.0, "%", None, None, None)),
        ("±5%", ("range", -5.0, 5.0, "%", True, True, None)),
        ("偏差率±5%以内", ("range", -5.0, 5.0, "%", True, True, None)),
        ("100±5", ("range", 95.0, 105.0, None, True, True, None)),
    ],
)
def test_negative_numbers(text: str, expected: Full) -> None:
    parsed = parse_threshold(text)
    assert _full(parsed) == expected
    assert parsed.raw == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年底前", ("by", 2022.0, None, "年", None, None, "2022-12-31")),
        ("12月31日前", ("by", 12.0, None, "月", None, None, "--12-31")),
        ("2021年12月31日前完成", ("by", 2021.0, None, "年", None, None, "2021-12-31")),
        ("2024年6月底之前", ("by", 2024.0, None, "年", None, None, "2024-06-30")),
        ("二〇二二年底前", ("by", 2022.0, None, "年", None, None, "2022-12-31")),
        ("十二月三十一日前", ("by", 12.0, None, "月", None, None, "--12-31")),
        ("10月前", ("by", 10.0, None, "月", None, None, "--10")),
        ("10月后", (">=", 10.0, None, "月", None, None, "--10")),
        ("6月底", ("=", 6.0, None, "月", None, None, "--06-30")),
        ("2022-12-31前", ("by", 2022.0, None, None, None, None, "2022-12-31")),
    ],
)
def test_deadlines(text: str, expected: Full) -> None:
    parsed = parse_threshold(text)
    assert _full(parsed) == expected
    assert parsed.raw == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3月内完成", ("<=", 3.0, None, "月", None, None, None)),  # a count of months
        ("13月前", ("<=", 13.0, None, "月", None, None, None)),  # no such month
        ("2月30日前", ("=", 2.0, None, "月", None, None, None)),  # no such day
    ],
)
def test_not_a_date(text: str, expected: Full) -> None:
    assert _full(parse_threshold(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥=95%", (">=", 95.0, None, "%")),
        ("≤=5%", ("<=", 5.0, None, "%")),
        ("> =90%", (">=", 90.0, None, "%")),
        ("≥\u200b90%", (">=", 90.0, None, "%")),
        ("≥\ufeff\u200d 90%", (">=", 90.0, None, "%")),
        ("2/3以上", (">=", 2 / 3, None, None)),
        ("1/2以下", ("<=", 0.5, None, None)),
        ("80%(不含)以上", (">", 80.0, None, "%")),
        ("≤3万元/人", ("<=", 3.0, None, "万元/人")),
    ],
)
def test_symbol_noise_and_fractions(text: str, expected: Fields) -> None:
    parsed = parse_threshold(text)
    assert _fields(parsed) == pytest.approx(expected)
    assert parsed.raw == text


# Value cells of the national 一级/二级/三级指标/指标值 layout, as printed in the
# real tables under ../shared/corpus/wild/ (file named per case).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥80M", (">=", 80.0, None, "M")),  # hn_xiangtan_hwc_2023: 风炮射程 (failed before)
        ("250万", ("=", 250.0, None, "万")),  # hn_xiangtan_hwc_2023: 成本 (failed before)
        # Regression guards, parsed right before too.
        ("=100", ("=", 100.0, None, None)),  # cq_banan_yipin_2022
        ("44,561", ("=", 44561.0, None, None)),  # nm_wuhai_gxs_2021
        ("10辆", ("=", 10.0, None, "辆")),  # hn_xiangtan_hwc_2023
        ("≥90%", (">=", 90.0, None, "%")),  # hb_wuhan_qingshan_2021
        ("100%", ("=", 100.0, None, "%")),  # hb_wuhan_qingshan_2020
        ("有效保障", (None, None, None, None)),  # cq_banan_yipin_2022
        ("稳步提高", (None, None, None, None)),  # hb_wuhan_qingshan_2021
        ("巩固提高", (None, None, None, None)),  # hb_wuhan_qingshan_2020
    ],
)
def test_national_table_values(text: str, expected: Fields) -> None:
    parsed = parse_threshold(text, grade="指标值")
    assert _fields(parsed) == expected
    assert (parsed.grade, parsed.raw) == ("指标值", text)


# --- Issue 8 item 4: unit and direction columns ------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "operator", "expected"),
    [
        # nm_wuhai_gxs_2021 rows: 目标值 | 计量单位 beside 指标性质 / 指标方向.
        ("24", "人/次", "=", ("=", 24.0, None, "人/次")),
        ("100", "%", "=", ("=", 100.0, None, "%")),
        ("8", "", "=", ("=", 8.0, None, None)),
        ("90", "%", "≥", (">=", 90.0, None, "%")),
        ("3", "万元/人", "≤", ("<=", 3.0, None, "万元/人")),
        ("95", "％", "正向", (">=", 95.0, None, "%")),
        ("5", "个", "反向", ("<=", 5.0, None, "个")),
        ("80-90", "%", "≥", ("range", 80.0, 90.0, "%")),
        # The value cell's own unit and comparison win over the columns.
        ("≤90%", "个", "≥", ("<=", 90.0, None, "%")),
        ("=100", None, "≥", ("=", 100.0, None, None)),
        ("不少于3次", "个", "≤", (">=", 3.0, None, "次")),
        # Columns without meaning change nothing.
        ("90", "/", "定量", ("=", 90.0, None, None)),
        ("90", "  ", None, ("=", 90.0, None, None)),
        # No number: no unit or operator from the columns either.
        ("有效保障", "%", "≥", (None, None, None, None)),
    ],
)
def test_unit_and_direction_columns(text: str, unit: str | None, operator: str | None, expected: Fields) -> None:
    parsed = parse_threshold(text, "指标值", unit=unit, operator=operator)
    assert _fields(parsed) == expected
    assert parsed.raw == text
    assert parsed.grade == "指标值"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("≥", ">="), ("≤", "<="), ("＝", "="), (" = ", "="), ("＞", ">"), ("<", "<"),
     ("正向", ">="), ("反向", "<="), ("正向指标", ">="), ("定量", None), ("定性", None),
     ("", None), (None, None)],
)
def test_direction_operator(text: str | None, expected: str | None) -> None:
    assert direction_operator(text) == expected


def test_parse_thresholds_passes_columns() -> None:
    parsed = parse_thresholds({"指标值": "90", "优": "≤5个"}, unit="%", operator="正向")
    assert [_fields(p) for p in parsed] == [(">=", 90.0, None, "%"), ("<=", 5.0, None, "个")]
    assert [p.raw for p in parsed] == ["90", "≤5个"]


def test_new_fields_serialise() -> None:
    parsed = parse_threshold("[80%,90%)", "良")
    assert parsed.to_dict() == {
        "grade": "良", "operator": "range", "value": 80.0, "upper": 90.0, "unit": "%",
        "raw": "[80%,90%)", "lower_inclusive": True, "upper_inclusive": False, "date": None,
    }


# --- Vocabulary file ----------------------------------------------------------------


def test_vocabulary_file_feeds_the_parser() -> None:
    vocab = load_threshold_vocabulary()
    assert "辆" in vocab.cjk_units and "M" in vocab.latin_units
    assert vocab.directions["正向"] == ">="


def test_units_of_the_table_vocabulary_are_read(tmp_path: Path) -> None:
    # A unit added only to configs/vocabulary.toml ([units] words) is a unit here too.
    repo = Path(__file__).resolve().parent.parent
    table = (repo / "configs" / "vocabulary.toml").read_text(encoding="utf-8")
    assert "艘" not in table and "艘" not in load_threshold_vocabulary().cjk_units
    changed = tmp_path / "vocabulary.toml"
    changed.write_text(table.replace('words = ["%",', 'words = ["艘", "%",', 1), encoding="utf-8")
    assert "艘" in load_threshold_vocabulary(table_vocabulary=changed).cjk_units


def test_every_table_vocabulary_unit_parses() -> None:
    from extractor.vocabulary import load_vocabulary

    for word in load_vocabulary().units:
        expected = unicodedata.normalize("NFKC", word)
        assert parse_threshold(f"≥3{word}以上").unit == expected, word


def test_broken_vocabulary_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    with pytest.raises(ConfigError, match="not found"):
        load_threshold_vocabulary(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text("[units]\ncjk = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_threshold_vocabulary(bad)
    partial = tmp_path / "partial.toml"
    partial.write_text('[units]\ncjk = ["个"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="lacks"):
        load_threshold_vocabulary(partial)


# --- Robustness -----------------------------------------------------------------------

_OPERATORS = {None, ">=", "<=", ">", "<", "=", "range", "by"}


def _check_invariants(text: str, parsed: ParsedThreshold) -> None:
    assert parsed.raw == text
    assert parsed.operator in _OPERATORS
    assert (parsed.value is None) == (parsed.operator is None)
    for number in (parsed.value, parsed.upper):
        assert number is None or math.isfinite(number)
    if parsed.operator == "range":
        assert parsed.upper is not None and parsed.value <= parsed.upper
    else:
        assert parsed.upper is None and parsed.lower_inclusive is None and parsed.upper_inclusive is None
    json.dumps(parsed.to_dict(), allow_nan=False, ensure_ascii=False)


# Characters that threshold cells are made of, so that generated text reaches
# every branch of the parser, mixed with arbitrary text.
_THRESHOLD_ALPHABET = list("0123456789０９.．,，%％‰-－~～至到≥≤≧><＞＜=＝±()（）[]［］/ 　\u200b")
_THRESHOLD_WORDS = [
    "以上", "以下", "及以上", "以内", "内", "前", "后", "底", "年", "月", "日", "含", "不含", "且",
    "不少于", "不超过", "大于", "小于", "百分之", "分之", "负", "一", "二", "两", "三", "十", "百",
    "千", "万", "亿", "点", "第", "个", "次", "天", "元", "万元", "人", "M", "x", "的为优", "为良",
]
_threshold_like = st.lists(
    st.one_of(st.sampled_from(_THRESHOLD_ALPHABET), st.sampled_from(_THRESHOLD_WORDS), st.text(max_size=3)),
    max_size=25,
).map("".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=st.one_of(st.text(max_size=200), _threshold_like))
def test_fuzz_never_raises_and_keeps_raw(text: str) -> None:
    _check_invariants(text, parse_threshold(text))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=_threshold_like, unit=st.one_of(st.none(), st.text(max_size=6)),
       operator=st.one_of(st.none(), st.sampled_from(["≥", "≤", "=", "正向", "反向", "定量"]), st.text(max_size=4)))
def test_fuzz_with_columns(text: str, unit: str | None, operator: str | None) -> None:
    parsed = parse_threshold(text, "指标值", unit=unit, operator=operator)
    _check_invariants(text, parsed)
    assert split_graded_standard(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a" + " " * 100_000 + "b",  # quadratic in the old inline-grade pattern
        "1" * 100_000,  # one number too long for a float
        "1 " * 50_000,
        "一" * 100_000,
        "三分之" * 30_000,
        "三天内≥80%且<90%，" * 8_000,
        "[1," * 30_000,
        "1<x" * 30_000,
        "12月" * 30_000,
    ],
    ids=lambda t: f"{t[:6]}…x{len(t)}",
)
def test_long_cells_parse_in_linear_time(text: str) -> None:
    start = time.perf_counter()
    parsed = parse_threshold(text)
    assert time.perf_counter() - start < 10.0
    _check_invariants(text, parsed)


@pytest.mark.parametrize("character", sorted(ONE_CHARACTER_NUMERALS))
def test_one_character_numerals_are_what_cn2an_makes_of_them(character: str) -> None:
    from cn2an import cn2an

    assert ONE_CHARACTER_NUMERALS[character] == str(int(cn2an(character, "smart")))


def test_longer_numerals_still_go_to_cn2an() -> None:
    assert parse_threshold("百分之九十五点五").value == 95.5
    assert parse_threshold("不少于十二次").value == 12
