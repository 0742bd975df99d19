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
4. **Levels and types.** Levels come from a stack of open numbering
   schemes: a scheme first seen inside another scheme's section nests one
   level deeper, the next number of an open scheme closes everything opened
   after it. Types come from keywords in the title (``section_type``) or are
   inherited from the parent section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from extractor.datamodel import SECTION_TYPES, Section

__all__ = [
    "Numbering",
    "parse_numbering",
    "chinese_numeral_value",
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

# (scheme key, pattern, strong). Group "num" is the number; the whole match is
# the numbering token. Strong schemes ("第一部分") are headings even when the
# title is wordy ("第六部分 政府采购预算情况：无"). Order matters: "（一）" must be
# tried before "一、" is not an issue (different first char), but "第一部分"
# must come before the bare Chinese numeral.
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
    offset: int  # index of the token in the raw line


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
    if text.isdigit():
        return int(text)
    return chinese_numeral_value(text)


def _content_start(line: str) -> int:
    """Index of the first character after indentation and a list bullet."""
    match = _BULLET.match(line)
    return match.end() if match else 0


def parse_numbering(line: str) -> Numbering | None:
    """Parse the numbering token at the start of ``line``.

    Leading spaces and a markdown "- " bullet are skipped. Returns ``None``
    when the line does not start with a known numbering scheme.
    """
    start = _content_start(line)
    for scheme, pattern, strong in _SCHEMES:
        match = pattern.match(line, start)
        if match:
            return Numbering(
                scheme=scheme,
                value=_numeral_value(match.group("num")),
                token=_WHITESPACE.sub("", match.group(0)),
                title=_clean_title(line[match.end():]),
                strong=strong,
                offset=start,
            )
    return None


def _clean_title(text: str) -> str:
    """Heading text without page-number noise, surrounding space or a trailing colon."""
    text = _PAGE_NOISE.sub("", text).strip()
    return re.sub(r"\s*[:：]$", "", text).strip()


# --------------------------------------------------------------------------
# Section types
# --------------------------------------------------------------------------

# Keyword rules, first match wins: the more specific topics come first so that
# "财政拨款“三公”经费预算情况及增减变化原因" is three_public, not change, and
# "部门职责分类绩效目标" is performance, not duties.
_TYPE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("contents", re.compile(r"目\s*录")),
    ("other_notes", re.compile(r"其他需(?:要)?说明|其他事项|其他说明")),
    ("glossary", re.compile(r"名词解释")),
    ("three_public", re.compile(r"三公")),
    ("operating_costs", re.compile(r"机关运行(?:经)?费")),
    ("performance", re.compile(r"绩效")),
    ("procurement", re.compile(r"政府采购")),
    ("assets", re.compile(r"国有资产|固定资产|资产信息|资产占用")),
    ("change", re.compile(r"增减|变动|变化")),
    ("budget_overview", re.compile(r"总体情况|收支")),
    ("income", re.compile(r"收入")),
    ("expenditure", re.compile(r"支出")),
    ("duties", re.compile(r"职责|职能")),
    ("organization", re.compile(r"机构设置")),
)

# The document title names the disclosure itself ("2019年部门预算信息公开").
_TITLE_KEYWORD = re.compile(r"预算(?:信息)?公开")

assert {t for t, _ in _TYPE_RULES} | {"title", "other"} <= set(SECTION_TYPES)


def section_type(title: str, *, numbered: bool = False) -> str:
    """Section type named by keywords in ``title``; ``"other"`` when none.

    ``"title"`` is only given to un-numbered lines (the document title);
    a numbered "二、2021年度部门预算信息公开情况说明" is not a title.
    """
    for kind, pattern in _TYPE_RULES:
        if pattern.search(title):
            return kind
    if not numbered and _TITLE_KEYWORD.search(title):
        return "title"
    return "other"


# Un-numbered top-level headings of the standard disclosure template (whose
# "一、" was lost in conversion): they are level 1 even inside a numbered part.
_MAJOR_TITLE = re.compile(
    r"职责及机构设置|预算安排的?总体情况|收支(?:预算)?总体情况|机关运行(?:经)?费"
    r"|三公|绩效预算信息|预算绩效信息|政府采购预算|国有资产信息|国有资产占用"
    r"|名词解释|其他需(?:要)?说明的事项"
)

# --------------------------------------------------------------------------
# Line shape
# --------------------------------------------------------------------------

# Sentence punctuation: a line holding one is body text.
_SENTENCE_MARK = re.compile(r"[。；;！!？?]")
_COMMA = re.compile(r"[，,]")
# A colon anywhere but at the end ("部门职责：负责……").
_INNER_COLON = re.compile(r"[:：](?=.*\S)")
# A label ending with a colon ("总体绩效目标：").
_TRAILING_COLON = re.compile(r"[:：]\s*$")
# Lines that introduce a table rather than a section.
_TABLE_PREAMBLE = re.compile(r"^\s*(?:\d{3,}\s*\S|编制部门|编制单位|单位\s*[:：]|截止时间|金额单位)")

