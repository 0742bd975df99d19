"""Split a normalised budget disclosure into its outline of headings.

``segment(lines)`` returns one :class:`~extractor.datamodel.Section` per
heading, in document order. The work happens in four passes:

1. **Table lines.** Lines holding a TAB are table structure and never
   headings; neither are the text lines that continue a one-cell-per-line
   ("tab_lines") table cell, nor lines inside a quoted multi-line cell.
2. **Candidates.** The title block at the top of the document, a table of
   contents (one ``contents`` section, its entries skipped), numbered lines
   ("第一部分", "一、", "（一）", "1.", "(1)", "①") and short un-numbered lines
   that name a section type ("收入说明", "总体绩效目标：").
3. **Lists.** Numbered candidates are grouped into runs (same scheme,
   consecutive numbers); a run that is mostly sentences is a list of body
   text, not headings ("1.协助开发区工委领导处理日常事务，起草…").
4. **Levels and types.** A heading that names one of the parts every
   disclosure publishes (部门职责及机构设置, 预算安排总体情况, 机关运行经费,
   三公经费, 绩效预算信息, 政府采购, 国有资产, 名词解释, 其他需要说明的事项;
   ``configs/outline.toml``) is a sibling of the part before it, whatever
   its number or lack of one. Inside a part, levels come from a stack of
   open numbering schemes: a scheme first seen inside another scheme's
   section nests one level deeper, the next number of an open scheme closes
   everything opened after it, and a scheme used by one heading only joins
   the list whose next number it carries. Types come from keywords in the
   title (:func:`extractor.outline.section_type`) or are inherited from the
   parent section.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from extractor.datamodel import Section
from extractor.levels import MAJOR, MINOR, LevelStack
from extractor.numbering import (
    TRAILING_COLON,
    Numbering,
    chinese_numeral_value,
    clean_title,
    heading_start,
    parse_numbering,
)
from extractor.outline import load_outline, section_type

__all__ = [
    "Numbering",
    "chinese_numeral_value",
    "heading_start",
    "parse_numbering",
    "section_type",
    "segment",
]

# --------------------------------------------------------------------------
# Line shape
# --------------------------------------------------------------------------

# Sentence punctuation: a line holding one is body text.
_SENTENCE_MARK = re.compile(r"[。；;！!？?]")
_COMMA = re.compile(r"[，,]")
# A colon anywhere but at the end ("部门职责：负责……").
_INNER_COLON = re.compile(r"[:：](?=.*\S)")
# Lines that introduce a table rather than a section.
# "203 中共秦皇岛…" / "201秦皇岛…" is a unit code and name; "2019 年" is not.
_TABLE_PREAMBLE = re.compile(
    r"^\s*(?:\d{3,}(?![\d.])\s*(?![年月日万元])[\u4e00-\u9fff]"
    r"|编制部门|编制单位|单位\s*[:：]|截止时间|金额单位)"
)

MAX_NUMBERED_TITLE = 40  # characters (spaces excluded) after the number
MAX_PLAIN_TITLE = 24  # un-numbered heading
MAX_DOCUMENT_TITLE = 40  # a title line
MAX_TITLE_BLOCK = 3  # lines of the title block at the top

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WHITESPACE = re.compile(r"\s+")


def _plain_text(line: str) -> str:
    """A line as heading text: no indentation, bullet, page number or colon."""
    return clean_title(line[heading_start(line) :])


def _length(text: str) -> int:
    """Length without whitespace."""
    return len(_WHITESPACE.sub("", text))


def _is_blank(line: str) -> bool:
    """Empty or whitespace only."""
    return not line.strip()


def _is_table_line(line: str) -> bool:
    """Any TAB marks table structure (a cell line or a row of cells)."""
    return "\t" in line


def _is_cell_line(line: str) -> bool:
    """One cell of a one-cell-per-line table: a leading TAB and no other."""
    return line.startswith("\t") and "\t" not in line[1:]


def _opens_quote(text: str) -> bool:
    """A cell whose text starts a quote that the line does not close."""
    text = text.strip()
    return text.startswith('"') and text.count('"') % 2 == 1


def _is_numbered_heading_shape(num: Numbering) -> bool:
    """Short title without sentence punctuation (strong schemes: only short)."""
    title = num.title
    if not title or not _CJK.search(title) or _length(title) > MAX_NUMBERED_TITLE:
        return False
    if num.strong:
        return not _SENTENCE_MARK.search(title[-1])
    return (
        not _SENTENCE_MARK.search(title)
        and len(_COMMA.findall(title)) <= 1
        and not _INNER_COLON.search(title)
    )


def _is_plain_heading_shape(text: str, limit: int) -> bool:
    """Short un-numbered line, no sentence punctuation, commas or inner colon."""
    return (
        bool(_CJK.search(text))
        and _length(text) <= limit
        and not _SENTENCE_MARK.search(text)
        and not _COMMA.search(text)
        and not _INNER_COLON.search(text)
    )


# --------------------------------------------------------------------------
# Pass 1: table lines
# --------------------------------------------------------------------------


def _table_mask(lines: Sequence[str]) -> list[bool]:
    """True for lines that belong to a table: TAB lines and cell continuations.

    A text line continues the cell above it while a quoted cell (``"…``) is
    open, or when the previous non-blank line is a one-cell-per-line cell (or
    its continuation) at most one blank line away and the line does not
    break out of the table (:func:`_breaks_out_of_cell`).
    """
    mask = [False] * len(lines)
    last_cell = -10  # index of the last cell line or continuation
    in_quote = False
    for i, line in enumerate(lines):
        if _is_table_line(line):
            mask[i] = True
            cell = _is_cell_line(line)
            in_quote = cell and _opens_quote(line)
            last_cell = i if cell else -10
            continue
        if _is_blank(line):
            continue
        near = i - last_cell <= 2
        if in_quote or (near and not _breaks_out_of_cell(line, lines[last_cell])):
            mask[i] = True
            last_cell = i
            in_quote = in_quote and line.count('"') % 2 == 0
        else:
            last_cell, in_quote = -10, False
    return mask


def _breaks_out_of_cell(line: str, cell: str) -> bool:
    """A heading right under a table rather than more text of ``cell``.

    Strong headings ("第六部分") always break out; a numbered heading-shaped
    line does unless it is a first item or carries on the cell's own list
    (a cell "1.提高…", then the text line "2.提高中青年干部的执政能力").
    """
    num = parse_numbering(line)
    if num is None:
        return False
    if num.strong:
        return True
    above = parse_numbering(cell)
    carries_on = above is not None and above.scheme == num.scheme and above.value + 1 == num.value
    return num.value > 1 and not carries_on and _is_numbered_heading_shape(num)


# --------------------------------------------------------------------------
# Pass 2: candidates
# --------------------------------------------------------------------------

# What a candidate line is; all but NUMBERED are un-numbered lines (MAJOR: a
# part's title, MINOR: a sub-heading).
TITLE, CONTENTS, CAPTION, NUMBERED = (
    "title",
    "contents",
    "caption",  # names the table below it; a sub-heading unless redundant
    "numbered",
)


@dataclass
class _Candidate:
    """A line that may be a heading."""

    index: int  # 0-based line index
    role: str
    title: str
    num: Numbering | None = None
    end_index: int | None = None  # last line of a multi-line title block
    colon: bool = False  # the line ends with a colon ("5、功能分类名词解释：")


def _next_nonblank(lines: Sequence[str], index: int) -> int | None:
    """Index of the first non-blank line after ``index`` (``None`` at the end)."""
    for j in range(index + 1, len(lines)):
        if not _is_blank(lines[j]):
            return j
    return None


def _title_block(lines: Sequence[str]) -> _Candidate | None:
    """The document title: the first short lines up to one naming 预算公开."""
    block: list[int] = []
    for i, line in enumerate(lines):
        if _is_blank(line):
            continue
        text = _plain_text(line)
        if (
            len(block) == MAX_TITLE_BLOCK
            or _is_table_line(line)
            or parse_numbering(line)
            or not _is_plain_heading_shape(text, MAX_DOCUMENT_TITLE)
        ):
            return None
        block.append(i)
        if section_type(text) == TITLE:
            title = " ".join(_plain_text(lines[j]) for j in block)
            return _Candidate(block[0], TITLE, title, end_index=i)
    return None


def _is_toc_entry(line: str) -> bool:
    """A short contents line (numbered or not), page numbers allowed."""
    return _is_plain_heading_shape(_plain_text(line), MAX_NUMBERED_TITLE)


def _contents_end(lines: Sequence[str], mask: list[bool], start: int) -> int:
    """Index of the last line of the contents list that starts after ``start``.

    The list ends before the first line that is not a contents entry: body
    text, a table, the repeated document title, or a numbered line that
    restarts the numbering of the first entry.
    """
    end = start
    first: Numbering | None = None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if _is_blank(line):
            continue
        num = parse_numbering(line)
        key = (num.scheme, num.value) if num else None
        restarts = first is not None and key == (first.scheme, first.value)
        if (
            mask[i]
            or not _is_toc_entry(line)
            or restarts
            or (num is None and section_type(_plain_text(line)) == TITLE)
        ):
            break
        first = first or num
        end = i
    return end


def _is_caption(lines: Sequence[str], index: int) -> bool:
    """A line right above a table or its unit line ("部门政府采购预算")."""
    nxt = _next_nonblank(lines, index)
    return nxt is not None and (
        _is_table_line(lines[nxt]) or bool(_TABLE_PREAMBLE.match(lines[nxt]))
    )


def _repeats_next_heading(lines: Sequence[str], index: int, title: str) -> bool:
    """A label right above a numbered heading of the same text ("总体绩效目标：")."""
    nxt = _next_nonblank(lines, index)
    num = parse_numbering(lines[nxt]) if nxt is not None else None
    return num is not None and num.title == title


def _plain_candidate(lines: Sequence[str], index: int) -> _Candidate | None:
    """Classify an un-numbered line as title, contents, major or minor heading."""
    line = lines[index]
    title = _plain_text(line)
    kind = section_type(title)
    limit = MAX_DOCUMENT_TITLE if kind in (TITLE, CONTENTS) else MAX_PLAIN_TITLE
    if (
        kind == "other"
        or not _is_plain_heading_shape(title, limit)
        or title.endswith("表")  # a table caption ("部门固定资产占用情况表")
        or _repeats_next_heading(lines, index, title)
    ):
        return None
    if kind in (TITLE, CONTENTS):
        role = kind
    elif _is_caption(lines, index):
        role = CAPTION
    elif load_outline().part_type(title) and not TRAILING_COLON.search(line):
        role = MAJOR
    else:
        role = MINOR
    return _Candidate(index, role, title)


def _candidates(lines: Sequence[str]) -> list[_Candidate]:
    """Every line that may be a heading, in order (lists not yet filtered)."""
    mask = _table_mask(lines)
    found: list[_Candidate] = []
    start = 0
    block = _title_block(lines)
    if block is not None:
        found.append(block)
        start = (block.end_index if block.end_index is not None else block.index) + 1
    i = start
    while i < len(lines):
        line = lines[i]
        if mask[i] or _is_blank(line):
            i += 1
            continue
        num = parse_numbering(line)
        if num is not None:
            colon = bool(TRAILING_COLON.search(line))
            found.append(_Candidate(i, NUMBERED, num.title, num, colon=colon))
        else:
            cand = _plain_candidate(lines, i)
            if cand is not None:
                found.append(cand)
                if cand.role == CONTENTS:
                    i = _contents_end(lines, mask, i)
        i += 1
    return found


# --------------------------------------------------------------------------
# Pass 3: numbered lists
# --------------------------------------------------------------------------


def _runs(cands: Sequence[_Candidate]) -> Iterator[list[_Candidate]]:
    """Group numbered candidates into lists: same scheme, consecutive numbers."""
    open_runs: dict[str, list[_Candidate]] = {}
    for cand in cands:
        num = cand.num
        if num is None:
            continue
        run = open_runs.get(num.scheme)
        if run is not None and run[-1].num is not None and num.value == run[-1].num.value + 1:
            run.append(cand)
            continue
        if run is not None:
            yield run
        open_runs[num.scheme] = [cand]
    yield from open_runs.values()


def _rejected_numbered(cands: Sequence[_Candidate]) -> set[int]:
    """Line indices of numbered candidates that are body text.

    An item is body text when its own shape is a sentence, or when most items
    of its list are sentences (a short item in a list of duties is a duty, not
    a heading) unless it ends with a colon ("5、功能分类名词解释：").
    """
    rejected: set[int] = set()
    for run in _runs(cands):
        body = [c for c in run if c.num is not None and not _is_numbered_heading_shape(c.num)]
        rejected.update(c.index for c in body)
        if 2 * len(body) > len(run):
            rejected.update(c.index for c in run if not c.colon)
    return rejected


# --------------------------------------------------------------------------
# Pass 4: levels and types
# --------------------------------------------------------------------------


def _own_type(cand: _Candidate) -> str:
    """Type named by the candidate's own title (title/contents by role)."""
    if cand.role in (TITLE, CONTENTS):
        return cand.role
    return section_type(cand.title, numbered=cand.role == NUMBERED)


def _part(cand: _Candidate) -> str | None:
    """The top-level part a numbered or MAJOR candidate's title names."""
    if cand.role not in (NUMBERED, MAJOR):
        return None
    return load_outline().part_type(cand.title)


def _lone_schemes(cands: Sequence[_Candidate]) -> frozenset[str]:
    """Numbering schemes that only one heading uses."""
    counts = Counter(c.num.scheme for c in cands if c.num is not None)
    return frozenset(scheme for scheme, n in counts.items() if n == 1)


def _place(cands: Sequence[_Candidate]) -> list[tuple[_Candidate, int]]:
    """Accepted headings with their level.

    A caption is dropped when the innermost open heading already names its
    topic ("部门机构设置情况" under "机构设置："); otherwise it starts a
    sub-section of its own ("部门职责及活动绩效目标指标:" after "十一、武装部").
    """
    outline = LevelStack(lone=_lone_schemes(cands))
    placed: list[tuple[_Candidate, int]] = []
    for cand in cands:
        own = _own_type(cand)
        part = _part(cand)
        if cand.role == TITLE:
            outline.start()
            level = 1
        elif cand.role == CONTENTS:
            outline.close_all()
            level = 1
        elif cand.role == CAPTION and outline.innermost_type() == own:
            continue
        elif part is not None and outline.opens_part(part):
            level = outline.part(part, cand.num, own, cand.title)
        elif cand.num is not None:
            level = outline.numbered(cand.num, own, cand.title)
        else:
            level = outline.minor(own, cand.title)
        placed.append((cand, level))
    return placed


def _types(placed: Sequence[tuple[_Candidate, int]]) -> list[str]:
    """Own keyword type, else the type of the enclosing section."""
    types: list[str] = []
    for pos, (cand, level) in enumerate(placed):
        own = _own_type(cand)
        if own == "other":
            own = next((types[j] for j in range(pos - 1, -1, -1) if placed[j][1] < level), "other")
        types.append(own)
    return types


def _end_lines(placed: Sequence[tuple[_Candidate, int]], total: int) -> list[int]:
    """1-based last line: before the next heading of the same or a higher level."""
    ends: list[int] = []
    for pos, (_, level) in enumerate(placed):
        nxt = next((c.index for c, lv in placed[pos + 1 :] if lv <= level), total)
        ends.append(nxt)  # 0-based index of the next heading == 1-based line before it
    return ends


def segment(lines: Sequence[str]) -> list[Section]:
    """The heading outline of a normalised document (``lines[0]`` is line 1).

    Every heading becomes a :class:`Section` with its 1-based ``line``, the
    last line it spans (``end_line``: before the next heading of the same or
    a higher level, or the last line), ``level`` (1 = top), the numbering
    token as printed ("一、", "（一）", "" for none), the ``title`` without the
    number and the section ``type``.
    """
    cands = _candidates(lines)
    rejected = _rejected_numbered(cands)
    placed = _place([c for c in cands if c.index not in rejected])
    types = _types(placed)
    ends = _end_lines(placed, len(lines))
    return [
        Section(
            line=cand.index + 1,
            end_line=end,
            level=level,
            number=cand.num.token if cand.num else "",
            title=cand.title,
            type=kind,
        )
        for (cand, level), kind, end in zip(placed, types, ends)
    ]
