"""Records of tables in layouts the samples do not use, against hand-annotated expectations.

The five real tables from other provinces (samples/wild, expected records in
annotations/expected_records/wild) and the hand-written layout tables in
tests/data/layouts were annotated by a person reading the text, not from the
extractor's output (see the README in each folder). A record whose activity,
indicator or any threshold differs fails.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from extractor.evaluation.generalisation import content_key
from extractor.models import load_classifier
from extractor.pipeline import process_document
from tests.helpers import ROOT

WILD = sorted((ROOT / "samples" / "wild").glob("*.txt"))
LAYOUTS = sorted((ROOT / "tests" / "data" / "layouts").glob("*.txt"))


def _expected(path: Path) -> list[dict]:
    own = path.with_suffix(".expected.jsonl")
    file = own if own.exists() else ROOT / "annotations" / "expected_records" / "wild" / f"{path.stem}.jsonl"
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def model():
    return load_classifier(ROOT / "models")


@pytest.mark.parametrize("path", WILD + LAYOUTS, ids=lambda p: p.stem)
def test_every_hand_annotated_record_and_nothing_else(model, path: Path) -> None:
    got = Counter(content_key(r.to_dict()) for r in process_document(path, model).records)
    want = Counter(content_key(r) for r in _expected(path))
    assert got - want == Counter(), f"extra or wrong records: {list((got - want).elements())}"
    assert want - got == Counter(), f"missing records: {list((want - got).elements())}"


@pytest.mark.parametrize("path", WILD + LAYOUTS, ids=lambda p: p.stem)
def test_records_keep_parent_activity_and_categories(model, path: Path) -> None:
    records = {(r.line, r.indicator.replace(" ", "")): r for r in process_document(path, model).records}
    for expected in _expected(path):
        record = records[(expected["line"], expected["indicator"].replace(" ", ""))]
        assert record.parent_activity == expected["parent_activity"], expected
        if "indicator_category" in expected:
            assert record.indicator_category == expected["indicator_category"], expected


def test_ambiguous_run_together_split_sends_its_record_to_review(model) -> None:
    result = process_document(ROOT / "samples" / "wild" / "cq_banan_yipin_2022.txt", model, review_threshold=0.5)
    record = next(r for r in result.records if r.indicator == "开展各种文艺活动场次")
    assert record.needs_review and record.confidence < 0.5


def test_parent_activity_is_carried_only_within_its_block(model, tmp_path: Path) -> None:
    text = "\n".join([
        "某某局2024年部门预算信息公开", "七、绩效目标", "职责活动绩效目标表",
        "职责活动\t绩效指标\t优\t良\t中\t差",
        "一、综合管理\t\t\t\t\t",
        "1、公文处理\t公文办结率\t100%\t≥95%\t≥90%\t＜90%",
        "2、档案管理\t档案归档率\t100%\t≥95%\t≥90%\t＜90%",
        "信息公开\t信息公开及时率\t100%\t≥95%\t≥90%\t＜90%",
        "",
    ])
    path = tmp_path / "blocks.txt"
    path.write_text(text, encoding="utf-8")
    records = {r.indicator: r for r in process_document(path, model).records}
    assert records["公文办结率"].parent_activity == "综合管理"
    assert records["档案归档率"].parent_activity == "综合管理"
    assert records["信息公开及时率"].activity == "信息公开"
    assert records["信息公开及时率"].parent_activity is None


def test_a_child_may_bear_its_parents_name_and_restarted_numbering_has_an_unknown_parent(model, tmp_path: Path) -> None:
    text = "\n".join([
        "某某局2024年部门预算信息公开", "七、绩效目标", "职责活动绩效目标表",
        "职责活动\t绩效指标\t优\t良\t中\t差",
        "一、法制宣传\t普法活动场次\t12\t10\t8\t＜8",
        "1、法制宣传\t宣传材料篇数\t20\t15\t10\t＜10",
        "2、法律顾问\t合同审查率\t100%\t≥95%\t≥90%\t＜90%",
        "1、安全生产检查\t检查覆盖率\t100%\t≥95%\t≥90%\t＜90%",
        "2、应急演练\t演练次数\t4\t3\t2\t＜2",
        "",
    ])
    path = tmp_path / "numbering.txt"
    path.write_text(text, encoding="utf-8")
    records = {r.indicator: r for r in process_document(path, model).records}
    assert records["普法活动场次"].parent_activity is None  # the "一、" row itself
    assert records["宣传材料篇数"].parent_activity == "法制宣传"  # its child of the same name
    assert records["合同审查率"].parent_activity == "法制宣传"
    # "1、" again without a new "一、" row: the parent is not printed, so unknown.
    assert records["检查覆盖率"].parent_activity is None and records["演练次数"].parent_activity is None
    assert records["检查覆盖率"].activity == "安全生产检查"


def test_unit_and_direction_columns_reach_the_parsed_threshold(model) -> None:
    wuhai = {r.indicator: r for r in process_document(ROOT / "samples" / "wild" / "nm_wuhai_gxs_2021.txt", model).records}
    parsed = wuhai["出差人次"].parsed_thresholds[0]
    assert (parsed["value"], parsed["unit"], parsed["operator"], parsed["raw"]) == (24.0, "人/次", "=", "24")
    banan = {r.indicator: r for r in process_document(ROOT / "samples" / "wild" / "cq_banan_yipin_2022.txt", model).records}
    parsed = banan["预算执行率"].parsed_thresholds[0]
    assert (parsed["value"], parsed["unit"], parsed["operator"]) == (100.0, "%", "=")


def test_every_input_gets_a_status_and_a_performance_part_without_records_is_partial(tmp_path: Path) -> None:
    from extractor.bulk import run_extraction

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text((ROOT / "samples" / "wild" / "hn_xiangtan_hwc_2023.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty_part.txt").write_text(
        "某某局2024年部门预算信息公开\n第一部分 部门概况\n一、主要职责\n负责全县工作。\n"
        "第二部分 绩效目标\n七、绩效目标\n本部门绩效目标详见附件，附件另行公开。\n",
        encoding="utf-8",
    )
    (folder / "broken.txt").write_bytes(b"")
    summary = run_extraction([folder], tmp_path / "out", ROOT / "models", threshold=0.5)
    documents = [json.loads(line) for line in (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    by_source = {Path(d["source"]).name: d for d in documents}
    assert set(by_source) == {"good.txt", "empty_part.txt", "broken.txt"}
    assert by_source["good.txt"]["status"] == "success" and by_source["good.txt"]["reasons"] == []
    assert by_source["empty_part.txt"]["status"] == "partial"
    assert "performance_part_without_records" in by_source["empty_part.txt"]["reasons"]
    assert by_source["broken.txt"]["status"] == "failure" and by_source["broken.txt"]["reasons"] == ["E102"]
    assert summary.statuses == {"success": 1, "partial": 1, "failure": 1}
