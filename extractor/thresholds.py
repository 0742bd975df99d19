"""Parse threshold cells (评价标准 / 指标值) into :class:`ParsedThreshold` records.

A threshold is the target a performance indicator is judged against, e.g.
"≥90%", "效果达到95%及以上", "80%-90%", "≤3.2万元", "2022年底前" or plain prose
such as "圆满完成". :func:`parse_threshold` turns one such string into:

``operator``
    '>=', '<=', '>', '<', '=' (a bare number), 'range', 'by' (a deadline:
    "12月31日前", "2022年底前") or ``None`` when the text holds no number
    ("有效保障", "稳步提高", "涉密").
``value``
    the number (the lower bound of a range; ``2/3`` is 0.666…; a deadline keeps
    its first number, 2022 in "2022年底前"). Negative numbers keep their sign
    ("≤-5%", "负5%").
``upper``
    the upper bound of a range, else ``None``.
``lower_inclusive`` / ``upper_inclusive``
    for a range only: whether each bound belongs to it. ``True``/``False`` when
    the text says so ("80%(含)-90%", "80%≤x<90%", "[80%,90%)", "≥80%且<90%",
    "80%以上90%以下" — 以上/以下 include their bound by convention, "±5%" is
    [-5, 5]), ``None`` when it does not ("80%-90%"). Bounds are put in order,
    so ``value <= upper`` always holds.
``unit``
    the unit right after the number ("%", "万元", "辆", "M", "万元/人"), taken
    from the vocabulary in ``configs/thresholds.toml`` (plus the unit words of
    ``configs/vocabulary.toml``).
``date``
    an ISO 8601 date when the number is a calendar date: "2022-12-31",
    "2022-06", "--12-31" (month and day, no year), "--10" (a month).

A separate unit column (度量单位, 计量单位) and a nature / direction column
(指标性质, 指标方向: "≥", "=", "正向" = '>=', "反向" = '<=') are passed as
``unit=`` and ``operator=``; they fill in what the value cell does not state
and never override it. :func:`split_graded_standard` splits inline standards
("90%以上的为优；80%-90%的为良；...") into (grade, threshold) pairs.

Parsing works on a normalised copy of the text: NFKC (full-width digits and
symbols become ASCII), zero-width characters dropped, ≥ ≤ spelled ">=" "<=",
OCR noise repaired and Chinese numerals turned into digits where they count
something ("三天内", "不少于三次", "百分之九十", "三分之二"). ``raw`` always keeps the
original string untouched. Parsing never raises on any string.
"""

from __future__ import annotations

import calendar
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from extractor.config import PROJECT_ROOT
from extractor.datamodel import ParsedThreshold
from extractor.errors import ConfigError
from extractor.vocabulary import VOCABULARY_FILE
from extractor.vocabulary import load_vocabulary as load_table_vocabulary

VOCABULARY_PATH = PROJECT_ROOT / "configs" / "thresholds.toml"

_LOWER_OPS = {">=": True, ">": False}  # operator -> is the bound inclusive
_UPPER_OPS = {"<=": True, "<": False}
_CJK = r"\u4e00-\u9fff"
# Chinese numeral characters; a run must start with a digit word or 十.
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_CHARS = _CN_DIGITS + "十百千万亿"
_CN_RUN = rf"[{_CN_DIGITS}十][{_CN_CHARS}]{{0,15}}(?:点[{_CN_DIGITS}]{{1,8}})?"
# An ASCII number, optionally signed ("-5", where no digit or letter precedes
# the sign) and optionally a fraction ("2/3", but not the date "2021/12/31").
_NUMBER = (
    r"(?<![A-Za-z\d.])(?:-(?=\d))?\d+(?:\.\d+)?"
    r"(?:/(?!0+(?:\.0+)?(?![\d.]))\d+(?:\.\d+)?(?![\d./]))?"
)


