"""Tests for the spaCy component ``budget_sections`` (blank zh + jieba, no model)."""

from __future__ import annotations

import importlib
import re

import pytest
from spacy.tokens import Span
from test_segmenter import OUTLINE_CASES, SAMPLE_IDS, expected_sections, hand_outlines, sample_lines

from extractor import spacy_component
from extractor.segmenter import segment
from extractor.spacy_component import SPANS_KEY, make_nlp, sections_doc

SYNTHETIC = [
    "某单位2020年部门预算信息公开",
    "",
    "  一、部门职责",
    "负责全区党组织建设。",
    "- 1. 工委办公室主要职责",
    "\t单位：万元",
    "",
    "二、政府采购预算情况",
    "无。",
    "",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_synthetic_document_spans() -> None:
    doc = sections_doc(SYNTHETIC)
    assert doc.text == "\n".join(SYNTHETIC)
    spans = doc.spans[SPANS_KEY]
    assert [
        (s.text, s.label_, s._.section_level, s._.section_number, s._.section_title) for s in spans
    ] == [
        ("某单位2020年部门预算信息公开", "title", 1, "", "某单位2020年部门预算信息公开"),
        (
            "一、部门职责\n负责全区党组织建设。\n- 1. 工委办公室主要职责\n\t单位：万元",
            "duties",
            1,
            "一、",
            "部门职责",
        ),
        ("1. 工委办公室主要职责\n\t单位：万元", "duties", 2, "1.", "工委办公室主要职责"),
        ("二、政府采购预算情况\n无。", "procurement", 1, "二、", "政府采购预算情况"),
    ]


@pytest.mark.parametrize("doc_id", SAMPLE_IDS)
def test_sample_spans_match_segment(doc_id: str) -> None:
    lines = sample_lines(doc_id)
    sections = segment(lines)
    doc = sections_doc(lines)  # spans need their Doc alive
    spans = list(doc.spans[SPANS_KEY])
    assert len(spans) == len(sections)
    assert spans[0].label_ == expected_sections(doc_id)[0]["type"] == "title"
    for span, section in zip(spans, sections):
        assert span.label_ == section.type
        assert span._.section_level == section.level
        assert span._.section_number == section.number
        assert span._.section_title == section.title
        assert span.text.startswith(section.number)
        heading = section.number + section.title
        assert _squash(span.text).startswith(_squash(heading)), (span.text[:80], heading)


@pytest.mark.parametrize("name", OUTLINE_CASES)
def test_span_levels_follow_the_outline(name: str) -> None:
    """The spans carry the outline levels of the hand-written outlines (same rules as sections.jsonl)."""
    lines, expected = hand_outlines()[name]
    doc = sections_doc(lines)
    starts = [doc.text.count("\n", 0, span.start_char) + 1 for span in doc.spans[SPANS_KEY]]
    assert list(zip(starts, (span._.section_level for span in doc.spans[SPANS_KEY]))) == list(expected)


def test_make_nlp_is_a_blank_zh_pipeline_with_the_component() -> None:
    nlp = make_nlp()
    assert nlp.lang == "zh"
    assert nlp.pipe_names == ["budget_sections"]
    assert isinstance(nlp.get_pipe("budget_sections"), spacy_component.BudgetSections)


def test_custom_spans_key() -> None:
    nlp = make_nlp()
    nlp.remove_pipe("budget_sections")
    nlp.add_pipe("budget_sections", config={"spans_key": "outline"})
    doc = nlp("一、部门职责\n正文。")
    assert [s.label_ for s in doc.spans["outline"]] == ["duties"]


def test_reimport_keeps_registration() -> None:
    importlib.reload(spacy_component)
    for name in spacy_component.EXTENSIONS:
        assert Span.has_extension(name)
    assert spacy_component.make_nlp().pipe_names == ["budget_sections"]


def test_empty_document_has_no_sections() -> None:
    assert list(sections_doc([]).spans[SPANS_KEY]) == []
