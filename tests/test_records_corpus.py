"""Hand-checked records from each sample document, extracted with the shipped model.

Each expected record below was read off the source document (line numbers
given) by a person; a wrong activity, indicator or threshold fails the test.
"""

from __future__ import annotations

import pytest

from extractor.models import load_classifier
from extractor.pipeline import process_document
from tests.helpers import DOC_000, DOC_001, DOC_003, DOC_004, ROOT

GRADES4 = ("优", "良", "中", "差")


def _grades(*values: str) -> dict[str, str]:
    return dict(zip(GRADES4, values, strict=True))


EXPECTED = {
    DOC_000: [
        # lines 155-173: parent row "一、参谋协调运转", child "1、公文运转" with budget 0.50
        (169, "参谋协调运转", "公文运转", 0.5, "以文辅政，有力地指导和推动全区工作的深入开展。", [],
         _grades("作用充分发挥。", "作用较好发挥。", "作用发挥一般。", "未发挥作用。")),
        # lines 225-233: empty budget cell; the 优 cell holds "1"
        (229, "参谋协调运转", "公务接待", None, "严格控制接待任务", [], _grades("1", "90%及以上", "85%及以上", "85%以下")),
        # lines 1446-1456: activity cell followed by unquoted continuation lines
        (1452, "区直机关党的建设", "思想政治建设", 8.55, "活动满意程度", [], _grades("100%", "90%及以上", "80%及以上", "80%以下")),
        # lines 2858-2886: last rows of the table before the blank lines and 第六部分
        (2882, "对外宣传开发区经济建设、投资环境，促进企业沟通交流", "交流访问费用", None, "中外技术共享，搭建技术交流平台。", [],
         _grades("3", "2", "1", "0")),
    ],
    DOC_001: [
        # lines 144-166: quoted description with a blank line inside, goal followed by blank lines
        (162, None, "组织协调公司日常政务、事务", None, "公文流转；规划编制；学习培训；文稿起草；规章制度；后勤保障；群团活动", [],
         _grades("≥80%", "≤60%", "＞60%", "≤50%")),
        (1450, "纪检政务管理（廉政办）", "综合事务管理", None, "综合业务管理工作完成率", [], _grades("100%", "80%及以上", "70%及以上", "70%以下")),
        # lines 2510-2520: indicator cell with a blank line and an unprefixed second line
        (2514, "项目工程建设（产业新城办）", "项目建设中各个流程环节所涉及的事物，保障项目顺利完工", None,
         "项目前期手续跑办完成率；内业资料管理完成率", [], _grades("≥95%", "≥90%", "≥85%", "＜85%")),
    ],
    DOC_003: [
        # lines 202-219 (PDF text): 一级指标 printed mid-block, budget "16. 56" with OCR space
        (214, None, "文化管理员(农家书屋管理员)财政补贴", 16.56, "管理员人数", ["产出指标", "数量指标"], {"指标值": "≥46 提高效 率"}),
        (236, None, "电子政务内网专用设备购置费", 4.0, "提高办公效率", ["效益指标", "社会效益指标"], {"指标值": "≥1 提高办 公效率"}),
        (255, None, "舆情监看平台年费", 3.2, "预算控制数", ["产出指标", "成本指标"], {"指标值": "≤3.2万元"}),
    ],
    DOC_004: [
        # lines 61-66: inline "绩效指标：a；b；…" with "绩效标准：90%以上的为优；…"
        (65, None, "党员和党组织建设", None, "组织史征编工作完成率", [],
         _grades("90%以上的为优", "80%-90%的为良", "70%-80%的为中", "70%以下的为差")),
        # lines 105-182: project table; activity from its caption, budget from the 预算数 row
        (151, None, "车辆保险费", 1.2, "投保车辆数", ["产出指标", "数量指标"], {"指标值": "≥90确保投保车辆数量"}),
    ],
}


@pytest.fixture(scope="module")
def classifier():
    return load_classifier(ROOT / "models")


@pytest.mark.parametrize("path", list(EXPECTED), ids=lambda p: p.stem)
def test_hand_checked_records(path, classifier):
    records = process_document(path, classifier).records
    for line, parent, activity, budget, indicator, category, thresholds in EXPECTED[path]:
        matches = [r for r in records if r.line == line and r.indicator == indicator]
        assert matches, f"{path.stem}:{line}: no record for indicator {indicator!r}"
        record = matches[0]
        assert record.activity == activity, f"{path.stem}:{line}"
        assert record.parent_activity == parent, f"{path.stem}:{line}"
        assert record.activity_budget == budget, f"{path.stem}:{line}"
        assert record.indicator_category == category, f"{path.stem}:{line}"
        assert record.thresholds == thresholds, f"{path.stem}:{line}"
        assert {p["grade"] for p in record.parsed_thresholds} == set(thresholds)


def test_identical_rows_are_kept_as_separate_records(classifier):
    records = process_document(DOC_001, classifier).records
    repeated = [r for r in records if r.activity == "组织协调公司日常政务、事务" and r.indicator.startswith("公文流转")]
    assert len(repeated) >= 5 and len({r.line for r in repeated}) == len(repeated)


def test_every_inline_indicator_shares_the_block_standard(classifier):
    records = [r for r in process_document(DOC_004, classifier).records if r.line == 65]
    assert len(records) == 15
    assert all(r.thresholds["优"] == "90%以上的为优" for r in records)


def test_shifted_row_gives_the_real_indicator_and_its_grades(classifier):
    records = process_document(DOC_001, classifier).records
    record = next(r for r in records if r.line == 4169)
    assert record.indicator == "已编制的绿地系统规划与编制工作计划的比率"
    assert record.thresholds == {"优": "100%", "良": "≥90%", "中": "≥80%"}
    assert record.indicator_category == ["产出指标"]


def test_a_standard_with_two_graded_sets_goes_to_the_matching_indicators(classifier):
    records = {r.indicator: r for r in process_document(DOC_004, classifier).records if r.line == 83}
    assert records["组织党建信息上报的数量"].thresholds == _grades("5篇为优", "4篇为良", "3篇为中", "1篇为差")
    assert records["组织系统互联网建设率"].thresholds == _grades("90%以上的为优", "80%-90%的为良", "70%-80%的为中", "70%以下的为差")
    assert records["做好后勤保障工作，确保机关高效运转"].thresholds["优"] == "90%以上的为优"
