"""How well a text fits a column role, judged from the value alone.

This is the evidence used to split rows whose cells reached the text
separated by spaces or run together: a category word fits 一级/二级 columns,
"100%", "≥90%", "=125" and "有效保障" fit target columns, "公里" and "%" fit a
unit column, "=" and "正向" a nature column, a small number a weight column,
and any other text an indicator or activity column. Every word list comes
from the vocabulary (``configs/vocabulary.toml``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractor.vocabulary import Vocabulary, load_vocabulary

FIT = 2.0  # the text has the role's value pattern
TEXT = 1.0  # free text in a free-text column
MISFIT = -3.0  # possible, but against the role's pattern
NEVER = -8.0  # the role cannot hold this text

# Roles whose cells hold free text (any words): where a run-together row's
# boundary between two of them is invisible.
FREE_ROLES = frozenset(
    {"parent_activity", "activity", "description", "goal", "indicator", "indicator_description", "basis", "other"}
)
# Cost of leaving a column empty in the middle of a row: cheap for columns
# often blank (unit, nature, note), dear for the indicator.
EMPTY_COST = {
    "indicator": 2.5, "category1": 1.5, "category2": 1.5, "target": 1.5, "activity": 1.5,
    "grade": 1.0, "parent_activity": 1.0, "weight": 0.8, "budget": 0.5, "description": 0.5,
    "goal": 0.5, "indicator_description": 0.5, "unit": 0.3, "nature": 0.3,
    "basis": 0.2, "other": 0.2, "seq": 0.2,
}
# Longest text (characters) a column of a patterned role may hold.
MAX_CHARS = {
    "unit": 8, "nature": 4, "weight": 6, "seq": 4, "category1": 16, "category2": 18,
    "target": 30, "budget": 16,
}
_MAX_WEIGHT = 100.0
_MAX_PROSE_TARGET = 20
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_WEIGHT = re.compile(rf"^({_NUMBER})(?:分|%)?$")
_SEQ = re.compile(r"^\d{1,3}[.、]?$")
_BUDGET = re.compile(rf"^{_NUMBER}(?:万元|元)?$")
_DATE = re.compile(r"^(?:\d{2,4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月(?:\d{1,2}日)?)")
# Free text ending in a comparison (and part of a number), or in part of a
# number: where a run-together cut went through a value.
_CUT_VALUE = re.compile(r"[=≥≤<>≧≦][\d.,]*$")
_CUT_NUMBER = re.compile(r"\d[.,]?$")
_LATIN_UNIT = r"[A-Za-z][A-Za-z/²³]{0,5}"


def normalise(text: str) -> str:
    """Full-width digits and symbols as ASCII, outer spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def _alternation(words: tuple[str, ...] | list[str] | set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class CellValues:
    """Scores of a text for each column role, built from one vocabulary."""

    vocab: Vocabulary
    units: frozenset[str]
    natures: frozenset[str]
    qualitative: frozenset[str]
    target: re.Pattern[str]
    unit: re.Pattern[str]
    suffix: re.Pattern[str]

    def score(self, text: str, role: str, level1: str | None = None) -> float:
        """How well ``text`` fits a column of ``role``; ``level1`` is the 一级
        category in force, which tells whether 成本指标 is a 一级 or a 二级 word."""
        t = normalise(text)
        if not t:
            return 0.0
        if role in ("category1", "category2"):
            return self._category(t, role, level1)
        if role == "nature":
            return FIT if t in self.natures else NEVER
        if role == "unit":
            return self._unit(t)
        if role == "weight":
            return self._weight(t)
        if role == "seq":
            return FIT - 0.5 if _SEQ.match(t) else NEVER
        if role == "budget":
            return FIT - 0.5 if _BUDGET.match(t) else MISFIT
        if role in ("target", "grade"):
            return self._target(t)
        return self._free(t, role)

    def is_value(self, text: str) -> bool:
        """A target value: a number with operator and unit, a date or a qualitative word."""
        t = normalise(text)
        return bool(t) and (self.target.match(t) is not None or self._is_date(t) or t in self.qualitative)

    def category_words(self) -> list[str]:
        """Every category word of the vocabulary (一级 and 二级)."""
        return sorted(self.vocab.level1 | set(self.vocab.level1_of) | self.vocab.level2_only)

    def is_category(self, text: str) -> bool:
        return self.category_level(text) is not None

    def category_level(self, text: str) -> int | None:
        """1 or 2 for a category word as printed (with its 指标), else None."""
        t = normalise(text)
        if t in self.vocab.level1:
            return 1
        return 2 if t in self.vocab.level1_of or t in self.vocab.level2_only else None

    def _category(self, t: str, role: str, level1: str | None) -> float:
        in1, in2 = t in self.vocab.level1, t in self.vocab.level1_of or t in self.vocab.level2_only
        if role == "category1":
            if in1:
                # 成本指标 is a 二级 word under 产出指标 and a 一级 word of its own.
                return TEXT if in2 and self.vocab.level1_of.get(t) == level1 else FIT + 1
            fits_other = in2
        else:
            if in2:
                return TEXT if in1 and self.vocab.level1_of.get(t) != level1 else FIT + 1
            fits_other = in1
        if fits_other:
            return MISFIT
        # A category word the vocabulary lacks, printed with its 指标.
        return 0.5 if len(t) >= 4 and t.endswith("指标") and not re.search(r"\d", t) and len(t) <= 10 else NEVER

    def _unit(self, t: str) -> float:
        if t in self.units or self.unit.fullmatch(t):
            return FIT
        if re.search(r"\d", t) or len(t) > 5:
            return MISFIT
        return -1.5 if _HAN.search(t) else 0.0

    def _weight(self, t: str) -> float:
        m = _WEIGHT.match(t)
        if m is None:
            return NEVER
        value = float(m.group(1).replace(",", ""))
        if 0 < value <= _MAX_WEIGHT:
            return FIT - 0.5
        return 0.0 if value == 0 else -2.0

    def _target(self, t: str) -> float:
        if self.target.match(t):
            # A run-together cut inside a number leaves "020": possible, unusual.
            return 0.5 if re.match(r"^0\d", t) else FIT
        if self._is_date(t) or t in self.qualitative:
            return FIT
        if _HAN.search(t) and len(t) <= _MAX_PROSE_TARGET and not self.is_category(t):
            return 0.0
        return MISFIT

    def _is_date(self, t: str) -> bool:
        m = _DATE.match(t)
        return m is not None and (m.end() == len(t) or self.suffix.fullmatch(t[m.end() :]) is not None)

    def _free(self, t: str, role: str) -> float:
        prose = role in ("indicator", "activity", "parent_activity")
        if self.is_category(t):
            return MISFIT
        if self.is_value(t) or t in self.natures or t in self.units:
            return MISFIT if prose else -1.0
        if not _HAN.search(t) or _CUT_VALUE.search(t):
            return -1.0
        if not prose:
            return 0.5
        # An indicator rarely ends in a digit; a run-together cut often leaves one.
        return 0.0 if _CUT_NUMBER.search(t) else TEXT


_CACHE: dict[int, tuple[Vocabulary, CellValues]] = {}


def cell_values(vocab: Vocabulary | None = None) -> CellValues:
    """The value scorer for ``vocab`` (the default vocabulary when None), built once."""
    vocab = vocab or load_vocabulary()
    hit = _CACHE.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        hit = _CACHE[id(vocab)] = (vocab, _make(vocab))
    return hit[1]


def _make(vocab: Vocabulary) -> CellValues:
    values = vocab.values
    units = {normalise(u) for u in vocab.units} | {"%", "‰"}
    natures = {normalise(n) for n in values.get("nature", ())}
    multiplier = _alternation(values.get("multipliers", ())) or "(?!)"
    unit = rf"(?:(?:{multiplier})?(?:{_alternation(units)})|(?:{multiplier})|{_LATIN_UNIT})"
    operators = _alternation(natures | {normalise(o) for o in values.get("operators", ())})
    suffixes = _alternation({normalise(s) for s in values.get("operator_suffixes", ())})
    quantity = rf"{_NUMBER}\s*{unit}?"
    target = re.compile(
        rf"^(?:{operators})?\s*{quantity}(?:\s*[-~～〜—–至到]\s*{quantity})?\s*(?:\(含\))?(?:{suffixes})?$"
    )
    modifiers, heads = values.get("qualitative_modifiers", ()), values.get("qualitative_heads", ())
    qualitative = {normalise(w) for w in values.get("qualitative", ())} | {m + h for m in modifiers for h in heads}
    return CellValues(
        vocab=vocab,
        units=frozenset(units),
        natures=frozenset(natures),
        qualitative=frozenset(qualitative),
        target=target,
        unit=re.compile(unit),
        suffix=re.compile(rf"(?:{suffixes})" if suffixes else r"(?!)"),
    )