@dataclass(frozen=True)
class Vocabulary:
    """Units and operator words of threshold cells (``configs/thresholds.toml``)."""

    cjk_units: tuple[str, ...]
    latin_units: tuple[str, ...]
    unit_followers: str
    unit_aliases: Mapping[str, str]
    range_separators: tuple[str, ...]
    joiners: tuple[str, ...]
    inclusive_marks: tuple[str, ...]
    exclusive_marks: tuple[str, ...]
    deadline_suffixes: tuple[str, ...]
    after_suffixes: tuple[str, ...]
    symbols: Mapping[str, str]
    prefix_words: Mapping[str, str]
    suffix_words: Mapping[str, str]
    short_suffix_followers: str
    directions: Mapping[str, str]


def load_threshold_vocabulary(
    path: str | Path = VOCABULARY_PATH, table_vocabulary: Path = VOCABULARY_FILE
) -> Vocabulary:
    """Read the threshold vocabulary; a missing or malformed file is a ConfigError.

    The unit words of the table stages' ``configs/vocabulary.toml`` ([units]
    words) are added to this file's units, so a unit listed there is read here too.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        units, ops = data["units"], data["operators"]
        shared = load_table_vocabulary(Path(table_vocabulary)).units
        return Vocabulary(
            cjk_units=_merged(units["cjk"], shared, rf"[{_CJK}]+"),
            latin_units=_merged(units["latin"], shared, r"[A-Za-z]+\d?"),
            unit_followers=str(units["followers"]),
            unit_aliases=dict(units.get("aliases", {})),
            range_separators=tuple(ops["range_separators"]),
            joiners=tuple(ops["joiners"]),
            inclusive_marks=tuple(ops["inclusive_marks"]),
            exclusive_marks=tuple(ops["exclusive_marks"]),
            deadline_suffixes=tuple(ops["deadline_suffixes"]),
            after_suffixes=tuple(ops["after_suffixes"]),
            symbols=dict(ops["symbols"]),
            prefix_words=dict(ops["prefix_words"]),
            suffix_words=dict(ops["suffix_words"]),
            short_suffix_followers=str(ops["short_suffix_followers"]),
            directions=dict(ops["directions"]),
        )
    except FileNotFoundError as exc:
        raise ConfigError("threshold vocabulary not found", file) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"threshold vocabulary is not valid TOML: {exc}", file) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"threshold vocabulary lacks or misspells key {exc}", file) from exc


def _merged(own: list[str], shared: tuple[str, ...], shape: str) -> tuple[str, ...]:
    """``own`` words plus the ``shared`` ones of the given shape (no "%" or "万元/人":
    percent signs and compound units are read by the patterns themselves)."""
    return tuple(dict.fromkeys([*own, *(w for w in shared if re.fullmatch(shape, w))]))


def _alternation(words: Any) -> str:
    """Regex alternation of ``words``, longest first so that "万元" beats "元"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class _Patterns:
    """Regular expressions built once from a :class:`Vocabulary`."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        end = rf"(?=$|[^{_CJK}]|[{re.escape(vocab.unit_followers)}])"
        cjk = rf"(?:{_alternation(vocab.cjk_units)}){end}"
        latin = rf"(?:{_alternation(vocab.latin_units)})(?![A-Za-z\d])"
        single = rf"(?:{cjk}|{latin})"
        unit = rf"(?:[%‰]|{single}(?:/{single})?)"
        quantity = rf"(?P<{{n}}>{_NUMBER})\s*(?P<{{u}}>{unit})?"
        self.quantity = re.compile(quantity.format(n="n", u="u"))
        q_a, q_b = quantity.format(n="a", u="ua"), quantity.format(n="b", u="ub")
        marks = _alternation((*vocab.inclusive_marks, *vocab.exclusive_marks))
        sep = _alternation(vocab.range_separators)
        self.range_tail = re.compile(
            rf"\s*(?P<ma>{marks})?\s*(?:{sep})\s*{q_b}\s*(?P<mb>{marks})?"
        )
        self.interval = re.compile(rf"(?P<la>[\[(])\s*{q_a}\s*[,;]\s*{q_b}\s*(?P<lb>[\])])")
        self.chain = re.compile(
            rf"{q_a}\s*(?P<oa><=|<|>=|>)\s*[^\d<>=]{{1,20}}?\s*(?P<ob><=|<|>=|>)\s*{q_b}"
        )
        self.plus_minus = re.compile(rf"(?:{q_a}\s*)?(?:±|\+/-|\+-)\s*{q_b}")
        ops = {**vocab.symbols, **vocab.prefix_words}
        self.prefix_op = re.compile(rf"(?P<op>{_alternation(ops)})\s*$")
        short_end = rf"(?=$|[^{_CJK}]|[{re.escape(vocab.short_suffix_followers)}])"
        suffixes = "|".join(
            re.escape(w) if len(w) > 1 else re.escape(w) + short_end
            for w in sorted(vocab.suffix_words, key=len, reverse=True)
        )
        self.suffix_op = re.compile(rf"\s*(?P<mark>{marks})?\s*(?P<op>{suffixes})")
        self.joined_prefix = re.compile(
            rf"\s*(?:{_alternation(vocab.joiners)})?\s*(?:{_alternation(ops)})?\s*"
        )
        self.deadline = re.compile(rf"\s*(?:{_alternation(vocab.deadline_suffixes)})")
        self.after = re.compile(rf"\s*(?:{_alternation(vocab.after_suffixes)})")
        # Chinese numerals count something when a unit or an operator word
        # follows ("三天内", "九十分以上") or a comparison word precedes ("不少于三").
        cn_end = rf"(?=$|[^{_CJK}]|[{re.escape(vocab.unit_followers)}{_CN_CHARS}])"
        self.cn_ahead = re.compile(
            rf"\s*(?:[%‰]|(?:{_alternation(vocab.cjk_units)}){cn_end}|{latin}"
            rf"|{_alternation(w for w in vocab.suffix_words if len(w) > 1)}|{marks})"
        )


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    return _Patterns(load_threshold_vocabulary())


# --- Normalisation -----------------------------------------------------------

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")
_SYMBOLS = str.maketrans({"≥": ">=", "≧": ">=", "⩾": ">=", "≤": "<=", "≦": "<=", "⩽": "<=",
                          "−": "-", "﹣": "-"})
# "≥=95%" -> ">=95%"; "> =" -> ">="; "=>" -> ">=".
_DOUBLED_EQ = re.compile(r"([<>])\s*=(?:\s*=)*|=([<>])(?!=)")
# OCR puts a space after the decimal point: "16. 56" -> "16.56".
_DECIMAL_GAP = re.compile(r"(?<=\d\.)\s+(?=\d)")
# Thousands separators: "44,561" -> "44561" (only groups of exactly three digits).
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_AMOUNT = rf"(?<![\d.])\d{{1,15}}(?:\.\d{{1,10}})?(?![\d.])|(?<![{_CN_CHARS}]){_CN_RUN}"
# "百分之九十" -> "90%", "百分之百" -> "100%", "千分之五" -> "5‰".
_PER_WORD = re.compile(rf"(?P<per>百|千)分之\s*(?P<n>{_AMOUNT}|百)")
# "三分之二" -> "2/3".
_FRACTION_WORD = re.compile(rf"(?P<d>{_AMOUNT})分之(?P<n>{_AMOUNT})")
_CN_NUMERAL = re.compile(rf"(?<![{_CN_CHARS}第])({_CN_RUN})(?![{_CN_CHARS}])")
_NEGATIVE_WORD = re.compile(r"负\s*(?=\d)")


# The commonest numerals, one character each ("三个", "一次"): looked up, so that a
# document without longer ones never imports cn2an (a tenth of a second a process).
ONE_CHARACTER_NUMERALS = {
    character: str(value)
    for value, characters in enumerate(("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九", "十"))
    for character in characters
}


@lru_cache(maxsize=4096)
def _cn_number(text: str) -> str | None:
    """"九十五点五" -> "95.5"; None when ``text`` is not a Chinese numeral."""
    if text in ONE_CHARACTER_NUMERALS:
        return ONE_CHARACTER_NUMERALS[text]
    if not text or not text[0].isdigit():
        from cn2an import cn2an  # small converter; imported only when needed

        try:
            number = cn2an(text, "smart")
        except (ValueError, KeyError, IndexError, TypeError):
            return None
    else:
        number = float(text)
    number = float(number)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _convert_numeral(match: re.Match[str], pats: _Patterns) -> str:
    """Digits for a Chinese numeral that counts something, else the text as is."""
    run, start, text = match.group(1), match.start(1), match.string
    candidates = [run[:-1], run] if run[-1] in "万亿" and len(run) > 1 else [run]
    for candidate in candidates:
        end = start + len(candidate)
        ahead = pats.cn_ahead.match(text, end)
        before = pats.prefix_op.search(text[max(0, start - 8) : start])
        if ahead is None and before is None:
            continue
        digits = _cn_number(candidate)
        if digits is not None:
            return digits + run[len(candidate) :]
    return run


def _per_word(match: re.Match[str]) -> str:
    amount = "100" if match.group("n") == "百" else _cn_number(match.group("n"))
    if amount is None:
        return match.group(0)
    return amount + ("%" if match.group("per") == "百" else "‰")


def _fraction_word(match: re.Match[str]) -> str:
    den, num = _cn_number(match.group("d")), _cn_number(match.group("n"))
    return match.group(0) if den is None or num is None else f"{num}/{den}"


def _normalise(text: str) -> str:
    """Return a copy of ``text`` that is easy to match: ASCII digits and symbols."""
    pats = _patterns()
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_SYMBOLS)
    text = _DOUBLED_EQ.sub(lambda m: (m.group(1) or m.group(2)) + "=", text)
    text = _DECIMAL_GAP.sub("", text)
    text = _THOUSANDS.sub("", text)
    text = _PER_WORD.sub(_per_word, text)
    text = _FRACTION_WORD.sub(_fraction_word, text)
    text = _CN_NUMERAL.sub(lambda m: _convert_numeral(m, pats), text)
    return _NEGATIVE_WORD.sub("-", text)


# --- Numbers, units, operators ------------------------------------------------


def _number(text: str) -> float:
    """"-5" -> -5.0, "2/3" -> 0.666…; may be inf for absurdly long digit runs."""
    numerator, _, denominator = text.partition("/")
    value = float(numerator)
    return value / float(denominator) if denominator else value


def _unit(text: str | None, vocab: Vocabulary) -> str | None:
    if not text:
        return None
    return "/".join(vocab.unit_aliases.get(part, part) for part in text.split("/"))


def _mark(text: str | None, vocab: Vocabulary) -> bool | None:
    """True for "(含)", False for "(不含)", None for no mark."""
    if not text:
        return None
    return text in vocab.inclusive_marks


@dataclass
class _Parsed:
    """What the number-reading step found, before grade, raw and column hints."""

    operator: str
    value: float
    upper: float | None = None
    unit: str | None = None
    lower_inclusive: bool | None = None
    upper_inclusive: bool | None = None
    date: str | None = None
    explicit: bool = True  # False: a bare number, "=" only by default


def _range(lo: float, hi: float, unit: str | None, lo_inc: bool | None, hi_inc: bool | None) -> _Parsed:
    """A range with its bounds in order."""
    if lo > hi:
        lo, hi, lo_inc, hi_inc = hi, lo, hi_inc, lo_inc
    return _Parsed("range", lo, hi, unit, lo_inc, hi_inc)


def _condition(text: str, match: re.Match[str], end: int, pats: _Patterns) -> tuple[str, bool, int]:
    """Operator around one quantity: (operator, stated in the text, end of suffix).

    A symbol right before the number wins ("≥90%以上" -> '>='); otherwise a word
    after it ("质量达到80%以下" -> '<=', "90%(不含)以上" -> '>'); otherwise a word
    before it ("不少于12条"); a bare number means equality.
    """
    prefix = pats.prefix_op.search(text[max(0, match.start() - 8) : match.start()])
    suffix = pats.suffix_op.match(text, end)
    vocab = pats.vocab
    if prefix and prefix.group("op") in vocab.symbols:
        return vocab.symbols[prefix.group("op")], True, end
    if suffix:
        op = vocab.suffix_words[suffix.group("op")]
        if _mark(suffix.group("mark"), vocab) is False:
            op = op.rstrip("=")
        return op, True, suffix.end()
    if prefix:
        return vocab.prefix_words[prefix.group("op")], True, end
    return "=", False, end


def _date(text: str, start: int) -> tuple[str, int] | None:
    """ISO date of a calendar date starting at ``start`` and where it ends."""
    match = _DATE.match(text, start)
    if match is None:
        return None
    year, month, day = (int(match.group(k)) if match.group(k) else None for k in ("y", "m", "d"))
    if match.group("iy"):
        year, month, day = int(match.group("iy")), int(match.group("im")), int(match.group("id"))
    if month is not None and not 1 <= month <= 12:
        return None
    if match.group("end"):
        if month is None:
            month = 12
        day = calendar.monthrange(year or 2001, month)[1]
    if day is not None and not 1 <= day <= calendar.monthrange(year or 2000, month or 1)[1]:
        return None
    parts = [f"{year:04d}" if year else "-"]
    parts += [f"{month:02d}"] if month else []
    parts += [f"{day:02d}"] if day else []
    return "-".join(parts), match.end()


_DATE = re.compile(
    r"(?:(?P<iy>(?:19|20)\d\d)([-./])(?P<im>\d{1,2})\2(?P<id>\d{1,2})(?!\d)"
    r"|(?:(?P<y>(?:19|20)\d\d)年)?(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?)?)"
    r"(?P<end>(?<=[年月])[底末])?"
)


def _dated(text: str, match: re.Match[str], pats: _Patterns) -> _Parsed | None:
    """A quantity that is a calendar date: a deadline "by" or a dated value."""
    found = _date(text, match.start())
    if found is None:
        return None
    iso, end = found
    deadline = pats.deadline.match(text, end)
    # A month alone ("3月内") is a count unless a deadline or "after" word follows.
    plain = re.fullmatch(r"--\d\d", iso) and deadline is None and pats.after.match(text, end) is None
    if plain or iso == "-":
        return None
    value, unit = _number(match.group("n")), _unit(match.group("u"), pats.vocab)
    if deadline is not None:
        return _Parsed("by", value, unit=unit, date=iso)
    operator, explicit, _ = _condition(text, match, end, pats)
    return _Parsed(operator, value, unit=unit, date=iso, explicit=explicit)


def _two_conditions(text: str, first: re.Match[str], pats: _Patterns) -> _Parsed:
    """One quantity, or a range when a second joined condition bounds the other side."""
    op, explicit, end = _condition(text, first, first.end(), pats)
    single = _Parsed(op, _number(first.group("n")), unit=_unit(first.group("u"), pats.vocab), explicit=explicit)
    if op not in _LOWER_OPS and op not in _UPPER_OPS:
        return single
    second = pats.quantity.search(text, end)
    if second is None or pats.joined_prefix.fullmatch(text, end, second.start()) is None:
        return single
    unit = _unit(second.group("u"), pats.vocab)
    if unit is not None and single.unit is not None and unit != single.unit:
        return single  # "3天内≥80%": two different quantities, not one range
    op2, _, _ = _condition(text, second, second.end(), pats)
    bounds = {op: single.value, op2: _number(second.group("n"))}
    lower = next((o for o in bounds if o in _LOWER_OPS), None)
    upper = next((o for o in bounds if o in _UPPER_OPS), None)
    if lower is None or upper is None:
        return single
    return _range(bounds[lower], bounds[upper], unit or single.unit, _LOWER_OPS[lower], _UPPER_OPS[upper])


def _from_quantity(text: str, match: re.Match[str], pats: _Patterns) -> _Parsed:
    """Parse from the first plain quantity: date, "a-b" range, or condition(s)."""
    dated = _dated(text, match, pats)
    if dated is not None:
        return dated
    tail = pats.range_tail.match(text, match.end())
    if tail is not None:
        vocab = pats.vocab
        unit = _unit(tail.group("ub"), vocab) or _unit(match.group("u"), vocab)
        return _range(
            _number(match.group("n")), _number(tail.group("b")), unit,
            _mark(tail.group("ma"), vocab), _mark(tail.group("mb"), vocab),
        )
    return _two_conditions(text, match, pats)


def _from_interval(match: re.Match[str], vocab: Vocabulary) -> _Parsed:
    """"[80%,90%)": brackets include their bound, parentheses exclude it."""
    unit = _unit(match.group("ub"), vocab) or _unit(match.group("ua"), vocab)
    return _range(_number(match.group("a")), _number(match.group("b")), unit,
                  match.group("la") == "[", match.group("lb") == "]")


def _from_chain(match: re.Match[str], vocab: Vocabulary) -> _Parsed | None:
    """"80%≤x<90%" (or "90%>x≥80%"); mixed directions are no range."""
    ops = match.group("oa"), match.group("ob")
    unit = _unit(match.group("ub"), vocab) or _unit(match.group("ua"), vocab)
    a, b = _number(match.group("a")), _number(match.group("b"))
    if all(o in _UPPER_OPS for o in ops):
        return _range(a, b, unit, _UPPER_OPS[ops[0]], _UPPER_OPS[ops[1]])
    if all(o in _LOWER_OPS for o in ops):
        return _range(b, a, unit, _LOWER_OPS[ops[1]], _LOWER_OPS[ops[0]])
    return None


def _from_plus_minus(match: re.Match[str], vocab: Vocabulary) -> _Parsed:
    """"±5%" -> [-5, 5]; "100±5" -> [95, 105]."""
    delta = abs(_number(match.group("b")))
    centre = _number(match.group("a")) if match.group("a") else 0.0
    unit = _unit(match.group("ub"), vocab) or _unit(match.group("ua"), vocab)
    return _range(round(centre - delta, 10), round(centre + delta, 10), unit, True, True)


def _read(text: str, pats: _Patterns) -> _Parsed | None:
    """The threshold stated first in normalised ``text``, or None without a number."""
    first = pats.quantity.search(text)
    if first is None:
        return None
    vocab = pats.vocab
    candidates: list[tuple[int, int, _Parsed | None]] = []
    for rank, (pattern, build) in enumerate(
        (
            (pats.interval, _from_interval),
            (pats.chain, _from_chain),
            (pats.plus_minus, _from_plus_minus),
        )
    ):
        match = pattern.search(text)
        if match is not None and match.start() <= first.start():
            candidates.append((match.start(), rank, build(match, vocab)))
    for _, _, parsed in sorted(candidates, key=lambda c: (c[0], c[1])):
        if parsed is not None:
            return parsed
    return _from_quantity(text, first, pats)


def _finite(parsed: _Parsed) -> bool:
    return all(v is None or math.isfinite(v) for v in (parsed.value, parsed.upper))


# --- Column hints -----------------------------------------------------------------


def direction_operator(text: str | None) -> str | None:
    """Operator named by a nature / direction cell: "≥" -> '>=', "正向" -> '>=',
    "反向" -> '<=', "=" -> '='; None for anything else ("定量", "", None)."""
    if not text:
        return None
    vocab = _patterns().vocab
    word = _normalise(text).strip()
    word = re.sub(r"\s+", "", word)
    return vocab.symbols.get(word) or vocab.directions.get(word)


def _unit_hint(text: str | None) -> str | None:
    """A unit column's text as a unit: "万元/人" stays, blanks and "/" or "-" give None."""
    if not text:
        return None
    unit = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return unit if unit.strip("/-—_无") else None


