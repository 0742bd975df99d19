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
from dataclasses import dataclass, field

from extractor.datamodel import Section
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
# Numbering schemes
# --------------------------------------------------------------------------

_CN_DIGITS = "〇零一二三四五六七八九十百两"
_CN_NUM = f"[{_CN_DIGITS}]+"

# A decimal point is not a list separator ("2.5万元"), except before a year:
# "5.2021年度干部考核经费绩效目标表" is item 5.
_NOT_DECIMAL = r"(?!(?!\d{4}年)\d)"

# (scheme key, pattern, strong), tried in order at the start of the line.
# Group "num" is the number; the whole match is the numbering token. Strong
# schemes ("第一部分") are headings even when the title is wordy ("第六部分
# 政府采购预算情况：无"). The scheme key, not the separator, defines a level:
# "一、" and "二." belong to one list, as do "1." "1、" and "1．".
_SCHEMES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # 第一部分 / 第2部分
    ("part", re.compile(rf"第(?P<num>{_CN_NUM}|\d{{1,2}})部分"), True),
    # 第一章
    ("chapter", re.compile(rf"第(?P<num>{_CN_NUM}|\d{{1,2}})章"), True),
    # 一、 二. 三．
    ("cn", re.compile(rf"(?P<num>{_CN_NUM})\s*[、.．]"), False),
    # （一） (一)
    ("paren_cn", re.compile(rf"[（(]\s*(?P<num>{_CN_NUM})\s*[）)]"), False),
    # 1. 1、 1． "1 ." ２．
    ("arabic", re.compile(rf"(?P<num>\d{{1,2}})\s*[.．、]{_NOT_DECIMAL}"), False),
    # (1) （1）
    ("paren_arabic", re.compile(r"[（(]\s*(?P<num>\d{1,2})\s*[）)]"), False),
    # ① … ⑳
    ("circled", re.compile(r"(?P<num>[①-⑳])"), False),
)

# Markdown list marker left by PDF conversion ("- 1. 部门预算收支总表").
_BULLET = re.compile(r"^\s*(?:[-*•·]\s+)?")

# Page numbers after leader dots or a wide gap in a contents entry.
_PAGE_NOISE = re.compile(r"(?:\s*[.·…]{2,}\s*|\s{2,})\d{1,3}\s*$")

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Numbering:
    """The numbering token at the start of a line and the text after it."""

    scheme: str
    value: int
    token: str
    title: str
    strong: bool


