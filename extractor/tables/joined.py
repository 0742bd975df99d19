"""Rows whose cells were run together with no separator (a web table copied as text).

A header line is segmented into the vocabulary's header words, longest
first ("绩效指标指标名称指标权重…" -> 绩效指标 | 指标名称 | 指标权重 | …); a data
row is cut character by character, the cells being chosen by
:func:`extractor.tables.align.align` from the header's column order and the
values each column holds.
"""

from __future__ import annotations

from extractor.tables.align import Atom
from extractor.tables.text_header import names_columns
from extractor.vocabulary import Vocabulary

MAX_HEADER_CHARS = 120
MAX_ROW_CHARS = 160  # a longer line is prose, not a run-together row
_UNKNOWN = 10  # cost of one header character that is not part of a header word
_SEPARATORS = " \u3000/、|"


def atoms(line: str) -> list[Atom]:
    """Every non-space character, with the whitespace before it."""
    found: list[Atom] = []
    previous = 0
    for k, char in enumerate(line):
        if char.isspace():
            continue
        found.append(Atom(k, k + 1, line[previous:k] if found else ""))
        previous = k + 1
    return found


def header_cells(line: str, vocab: Vocabulary) -> list[str] | None:
    """The header words a run-together header line is made of, or None."""
    text = line.strip()
    if not text or "\t" in text or len(text) > MAX_HEADER_CHARS:
        return None
    words, longest, firsts, lasts = _header_words(vocab)
    # Quick test: a header begins and ends with a header word (so with a first and a last character of one).
    if text[0] not in firsts or text[-1] not in lasts:
        return None
    span = range(1, min(longest, len(text)) + 1)
    if not any(text[:n] in words for n in span) or not any(text[-n:] in words for n in span):
        return None
    cells = _segment(text, words, longest)
    if cells is None or sum(len(c) for c in cells if c in words) < 0.75 * len(text.replace(" ", "")):
        return None
    return cells if names_columns(cells, vocab) else None


_WORDS: dict[int, tuple[Vocabulary, frozenset[str], int, frozenset[str], frozenset[str]]] = {}


def _header_words(vocab: Vocabulary) -> tuple[frozenset[str], int, frozenset[str], frozenset[str]]:
    """Every header word of the vocabulary, the longest one's length, and the
    characters header words begin and end with (cached)."""
    hit = _WORDS.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        words = frozenset(w for ws in vocab.roles.values() for w in ws)
        firsts, lasts = frozenset(w[0] for w in words if w), frozenset(w[-1] for w in words if w)
        hit = _WORDS[id(vocab)] = (vocab, words, max(map(len, words)), firsts, lasts)
    return hit[1], hit[2], hit[3], hit[4]


def _segment(text: str, words: frozenset[str], longest: int) -> list[str] | None:
    """Fewest header words covering ``text``; characters outside any word cost
    much more and stay together as one cell."""
    n = len(text)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (cost, previous position)
    best[0] = (0, -1)
    for p in range(n):
        if best[p] is None:
            continue
        cost = best[p][0]
        if text[p] in _SEPARATORS:
            _relax(best, p + 1, cost, p)
            continue
        for q in range(p + 1, min(n, p + longest) + 1):
            if text[p:q] in words:
                _relax(best, q, cost + 1, p)
        _relax(best, p + 1, cost + _UNKNOWN, p)
    if best[n] is None:
        return None
    pieces: list[str] = []
    q = n
    while q > 0:
        p = best[q][1]  # type: ignore[index]
        pieces.append(text[p:q])
        q = p
    pieces.reverse()
    return _merge_unknown([p for p in pieces if p.strip(_SEPARATORS)], words)


def _relax(best: list[tuple[int, int] | None], q: int, cost: int, p: int) -> None:
    if best[q] is None or cost < best[q][0]:  # type: ignore[index]
        best[q] = (cost, p)


def _merge_unknown(pieces: list[str], words: frozenset[str]) -> list[str]:
    """Adjacent characters outside any header word form one cell."""
    cells: list[str] = []
    for piece in pieces:
        if cells and piece not in words and cells[-1] not in words:
            cells[-1] += piece
        else:
            cells.append(piece)
    return cells