# --- Inline graded standards -------------------------------------------------

# "…的为优" / "…为良好" at the end of a clause; the grade word maps to 优良中差.
_GRADE_WORDS = {
    "优秀": "优", "优": "优", "良好": "良", "良": "良",
    "中等": "中", "中": "中", "较差": "差", "差": "差",
}
_INLINE_GRADE = re.compile(
    r"^(?P<value>[^；;。]*?)(?:的)?为\s*(?P<grade>"
    + "|".join(sorted(_GRADE_WORDS, key=len, reverse=True))
    + r")[\s。；;，,.]*$",
    re.S,
)
# A leading label such as "绩效标准：" or "评价标准:".
_LABEL = re.compile(r"^[^:：\d]*[:：]\s*")
# Clause separators of an inline standard.
_CLAUSE_SEP = re.compile(r"[；;。，]")


def _split_inline_grade(text: str) -> tuple[str | None, str]:
    """Split "90%以上的为优" into ("优", "90%以上"); other text -> (None, text)."""
    match = _INLINE_GRADE.match(text.strip())
    if match is None:
        return None, text
    return _GRADE_WORDS[match.group("grade")], match.group("value").strip()


# --- Public API --------------------------------------------------------------------


def parse_threshold(
    text: str,
    grade: str | None = None,
    *,
    unit: str | None = None,
    operator: str | None = None,
) -> ParsedThreshold:
    """Parse one threshold string.

    ``grade`` is the grade column the cell sits under (优, 良, 中, 差 or 指标值);
    an inline grade in the text itself ("80%-90%的为良") takes precedence.
    ``unit`` is the text of a separate unit column ("%", "万元/人") and
    ``operator`` that of a nature / direction column ("≥", "正向"); each is used
    only when the value cell has a number but states no unit / no comparison.
    Text without a number ("圆满完成", "涉密", "") gives operator, value, upper
    and unit ``None``. ``raw`` is always the original ``text``.
    """
    raw = text if isinstance(text, str) else ""
    return ParsedThreshold(*_parsed_fields(raw, grade, unit, operator))


