"""Document metadata from titles and first lines: right values, and null rather than a guess."""

from __future__ import annotations

import re

import pytest

from extractor.errors import ConfigError
from extractor.metadata import load_metadata_vocabulary, read_metadata
from extractor.normalize import normalize_lines
from extractor.reader import read_document
from tests.helpers import SAMPLES

WILD = SAMPLES / "wild"

# (file, unit, year, kind, province, city), read by hand from each document's head.
EXPECTED = [
    ("000_f44a55659bcd5ffe.txt", "秦皇岛经济技术开发区工委", 2019, "预算", "河北省", "秦皇岛市"),
    ("001_96d939c67dd7b28c.txt", "秦皇岛北戴河新区管理委员会办公室", 2019, "预算", "河北省", "秦皇岛市"),
    ("003_325a9de861070d6d.txt", "中共秦皇岛经济技术开发区工作委员会党建工作部", 2021, "预算", "河北省", "秦皇岛市"),
    ("004_3ff65f7921ff3963.txt", "山海关区组织部门", 2022, "预算", None, None),
    ("wild/cq_banan_yipin_2022.txt", "巴南区一品街道", 2022, "预算", "重庆市", None),
    ("wild/hb_wuhan_qingshan_2020.txt", "武汉市青山区教育局", 2020, "预算", "湖北省", "武汉市"),
    # Published 2021 for the 2020 budget; 青山区 is a district of both 武汉市 and 包头市.
    ("wild/hb_wuhan_qingshan_2021.txt", "青山区教育局", 2020, "预算", None, None),
    ("wild/hn_xiangtan_hwc_2023.txt", "湘潭市环境卫生管理处", 2023, "预算", "湖南省", "湘潭市"),
    ("wild/nm_wuhai_gxs_2021.txt", "乌海市供销合作社联合社", 2021, "预算", "内蒙古自治区", "乌海市"),
]


@pytest.mark.parametrize(("name", "unit", "year", "kind", "province", "city"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_bundled_documents_get_their_unit_year_kind_and_region(name, unit, year, kind, province, city):
    doc = read_document(SAMPLES / name)
    meta = read_metadata(doc.lines)
    assert (meta.unit, meta.year, meta.kind, meta.province, meta.city) == (unit, year, kind, province, city)
    assert unit in re.sub(r"\s", "", doc.line(meta.unit_line))
    assert str(year) in doc.line(meta.year_line)
    if province:
        assert meta.region_line is not None


def test_where_each_field_was_found():
    meta = read_metadata(read_document(SAMPLES / "001_96d939c67dd7b28c.txt").lines)
    # the unit stands alone on line 2, the year and kind on line 4 (2019年部门预算信息公开)
    assert (meta.unit_line, meta.year_line, meta.kind_line) == (2, 4, 4)


def _meta(text: str):
    return read_metadata(normalize_lines(text))


def test_a_date_is_not_a_fiscal_year():
    meta = _meta("发布时间:2022年09月12日\n某某项目绩效目标表\n(2021年)\n")
    assert (meta.year, meta.year_line) == (2021, 3)


def test_two_years_on_the_title_line_leave_the_year_empty():
    assert _meta("石家庄市财政局2019年预算执行情况和2020年预算草案\n").year is None


def test_a_title_naming_two_kinds_leaves_the_kind_empty():
    meta = _meta("石家庄市财政局2020年预决算公开\n")
    assert meta.kind is None and meta.year == 2020 and meta.unit == "石家庄市财政局"


@pytest.mark.parametrize(
    ("title", "kind"),
    [("廊坊市教育局2020年部门决算公开", "决算"), ("廊坊市教育局2020年项目支出绩效自评报告", "自评"),
     ("廊坊市教育局2020年重点项目绩效评价报告", "评价")],
)
def test_kind_words_from_the_vocabulary(title, kind):
    assert _meta(title).kind == kind


def test_a_district_named_like_a_city_is_not_that_city():
    # 朝阳区 is a district of 北京市, not 朝阳市 in 辽宁省.
    meta = _meta("朝阳区教育局2020年部门预算公开\n")
    assert meta.unit == "朝阳区教育局" and meta.city is None and meta.province is None


def test_a_city_of_another_province_than_the_one_named_is_a_conflict():
    meta = _meta("河北省武汉市某某局2020年部门预算公开\n")
    assert meta.province is None and meta.city is None


def test_nothing_recognisable_gives_nulls():
    meta = _meta("说明\n本表为内部资料\n")
    assert meta.to_dict() == dict.fromkeys(meta.to_dict())


def test_a_malformed_vocabulary_file_names_itself(tmp_path):
    bad = tmp_path / "metadata.toml"
    bad.write_text("[kind]\n预算 = [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_metadata_vocabulary(bad)
    assert err.value.code == "E203" and str(bad) in str(err.value)
