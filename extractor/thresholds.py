"""Parse threshold cells (评价标准 / 指标值) into :class:`ParsedThreshold` records.

A threshold is the target a performance indicator is judged against, e.g.
"≥90%", "效果达到95%及以上", "80%-90%", "≤3.2万元" or plain prose such as
"圆满完成". :func:`parse_threshold` turns one such string into an operator
('>=', '<=', '>', '<', '=', 'range' or ``None``), the first number, the upper
bound of a range and the unit that directly follows the number.
:func:`split_graded_standard` splits inline standards ("90%以上的为优；
80%-90%的为良；...") into (grade, threshold) pairs.

Parsing works on an NFKC-normalised copy of the text (full-width digits and
symbols become ASCII) with OCR noise repaired; ``raw`` always keeps the
original string untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from extractor.datamodel import ParsedThreshold

# --- Normalisation ---------------------------------------------------------

# OCR puts a space after the decimal point: "16. 56" -> "16.56".
_DECIMAL_GAP = re.compile(r"(?<=\d\.)\s+(?=\d)")
# Thousands separators: "1,044" -> "1044" (only groups of exactly three digits).
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "百分之90" -> "90%"; "百分之百" -> "100%".
_PERCENT_WORD = re.compile(r"百分之\s*(\d+(?:\.\d+)?|百)")

# --- Numbers, units and ranges ---------------------------------------------

# A number that does not continue a code such as "A020103" or another number.
_NUMBER = r"(?<![A-Za-z\d.])\d+(?:\.\d+)?"

# CJK units; the pattern tries longer ones first, so "万元" wins over "元".
_CJK_UNITS = (
    "万平方米", "平方米", "个工作日", "工作日", "个月", "万亩", "万元", "亿元",
    "万人", "人次", "场次", "小时", "分钟", "公里", "课时",
    "元", "个", "次", "家", "人", "篇", "天", "日", "月", "年", "场", "条",
    "份", "项", "户", "名", "期", "台", "套", "所", "处", "件", "本", "册",
    "村", "分", "种", "株", "辆", "批", "米", "周",
)
# Units spelled differently from the label we report.
_UNIT_ALIASES = {"个工作日": "工作日", "个月": "月"}

# A CJK unit only counts when the phrase ends there: it must be followed by the
# end, a non-CJK character, or a word that continues a threshold ("5篇为优",
# "3个及以上", "6月底", "10月前"). This rejects "≥70日常运转" and "≥10 次数".
_UNIT_FOLLOWERS = "以及或之内左上下前后底至到的为每多少完达含"
_UNIT = (
    r"(?:[%‰]|(?:"
    + "|".join(sorted(_CJK_UNITS, key=len, reverse=True))
    + rf")(?=$|[^\u4e00-\u9fff]|[{_UNIT_FOLLOWERS}]))"
)

# Characters that join the two ends of a range: "80%-90%", "80%~90%", "80%至90%".
_RANGE_SEP = r"[-~〜—–‐至到]"

# The first quantity in the text: number, optional unit (OCR may insert a space
# before it, "≥1000 条") and, for a range, a second number and unit.
_QUANTITY = re.compile(
    rf"(?P<value>{_NUMBER})\s*(?P<unit>{_UNIT})?"
    rf"(?:\s*{_RANGE_SEP}\s*(?P<upper>{_NUMBER})\s*(?P<unit2>{_UNIT})?)?"
)

# --- Operators ---------------------------------------------------------------

# Comparison symbols that may stand right before the number.
_SYMBOL_OPS = {
    ">=": ">=", "≥": ">=", "≧": ">=", "⩾": ">=",
    "<=": "<=", "≤": "<=", "≦": "<=", "⩽": "<=",
    ">": ">", "<": "<", "=": "=",
}
# Chinese comparison words that may stand right before the number.
_WORD_PREFIX_OPS = {
    "大于等于": ">=", "大于或等于": ">=", "不低于": ">=", "不少于": ">=",
    "不小于": ">=", "达到": ">=",
    "小于等于": "<=", "小于或等于": "<=", "不高于": "<=", "不超过": "<=",
    "不多于": "<=", "不大于": "<=", "控制在": "<=",
    "超过": ">", "高于": ">", "大于": ">", "多于": ">",
    "低于": "<", "少于": "<", "小于": "<", "不足": "<",
}
# Operator (symbol or word) that ends the text before the number.
_PREFIX_OP = re.compile(
    "(?P<op>"
    + "|".join(
        re.escape(op)
        for op in sorted({**_SYMBOL_OPS, **_WORD_PREFIX_OPS}, key=len, reverse=True)
    )
    + r")\s*$"
)
# Chinese words right after number and unit: "90%及以上", "3.2万元以内",
# "10月前" (a deadline), "12月以后". "以上" alone counts as '>=' by convention.
_SUFFIX_OPS = {
    "及以上": ">=", "或以上": ">=", "以上": ">=",
    "以后": ">=", "之后": ">=", "后": ">=",
    "及以下": "<=", "或以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=",
    "内": "<=", "以前": "<=", "之前": "<=", "前": "<=",
}
# The one-character suffixes must end the phrase ("3天内完成", "10月前"), so
# that words such as "内容" or "后备" are not read as operators.
_SHORT_SUFFIX_END = r"(?=$|[^\u4e00-\u9fff]|[完达的为])"
# The suffix may be preceded by "(含)" ("5个（含）以上", already NFKC-normalised).
_SUFFIX_OP = re.compile(
    r"^\s*(?:\(含\)\s*)?(?P<op>"
    + "|".join(
        op if len(op) > 1 else op + _SHORT_SUFFIX_END
        for op in sorted(_SUFFIX_OPS, key=len, reverse=True)
    )
    + ")"
)

# --- Inline graded standards -------------------------------------------------

# "…的为优" / "…为良好" at the end of a clause; the grade word maps to 优良中差.
_GRADE_WORDS = {
    "优秀": "优", "优": "优", "良好": "良", "良": "良",
    "中等": "中", "中": "中", "较差": "差", "差": "差",
}
_INLINE_GRADE = re.compile(
    r"^(?P<value>[^；;。]*?)\s*(?:的)?为\s*(?P<grade>"
    + "|".join(sorted(_GRADE_WORDS, key=len, reverse=True))
    + r")[\s。；;，,.]*$",
    re.S,
)
# A leading label such as "绩效标准：" or "评价标准:".
_LABEL = re.compile(r"^[^:：\d]*[:：]\s*")
# Clause separators of an inline standard.
_CLAUSE_SEP = re.compile(r"[；;。，]")


def _normalise(text: str) -> str:
    """Return a copy of ``text`` that is easy to match: ASCII digits and symbols."""
    text = unicodedata.normalize("NFKC", text)
    text = _DECIMAL_GAP.sub("", text)
    text = _THOUSANDS.sub("", text)
    return _PERCENT_WORD.sub(
        lambda m: ("100" if m.group(1) == "百" else m.group(1)) + "%", text
    )


def _split_inline_grade(text: str) -> tuple[str | None, str]:
    """Split "90%以上的为优" into ("优", "90%以上"); other text -> (None, text)."""
    match = _INLINE_GRADE.match(text.strip())
    if match is None:
        return None, text
    return _GRADE_WORDS[match.group("grade")], match.group("value").strip()


def _operator(before: str, after: str) -> str:
    """Pick the comparison around a number.

    A symbol right before the number wins ("≥90%以上" -> '>='); otherwise a word
    after it ("质量达到80%以下" -> '<='); otherwise a word before it ("不少于12条");
    a bare number means equality.
    """
    prefix = _PREFIX_OP.search(before)
    suffix = _SUFFIX_OP.match(after)
    if prefix and prefix.group("op") in _SYMBOL_OPS:
        return _SYMBOL_OPS[prefix.group("op")]
    if suffix:
        return _SUFFIX_OPS[suffix.group("op")]
    if prefix:
        return _WORD_PREFIX_OPS[prefix.group("op")]
    return "="


def parse_threshold(text: str, grade: str | None = None) -> ParsedThreshold:
    """Parse one threshold string.

    ``grade`` is the grade column the cell sits under (优, 良, 中, 差 or 指标值);
    an inline grade in the text itself ("80%-90%的为良") takes precedence.
    Text without a number ("圆满完成", "涉密", "") gives operator, value, upper
    and unit ``None``. ``raw`` is always the original ``text``.
    """
    raw = text if text is not None else ""
    inline_grade, body = _split_inline_grade(raw)
    if inline_grade is not None:
        grade = inline_grade
    normalised = _normalise(body)
    match = _QUANTITY.search(normalised)
    if match is None:
        return ParsedThreshold(grade, None, None, None, None, raw)

    value = float(match.group("value"))
    unit = match.group("unit")
    upper: float | None = None
    if match.group("upper") is not None:
        operator = "range"
        upper = float(match.group("upper"))
        unit = match.group("unit2") or unit
    else:
        operator = _operator(normalised[: match.start()], normalised[match.end() :])
    unit = _UNIT_ALIASES.get(unit, unit) if unit else None
    return ParsedThreshold(grade, operator, value, upper, unit, raw)


def parse_thresholds(thresholds: Mapping[str, str]) -> list[ParsedThreshold]:
    """Parse a row's threshold cells, one result per key in the mapping's order.

    Keys are the grade labels as printed in the table header (优, 良, 中, 差 or
    指标值) and become each result's ``grade``.
    """
    return [parse_threshold(text, grade) for grade, text in thresholds.items()]


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
