"""Split one text row into the columns of its header, scoring every reading.

A row is a sequence of atoms (the space-separated tokens of a PDF line, or
the characters of a run-together web row). Each header column, in order,
takes either nothing or the next run of atoms; every atom goes to some
column. A reading scores how well each cell fits its column's role
(:mod:`extractor.tables.cell_values`), minus the cost of the columns it
leaves empty (leading columns cheaply: a continuation row lacks its merged
leading cells) and of the boundaries it draws where the text shows none.
Dynamic programming finds the best two readings; their margin gives the
split's confidence, so that an ambiguous row ("…场次1020": weight 10 and
value 20, or 1 and 020?) is sent to review.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from extractor.tables.cell_values import EMPTY_COST, FIT, FREE_ROLES, MAX_CHARS, CellValues

LEADING_EMPTY = 0.1  # a missing merged cell at the start of a continuation row
TRAILING_FACTOR = 0.5  # empty cells after the last printed one (备注)
WIDE_JOIN = 6.0  # one cell across a run of 2+ spaces: the spacing shows a boundary
NARROW_JOIN = 0.3  # one cell across a single space, where single spaces separate cells
NARROW_CUT = 1.0  # a cell boundary at a single space, where runs of spaces separate cells
HIDDEN_CUT = 3.0  # a run-together boundary between Chinese characters with no word to show it
DIGIT_CUT = 1.0  # a run-together boundary inside a run of digits
# Confidence is a logistic function of the margin between the two best readings.
_MARGIN_MID = 1.0
_MARGIN_SLOPE = 3.0
_NO_RIVAL_MARGIN = 4.0
_AMBIGUOUS_CAP = 0.3  # a boundary inside a number is never certain
_MISFIT_CAP = 0.6  # some cell does not fit its column


@dataclass(frozen=True)
class Atom:
    """An unbreakable piece of a row: its [start, end) offsets in the line and
    the whitespace before it."""

    start: int
    end: int
    gap: str


@dataclass
class Split:
    """The best reading of a row: one text per column ("" when empty)."""

    cells: list[str]
    cell_scores: list[float | None]
    score: float
    confidence: float
    ambiguous: bool

    @property
    def filled(self) -> int:
        return sum(bool(c) for c in self.cells)


@dataclass(frozen=True)
class _Path:
    score: float
    cells: tuple[tuple[int, int, float] | None, ...]  # (first atom, end atom, cell score) per column
    ambiguous: bool


def align(line: str, atoms: list[Atom], roles: list[str], values: CellValues, level1: str | None = None) -> Split | None:
    """The best split of ``line`` (cut into ``atoms``) under columns of ``roles``,
    or None when the row has more atoms than it can place."""
    if not atoms:
        return None
    wide = any(len(a.gap) >= 2 for a in atoms[1:])
    aligner = _Aligner(line, atoms, roles, values, level1, wide)
    paths = aligner.run()
    if not paths:
        return None
    best = paths[0]
    margin = best.score - paths[1].score if len(paths) > 1 else _NO_RIVAL_MARGIN
    confidence = 1.0 / (1.0 + math.exp(-_MARGIN_SLOPE * (margin - _MARGIN_MID)))
    if best.ambiguous:
        confidence = min(confidence, _AMBIGUOUS_CAP)
    if any(c is not None and c[2] < 0 for c in best.cells):
        confidence = min(confidence, _MISFIT_CAP)
    cells = [aligner.text(c[0], c[1]) if c else "" for c in best.cells]
    scores = [c[2] if c else None for c in best.cells]
    return Split(cells, scores, best.score, round(confidence, 3), best.ambiguous)


class _Aligner:
    """One row's dynamic programme; a state is (atoms used, kind of the last cell)."""

    def __init__(self, line: str, atoms: list[Atom], roles: list[str], values: CellValues, level1: str | None, wide: bool):
        self.line, self.atoms, self.roles, self.values = line, atoms, roles, values
        self.level1, self.wide = level1, wide
        self._scores: dict[tuple[int, int, str], float] = {}
        self._cells: dict[tuple[int, str], list[tuple[int, float, str, float]]] = {}
        self._cuts: dict[tuple[int, str, str], tuple[float, bool]] = {}
        self._inside_word = _inside_words(line, values.category_words())

    def text(self, i: int, j: int) -> str:
        return self.line[self.atoms[i].start : self.atoms[j - 1].end].strip()

    def run(self) -> list[_Path]:
        m = len(self.atoms)
        states: dict[tuple[int, str], list[_Path]] = {(0, ""): [_Path(0.0, (), False)]}
        for role in self.roles:
            nxt: dict[tuple[int, str], list[_Path]] = {}
            for (j, last), paths in states.items():
                for path in paths:
                    self._extend(nxt, path, j, last, role, m)
            states = nxt
        finals = [p for (j, _), paths in states.items() if j == m for p in paths]
        return sorted(finals, key=lambda p: -p.score)[:2]

    def _extend(self, nxt: dict, path: _Path, j: int, last: str, role: str, m: int) -> None:
        """Column ``role`` left empty, or given atoms ``j``…``end - 1``."""
        empty = LEADING_EMPTY if j == 0 else EMPTY_COST.get(role, 1.0) * (TRAILING_FACTOR if j == m else 1.0)
        _keep(nxt, (j, last), path.score - empty, path, None, path.ambiguous)
        for end, score, kind, inside in self._cells_from(j, role, m):
            cut, ambiguous = (0.0, False) if j == 0 else self._cut(j, last, kind)
            _keep(nxt, (end, kind), path.score + score - cut - inside, path, (j, end, score), path.ambiguous or ambiguous)

    def _cells_from(self, j: int, role: str, m: int) -> list[tuple[int, float, str, float]]:
        """(end, cell score, kind, cost of the joins inside) of each cell of ``role`` that
        atoms ``j``…``end - 1`` may form, the same for every path that reaches atom ``j``."""
        key = (j, role)
        if key in self._cells:
            return self._cells[key]
        cells = self._cells[key] = []
        limit = MAX_CHARS.get(role)
        inside = 0.0
        crosses_wide = False  # the cell spans a run of 2+ spaces
        for end in range(j + 1, m + 1):
            if end > j + 1:
                inside += self._join(end - 1)
                crosses_wide = crosses_wide or len(self.atoms[end - 1].gap) >= 2
            text = self.text(j, end)
            # A long value is no value, unless the line's own spacing prints it as one cell.
            if limit is not None and len(text) > limit and (crosses_wide or not self.wide):
                break
            score = self._score(j, end, role, text)
            cells.append((end, score, _kind(role, score, text), inside))
        return cells

    def _score(self, i: int, j: int, role: str, text: str) -> float:
        key = (i, j, role)
        if key not in self._scores:
            self._scores[key] = self.values.score(text, role, self.level1)
        return self._scores[key]

    def _cut(self, j: int, left: str, right: str) -> tuple[float, bool]:
        """Cost of a cell boundary before atom ``j`` between cells of kinds
        ``left`` and ``right``, and whether it splits a number."""
        key = (j, left, right)
        if key not in self._cuts:
            self._cuts[key] = self._boundary(j, left, right)
        return self._cuts[key]

    def _boundary(self, j: int, left: str, right: str) -> tuple[float, bool]:
        gap = self.atoms[j].gap
        if gap:
            return (NARROW_CUT if self.wide and len(gap) < 2 else 0.0), False
        a, b = _char_class(self.line[self.atoms[j - 1].end - 1]), _char_class(self.line[self.atoms[j].start])
        if a == b == "number":
            return DIGIT_CUT, True
        if self.atoms[j].start in self._inside_word or left == right == "free":
            return HIDDEN_CUT, False
        if a == b == "text" and (left, right) not in _VISIBLE_CUT:
            return HIDDEN_CUT, False
        return 0.0, False

    def _join(self, j: int) -> float:
        """Cost of keeping atoms ``j - 1`` and ``j`` in one cell."""
        gap = self.atoms[j].gap
        if not gap:
            return 0.0
        if len(gap) >= 2:
            return WIDE_JOIN
        return 0.0 if self.wide else NARROW_JOIN


