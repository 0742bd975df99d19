"""The column-role model, the consistent assignment and the one vocabulary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from extractor.tables.column_features import ColumnSample, in_table
from extractor.tables.column_roles import ColumnRoleClassifier, assign_roles, role_probabilities
from extractor.tables.column_training import AUGMENTATIONS, augment, fit_column_model, labelled_tables, load_template_roles
from extractor.vocabulary import ROLES, Vocabulary, load_vocabulary
from tests.helpers import DOC_000, DOC_003, ROOT


def _column(header: str, cells: list[str], position: int = 0, n: int = 4) -> ColumnSample:
    return ColumnSample(header, cells, position, n)


def _one_hot(rows: list[dict[str, float]]) -> np.ndarray:
    out = np.full((len(rows), len(ROLES)), 1e-3)
    for k, row in enumerate(rows):
        for role, p in row.items():
            out[k, ROLES.index(role)] = p
    return out / out.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def model() -> ColumnRoleClassifier:
    return fit_column_model([DOC_000, DOC_003], ROOT / "annotations")


def test_estimator_contract_clone_and_json_round_trip(model: ColumnRoleClassifier) -> None:
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "coef_")
    columns = [_column("指标名称", ["预算执行率", "项目完成率"]), _column("年度指标值", ["≥95%", "100%"], 1)]
    again = ColumnRoleClassifier.from_dict(model.to_dict())
    np.testing.assert_allclose(again.predict_proba(columns), model.predict_proba(columns))


def test_a_model_file_with_an_unknown_role_is_refused(model: ColumnRoleClassifier) -> None:
    data = model.to_dict()
    data["classes"][0] = "exec"
    with pytest.raises(ValueError, match="unknown roles"):
        ColumnRoleClassifier.from_dict(data)


def test_header_synonyms_never_annotated_are_understood(model: ColumnRoleClassifier) -> None:
    columns = [
        _column("工作活动", ["河道巡查", "", "防汛储备"], 0, 5),
        _column("考核指标", ["巡查覆盖率", "处置及时率", "物资完好率"], 1, 5),
        _column("年度指标值", ["≥95%", "100%", "≥98%"], 2, 5),
        _column("计量单位", ["%", "%", "%"], 3, 5),
        _column("权重", ["10", "10", "20"], 4, 5),
    ]
    roles = assign_roles(columns, role_probabilities(columns, model)).roles
    assert roles == {0: "activity", 1: "indicator", 2: "target", 3: "unit", 4: "weight"}


def test_columns_without_a_header_are_read_from_their_contents(model: ColumnRoleClassifier) -> None:
    columns = [
        _column("", ["河湖日常巡查", "", "防汛物资储备管理", "防汛物资储备管理"], 0, 6),
        _column("", ["河道巡查覆盖率", "发现问题处置及时率", "储备物资完好率", "储备库盘点次数"], 1, 6),
        *[_column("", [v, v, v, v], k, 6) for k, v in enumerate(["100%", "≥95%", "≥90%", "＜90%"], start=2)],
    ]
    assignment = assign_roles(columns, role_probabilities(columns, model))
    assert assignment.roles[1] == "indicator" and assignment.roles[0] == "activity"
    assert [assignment.grade_keys[c] for c in range(2, 6)] == ["优", "良", "中", "差"]


def test_assignment_keeps_one_indicator_and_orders_levels() -> None:
    columns = [_column(h, []) for h in ("a", "b", "c", "d")]
    proba = _one_hot([
        {"activity": 0.6, "parent_activity": 0.3},
        {"parent_activity": 0.7},
        {"indicator": 0.9},
        {"indicator": 0.8, "indicator_description": 0.15},
    ])
    roles = assign_roles(columns, proba).roles
    assert roles[2] == "indicator" and roles[3] == "indicator_description"
    assert (roles[0], roles[1]) == ("parent_activity", "activity")  # the upper level sits left


def test_the_column_right_of_a_parent_level_is_its_child_not_a_category() -> None:
    # 一级职责 | 二级职责: the model took the child for a 二级指标 column, but its
    # cells are no category words. The rule's choice is marked overruled (a doubt).
    columns = in_table([
        _column("一级职责", ["统计调查", "统计调查", "统计服务"]),
        _column("子项职责", ["农业统计调查", "工业统计调查", "统计信息发布"]),
        _column("绩效指标", ["调查样本完成率", "企业联网直报率", "公报发布次数"]),
        _column("指标值", ["100%", "≥99%", "4次"]),
    ])
    proba = _one_hot([{"parent_activity": 0.9}, {"category2": 0.5, "activity": 0.3}, {"indicator": 0.9}, {"target": 0.9}])
    assignment = assign_roles(columns, proba)
    assert assignment.roles == {0: "parent_activity", 1: "activity", 2: "indicator", 3: "target"}
    assert assignment.overruled == {1}


def test_a_category_column_of_category_words_stays_a_category() -> None:
    columns = in_table([
        _column("一级项目", ["统计调查", "统计调查"]),
        _column("二级", ["数量指标", "质量指标"]),
        _column("绩效指标", ["调查样本完成率", "企业联网直报率"]),
        _column("指标值", ["100%", "≥99%"]),
    ])
    proba = _one_hot([{"parent_activity": 0.9}, {"category2": 0.5, "activity": 0.3}, {"indicator": 0.9}, {"target": 0.9}])
    assert assign_roles(columns, proba).roles == {0: "activity", 1: "category2", 2: "indicator", 3: "target"}


def test_a_lone_grade_column_is_the_target_value() -> None:
    columns = [_column("指标", []), _column("标准", [])]
    roles = assign_roles(columns, _one_hot([{"indicator": 0.9}, {"grade": 0.6, "target": 0.3}])).roles
    assert roles == {0: "indicator", 1: "target"}


def test_a_lone_column_headed_by_a_grade_word_stays_that_grade() -> None:
    # Some graded tables fill only their 优 column; printed alone it is still 优.
    columns = [_column("指标", []), _column("优", [])]
    assignment = assign_roles(columns, _one_hot([{"indicator": 0.9}, {"grade": 0.6, "target": 0.3}]))
    assert assignment.roles == {0: "indicator", 1: "grade"} and assignment.grade_keys == {1: "优"}


@pytest.fixture(scope="module")
def model_without_grades() -> ColumnRoleClassifier:
    """Trained on the project template only: no annotated table has grade columns."""
    return fit_column_model([DOC_003], ROOT / "annotations")


def test_a_header_less_graded_set_is_known_from_a_template_without_grades(model_without_grades) -> None:
    # Hand-written rows in the way graded tables word their grades; no header row.
    rows = [
        ("河湖日常巡查", "巡查覆盖率", "巡查覆盖率达到95%以上", "巡查覆盖率达到90%以上", "巡查覆盖率达到85%以上", "覆盖率85%以下"),
        ("河湖日常巡查", "问题处置", "全部及时处置", "较及时处置", "基本及时处置", "处置不及时"),
        ("防汛物资储备", "物资完好率", "≥98%", "≥95%", "≥90%", "＜90%"),
        ("防汛物资储备", "盘点次数", "4次", "3次", "2次", "1次以下"),
        ("防汛物资储备", "群众满意度", "满意度95%以上", "满意度90%以上", "满意度80%以上", "满意度80%以下"),
    ]
    columns = in_table([_column("", [r[k] for r in rows], k, 6) for k in range(6)])
    assignment = assign_roles(columns, role_probabilities(columns, model_without_grades))
    assert assignment.roles[0] == "activity" and assignment.roles[1] == "indicator"
    assert [assignment.grade_keys.get(c) for c in range(2, 6)] == ["优", "良", "中", "差"]


def test_synthetic_graded_columns_lower_each_grade() -> None:
    import random

    from extractor.tables.synthetic_grades import graded_columns

    best, good, fair, poor = graded_columns(["≥95%", "及时完成", "满意度90%以上"], random.Random(3))
    assert best == ["≥95%", "及时完成", "满意度90%以上"]
    assert good[0] == "≥90%" and fair[0] == "≥85%" and poor[0] == "<85%"
    assert poor[2] == "满意度80%以下"
    wording = load_vocabulary().graded_wording
    assert any(good[1] == w + "及时完成" for w in wording["良"]) and any(poor[1] == w + "及时完成" for w in wording["差"])


def test_two_unnamed_grade_columns_are_no_graded_set() -> None:
    # 目标要求 | 考评分值 taken for two grades: a graded set has three or more columns.
    columns = [_column("考评内容", []), _column("目标要求", []), _column("考评分值", [])]
    proba = _one_hot([{"indicator": 0.9}, {"grade": 0.9, "target": 0.05}, {"grade": 0.5, "weight": 0.45}])
    assert assign_roles(columns, proba).roles == {0: "indicator", 1: "target", 2: "weight"}


def test_a_category_column_without_category_words_is_the_activity() -> None:
    columns = in_table([
        _column("任务名称", ["人民调解", "人民调解", "法治宣传"]),
        _column("考评内容", ["调解成功率", "卷宗规范率", "普法活动场次"]),
        _column("目标要求", ["≥95%", "100%", "≥24场"]),
    ])
    proba = _one_hot([{"category1": 0.4, "indicator": 0.35, "activity": 0.2}, {"indicator": 0.9}, {"target": 0.9}])
    assert assign_roles(columns, proba).roles == {0: "activity", 1: "indicator", 2: "target"}


def test_long_term_halves_of_period_pairs_are_ignored() -> None:
    headers = ["一级指标", "二级指标(长期)", "三级指标(长期)", "指标值(长期)", "二级指标(年度)", "三级指标(年度)", "指标值(年度)"]
    columns = [_column(h, [], k, len(headers)) for k, h in enumerate(headers)]
    roles = assign_roles(columns, role_probabilities(columns, None), excluded=[1, 2, 3]).roles
    assert [roles[k] for k in range(7)] == ["category1", "other", "other", "other", "category2", "indicator", "target"]


def test_every_augmentation_keeps_the_roles_of_the_columns_it_keeps() -> None:
    tables = labelled_tables([DOC_003], load_template_roles(ROOT / "annotations"))
    import random

    variants = augment(tables[0], random.Random(1))
    assert set(variants) == set(AUGMENTATIONS)
    for name, variant in variants.items():
        assert len(variant.columns) == len(variant.roles), name
        original = {id(c.cells): r for c, r in zip(tables[0].columns, tables[0].roles)}
        for column, role in zip(variant.columns, variant.roles):
            if id(column.cells) in original:
                assert original[id(column.cells)] == role, name
    assert all(c.header == "" for c in variants["no_header"].columns)


def test_a_synonym_added_to_the_vocabulary_file_needs_no_code(tmp_path: Path) -> None:
    text = (ROOT / "configs" / "vocabulary.toml").read_text(encoding="utf-8")
    assert load_vocabulary().header_role("考评要点") == ("", 0.0)
    changed = tmp_path / "vocabulary.toml"
    changed.write_text(text.replace('indicator = ["三级指标"', 'indicator = ["考评要点", "三级指标"'), encoding="utf-8")
    vocab: Vocabulary = load_vocabulary(changed)
    assert vocab.header_role("考评要点") == ("indicator", 1.0)


@pytest.mark.parametrize("content", ["[1, 2]", "{\"classes\": [\"indicator\"]}", "not json", "{\"features\": 3}"])
def test_a_broken_column_model_file_is_a_named_error(tmp_path: Path, content: str) -> None:
    from extractor.errors import ModelLoadError

    path = tmp_path / "columns.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelLoadError, match="column-role model"):
        ColumnRoleClassifier.load(path)


def test_superscript_digits_are_no_numbers_in_column_features() -> None:
    # "¹".isdigit() is True but int("¹") fails: found by the fuzz test on a mutated sample.
    from extractor.tables.column_features import column_features

    features = column_features(ColumnSample("", ["¹", "²", "1"], 0, 1))
    assert abs(features["small_int"] - 1 / 3) < 1e-9