@lru_cache(maxsize=1 << 14)
def _parsed_fields(raw: str, grade: str | None, unit: str | None, operator: str | None) -> tuple[Any, ...]:
    """The fields of :func:`parse_threshold`'s result, computed once per distinct cell
    (a table repeats its threshold cells, 达标 / ≥95%, down its rows)."""
    parsed = _parse(raw, grade, unit, operator)
    return tuple(getattr(parsed, f.name) for f in fields(parsed))


def _parse(raw: str, grade: str | None, unit: str | None, operator: str | None) -> ParsedThreshold:
    """:func:`parse_threshold` of a text (never cached)."""
    inline_grade, body = _split_inline_grade(raw)
    if inline_grade is not None:
        grade = inline_grade
    pats = _patterns()
    parsed = _read(_normalise(body), pats)
    if parsed is None or not _finite(parsed):
        return ParsedThreshold(grade, None, None, None, None, raw)
    if parsed.unit is None:
        parsed.unit = _unit_hint(unit)
    if not parsed.explicit:
        parsed.operator = direction_operator(operator) or parsed.operator
    return ParsedThreshold(
        grade, parsed.operator, parsed.value, parsed.upper, parsed.unit, raw,
        parsed.lower_inclusive, parsed.upper_inclusive, parsed.date,
    )


