"""The one vocabulary of the table stages, read from ``configs/vocabulary.toml``.

Header words, form keys, inline-list keys, category words, grade words and
units live in that commented data file; this module only loads it and answers
lookups, so a new region's synonym needs no code change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "configs" / "vocabulary.toml"

# Column roles, in a fixed order (the column-role model's classes).
ROLES: tuple[str, ...] = (
    "seq", "parent_activity", "activity", "description", "goal", "category1", "category2", "indicator",
    "indicator_description", "grade", "target", "unit", "nature", "weight", "budget", "basis", "other",
)
GRADES: tuple[str, ...] = ("优", "良", "中", "差")
TARGET_KEY = "指标值"

_NOISE = re.compile(r"[\s　·.．。:：,，\-—_|/\\ī()（）\[\]【】<>《》\"'“”]+")
_CONTAINS_SCORE = 0.7
_MEMO_SIZE = 200_000  # remembered lookups per vocabulary (then forgotten at once)


def clean(text: str) -> str:
    """Text without spaces, brackets and punctuation, for comparing header words."""
    return _NOISE.sub("", text)


@dataclass(frozen=True)
class Vocabulary:
    """Lookups over the vocabulary file (see ``configs/vocabulary.toml``)."""

    roles: dict[str, tuple[str, ...]]
    grades: dict[str, tuple[str, ...]]
    level1_of: dict[str, str]
    level1: frozenset[str]
    level2_only: frozenset[str]
    form: dict[str, tuple[str, ...]]
    inline: dict[str, tuple[str, ...]]
    inline_triggers: frozenset[str]
    periods: dict[str, tuple[str, ...]]
    units: tuple[str, ...]
    # Cell values by column role ([values]: nature, operators, qualitative…).
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Words that lower a text target by one grade ([graded_wording]).
    graded_wording: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Endings and phrases of indicator names and graded cells ([indicator_words]).
    indicator_words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ends_with(self, text: str, kind: str) -> bool:
        """Whether ``text`` ends with one of the ``[indicator_words]`` list ``kind``."""
        return text.endswith(self.indicator_words.get(kind, ())) if text else False

    def has_phrase(self, text: str, kind: str) -> bool:
        """Whether ``text`` contains one of the ``[indicator_words]`` list ``kind``."""
        return any(w in text for w in self.indicator_words.get(kind, ()))

    def header_role(self, text: str) -> tuple[str, float]:
        """(role, score) a header text names: 1.0 for a listed word, 0.7 when it
        contains one (longest wins), ("", 0.0) when it names none."""
        return self._match("roles", text, self.roles)

    def grade_of(self, text: str) -> str | None:
        """The grade a header or standard names: "评价标准(优)", "优秀" -> "优"."""
        word = clean(text)
        best: tuple[int, str] | None = None
        for grade, words in self.grades.items():
            for w in words:
                if _names_grade(word, w) and (best is None or len(w) > best[0]):
                    best = (len(w), grade)
        return best[1] if best else None

    def category_level(self, text: str) -> int | None:
        """1 or 2 for a category word of the framework (产出指标 / 数量指标), else None."""
        word = _category_word(clean(text))
        if word in self.level1:
            return 1
        if word in self.level1_of or word in self.level2_only:
            return 2
        return None

    def implied_level1(self, level2: str) -> str | None:
        """The 一级指标 a 二级指标 belongs to (数量指标 -> 产出指标)."""
        return self.level1_of.get(_category_word(clean(level2)))

    def form_key(self, text: str) -> str | None:
        """Role of a form row's key cell (项目名称 -> activity), or None."""
        role, score = self._match("form", text, self._form_words)
        return role if score == 1.0 else None

    @cached_property
    def _form_words(self) -> dict[str, tuple[str, ...]]:
        """Form keys as compared, cleaned once per vocabulary rather than per lookup."""
        return {k: _cleaned(v) for k, v in self.form.items()}

    def inline_key(self, text: str) -> str | None:
        """Role of an inline list key (绩效指标 -> indicator), or None."""
        role, score = self._match("inline", text, self.inline)
        return role if score == 1.0 else None

    def _match(self, kind: str, text: str, table: dict[str, tuple[str, ...]]) -> tuple[str, float]:
        """``_best_match`` of ``text`` in ``table``, remembered: cells and headers repeat."""
        memo = self._memo
        key = (kind, text)
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            found = memo[key] = _best_match(clean(text), table)
        return found

    @cached_property
    def _memo(self) -> dict[tuple[str, str], tuple[str, float]]:
        return {}

    def inline_words(self) -> list[str]:
        """Every inline key, longest first (for building a line pattern)."""
        return sorted({w for words in self.inline.values() for w in words}, key=len, reverse=True)

    def period_of(self, text: str) -> str | None:
        """"annual" or "long_term" when a header names a period (二级指标(年度))."""
        word = clean(text)
        for period, words in self.periods.items():
            if any(w in word for w in words):
                return period
        return None

    def unit_in(self, text: str) -> str | None:
        """The longest unit word ``text`` ends with, or None."""
        stripped = text.strip()
        found = [u for u in self.units if stripped.endswith(u)]
        return max(found, key=len) if found else None


