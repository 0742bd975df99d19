"""spaCy pipeline component ``budget_sections``: the document outline as spans.

The component runs :func:`extractor.segmenter.segment` on the Doc and stores
one :class:`~spacy.tokens.Span` per section in ``doc.spans["sections"]``:

* ``span.label_`` is the section type ("duties", "performance", …);
* ``span._.section_level``, ``span._.section_number`` and
  ``span._.section_title`` hold the rest of the :class:`Section`.

**The Doc text must be the document's normalised lines joined with "\\n"**
(``"\\n".join(lines)``, no trailing newline): line N of the document is then
``doc.text.split("\\n")[N - 1]``. A span starts at the heading's number (or
text when un-numbered; indentation and a "- " bullet are left out) and ends
after the last non-blank character of the section's last line, expanded to
token boundaries (``alignment_mode="expand"``).

Importing this module registers the factory and the extensions; spaCy can
also find the factory through the entry point::

    [project.entry-points."spacy_factories"]
    budget_sections = "extractor.spacy_component:make_budget_sections"
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.datamodel import Section
from extractor.segmenter import heading_start, segment

__all__ = [
    "FACTORY",
    "SPANS_KEY",
    "BudgetSections",
    "make_budget_sections",
    "make_nlp",
    "sections_doc",
]

FACTORY = "budget_sections"
SPANS_KEY = "sections"
EXTENSIONS = ("section_level", "section_number", "section_title")

# Blank Chinese pipeline with the jieba word segmenter (no model download).
_ZH_CONFIG = {"nlp": {"tokenizer": {"segmenter": "jieba"}}}


def _register_extensions() -> None:
    """Register the Span extensions once (re-importing must not fail)."""
    for name in EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


_register_extensions()


def _line_starts(lines: Sequence[str]) -> list[int]:
    """Character offset of each line in ``"\\n".join(lines)``."""
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return starts


def _char_range(lines: Sequence[str], starts: Sequence[int], section: Section) -> tuple[int, int]:
    """Characters of ``section``: from its number to its last non-blank text."""
    first = section.line - 1
    begin = starts[first] + heading_start(lines[first])
    last = section.end_line - 1
    while last > first and not lines[last].strip():
        last -= 1
    end = starts[last] + len(lines[last].rstrip())
    return begin, max(end, begin + 1)


class BudgetSections:
    """Pipeline component: ``doc.spans[spans_key]`` = one span per section."""

    def __init__(self, name: str = FACTORY, spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        lines = doc.text.split("\n")
        starts = _line_starts(lines)
        spans: list[Span] = []
        for section in segment(lines):
            begin, end = _char_range(lines, starts, section)
            span = doc.char_span(begin, end, label=section.type, alignment_mode="expand")
            if span is None:  # pragma: no cover - expand mode always finds tokens
                continue
            span._.section_level = section.level
            span._.section_number = section.number
            span._.section_title = section.title
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_budget_sections(nlp: Language, name: str, spans_key: str) -> BudgetSections:
    """spaCy factory of :class:`BudgetSections` (``nlp.add_pipe("budget_sections")``)."""
    return BudgetSections(name=name, spans_key=spans_key)


def make_nlp() -> Language:
    """A new blank ``zh`` (jieba) pipeline with ``budget_sections`` added."""
    nlp = spacy.blank("zh", config=_ZH_CONFIG)
    nlp.add_pipe(FACTORY)
    return nlp


@cache
def _shared_nlp() -> Language:
    return make_nlp()


def sections_doc(lines: Sequence[str]) -> Doc:
    """Doc of ``"\\n".join(lines)`` with ``doc.spans["sections"]`` set."""
    return _shared_nlp()("\n".join(lines))