# Inside text a run-together boundary shows only where a vocabulary value of
# some length (a category word, 有效保障) meets free text or another such value.
_VISIBLE_CUT = frozenset({("free", "word"), ("word", "free"), ("word", "word")})
_MIN_WORD = 3
_NUMBER_CHARS = re.compile(r"[\d.,]")
_TEXT_CHARS = re.compile(r"[\u4e00-\u9fff()（）\[\]【】《》“”\"、·]")


def _char_class(char: str) -> str:
    """"number", "text" (Chinese and brackets) or "symbol" (%, =, ≥, Latin…)."""
    if _NUMBER_CHARS.match(char):
        return "number"
    return "text" if _TEXT_CHARS.match(char) else "symbol"


def _inside_words(line: str, words: list[str]) -> frozenset[int]:
    """Offsets strictly inside an occurrence of one of ``words`` in ``line``:
    a cut there would break a category word (社会公众或|服务对象满意度指标)."""
    inside: set[int] = set()
    for word in words:
        at = line.find(word)
        while at >= 0:
            inside.update(range(at + 1, at + len(word)))
            at = line.find(word, at + 1)
    return frozenset(inside)


def _kind(role: str, score: float, text: str) -> str:
    """"word" for a vocabulary value of 3+ characters, "free" for free text, else "weak"."""
    if score >= FIT and len(text) >= _MIN_WORD:
        return "word"
    return "free" if role in FREE_ROLES and score > 0 else "weak"


def _keep(states: dict, key: tuple[int, str], score: float, path: _Path,
          cell: tuple[int, int, float] | None, ambiguous: bool) -> None:
    """Keep the two best paths of a state: ``path`` and then ``cell`` (None: an empty column)
    scores ``score``. A path that only ties the second best comes after it and is not kept,
    so it is not made."""
    paths = states.setdefault(key, [])
    if len(paths) == 2 and score <= paths[1].score:
        return
    paths.append(_Path(score, path.cells + (cell,), ambiguous))
    paths.sort(key=lambda p: -p.score)
    del paths[2:]