_GRADE_PREFIX = re.compile(r"(标准|等级|评价|档次|分档)$")
_SCORE_RANGE = re.compile(r"^[\d分以上下及含%％]+$")


def _names_grade(word: str, grade_word: str) -> bool:
    """"优秀" names 优秀; "评价标准优" ends with 优 after a standard-like word.
    A one-character or Latin grade word only counts alone or after such a word."""
    if word == grade_word:
        return True
    if word.startswith(grade_word) and _SCORE_RANGE.match(word[len(grade_word) :]):
        return True  # 优秀(90-100分)
    return word.endswith(grade_word) and bool(_GRADE_PREFIX.search(word[: -len(grade_word)]))


def _category_word(word: str) -> str:
    """A category word with its 指标 suffix restored (产出 -> 产出指标)."""
    return word if word.endswith("指标") else f"{word}指标"


def _best_match(word: str, table: dict[str, tuple[str, ...]]) -> tuple[str, float]:
    if not word:
        return "", 0.0
    best_role, best_len = "", 0
    for role, words in table.items():
        if word in words:
            return role, 1.0
        for w in words:
            if len(w) >= 2 and w in word and len(w) > best_len:
                best_role, best_len = role, len(w)
    return (best_role, _CONTAINS_SCORE) if best_role else ("", 0.0)


def _cleaned(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Words as they are compared: without spaces, brackets and punctuation."""
    return tuple(dict.fromkeys(clean(w) for w in words if clean(w)))


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read and check the vocabulary file once per process."""
    from extractor.errors import ConfigError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the vocabulary: {exc}", path) from exc
    roles = {role: _cleaned(data["roles"].get(role, ())) for role in ROLES}
    unknown = set(data["roles"]) - set(ROLES)
    if unknown:
        raise ConfigError(f"unknown column roles {sorted(unknown)}; known: {', '.join(ROLES)}", path)
    categories = data["categories"]
    inline = dict(data["inline"])
    triggers = frozenset(inline.pop("trigger_roles", ("indicator", "grade")))
    return Vocabulary(
        roles=roles,
        grades={g: tuple(data["grades"][g]) for g in GRADES},
        level1_of={l2: l1 for l1, l2s in categories.items() for l2 in l2s},
        level1=frozenset(categories),
        level2_only=frozenset(data.get("category_words", {}).get("level2_without_level1", ())),
        form={k: tuple(v) for k, v in data["form"].items()},
        inline={k: tuple(v) for k, v in inline.items()},
        inline_triggers=triggers,
        periods={k: tuple(v) for k, v in data["periods"].items()},
        units=tuple(data["units"]["words"]),
        values={k: tuple(v) for k, v in data.get("values", {}).items()},
        graded_wording={k: tuple(v) for k, v in data.get("graded_wording", {}).items()},
        indicator_words={k: tuple(v) for k, v in data.get("indicator_words", {}).items()},
    )
