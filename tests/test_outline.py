"""The outline vocabulary (configs/outline.toml): loading, checking, and what it decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import ConfigError
from extractor.outline import OUTLINE_FILE, load_outline, part_type, read_outline, section_type

MINIMAL = """
[[types]]
name = "duties"
patterns = ['职责']

[title]
patterns = ['预算公开']

[never_part]
patterns = ['表$']

[[parts]]
type = "duties"
titles = ['^部门职责$']
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_vocabulary_loads_once() -> None:
    assert load_outline() is load_outline()
    assert OUTLINE_FILE.name == "outline.toml" and OUTLINE_FILE.parent.name == "configs"


@pytest.mark.parametrize(
    ("title", "part"),
    [
        ("部门职责及机构设置情况", "duties"),
        ("部门概况", "duties"),
        ("部门预算安排的总体情况", "budget_overview"),
        ("收支预算总体情况", "budget_overview"),
        ("机关运行经费安排情况", "operating_costs"),
        ("财政拨款“三公”经费预算情况及增减变化原因", "three_public"),
        ("绩效预算信息", "performance"),
        ("2021 年部门预算绩效信息", "performance"),
        ("政府采购预算情况：无", "procurement"),
        ("国有资产占用情况", "assets"),
        ("名词解释", "glossary"),
        ("其他需要说明的事项", "other_notes"),
        # sub-sections and captions are not parts
        ("收入说明", None),
        ("比上年增减情况", None),
        ("总体绩效目标", None),
        ("功能分类名词解释", None),
        ("“三公”经费支出预算表", None),
        ("机关运行经费绩效目标表", None),
        ("工委办公室", None),
    ],
)
def test_part_titles(title: str, part: str | None) -> None:
    assert part_type(title) == part


def test_types_and_titles_come_from_the_file(tmp_path: Path) -> None:
    outline = read_outline(write(tmp_path, MINIMAL))
    assert outline.section_type("部门职责") == "duties"
    assert outline.section_type("收入说明") == "other"  # not in this vocabulary
    assert outline.section_type("2020年预算公开") == "title"
    assert outline.section_type("2020年预算公开", numbered=True) == "other"
    assert outline.part_type("部门职责") == "duties"
    assert outline.part_type("部门职责表") is None
    assert section_type("收入说明") == "income"  # the project's vocabulary


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL.replace("'职责'", "'职责('"), "types[0].patterns: bad regular expression '职责('"),
        (MINIMAL.replace('name = "duties"', 'name = "duty"'), "types[0].name: 'duty' is not a section type"),
        (MINIMAL.replace('type = "duties"', 'type = "other"'), "parts[0].type: 'other' is not a section type"),
        (MINIMAL.replace("titles = ['^部门职责$']", "titles = []"), "parts[0].titles must be a non-empty list"),
        (MINIMAL.replace("[never_part]\npatterns = ['表$']", ""), "missing [never_part]"),
        (MINIMAL + "\n[[parts]\n", "not valid TOML"),
    ],
)
def test_bad_vocabulary_names_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        read_outline(path)
    assert info.value.code == "E203"
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_vocabulary_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="outline vocabulary file not found"):
        read_outline(tmp_path / "absent.toml")
