"""DOCX, PDF, HTML and XLSX versions of the samples and wild tables give the same records.

The files in tests/data/formats are written by scripts/make_format_fixtures.py
from each .txt (the part from just above its first performance table on, see
manifest.json), with the vertical and horizontal merges a publisher's file has.
Records are compared by activity, indicator and thresholds (line numbers differ
by format); whitespace inside an indicator or threshold is ignored, since a PDF
wraps long cells.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from extractor.datamodel import Document
from extractor.models import load_classifier
from extractor.models.base import RowClassifier
from extractor.pipeline import DocumentResult, process_loaded
from extractor.reader import read_document
from tests.helpers import ROOT

FORMATS_DIR = ROOT / "tests" / "data" / "formats"
MANIFEST: dict[str, dict] = json.loads((FORMATS_DIR / "manifest.json").read_text(encoding="utf-8"))
FORMATS = ("docx", "pdf", "html", "xlsx")
SAMPLE_STEMS = sorted(stem for stem in MANIFEST if (ROOT / "annotations" / "expected_records" / f"{stem}.jsonl").exists())
WILD_STEMS = sorted(stem for stem in MANIFEST if stem not in SAMPLE_STEMS)
# 003's text is PDF output with cells broken over rows. On the .txt itself the
# table and assembly stages get 7 of its 142 records wrong (all in the table at
# lines 263-287, 电影放映员补贴). Its grid versions, built from those broken rows,
# differ from the .txt in one record of that table: assemble joins a row holding
# only thresholds to the record above for layout "tab_rows" alone, so "≥10 按照"
# (line 284) extends the 问题 record in the .txt but not in a "grid" table. Both
# are wrong; the four grid formats agree with each other (test_grid_formats_agree).
TABLE_STAGE_GAPS = {"003_325a9de861070d6d"}

Key = tuple[str, str, tuple[tuple[str, str], ...]]


@cache
def classifier() -> RowClassifier:
    return load_classifier(ROOT / "models")


def key(record: dict) -> Key:
    squash = lambda text: "".join((text or "").split())  # noqa: E731
    thresholds = tuple(sorted((grade, squash(value)) for grade, value in record["thresholds"].items()))
    return (record["activity"] or "", squash(record["indicator"]), thresholds)


def in_window(stem: str, line: int) -> bool:
    entry = MANIFEST[stem]
    return entry["first_line"] <= line < entry["end_line"]


@cache
def result(path: Path) -> DocumentResult:
    return process_loaded(read_document(path), classifier())


def format_records(stem: str, fmt: str) -> Counter[Key]:
    return Counter(key(r.to_dict()) for r in result(FORMATS_DIR / f"{stem}.{fmt}").records)


def txt_records(stem: str) -> Counter[Key]:
    records = result(ROOT / MANIFEST[stem]["source"]).records
    return Counter(key(r.to_dict()) for r in records if in_window(stem, r.line))


def expected_records(stem: str) -> Counter[Key]:
    path = ROOT / "annotations" / "expected_records" / f"{stem}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Counter(key(r) for r in rows if in_window(stem, r["line"]))


def difference(got: Counter[Key], want: Counter[Key]) -> str:
    missing, extra = want - got, got - want
    return f"missing {sorted(missing)[:3]} … ({sum(missing.values())}), extra {sorted(extra)[:3]} … ({sum(extra.values())})"


def _known_gap(stems: list[str], reason: str) -> list:
    return [pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=reason)) if s in TABLE_STAGE_GAPS else s
            for s in stems]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", _known_gap(SAMPLE_STEMS, "table stage wrong on the .txt itself"))
def test_sample_format_gives_the_expected_records(stem: str, fmt: str) -> None:
    want = expected_records(stem)
    assert want, "the fixture covers no hand-checked record"
    got = format_records(stem, fmt)
    assert got == want, difference(got, want)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", _known_gap(SAMPLE_STEMS + WILD_STEMS, "ragged .txt rows vs full grid rows"))
def test_format_gives_the_txt_records(stem: str, fmt: str) -> None:
    want = txt_records(stem)
    got = format_records(stem, fmt)
    assert got == want, difference(got, want)


@pytest.mark.slow
@pytest.mark.parametrize("stem", SAMPLE_STEMS + WILD_STEMS)
def test_grid_formats_agree(stem: str) -> None:
    want = format_records(stem, "docx")
    for fmt in ("pdf", "html", "xlsx"):
        got = format_records(stem, fmt)
        assert got == want, (fmt, difference(got, want))


def test_fixtures_cover_records_of_every_sample() -> None:
    counts = {stem: sum(expected_records(stem).values()) for stem in SAMPLE_STEMS}
    assert len(counts) == 4 and all(n >= 30 for n in counts.values()), counts


# --- merged cells -------------------------------------------------------------

MERGED_EXPECTED = [  # from merged_categories() in scripts/make_format_fixtures.py
    (["产出指标", "数量指标"], "维修校舍面积", "≥5000平方米"),
    (["产出指标", "数量指标"], "维修学校数量", "12所"),
    (["产出指标", "质量指标"], "工程验收合格率", "100%"),
    (["产出指标", "时效指标"], "按期完工率", "≥95%"),
    (["效益指标", "社会效益指标"], "改善学生学习环境", "明显改善"),
    (["效益指标", "社会效益指标"], "安全隐患消除率", "100%"),
    (["满意度指标", "服务对象满意度指标"], "师生满意度", "≥90%"),
]


def test_docx_vertical_merges_give_the_merged_value_on_every_record() -> None:
    records = result(FORMATS_DIR / "merged_categories.docx").records
    got = [(r.indicator_category, r.indicator, r.thresholds.get("指标值")) for r in records]
    assert got == MERGED_EXPECTED
    assert {r.activity for r in records} == {"校舍维修改造"}


def test_docx_grid_keeps_spans_and_covered_positions() -> None:
    doc = read_document(FORMATS_DIR / "merged_categories.docx")
    assert doc.format == "docx" and doc.tables is not None and len(doc.tables) == 1
    table = doc.tables[0]
    assert table.layout == "grid" and len(table.rows) == 8
    assert all(len(row.cells) == 5 for row in table.rows)
    activity = table.rows[1].cells[0]
    assert (activity.text, activity.row_span, activity.merged) == ("校舍维修改造", 7, False)
    for row in table.rows[2:]:
        assert row.cells[0].merged and row.cells[0].text == ""
    assert table.rows[1].cells[1].row_span == 4 and table.rows[5].cells[1].row_span == 2
    assert [c.merged for c in table.rows[2].cells] == [True, True, True, False, False]
    # Each row is one TAB-joined line of the document: line numbers stay the provenance key.
    for row in table.rows:
        assert doc.line(row.line) == "\t".join(c.text for c in row.cells)


def test_header_spanning_grade_columns_is_a_horizontal_merge() -> None:
    for fmt in ("docx", "html", "xlsx", "pdf"):
        doc = read_document(FORMATS_DIR / f"000_f44a55659bcd5ffe.{fmt}")
        assert doc.tables
        header = next(row for t in doc.tables for row in t.rows if any(c.text == "评价标准" for c in row.cells))
        cell = next(c for c in header.cells if c.text == "评价标准")
        assert cell.col_span == 4, fmt
        assert [c.merged for c in header.cells[cell.col + 1: cell.col + 4]] == [True] * 3, fmt


# --- PDF ----------------------------------------------------------------------

def test_pdf_table_continued_over_two_pages_is_one_table() -> None:
    doc = read_document(FORMATS_DIR / "continued_table.pdf")
    assert doc.format == "pdf" and doc.tables is not None
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert len(table.rows) == 41  # header + 40 rows, header not repeated
    pages = {c.page for row in table.rows for c in row.cells}
    assert pages == {1, 2}
    assert [row.cells[1].text for row in table.rows[1:]] == [f"第{k}项工作完成率" for k in range(1, 41)]
    records = result(FORMATS_DIR / "continued_table.pdf").records
    assert len(records) == 40 and {r.activity for r in records} == {"日常运转保障"}
    assert {r.page for r in records} == {1, 2}


def test_pdf_drops_page_numbers_and_running_headers() -> None:
    doc = read_document(FORMATS_DIR / "continued_table.pdf")
    assert not [line for line in doc.lines if "跨页表格" in line or line.strip() in ("- 1 -", "- 2 -")]
    assert doc.lines[0] == "一、部门整体绩效目标"


def test_pdf_provenance_pages_on_records_rows_and_lines() -> None:
    res = result(FORMATS_DIR / "004_3ff65f7921ff3963.pdf")
    assert res.doc.pages is not None and len(res.doc.pages) == len(res.doc.lines)
    assert all(isinstance(r.page, int) and r.page >= 1 for r in res.records)
    assert len({r.page for r in res.records}) > 1
    txt = result(ROOT / MANIFEST["004_3ff65f7921ff3963"]["source"])
    assert {r.page for r in txt.records} == {None}


def test_pdf_text_aligned_table_without_ruling_lines(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "borderless.pdf"
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 10)
    rows = [("三级指标", "指标值", "权重"), ("维修面积", "≥5000", "20"), ("验收合格率", "100%", "30"), ("满意度", "≥90%", "10")]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            page.drawString(72 + c * 150, 700 - r * 20, text)
    page.save()
    doc = read_document(path)
    assert doc.tables is not None and len(doc.tables) == 1
    assert [row.texts() for row in doc.tables[0].rows] == [list(r) for r in rows]


# --- HTML, XLSX, DOCX details -----------------------------------------------

def test_html_gb2312_page_decoded_and_chrome_dropped() -> None:
    path = FORMATS_DIR / "003_325a9de861070d6d.html"
    assert b"charset=gb2312" in path.read_bytes()[:300]
    doc = read_document(path)
    assert doc.encoding == "gb18030"
    text = "\n".join(doc.lines)
    for chrome in ("首页", "版权所有", "不是表格", "td {"):
        assert chrome not in text
    assert "项目名称" in text


def test_html_rowspan_colspan_and_nested_table(tmp_path: Path) -> None:
    page = """<html><body><nav>导航</nav><h2>一、项目绩效目标</h2>
    <table><tr><th rowspan="2">一级指标</th><th colspan="2">指标</th></tr>
    <tr><td>三级指标</td><td>指标值</td></tr>
    <tr><td rowspan="2">产出指标</td><td>完成率</td><td><table><tr><td>≥95%</td><td>年度</td></tr></table></td></tr>
    <tr><td>合格率<br>（抽检）</td><td>100%</td></tr></table><footer>页脚</footer></body></html>"""
    path = tmp_path / "page.htm"
    path.write_text(page, encoding="utf-8")
    doc = read_document(path)
    assert doc.lines[0] == "一、项目绩效目标"
    rows = doc.tables[0].rows
    assert [c.text for c in rows[0].cells] == ["一级指标", "指标", ""]
    assert rows[0].cells[1].col_span == 2 and rows[0].cells[2].merged
    assert rows[1].cells[0].merged and [c.text for c in rows[1].cells[1:]] == ["三级指标", "指标值"]
    assert rows[2].cells[2].text == "≥95% 年度"
    assert rows[3].cells[0].merged and rows[3].cells[1].text == "合格率\n（抽检）"
    assert "导航" not in doc.lines and "页脚" not in doc.lines


def test_xlsx_merged_ranges_and_title_rows(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "1.车辆保险费绩效目标表"
    sheet.merge_cells("A1:D1")
    for r, row in enumerate([("一级指标", "二级指标", "三级指标", "指标值"), ("产出指标", "数量指标", "车辆数", 12),
                             (None, None, "保险覆盖率", "100%"), (None, "时效指标", "按时缴费率", "100%")], start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("B3:B4")
    path = tmp_path / "book.xlsx"
    book.save(path)
    doc = read_document(path)
    assert doc.lines[0] == "1.车辆保险费绩效目标表"
    rows = doc.tables[0].rows
    assert [c.text for c in rows[1].cells] == ["产出指标", "数量指标", "车辆数", "12"]
    assert rows[1].cells[0].row_span == 3 and rows[1].cells[1].row_span == 2
    assert [c.merged for c in rows[2].cells] == [True, True, False, False]
    assert [c.merged for c in rows[3].cells] == [True, False, False, False]


def _docx_with_body(tmp_path: Path, xml: str) -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(xml))
    path = tmp_path / "t.docx"
    document.save(path)
    return path


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_docx_grid_before_after_and_nested_table(tmp_path: Path) -> None:
    nested = f"<w:tbl><w:tr>{_tc('≥95%')}{_tc('年度')}</w:tr></w:tbl>"
    xml = (
        f"<w:tbl {W_NS}><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        f"<w:tr>{_tc('一级指标')}{_tc('三级指标')}{_tc('指标值')}</w:tr>"
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{_tc("完成率")}'
        f"<w:tc><w:tcPr/>{nested}<w:p/></w:tc></w:tr>"
        f'<w:tr>{_tc("备注", chr(60) + "w:gridSpan w:val=" + chr(34) + "2" + chr(34) + "/>")}</w:tr>'
        "</w:tbl>"
    )
    doc = read_document(_docx_with_body(tmp_path, xml))
    rows = doc.tables[0].rows
    assert [c.text for c in rows[1].cells] == ["", "完成率", "≥95% 年度"]
    assert not rows[1].cells[0].merged  # gridBefore leaves the position empty, not merged
    assert rows[2].cells[0].col_span == 2 and rows[2].cells[1].merged and rows[2].cells[2].text == ""


def test_docx_automatic_numbering_prefix(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("部门职责", style="List Number")
    document.add_paragraph("机构设置", style="List Number")
    document.add_paragraph("正文")
    path = tmp_path / "n.docx"
    document.save(path)
    assert read_document(path).lines == ("1.部门职责", "2.机构设置", "正文")


def test_readers_keep_the_document_model_contract() -> None:
    for fmt in FORMATS:
        doc: Document = read_document(FORMATS_DIR / f"hn_xiangtan_hwc_2023.{fmt}")
        assert doc.format == fmt and doc.tables, fmt
        for table in doc.tables:
            assert table.layout == "grid"
            widths = {len(row.cells) for row in table.rows}
            assert len(widths) == 1, (fmt, widths)  # every grid position present
            for row in table.rows:
                assert "\t".join(c.text.replace("\n", " ") for c in row.cells) == doc.line(row.line)
                assert [c.col for c in row.cells] == list(range(len(row.cells)))


def test_html_layout_table_is_read_around_the_data_table(tmp_path: Path) -> None:
    page = """<html><body><table width="100%"><tr><td>网站导航 首页</td></tr><tr><td>
    <p>1.车辆保险费绩效目标表</p>
    <table border="1"><tr><td>三级指标</td><td>指标值</td></tr><tr><td>车辆数</td><td>12辆</td></tr></table>
    </td><td>右侧栏</td></tr></table></body></html>"""
    path = tmp_path / "layout.html"
    path.write_text(page, encoding="utf-8")
    doc = read_document(path)
    assert doc.tables is not None and len(doc.tables) == 1
    assert [row.texts() for row in doc.tables[0].rows] == [["三级指标", "指标值"], ["车辆数", "12辆"]]
    assert "1.车辆保险费绩效目标表" in doc.lines and "右侧栏" in doc.lines