def parse_thresholds(
    thresholds: Mapping[str, str],
    *,
    unit: str | None = None,
    operator: str | None = None,
) -> list[ParsedThreshold]:
    """Parse a row's threshold cells, one result per key in the mapping's order.

    Keys are the grade labels as printed in the table header (优, 良, 中, 差 or
    指标值) and become each result's ``grade``; ``unit`` and ``operator`` are the
    row's unit and direction cells, as in :func:`parse_threshold`.
    """
    return [
        parse_threshold(text, grade, unit=unit, operator=operator)
        for grade, text in thresholds.items()
    ]


def split_graded_standard(text: str) -> list[tuple[str, str]]:
    """Split an inline graded standard into (grade, threshold text) pairs.

    "绩效标准：90%以上的为优； 80%-90%的为良。5篇为优" ->
    [("优", "90%以上"), ("良", "80%-90%"), ("优", "5篇")]. Clauses are split on
    ；;。， (full- and half-width); a leading label ending in a colon is dropped
    and clauses that name no grade are skipped.
    """
    pairs: list[tuple[str, str]] = []
    for clause in _CLAUSE_SEP.split(_LABEL.sub("", text.strip(), count=1)):
        grade, value = _split_inline_grade(clause)
        if grade is not None and value:
            pairs.append((grade, value))
    return pairs
