"""Rows whose cells reached the text separated by spaces (PDF or web page text).

Cells are separated by runs of spaces, or by single spaces when the line has
no longer run; a header cell split by a space ("计量 单位") is rejoined when
the two halves make a header word.
"""

from __future__ import annotations

import re

from extractor.tables.align import Atom
from extractor.tables.text_header import names_columns
from extractor.vocabulary import Vocabulary

_TOKEN = re.compile(r"\S+")


def atoms(line: str) -> list[Atom]:
    """The line's space-separated tokens, each with the whitespace before it."""
    found: list[Atom] = []
    previous = 0
    for m in _TOKEN.finditer(line):
        found.append(Atom(m.start(), m.end(), line[previous : m.start()] if found else ""))
        previous = m.end()
    return found


def header_cells(line: str, vocab: Vocabulary) -> list[str] | None:
    """The header words of a space-separated header line, or None."""
    if "\t" in line:
        return None
    tokens = line.split()
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
    return cells if names_columns(cells, vocab) else None
