"""Table rebuilding on the real layouts of the samples, and on unseen variants."""

from __future__ import annotations

from functools import lru_cache

from extractor.document import analyse
from extractor.models import load_column_model
from extractor.models.base import resolve_model_dir
from extractor.reader import read_document
from tests.helpers import DOC_000, DOC_001, DOC_003, DOC_004, ROOT, document_from_text


@lru_cache(maxsize=1)
def _column_model():
    """The shipped model's column-role model, as extraction uses it."""
    return load_column_model(resolve_model_dir(ROOT / "models"))


def _tables(path):
    return analyse(read_document(path), _column_model()).tables


def _analysed(text):
    return analyse(document_from_text(text), _column_model()).tables


def _row_at(table, line):
    return next(r for r in table.rows if any(c.line == line for c in r.cells))


def test_tab_lines_rows_have_the_table_width_and_stacked_header():
    table = next(t for t in _tables(DOC_000) if t.is_performance)
    body = [r for r in table.rows if not r.is_header]
    assert sum(len(r.cells) == 9 for r in body) >= len(body) - 2
    row = _row_at(table, 165)
    assert row.columns[0] == "职责活动" and row.columns[4] == "绩效指标"
    assert row.roles[0] == "activity" and row.roles[4] == "indicator"
    assert [row.grade_keys[k] for k in range(5, 9)] == ["优", "良", "中", "差"]
    assert row.texts()[0] == "1、公文运转" and row.texts()[5] == "作用充分发挥。"


def test_empty_cell_is_a_line_holding_only_a_tab():
    table = next(t for t in _tables(DOC_000) if t.is_performance)
    row = _row_at(table, 225)  # 3、公务接待 with an empty budget cell
    assert row.texts()[1] == "" and row.texts()[4] == "严格控制接待任务"


def test_quoted_multiline_cell_with_blank_line_inside_stays_one_cell():
    table = next(t for t in _tables(DOC_001) if t.is_performance)
    row = _row_at(table, 144)
    assert len(row.cells) == 9
    description = row.cells[2]
    assert description.line == 146 and description.end_line >= 147
    assert description.text.startswith("做好公司日常政务") and '"' not in description.text
    # The goal cell is followed by blank lines, yet the indicator joins the same row.
    assert row.texts()[4].startswith("公文流转")


def test_quoted_cell_whose_lines_start_like_headings_is_not_split():
    table = next(t for t in _tables(DOC_001) if t.is_performance)
    row = _row_at(table, 2396)
    assert row.texts()[0] == "三十一、融资招商（产业新城办）"
    assert "二、负责公司融资项目" in row.texts()[2]


def test_unquoted_continuation_lines_belong_to_the_cell_above():
    table = next(t for t in _tables(DOC_000) if t.is_performance)
    row = _row_at(table, 1446)
    assert "三、开展精神文明创建活动。" in row.texts()[2]
    assert table.end_line > 2800  # one table, not split at the continuation lines


def test_tab_rows_from_pdf_with_split_header_read_by_column_roles():
    tables = [t for t in _tables(DOC_003) if t.is_performance]
    assert len(tables) == 26
    first = tables[0]
    header = next(r for r in first.rows if r.is_header)
    assert header.line == 213
    body = _row_at(first, 214)
    # OCR split 绩效指标描述 over two cells: both are the indicator's description.
    assert body.columns[2] == "三级指标" and body.columns[3] == "绩效指标"
    assert (body.roles[2], body.roles[3], body.roles[5]) == ("indicator", "indicator_description", "target")
    assert body.texts()[2] == "管理员人数"


def test_inline_lists_become_small_tables():
    inline = [t for t in _tables(DOC_004) if t.layout == "inline"]
    assert [t.line for t in inline] == [61, 67, 73, 79]
    first = inline[0]
    assert first.rows[0].texts() == ["一、党员和党组织建设"]
    keys = [r.key for r in first.rows[1:]]
    assert keys == ["主要职责", "职责目标", "绩效目标", "绩效指标", "绩效标准"]
    standard = first.rows[-1].texts()
    assert standard == ["90%以上的为优", "80%-90%的为良", "70%-80%的为中", "70%以下的为差"]


def test_project_tables_have_captions_and_restart_headers():
    tables = [t for t in _tables(DOC_004) if t.layout == "tab_lines" and t.is_performance]
    assert tables[0].caption == "1.车辆保险费绩效目标表"
    assert any(r.is_header and r.columns.get(2) == "三级指标" for r in tables[0].rows)


def test_non_performance_tables_are_found_but_not_flagged():
    tables = _tables(DOC_004)
    organisation = tables[0]
    assert organisation.rows[0].texts() == ["单位名称", "单位性质", "单位规格", "经费保障形式"]
    assert not organisation.is_performance


def test_missing_header_table_in_performance_context_is_still_a_table():
    text = "\n".join(
        [
            "部门职责及活动绩效目标",
            "\t一、办公室工作",
            "\t公文处理及时率",
            "\t≥95%",
            "\t≥90%",
            "",
            "\t会议保障满意度",
            "\t100%",
            "\t90%以上",
            "",
        ]
    )
    tables = _analysed(text)
    assert len(tables) == 1 and tables[0].is_performance
    # The second row lacks its merged activity cell: its cells move right, under their columns.
    second = tables[0].rows[1]
    assert [len(r.cells) for r in tables[0].rows] == [4, 4]
    assert second.cells[0].merged and second.texts()[1:] == ["会议保障满意度", "100%", "90%以上"]


def test_other_column_order_maps_headers_by_text_not_position():
    text = "\n".join(
        ["\t绩效指标", "\t指标值", "\t职责活动", "", "\t办件按时办结率", "\t≥98%", "\t政务服务", ""]
    )
    table = _analysed(text)[0]
    body = table.rows[1]
    assert body.columns == {0: "绩效指标", 1: "指标值", 2: "职责活动"}
    assert body.roles == {0: "indicator", 1: "target", 2: "activity"}
    assert table.is_performance


def test_final_line_without_newline_is_kept():
    text = "绩效指标：办结率；满意度\n绩效标准：95%以上的为优"
    tables = _analysed(text)
    assert tables[0].rows[-1].texts() == ["95%以上的为优"]


def test_row_shifted_right_by_an_inserted_category_cell_is_realigned():
    table = next(t for t in _tables(DOC_001) if t.is_performance)
    shifted = _row_at(table, 4169)
    # The category word is set aside beside the grid, the name and values move back left.
    assert shifted.texts()[4].startswith("已编制的") and shifted.roles[4] == "indicator"
    assert shifted.texts()[9] == "产出指标" and shifted.roles[9] == "category1"
    assert [shifted.grade_keys[k] for k in (5, 6, 7)] == ["优", "良", "中"]
    # A category word used as the indicator itself, with graded texts, is left alone.
    aligned = _row_at(next(t for t in _tables(DOC_000) if t.is_performance), 950)
    assert aligned.texts()[4] == "时效指标" and aligned.roles[4] == "indicator"