def chinese_numeral_value(text: str) -> int:
    """Value of a Chinese numeral up to the hundreds ("三十四" -> 34, "十" -> 10)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    total, current = 0, 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _numeral_value(text: str) -> int:
    """Value of an Arabic (ASCII or full-width), Chinese or circled numeral."""
    if "①" <= text <= "⑳":
        return ord(text) - ord("①") + 1
    if text.isdecimal():
        return int(text)
    return chinese_numeral_value(text)


def heading_start(line: str) -> int:
    """Index in ``line`` where a heading's number (or text) starts.

    Indentation and a markdown "- " bullet are skipped.
    """
    match = _BULLET.match(line)
    return match.end() if match else 0


def _plain_text(line: str) -> str:
    """A line as heading text: no indentation, bullet, page number or colon."""
    return _clean_title(line[heading_start(line) :])


def parse_numbering(line: str) -> Numbering | None:
    """Parse the numbering token at the start of ``line``.

    Leading spaces and a markdown "- " bullet are skipped. Returns ``None``
    when the line does not start with a known numbering scheme.
    """
    start = heading_start(line)
    for scheme, pattern, strong in _SCHEMES:
        match = pattern.match(line, start)
        if match:
            return Numbering(
                scheme=scheme,
                value=_numeral_value(match.group("num")),
                token=_WHITESPACE.sub("", match.group(0)),
                title=_clean_title(line[match.end() :]),
                strong=strong,
            )
    return None


def _clean_title(text: str) -> str:
    """Heading text without page-number noise, surrounding space or a trailing colon."""
    text = _PAGE_NOISE.sub("", text).strip()
    return _TRAILING_COLON.sub("", text).strip()


# --------------------------------------------------------------------------
# Line shape
# --------------------------------------------------------------------------

# Sentence punctuation: a line holding one is body text.
_SENTENCE_MARK = re.compile(r"[。；;！!？?]")
_COMMA = re.compile(r"[，,]")
# A colon anywhere but at the end ("部门职责：负责……").
_INNER_COLON = re.compile(r"[:：](?=.*\S)")
# A label ending with a colon ("总体绩效目标：").
_TRAILING_COLON = re.compile(r"\s*[:：]\s*$")
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
            in_quote = _is_cell_line(line) and _opens_quote(line)
            last_cell = i if _is_cell_line(line) else -10
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

# What a candidate line is; all but NUMBERED are un-numbered lines.
TITLE, CONTENTS, MAJOR, MINOR, CAPTION, NUMBERED = (
    "title",
    "contents",
    "major",
    "minor",
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
    elif load_outline().part_type(title) and not _TRAILING_COLON.search(line):
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
            colon = bool(_TRAILING_COLON.search(line))
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


@dataclass
class _Open:
    """An open heading on the level stack."""

    kind: str  # numbering scheme, MAJOR or MINOR
    level: int
    own_type: str  # type named by its own title ("other" for "一、工委办公室")
    title: str = ""
    last: int = 0  # last number seen in this list
    part: str | None = None  # the top-level part it opened, if it opened one

    @property
    def numbered(self) -> bool:
        return self.kind not in (MAJOR, MINOR)


@dataclass
class _Outline:
    """Open headings (outermost first) and the top-level parts seen so far.

    Levels come from two sources. A heading that names a part of the
    disclosure (``configs/outline.toml``: 部门职责及机构设置, 预算安排总体情况,
    机关运行经费, …) is a sibling of the part open before it, whatever its
    number; inside a part, numbering decides: the next number of an open list
    is its sibling, a "1" opens a nested list, and a numbering scheme used by
    one heading only joins the open list whose next number it carries rather
    than opening a level of its own. Before any part is open, parts nest
    under the headings that hold them ("第三部分 部门预算情况说明").
    """

    lone: frozenset[str] = frozenset()  # schemes only one heading of the document uses
    items: list[_Open] = field(default_factory=list)
    seen_parts: set[str] = field(default_factory=set)
    top_schemes: set[str] = field(default_factory=set)  # schemes of numbered level-1 headings

    def start(self) -> None:
        """A document title: a new outline begins."""
        self.items.clear()
        self.seen_parts.clear()
        self.top_schemes.clear()

    def innermost_type(self) -> str:
        """Own type of the innermost open heading ("other" when none)."""
        return self.items[-1].own_type if self.items else "other"

    def opens_part(self, part: str | None) -> bool:
        """A heading naming ``part`` starts a new part: the part open now does
        not contain it and no part of its type was opened before."""
        if part is None or part in self.seen_parts:
            return False
        open_part = self._open_part()
        return open_part is None or not load_outline().contains(open_part.part or "", part)

    def part(self, part: str, num: Numbering | None, own_type: str, title: str) -> int:
        """Level of a heading that opens ``part``.

        It carries on an open list that holds the open part ("三、…绩效信息"
        after "二、…情况说明" holding "（七）其他需要说明的事项"), else it is
        the open part's sibling ("2、部门预算安排总体情况" after "一、部门职责
        及机构设置情况" and its sub-sections). With no part open, numbering
        decides; an un-numbered part then goes under the innermost numbered
        heading, or to level 1.
        """
        self.seen_parts.add(part)
        open_part = self._open_part()
        if num is not None:
            pos = self._follows(num)
            if pos is not None and (open_part is None or self.items[pos].level <= open_part.level):
                level = self._continue(pos, num.value, own_type, title)
            elif open_part is None:
                level = self.numbered(num, own_type, title)
            else:
                level = self._replace(_Open(num.scheme, open_part.level, own_type, title, num.value))
        elif open_part is not None:
            level = self._replace(_Open(MAJOR, open_part.level, own_type, title))
        else:
            holder = next((e for e in reversed(self.items) if e.numbered), None)
            level = self._replace(_Open(MAJOR, holder.level + 1 if holder else 1, own_type, title))
        self.items[-1].part = part
        return level

    def minor(self, own_type: str, title: str) -> int:
        """An un-numbered sub-heading.

        It nests under an un-numbered heading whose title it elaborates
        ("部门职责" -> "某部部门职责情况说明"); otherwise it is a child of the
        innermost open heading whose own title names a section type (list
        items such as "十一、武装部" and other un-numbered sub-headings are
        skipped).
        """
        inner = self.items[-1] if self.items else None
        if inner is not None and inner.kind == MINOR and _elaborates(inner.title, title):
            return self._push(_Open(MINOR, inner.level + 1, own_type, title))
        for pos in range(len(self.items) - 1, -1, -1):
            entry = self.items[pos]
            if entry.kind != MINOR and entry.own_type != "other":
                del self.items[pos + 1 :]
                return self._push(_Open(MINOR, entry.level + 1, own_type, title))
        self.items.clear()
        return self._push(_Open(MINOR, 1, own_type, title))

    def numbered(self, num: Numbering, own_type: str, title: str) -> int:
        """Level of a numbered heading inside a part.

        The next number of an open list is its sibling (the innermost such
        list wins); a "1" opens a nested list; a later number of a scheme not
        open follows an un-numbered part (its lost "一、"); a gap in an open
        list's numbers is still that list.
        """
        pos = self._follows(num)
        if pos is not None:
            return self._continue(pos, num.value, own_type, title)
        same = [pos for pos, e in enumerate(self.items) if e.kind == num.scheme]
        if num.value != 1:
            open_part = self._open_part()
            if open_part is not None and open_part.kind == MAJOR and not same:
                return self._replace(_Open(num.scheme, open_part.level, own_type, title, num.value))
            earlier = [pos for pos in same if self.items[pos].last < num.value]
            if earlier:
                return self._continue(earlier[-1], num.value, own_type, title)
        level = self.items[-1].level + 1 if self.items else 1
        return self._push(_Open(num.scheme, level, own_type, title, num.value))

    def _follows(self, num: Numbering) -> int | None:
        """Position of the innermost open list whose next number ``num`` is."""
        follows = [
            pos for pos, e in enumerate(self.items) if e.last + 1 == num.value and self._same_list(e, num.scheme)
        ]
        return follows[-1] if follows else None

    def _same_list(self, entry: _Open, scheme: str) -> bool:
        """Whether a heading of ``scheme`` may carry on ``entry``'s list.

        Its own scheme always may; so may any scheme of the document's
        numbered level-1 headings at level 1 ("一、" … "2、" … "三、"), and a
        scheme used once (a numbering slip) in any numbered list.
        """
        if not entry.numbered:
            return False
        if entry.kind == scheme or scheme in self.lone:
            return True
        return entry.level == 1 and entry.kind in self.top_schemes and scheme in self.top_schemes

    def _open_part(self) -> _Open | None:
        """The innermost open heading that opened a part, if any."""
        return next((e for e in reversed(self.items) if e.part is not None), None)

    def _replace(self, entry: _Open) -> int:
        """Close the open headings at ``entry``'s level and deeper, open ``entry``."""
        self.items = [e for e in self.items if e.level < entry.level]
        return self._push(entry)

    def _push(self, entry: _Open) -> int:
        self.items.append(entry)
        if entry.level == 1 and entry.numbered:
            self.top_schemes.add(entry.kind)
        return entry.level

    def _continue(self, pos: int, value: int, own_type: str, title: str) -> int:
        del self.items[pos + 1 :]
        entry = self.items[pos]
        entry.last, entry.own_type, entry.title, entry.part = value, own_type, title, None
        return entry.level


def _elaborates(outer: str, inner: str) -> bool:
    """``inner`` is a longer title on ``outer``'s topic ("部门职责" -> "某部部门职责情况说明")."""
    return bool(outer) and len(inner) > len(outer) and outer in inner


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
    outline = _Outline(lone=_lone_schemes(cands))
    placed: list[tuple[_Candidate, int]] = []
    for cand in cands:
        own = _own_type(cand)
        part = _part(cand)
        if cand.role == TITLE:
            outline.start()
            level = 1
        elif cand.role == CONTENTS:
            outline.items.clear()
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