MAX_NUMBERED_TITLE = 40  # characters (spaces excluded) after the number
MAX_PLAIN_TITLE = 24  # un-numbered heading
MAX_DOCUMENT_TITLE = 40  # a title line
MAX_TITLE_BLOCK = 3  # lines of the title block at the top


def _length(text: str) -> int:
    """Length without whitespace."""
    return len(_WHITESPACE.sub("", text))


def _is_blank(line: str) -> bool:
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

    A text line continues the cell above it when the previous non-blank line
    is a one-cell-per-line cell (or its continuation) at most one blank line
    away, or while a quoted cell (``"…``) is open.
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
        continues = in_quote or i - last_cell <= 2
        if continues and not _is_strong_heading(line):
            mask[i] = True
            last_cell = i
            if in_quote and line.count('"') % 2 == 1:
                in_quote = False
        else:
            last_cell, in_quote = -10, False
    return mask


def _is_strong_heading(line: str) -> bool:
    num = parse_numbering(line)
    return num is not None and num.strong


# --------------------------------------------------------------------------
# Pass 2: candidates
# --------------------------------------------------------------------------

# Roles of un-numbered headings.
TITLE, CONTENTS, MAJOR, MINOR, NUMBERED = "title", "contents", "major", "minor", "numbered"


@dataclass
class _Candidate:
    """A line that may be a heading."""

    index: int  # 0-based line index
    role: str
    title: str
    offset: int = 0
    num: Numbering | None = None
    end_index: int | None = None  # last line of a multi-line title block
    colon: bool = False  # the line ends with a colon ("5、功能分类名词解释：")


def _next_nonblank(lines: Sequence[str], index: int) -> int | None:
    for j in range(index + 1, len(lines)):
        if not _is_blank(lines[j]):
            return j
    return None


def _title_block(lines: Sequence[str]) -> _Candidate | None:
    """The document title: the first short lines up to one naming 预算公开."""
    first: int | None = None
    seen = 0
    for i, line in enumerate(lines):
        if _is_blank(line):
            continue
        text = _clean_title(line[_content_start(line) :])
        if (
            _is_table_line(line)
            or parse_numbering(line)
            or not _is_plain_heading_shape(text, MAX_DOCUMENT_TITLE)
        ):
            return None
        first = i if first is None else first
        if section_type(text) == "title":
            parts = [_clean_title(lines[j]) for j in range(first, i + 1) if not _is_blank(lines[j])]
            return _Candidate(
                first, TITLE, " ".join(parts), _content_start(lines[first]), end_index=i
            )
        seen += 1
        if seen >= MAX_TITLE_BLOCK:
            return None
    return None


def _is_toc_entry(line: str) -> bool:
    """A short contents line (numbered or not), page numbers allowed."""
    text = _clean_title(line[_content_start(line):])
    return _is_plain_heading_shape(re.sub(r"[:：]", "", text), MAX_NUMBERED_TITLE)


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
        restarts = first is not None and num is not None and (num.scheme, num.value) == (
            first.scheme,
            first.value,
        )
        text = _clean_title(line[_content_start(line) :])
        if mask[i] or not _is_toc_entry(line) or restarts or (
            num is None and section_type(text) == "title"
        ):
            break
        first = first or num
        end = i
    return end


def _is_caption(lines: Sequence[str], index: int, title: str) -> bool:
    """A line naming the table right below it ("部门政府采购预算")."""
    if title.endswith("表"):
        return True
    nxt = _next_nonblank(lines, index)
    return nxt is not None and (_is_table_line(lines[nxt]) or bool(_TABLE_PREAMBLE.match(lines[nxt])))


def _repeats_next_heading(lines: Sequence[str], index: int, title: str) -> bool:
    """A label right above a numbered heading of the same text ("总体绩效目标：")."""
    nxt = _next_nonblank(lines, index)
    num = parse_numbering(lines[nxt]) if nxt is not None else None
    return num is not None and num.title == title


def _plain_candidate(lines: Sequence[str], index: int) -> _Candidate | None:
    """Classify an un-numbered line as title, contents, major or minor heading."""
    line = lines[index]
    title = _clean_title(line[_content_start(line) :])
    kind = section_type(title)
    if kind == "other":
        return None
    limit = MAX_DOCUMENT_TITLE if kind in (TITLE, CONTENTS) else MAX_PLAIN_TITLE
    if not _is_plain_heading_shape(title, limit):
        return None
    if kind not in (TITLE, CONTENTS) and (
        _is_caption(lines, index, title) or _repeats_next_heading(lines, index, title)
    ):
        return None
    if kind in (TITLE, CONTENTS):
        role = kind
    elif _MAJOR_TITLE.search(title) and not _TRAILING_COLON.search(line):
        role = MAJOR
    else:
        role = MINOR
    return _Candidate(index, role, title, _content_start(line))


def _candidates(lines: Sequence[str]) -> list[_Candidate]:
    """Every line that may be a heading, in order (lists not yet filtered)."""
    mask = _table_mask(lines)
    found: list[_Candidate] = []
    start = 0
    block = _title_block(lines)
    if block is not None:
        found.append(block)
        start = (block.end_index or block.index) + 1
    i = start
    while i < len(lines):
        line = lines[i]
        if mask[i] or _is_blank(line):
            i += 1
            continue
        num = parse_numbering(line)
        if num is not None:
            colon = bool(_TRAILING_COLON.search(line))
            found.append(_Candidate(i, NUMBERED, num.title, num.offset, num, colon=colon))
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
    last: int = 0  # last number seen in this list
    keyword: bool = False  # its own title names a section type


@dataclass
class _Stack:
    """Open headings, outermost first; assigns the level of each new heading."""

    items: list[_Open] = field(default_factory=list)

    def _push(self, entry: _Open) -> int:
        self.items.append(entry)
        return entry.level

    def _next_level(self) -> int:
        return self.items[-1].level + 1 if self.items else 1

    def reset(self) -> None:
        self.items.clear()

    def major(self) -> int:
        """An un-numbered top-level heading: level 1, closes everything."""
        self.reset()
        return self._push(_Open(MAJOR, 1, keyword=True))

    def minor(self) -> int:
        """An un-numbered sub-heading: child of the innermost open heading
        whose own title names a section type (list items are skipped)."""
        for pos in range(len(self.items) - 1, -1, -1):
            entry = self.items[pos]
            if entry.kind != MINOR and entry.keyword:
                del self.items[pos + 1 :]
                return self._push(_Open(MINOR, entry.level + 1))
        self.reset()
        return self._push(_Open(MINOR, 1))

    def numbered(self, num: Numbering, keyword: bool) -> int:
        """Level of a numbered heading (see module docstring)."""
        same = [pos for pos, e in enumerate(self.items) if e.kind == num.scheme]
        follows = [pos for pos in same if self.items[pos].last + 1 == num.value]
        if follows:  # the next item of an open list
            return self._continue(follows[-1], num.value, keyword)
        if num.value != 1:
            majors = [pos for pos, e in enumerate(self.items) if e.kind == MAJOR]
            if majors and not same:  # "二、" after an un-numbered "一、" heading
                del self.items[majors[-1] :]
                return self._push(_Open(num.scheme, 1, num.value, keyword))
            earlier = [pos for pos in same if self.items[pos].last < num.value]
            if earlier:  # a gap in the numbering
                return self._continue(earlier[-1], num.value, keyword)
        return self._push(_Open(num.scheme, self._next_level(), num.value, keyword))

    def _continue(self, pos: int, value: int, keyword: bool) -> int:
        del self.items[pos + 1 :]
        entry = self.items[pos]
        entry.last, entry.keyword = value, keyword
        return entry.level


def _levels(cands: Sequence[_Candidate]) -> list[int]:
    """Level of each accepted candidate."""
    stack = _Stack()
    levels: list[int] = []
    for cand in cands:
        keyword = section_type(cand.title, numbered=True) != "other"
        if cand.role in (TITLE, CONTENTS):
            stack.reset()
            levels.append(1)
        elif cand.role == MAJOR:
            levels.append(stack.major())
        elif cand.role == MINOR:
            levels.append(stack.minor())
        else:
            assert cand.num is not None
            levels.append(stack.numbered(cand.num, keyword))
    return levels


def _types(cands: Sequence[_Candidate], levels: Sequence[int]) -> list[str]:
    """Own keyword type, else the type of the enclosing section."""
    types: list[str] = []
    for pos, cand in enumerate(cands):
        own = section_type(cand.title, numbered=cand.role == NUMBERED)
        if cand.role in (TITLE, CONTENTS):
            own = cand.role
        if own == "other":
            parent = next(
                (types[j] for j in range(pos - 1, -1, -1) if levels[j] < levels[pos]), "other"
            )
            own = parent
        types.append(own)
    return types


def _end_lines(cands: Sequence[_Candidate], levels: Sequence[int], total: int) -> list[int]:
    """1-based last line: before the next heading of the same or a higher level."""
    ends: list[int] = []
    for pos, cand in enumerate(cands):
        nxt = next(
            (cands[j].index for j in range(pos + 1, len(cands)) if levels[j] <= levels[pos]),
            total,
        )
        ends.append(nxt)  # index of the next heading == 1-based line before it
    return ends


def segment(lines: Sequence[str]) -> list[Section]:
    """The heading outline of a normalised document (index 0 = line 1)."""
    cands = _candidates(lines)
    rejected = _rejected_numbered(cands)
    cands = [c for c in cands if c.index not in rejected]
    levels = _levels(cands)
    types = _types(cands, levels)
    ends = _end_lines(cands, levels, len(lines))
    return [
        Section(
            line=c.index + 1,
            end_line=end,
            level=level,
            number=c.num.token if c.num else "",
            title=c.title,
            type=kind,
        )
        for c, level, kind, end in zip(cands, levels, types, ends)
    ]
