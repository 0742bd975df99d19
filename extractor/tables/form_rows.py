"""Key-value rows printed above an indicator grid (项目名称 | 车辆保险费).

The Ministry of Finance's 项目支出绩效目标表 and 部门整体支出绩效目标表 put
form rows above the grid: a key from the vocabulary's [form] section at the
start of the line, its value, and sometimes a second key and value on the
same line ("项目主管部门青山区教育局项目执行单位化工区学校"). Each becomes a
2- or 4-cell row (key | value | key | value) of the grid's table.
"""

from __future__ import annotations

import re

from extractor.datamodel import Cell, Row
from extractor.tables.lines import CAPTION_SUFFIXES, HEADING_LIKE
from extractor.vocabulary import Vocabulary

LOOKBACK = 20  # lines above a header searched for form rows
MAX_LOOSE = 3  # consecutive non-form text lines that end the form
MAX_PAIR_VALUE = 40  # a value followed by a second key on its line is short
_WIDE = re.compile(r"\s{2,}")
_KEY_SEPARATORS = " \u3000:："
# Full-width brackets compared as ASCII, one character for one, so offsets hold.
_SAME_WIDTH = str.maketrans("（）：", "():")


def form_rows(lines: list[str], start: int, end: int, vocab: Vocabulary) -> list[Row]:
    """Rows of the form lines in 0-based [start, end); a line holding only keys
    takes its value from the next text line."""
    rows: list[Row] = []
    i = start
    while i < end:
        texts = split_form_line(lines[i], vocab)
        if texts is None:
            i += 1
            continue
        cells = [Cell(text=t, line=i + 1, end_line=i + 1, col=k) for k, t in enumerate(texts)]
        nxt = i + 1
        if not cells[-1].text and nxt < end and lines[nxt].strip() and split_form_line(lines[nxt], vocab) is None:
            cells[-1] = Cell(text=lines[nxt].strip(), line=nxt + 1, end_line=nxt + 1, col=len(cells) - 1)
            nxt += 1
        rows.append(Row(cells=cells, line=i + 1))
        i = nxt
    return rows


def form_start(lines: list[str], header: int, floor: int, vocab: Vocabulary) -> int:
    """0-based first form line above the header at ``header`` (``header`` when none)."""
    top, loose = header, 0
    for i in range(header - 1, max(floor, header - LOOKBACK) - 1, -1):
        text = lines[i].strip()
        if not text:
            continue
        if "\t" in lines[i] or text.endswith(CAPTION_SUFFIXES) or HEADING_LIKE.match(text):
            break
        if split_form_line(lines[i], vocab) is not None:
            top, loose = i, 0
            continue
        loose += 1
        if loose >= MAX_LOOSE:
            break
    return top


def split_form_line(line: str, vocab: Vocabulary) -> list[str] | None:
    """[key, value] or [key, value, key, value] when ``line`` starts with a form key."""
    text = line.strip()
    if "\t" in line or not text:
        return None
    key = _key_at(text, 0, vocab)
    if key is None:
        return None
    if _WIDE.search(text):
        chunks = _WIDE.split(text)
        if chunks[0] == key:
            return chunks if len(chunks) % 2 == 0 else [*chunks, ""]
    rest = text[len(key) :]
    rest = rest[len(rest) - len(rest.lstrip(_KEY_SEPARATORS)) :]
    second = _second_key(rest, vocab, first_only=vocab.form_key(key) == "goal")
    if second is None:
        return [key, rest.strip()]
    at, key2 = second
    return [key, rest[:at].strip(), key2, rest[at + len(key2) :].lstrip(_KEY_SEPARATORS).strip()]


def _second_key(rest: str, vocab: Vocabulary, first_only: bool) -> tuple[int, str] | None:
    """(offset, key) of a second key: right at the start (a line of keys only),
    or after a short first value, at a space when the line has spaces. A goal's
    value is prose and is never searched."""
    spaced = any(c.isspace() for c in rest)
    for at in range(1 if first_only else min(len(rest), MAX_PAIR_VALUE + 1)):
        if spaced and at and not rest[at - 1].isspace():
            continue
        key = _key_at(rest, at, vocab)
        if key is not None and (at == 0 or rest[at + len(key) :].strip(_KEY_SEPARATORS)):
            return at, key
    return None


def _key_at(text: str, at: int, vocab: Vocabulary) -> str | None:
    """The longest form key starting at offset ``at`` (brackets compared as ASCII)."""
    same = text.translate(_SAME_WIDTH)
    found = [len(w) for words in vocab.form.values() for w in words if same.startswith(w, at)]
    return text[at : at + max(found)] if found else None
