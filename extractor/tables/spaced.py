"""Rows whose cells reached the text separated by spaces (PDF or web page text).

Cells are separated by runs of spaces, or by single spaces when the line has
no longer run; a header cell split by a space ("计量 单位") is rejoined when
the two halves make a header word.
"""

from __future__ import annotations

import re

from extractor.tables.align import Atom
from extractor.tables.text_header import MIN_ROLES, names_columns
from extractor.vocabulary import Vocabulary

_TOKEN = re.compile(r"\S+")
# What separates cells in PDF or web text: a run of 2+ spaces, a TAB or a full-width space.
WIDE_GAP = re.compile(r"(?:\s{2,}|\t|\u3000)+")


def atoms(line: str) -> list[Atom]:
    """The line's space-separated tokens, each with the whitespace before it."""
    found: list[Atom] = []
    previous = 0
    for m in _TOKEN.finditer(line):
        found.append(Atom(m.start(), m.end(), line[previous : m.start()] if found else ""))
        previous = m.end()
    return found


def header_cells(line: str, vocab: Vocabulary) -> list[str] | None:
    """The header words of a space-separated header line, or None.

    Runs of 2+ spaces separate cells; inside one such piece a single space is
    a letter gap ("指 标 值", "三级 指标") unless it separates two header words.
    A line with single spaces only is read token by token, two tokens joined
    when together they make a header word ("计量 单位").
    """
    tokens = line.split()
    if "\t" in line or len(tokens) < MIN_ROLES:  # every cell holds a token: too few cells to name the columns
        return None
    pieces = [p for p in WIDE_GAP.split(line.strip()) if p]
    if len(pieces) > 1:
        cells = [cell for piece in pieces for cell in _piece_cells(piece, vocab)]
        if names_columns(cells, vocab):
            return cells
    cells = _joined_tokens(tokens, vocab)
    return cells if names_columns(cells, vocab) else None


def _piece_cells(piece: str, vocab: Vocabulary) -> list[str]:
    """One wide-gap piece: several header words, or one word with letter gaps."""
    tokens = piece.split()
    if len(tokens) > 1 and all(vocab.header_role(t)[1] == 1.0 or vocab.grade_of(t) for t in tokens):
        return tokens
    return ["".join(tokens)]


def _joined_tokens(tokens: list[str], vocab: Vocabulary) -> list[str]:
    cells: list[str] = []
    k = 0
    while k < len(tokens):
        joined = tokens[k] + tokens[k + 1] if k + 1 < len(tokens) else ""
        if joined and vocab.header_role(tokens[k])[1] < 1.0 and vocab.header_role(joined)[1] == 1.0:
            cells.append(joined)
            k += 2
        else:
            cells.append(tokens[k])
            k += 1
    return cells
