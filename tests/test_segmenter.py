"""Tests for extractor.segmenter: the hand-checked outlines of the samples and
one rule per test on small synthetic documents."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from extractor.datamodel import SECTION_TYPES, Section
from extractor.document import analyse
from extractor.reader import read_document
from extractor.evaluation.sections import section_metrics
from extractor.segmenter import chinese_numeral_value, parse_numbering, section_type, segment

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUTLINES = ROOT / "tests" / "data" / "outlines.txt"
EXPECTED = ROOT / "annotations" / "expected_sections"
SAMPLE_IDS = sorted(p.stem for p in SAMPLES.glob("*.txt"))
FIELDS = ("line", "end_line", "level", "number", "title", "type")

try:
    from extractor.normalize import normalize_lines
except ImportError:  # pragma: no cover - until extractor.normalize exists
    # DOCX artefacts: "[bookmark: _Toc…]" and Word TC fields " TC … \f A \l 1 ".
    _ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]|[ \t]*TC [^\\\t]*?(?:\s*\\[fln]\s*\S+)+\s*")
    _SPACES = re.compile("[\u3000\u00a0]")  # full-width and no-break spaces

    def normalize_lines(text: str) -> list[str]:
        """Minimal stand-in: same line count, artefacts removed, TABs kept."""
        lines = re.split(r"\r\n|\r|\n", text)
        if lines and lines[-1] == "":
            lines.pop()
        return [_SPACES.sub(" ", _ARTEFACT.sub("", line)).rstrip(" ") for line in lines]


@cache
def sample_lines(doc_id: str) -> tuple[str, ...]:
    """Normalised lines of a sample document (index 0 = line 1)."""
    return tuple(normalize_lines((SAMPLES / f"{doc_id}.txt").read_text(encoding="utf-8")))


def expected_sections(doc_id: str) -> list[dict[str, object]]:
    """Rows of ``annotations/expected_sections/<doc_id>.jsonl``."""
    path = EXPECTED / f"{doc_id}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert all(row["doc_id"] == doc_id for row in rows), path
    return rows


def as_rows(sections: list[Section]) -> list[dict[str, object]]:
    return [{k: getattr(s, k) for k in FIELDS} for s in sections]


def outline(text: str) -> list[tuple[int, int, str, str]]:
    """(line, level, number, title) of each heading of a synthetic document."""
    return [(s.line, s.level, s.number, s.title) for s in segment(text.split("\n"))]


_LEVEL_MARK = re.compile(r"^\[(\d)\] ")


@cache
def hand_outlines() -> dict[str, tuple[tuple[str, ...], tuple[tuple[int, int], ...]]]:
    """``tests/data/outlines.txt``: name -> (document lines, ((line, level), …) of its headings)."""
    outlines: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}
    lines: list[str] = []
    for raw in OUTLINES.read_text(encoding="utf-8").splitlines():
        if raw.startswith("=== "):
            lines, levels = [], []
            outlines[raw[4:].strip()] = (lines, levels)
        elif outlines:
            mark = _LEVEL_MARK.match(raw)
            lines.append(raw[mark.end() :] if mark else raw)
            if mark:
                levels.append((len(lines), int(mark.group(1))))
    return {name: (tuple(text), tuple(levels)) for name, (text, levels) in outlines.items()}


# --------------------------------------------------------------------------
# The four samples
# --------------------------------------------------------------------------


def test_every_sample_has_an_expected_outline() -> None:
    assert len(SAMPLE_IDS) >= 4
    assert {p.stem for p in EXPECTED.glob("*.jsonl")} >= set(SAMPLE_IDS)


@pytest.mark.parametrize("doc_id", SAMPLE_IDS)
def test_sample_headings_precision_and_recall(doc_id: str) -> None:
    found = {s.line for s in segment(sample_lines(doc_id))}
    expected = {int(row["line"]) for row in expected_sections(doc_id)}  # type: ignore[call-overload]
    assert sorted(found - expected) == [], "false headings"
    assert sorted(expected - found) == [], "missed headings"


@pytest.mark.parametrize("doc_id", SAMPLE_IDS)
def test_sample_outline_matches_expected(doc_id: str) -> None:
    expected = [{k: row[k] for k in FIELDS} for row in expected_sections(doc_id)]
    assert as_rows(segment(sample_lines(doc_id))) == expected


@pytest.mark.parametrize("doc_id", SAMPLE_IDS)
def test_sample_outline_is_well_formed(doc_id: str) -> None:
    lines = sample_lines(doc_id)
    sections = segment(lines)
    assert sections[0].type == "title" and sections[0].level == 1
    assert [s.line for s in sections] == sorted({s.line for s in sections})
    for prev, cur in zip(sections, sections[1:]):
        assert cur.level <= prev.level + 1, cur
    for s in sections:
        assert s.type in SECTION_TYPES
        assert s.line <= s.end_line <= len(lines)
        assert not lines[s.line - 1].startswith("\t")


def test_toc_entries_are_one_contents_section() -> None:
    doc_id = "003_325a9de861070d6d"
    sections = segment(sample_lines(doc_id))
    contents = [s for s in sections if s.type == "contents"]
    assert [(s.line, s.end_line, s.level) for s in contents] == [(5, 31, 1)]
    assert not [s for s in sections if 5 < s.line <= 31]
    duties = next(s for s in sections if s.line == 36)
    assert (duties.level, duties.number, duties.type) == (1, "一、", "duties")


# --------------------------------------------------------------------------
# Hand-written outlines: levels from what a section is (tests/data/outlines.txt)
# --------------------------------------------------------------------------

OUTLINE_CASES = (
    "mixed_top_numbering",  # 一、 then 2、 then 三、 then 4. for the top-level parts
    "skipped_level",  # "一、" then "(1)" directly; "二、" then "四、"; "2." then "4."
    "restarted_numbering",  # "一、" again inside a part, up to the next part's number
    "unnumbered_part",  # top-level parts printed without their number
    "numbered_body_sentences",  # numbered sentences naming parts are body text
    "lone_style_and_elaboration",  # "（一）（二）3、（四）"; a heading elaborating its parent
    "performance_parts_inside_part",  # "第一部分" inside an un-numbered 绩效信息 part
    "umbrella_part",  # parts inside "第三部分 部门预算情况说明" are its level-2 siblings
    "numbered_umbrella",  # parts numbered （一）… inside "二、…情况说明"; "三、…绩效信息" is level 1
    "restarted_under_umbrella",  # parts numbered 一、… again inside "二、…情况说明"
    "city_department",  # a "6、" among "一、"… parts; numbered sub-sections of 绩效预算信息
    "lost_first_number",  # the first part printed without "一、"
    "national_template_with_sections",  # parts nested under "七、其他重要事项的情况说明"
)


def test_every_hand_outline_is_tested() -> None:
    assert set(hand_outlines()) == set(OUTLINE_CASES)


@pytest.mark.parametrize("name", OUTLINE_CASES)
def test_hand_outline_levels(name: str) -> None:
    lines, expected = hand_outlines()[name]
    assert [(s.line, s.level) for s in segment(lines)] == list(expected)


def test_layout_sections_follow_the_outline(tmp_path: Path) -> None:
    """What ``sections.jsonl`` is written from: the layout of a document read from a file."""
    lines, expected = hand_outlines()["mixed_top_numbering"]
    path = tmp_path / "outline.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gb18030")
    sections = analyse(read_document(path)).sections
    assert [(s.line, s.level) for s in sections] == list(expected)


def test_hand_outlines_score_perfectly_with_the_section_metrics() -> None:
    """The figure the issue asks for: level accuracy over all hand outlines."""
    found = {name: segment(lines) for name, (lines, _) in hand_outlines().items()}
    truth = {
        name: [{"line": line, "level": level} for line, level in levels]
        for name, (_, levels) in hand_outlines().items()
    }
    scores = section_metrics(found, truth)
    assert (scores["f1"], scores["level_accuracy"]) == (1.0, 1.0)


def test_top_level_part_types_are_siblings_whatever_their_numbers() -> None:
    lines, _ = hand_outlines()["mixed_top_numbering"]
    tops = [(s.number, s.type) for s in segment(lines) if s.level == 1]
    assert tops == [
        ("", "title"),
        ("一、", "duties"),
        ("2、", "budget_overview"),
        ("三、", "operating_costs"),
        ("4.", "three_public"),
        ("五、", "performance"),
        ("六、", "procurement"),
        ("7、", "assets"),
        ("八、", "glossary"),
        ("九、", "other_notes"),
    ]


def test_part_named_again_inside_another_part_is_not_a_new_part() -> None:
    """Glossary entries and performance tables that name a part stay inside their part."""
    lines, _ = hand_outlines()["unnumbered_part"]
    sections = segment(lines)
    start = next(i for i, s in enumerate(sections) if s.title == "名词解释")
    assert [(s.number, s.title, s.level) for s in sections[start:]] == [
        ("八、", "名词解释", 1),
        ("1、", "“三公”经费", 2),
        ("2、", "机关运行经费", 2),
        ("九、", "其他需要说明的事项", 1),
    ]


# --------------------------------------------------------------------------
# Numbering schemes
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "scheme", "value", "token", "title"),
    [
        ("第一部分 部门职责及机构设置情况", "part", 1, "第一部分", "部门职责及机构设置情况"),
        ("第二部分预算项目绩效目标", "part", 2, "第二部分", "预算项目绩效目标"),
        ("三十四、行政事务管理", "cn", 34, "三十四、", "行政事务管理"),
        (" 二.部门机构设置", "cn", 2, "二.", "部门机构设置"),
        ("（一）总体绩效目标", "paren_cn", 1, "（一）", "总体绩效目标"),
        ("(二)分项绩效目标", "paren_cn", 2, "(二)", "分项绩效目标"),
        ("1.工委办公室主要职责", "arabic", 1, "1.", "工委办公室主要职责"),
        ("    3、比上年增减情况", "arabic", 3, "3、", "比上年增减情况"),
        ("２．制定精神文明建设工作年度计划", "arabic", 2, "２．", "制定精神文明建设工作年度计划"),
        ("1 . 部门预算收支总表", "arabic", 1, "1.", "部门预算收支总表"),
        ("- 1、 部门职责及机构设置情况", "arabic", 1, "1、", "部门职责及机构设置情况"),
        ("5.2021年度干部考核经费绩效目标表", "arabic", 5, "5.", "2021年度干部考核经费绩效目标表"),
        ("(1) 工委党建工作部的主要职责是:", "paren_arabic", 1, "(1)", "工委党建工作部的主要职责是"),
        ("（12）扶贫", "paren_arabic", 12, "（12）", "扶贫"),
        ("③项目支出", "circled", 3, "③", "项目支出"),
    ],
)
def test_parse_numbering(line: str, scheme: str, value: int, token: str, title: str) -> None:
    num = parse_numbering(line)
    assert num is not None
    assert (num.scheme, num.value, num.token, num.title) == (scheme, value, token, title)


@pytest.mark.parametrize(
    "line",
    [
        "2019年部门预算收入1901.58万元",
        "2.5万元",
        "一是紧密围绕开发区中心工作",
        "三公经费",
        "203 中共秦皇岛",
    ],
)
def test_not_numbering(line: str) -> None:
    assert parse_numbering(line) is None


@pytest.mark.parametrize(
    ("text", "value"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("三十四", 34)]
)
def test_chinese_numeral_value(text: str, value: int) -> None:
    assert chinese_numeral_value(text) == value


def test_each_scheme_nests_one_level_deeper() -> None:
    doc = "\n".join(
        [
            "某单位2020年部门预算信息公开",
            "第一部分 部门职责及机构设置情况",
            "一、部门职责",
            "（一）主要职责",
            "1.工委办公室职责",
            "(1)综合协调",
            "①文秘工作",
            "②信息工作",
            "(2)督查督办",
            "2.组织部职责",
            "（二）内设机构",
            "二、机构设置",
            "第二部分 部门预算安排总体情况",
            "一、收入说明",
        ]
    )
    assert outline(doc) == [
        (1, 1, "", "某单位2020年部门预算信息公开"),
        (2, 1, "第一部分", "部门职责及机构设置情况"),
        (3, 2, "一、", "部门职责"),
        (4, 3, "（一）", "主要职责"),
        (5, 4, "1.", "工委办公室职责"),
        (6, 5, "(1)", "综合协调"),
        (7, 6, "①", "文秘工作"),
        (8, 6, "②", "信息工作"),
        (9, 5, "(2)", "督查督办"),
        (10, 4, "2.", "组织部职责"),
        (11, 3, "（二）", "内设机构"),
        (12, 2, "二、", "机构设置"),
        (13, 1, "第二部分", "部门预算安排总体情况"),
        (14, 2, "一、", "收入说明"),
    ]


def test_levels_follow_the_document_not_a_fixed_order() -> None:
    """samples/004 style: 一、 then 1、 ; samples/003 style: - 一、 then - 1. then - (1)."""
    doc = "\n".join(
        [
            "一、部门预算安排的总体情况",
            "    1、收入说明",
            "    2、支出说明",
            "二、机关运行经费安排情况",
            "- 1. 商品和服务支出",
            "- (1) 办公费:",
        ]
    )
    assert [(line, level) for line, level, _, _ in outline(doc)] == [
        (1, 1),
        (2, 2),
        (3, 2),
        (4, 1),
        (5, 2),
        (6, 3),
    ]


def test_restarted_numbering_nests_inside_open_list() -> None:
    """A new "一、" under an open "一、" list is a sub-list, and "二、" after it
    goes back to the outer list because its number follows the outer "一、"."""
    doc = "\n".join(
        [
            "一、部门职责及机构设置情况",
            "部门职责：",
            "一、党员和党组织建设",
            "二、干部管理",
            "三、人才工作",
            "二、部门预算安排的总体情况",
        ]
    )
    assert [(line, level) for line, level, _, _ in outline(doc)] == [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 3),
        (5, 3),
        (6, 1),
    ]


# --------------------------------------------------------------------------
# Lines that are not headings
# --------------------------------------------------------------------------


def test_numbered_sentences_are_body_text() -> None:
    doc = "\n".join(
        [
            "一、工委办公室",
            "1.协助开发区工委领导处理日常事务，起草或审核各类文件，做好会务工作。",
            "2.负责保密工作。",
            "3.负责信息工作",
            "4.完成领导交办的其他工作。",
            "二、纪工委",
        ]
    )
    assert outline(doc) == [(1, 1, "一、", "工委办公室"), (6, 1, "二、", "纪工委")]


def test_short_item_in_a_list_of_duties_is_not_a_heading() -> None:
    """ "（九）负责机要保密工作" has no punctuation but its siblings are sentences."""
    doc = "\n".join(
        [
            "（七）负责会务工作。",
            "（八）负责接待服务工作。",
            "（九）负责机要保密工作",
            "（十）负责其他事项。",
        ]
    )
    assert outline(doc) == []


def test_tab_prefixed_cells_are_not_headings() -> None:
    doc = "\n".join(
        ["一、部门职责", "\t一、参谋协调运转", "\t8.55", "\t二、督查督办", "", "", "二、机构设置"]
    )
    assert outline(doc) == [(1, 1, "一、", "部门职责"), (7, 1, "二、", "机构设置")]


def test_tab_separated_rows_are_not_headings() -> None:
    doc = "\n".join(["一、政府采购预算情况", "1.办公设备\t3.20\t台", "二、国有资产信息"])
    assert [line for line, *_ in outline(doc)] == [1, 3]


def test_continuation_of_a_table_cell_is_not_a_heading() -> None:
    """Text lines under a one-cell-per-line cell (quoted or not) belong to the cell."""
    doc = "\n".join(
        [
            "一、绩效目标",
            "\t绩效目标",
            "\t1.提高中青年干部政策理论及业务水平",
            "2.提高中青年干部的执政能力",
            "",
            '\t"一、负责研究分析宏观经济金融形势',
            "",
            "二、负责公司融资项目的策划",
            "",
            '负责监督检查招商合资工作"',
            "",
            "",
            "二、政府采购预算情况",
        ]
    )
    assert [line for line, *_ in outline(doc)] == [1, 13]


def test_heading_right_under_a_table_is_a_heading() -> None:
    """Only one blank line after the last cell, but "二、" is not text of the cell."""
    doc = "\n".join(
        ["一、部门职责", "\t单位：万元", "", "二、政府采购预算情况", "\t1.办公设备", "2.打印机"]
    )
    assert [line for line, *_ in outline(doc)] == [1, 4]


def test_un_numbered_lines_need_a_keyword_and_a_heading_shape() -> None:
    doc = "\n".join(
        [
            "二、部门预算安排的总体情况",
            "收入说明",  # heading
            "本部门当年全部收入，2019年预算收入103202.91万元。",
            "部门年度发展规划目标：",  # no section keyword
            "部门职责：负责党工委、管委会机关日常工作的综合协调。",  # sentence
            "部门固定资产占用情况表",  # table caption
        ]
    )
    assert outline(doc) == [(1, 1, "二、", "部门预算安排的总体情况"), (2, 2, "", "收入说明")]


def test_un_numbered_template_heading_is_top_level() -> None:
    """samples/001: "部门职责及机构设置情况" lost its "一、"; "二、" is its sibling."""
    doc = "\n".join(
        [
            "秦皇岛北戴河新区管理委员会办公室",
            "",
            "2019年部门预算信息公开",
            "部门职责及机构设置情况",
            "机构设置：",
            "二、部门预算安排的总体情况",
            "名词解释",
        ]
    )
    assert outline(doc) == [
        (1, 1, "", "秦皇岛北戴河新区管理委员会办公室 2019年部门预算信息公开"),
        (4, 1, "", "部门职责及机构设置情况"),
        (5, 2, "", "机构设置"),
        (6, 1, "二、", "部门预算安排的总体情况"),
        (7, 1, "", "名词解释"),
    ]


def test_label_repeating_the_next_heading_is_dropped() -> None:
    doc = "\n".join(
        ["五、绩效预算信息", "    总体绩效目标： ", "一、总体绩效目标", "二、分项绩效目标"]
    )
    assert [(line, level) for line, level, _, _ in outline(doc)] == [(1, 1), (3, 2), (4, 2)]


def test_caption_naming_the_open_section_is_not_a_heading() -> None:
    doc = "\n".join(
        [
            "第一部分 政府采购预算情况",
            "部门政府采购预算",
            "\t政府采购项目来源",
            "",
            "",
            "第二部分 绩效预算信息情况",
            "十一、武装部",
            "部门职责及活动绩效目标指标:",
            "\t职责活动",
        ]
    )
    assert outline(doc) == [
        (1, 1, "第一部分", "政府采购预算情况"),
        (6, 1, "第二部分", "绩效预算信息情况"),
        (7, 2, "十一、", "武装部"),
        (8, 2, "", "部门职责及活动绩效目标指标"),
    ]


def test_contents_section_covers_its_entries() -> None:
    doc = "\n".join(
        [
            "某部门2021年预算公开",
            "部门预算信息公开目录",
            "一、部门预算公开表",
            "- 1. 部门预算收支总表",
            "二、情况说明 ........ 3",
            "某部门2021年度预算信息公开",
            "按照《预算法》规定，现将2021年部门预算公开如下：",
            "- 一、 部门职责及机构设置情况",
            "- 1. 部门职责",
        ]
    )
    sections = segment(doc.split("\n"))
    assert [(s.line, s.end_line, s.level, s.type) for s in sections] == [
        (1, 1, 1, "title"),
        (2, 5, 1, "contents"),
        (6, 7, 1, "title"),
        (8, 9, 1, "duties"),
        (9, 9, 2, "duties"),
    ]


def test_end_line_stops_before_next_heading_of_same_or_higher_level() -> None:
    doc = "\n".join(["一、部门职责", "1.主要职责", "正文。", "二、机构设置", "正文。", ""])
    sections = segment(doc.split("\n"))
    assert [(s.line, s.end_line) for s in sections] == [(1, 3), (2, 3), (4, 6)]


def test_empty_document() -> None:
    assert segment([]) == []
    assert segment(["", "   "]) == []


# --------------------------------------------------------------------------
# Section types
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("部门职责", "duties"),
        ("部门机构设置", "organization"),
        ("部门预算安排总体情况", "budget_overview"),
        ("收入说明", "income"),
        ("支出说明", "expenditure"),
        ("比上年增减情况", "change"),
        ("机关运行经费安排情况", "operating_costs"),
        ("财政拨款“三公”经费预算情况及增减变化原因", "three_public"),
        ("绩效预算信息情况", "performance"),
        ("部门职责分类绩效目标情况说明", "performance"),
        ("政府采购预算情况", "procurement"),
        ("国有资产信息", "assets"),
        ("名词解释", "glossary"),
        ("其他需要说明的事项", "other_notes"),
        ("其他需说明的事项", "other_notes"),
        ("部门预算信息公开目录", "contents"),
        ("秦皇岛经济技术开发区工委部门2019年度预算信息公开", "title"),
        ("工委办公室", "other"),
    ],
)
def test_section_type_keywords(title: str, kind: str) -> None:
    assert section_type(title) == kind


def test_numbered_line_is_never_a_title() -> None:
    assert section_type("2021年度部门预算信息公开情况说明", numbered=True) == "other"


def test_children_inherit_the_parent_type() -> None:
    doc = "\n".join(
        [
            "第五部分 绩效预算信息情况",
            "职责分类绩效目标：",
            "一、工委办公室",
            "1.车辆保险费绩效目标表",
        ]
    )
    assert [s.type for s in segment(doc.split("\n"))] == ["performance"] * 4
