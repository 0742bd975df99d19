"""Features of a row unit: its text (character n-grams, jieba words), its
column header, and its layout (position, enumeration prefix, numbers,
comparison words, neighbours).

Inputs are "unit records": dicts with ``text`` and ``context`` (the snapshot
made by :mod:`extractor.units`), so the same code serves documents and stored
annotations. Everything here is a plain module-level function that needs no
scikit-learn; the scikit-learn featurizer built from them lives in
:mod:`extractor.featurizer`.
"""

from __future__ import annotations

import marshal
import math
import operator
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from extractor.enumeration import ENUMERATIONS
from extractor.text_patterns import COMPARISON, PERCENT
from extractor.vocabulary import load_vocabulary

UnitRecord = Mapping[str, Any]

USER_DICT = Path(__file__).resolve().parent.parent / "configs" / "jieba_userdict.txt"

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
_RANGE = re.compile(r"\d\s*[%％]?\s*[-－~～至]\s*\d")
_GRADE_WORDS = re.compile(r"[优良中差]$|为[优良中差]")
_SENTENCE_END = re.compile(r"[。；;]$")
_NUMERIC_ONLY = re.compile(r"^[\d.,，\s%％万元]+$")
_GRADE_HEADERS = {"优", "良", "中", "差"}


def has_header(record: UnitRecord) -> bool:
    """Whether the unit's table has a header row (inline lists have their keys)."""
    ctx = record["context"]
    return bool(ctx.get("table_headers")) or ctx.get("layout") == "inline"


def without_header(record: UnitRecord) -> dict[str, Any]:
    """The same unit as it would look in a table with no header row."""
    context = {**record["context"], "header": "", "table_headers": [], "is_header_row": False}
    return {"text": record["text"], "context": context}


def unit_text(record: UnitRecord) -> str:
    return str(record["text"])


def header_text(record: UnitRecord) -> str:
    """Column header, or the inline-list key, marked so it never mixes with text."""
    header = record["context"].get("header") or "∅"
    return header


ROLE_SEPARATOR = "\u0001"  # between a column role and a text (role_texts_of)
ROLE_TAG = ":"  # between a role and an n-gram (role_char_ngrams)


def neighbour_text(record: UnitRecord) -> str:
    ctx = record["context"]
    return f"{ctx.get('left', '')}\u0001{ctx.get('right', '')}"


def column_role(record: UnitRecord) -> str:
    """The unit's column role: chosen by the column-role model when the unit was
    made, else (older annotations) the role the vocabulary gives its header."""
    ctx = record["context"]
    role = ctx.get("column_role")
    if role:
        return str(role)
    return _header_role(str(ctx.get("header", "")))


@lru_cache(maxsize=4096)
def _header_role(header: str) -> str:
    return load_vocabulary().header_role(header)[0] or "none"


@lru_cache(maxsize=65536)
def _form_key(text: str) -> str | None:
    return load_vocabulary().form_key(text) if text.strip() else None


def left_label_role(record: UnitRecord) -> str:
    """Form key of the nearest key cell to the left ("项目名称 | 车辆保险费")."""
    ctx = record["context"]
    col = int(ctx.get("col", 0))
    for text in reversed((ctx.get("row_texts") or [])[:col]):
        key = _form_key(str(text))
        if key:
            return key
    return "none"


def role_tokens(record: UnitRecord) -> str:
    """Column role, the left label's role, and layout, as tokens.

    Roles generalise across templates (三级指标 and 绩效指标 both name indicators).
    """
    return _role_tokens(record, left_label_role(record))


def _role_tokens(record: UnitRecord, left_label: str) -> str:
    role = column_role(record)
    kind = "headerrow" if record["context"].get("is_header_row") else "body"
    return f"role={role} leftlabel={left_label} {kind} role_{kind}={role}"


@lru_cache(maxsize=1)
def jieba_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    load_prefix_dictionary(tokenizer)
    if USER_DICT.exists():
        tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


def load_prefix_dictionary(tokenizer: Any) -> None:
    """Initialise a jieba tokenizer of the default dictionary from jieba's own cache file,
    read whole and decoded with ``marshal.loads``: jieba's ``marshal.load`` on the open
    file takes three to four times as long (about a second per process). Without a cache
    file (or with another dictionary) jieba initialises itself and writes the cache."""
    import jieba

    cache = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    if tokenizer.dictionary == jieba.DEFAULT_DICT and not tokenizer.cache_file and cache.is_file():
        try:
            tokenizer.FREQ, tokenizer.total = marshal.loads(cache.read_bytes())
            tokenizer.initialized = True
            return
        except (OSError, EOFError, ValueError, TypeError):
            pass  # a damaged cache: jieba rebuilds it
    tokenizer.initialize()


def jieba_words(text: str) -> list[str]:
    """jieba tokens (budget-term user dictionary loaded), digits collapsed to 0."""
    return list(_cached_words(text))


@lru_cache(maxsize=65536)
def _cached_words(text: str) -> tuple[str, ...]:
    # Table cells repeat a lot ("≥80%", "90%及以上"): tokenise each text once.
    return tuple(_DIGIT.sub("0", w) for w in jieba_tokenizer().lcut(text) if w.strip())


def _shape(text: str) -> list[float]:
    """Shape of one text: enumeration, numbers, comparisons, length."""
    return list(_cached_shape(text))


@lru_cache(maxsize=65536)
def _cached_shape(text: str) -> tuple[float, ...]:
    # A text is shaped once, not again as each neighbour's neighbour.
    stripped = text.strip()
    enum = [float(bool(p.match(stripped))) for p in ENUMERATIONS.values()]
    return (
        *enum,
        float(bool(_NUMBER.search(stripped))),
        float(bool(PERCENT.search(stripped))),
        float(bool(COMPARISON.search(stripped))),
        float(bool(_RANGE.search(stripped))),
        float(bool(_GRADE_WORDS.search(stripped))),
        float(bool(_SENTENCE_END.search(stripped))),
        float(bool(_NUMERIC_ONLY.match(stripped))),
        math.log1p(len(stripped)) / 5.0,
        float("\n" in stripped),
    )


@lru_cache(maxsize=65536)
def _is_target_like(text: str) -> bool:
    return bool(PERCENT.search(text) or COMPARISON.search(text) or _NUMERIC_ONLY.match(text.strip() or "x"))


def layout_vector(record: UnitRecord) -> list[float]:
    """Numeric layout features of one unit (no fixed column positions alone)."""
    ctx = record["context"]
    text = unit_text(record)
    row_texts: Sequence[str] = ctx.get("row_texts") or [text]
    col = int(ctx.get("col", 0))
    n_cols = max(1, int(ctx.get("n_cols", len(row_texts))))
    filled = [k for k, t in enumerate(row_texts) if str(t).strip()]
    rank = filled.index(col) if col in filled else 0
    header = str(ctx.get("header", ""))
    targets_right = sum(_is_target_like(str(t)) for t in row_texts[col + 1 :] if str(t).strip())
    return [
        *_shape(text),
        *(_shape(str(ctx.get("left", "")))[5:9]),
        *(_shape(str(ctx.get("right", "")))[5:9]),
        col / n_cols,
        float(col == 0),
        float(col == n_cols - 1),
        min(col, 8) / 8.0,
        min(n_cols, 16) / 16.0,
        rank / max(1, len(filled)),
        float(rank == 0),
        float(rank == len(filled) - 1),
        len(filled) / n_cols,
        min(targets_right, 6) / 6.0,
        float(int(ctx.get("row", 0)) / max(1, int(ctx.get("n_rows", 1)))),
        float(bool(ctx.get("is_header_row"))),
        float(header in _GRADE_HEADERS),
        float(not header),
        float(str(ctx.get("above", "")).strip() == text.strip()),
        float(bool(str(ctx.get("left", "")).strip())),
        float(left_label_role(record) == "activity"),
    ]


def layout_width() -> int:
    """How many numbers :func:`layout_vector` gives per unit."""
    return len(layout_vector({"text": "", "context": {}}))


class _Rows:
    """The table rows (``row_texts`` objects) of some records, each distinct row read once.

    The cells of the distinct rows lie in one flat array, each row followed
    by one empty cell, so that a column at or past a row's end reads that cell.
    """

    def __init__(self, rows: Sequence[Sequence[Any]], col: np.ndarray) -> None:
        distinct = dict(zip(map(id, rows), rows, strict=True))  # the caller holds every row, so no id is reused
        number = {key: k for k, key in enumerate(distinct)}
        of = np.fromiter(map(number.__getitem__, map(id, rows)), dtype=np.intp, count=len(rows))
        sizes = np.array([len(r) for r in distinct.values()], dtype=np.int64)
        self.first = np.cumsum(sizes + 1) - (sizes + 1)  # each distinct row's first cell
        self.cells = [str(t) for row in distinct.values() for t in (*row, "")]
        self.row = np.repeat(np.arange(len(sizes)), sizes + 1)  # the distinct row of each cell
        self.of, self.col, self.size = of, col, sizes[of]

    def cell(self, end: np.ndarray) -> np.ndarray:
        """The cell at ``len(row[:end])`` in each record's row (its first cell not in ``row[:end]``)."""
        return self.first[self.of] + np.where(end >= 0, np.minimum(end, self.size), np.maximum(0, self.size + end))

    def total(self, counted: np.ndarray) -> np.ndarray:
        """How many ``counted`` cells each record's row has."""
        return np.bincount(self.row, weights=counted, minlength=len(self.first)).astype(np.int64)[self.of]

    def before(self, counted: np.ndarray) -> np.ndarray:
        """How many ``counted`` cells lie left of each cell in its row."""
        total = np.cumsum(counted) - counted
        return total - total[self.first][self.row]

    def left_labels(self) -> np.ndarray:
        """:func:`left_label_role` of each record: the form key of the nearest key cell left of its column."""
        keys = np.array([_form_key(t) or "" for t in self.cells], dtype=object)
        where = np.where(keys != "", np.arange(len(keys)), -1)
        nearest = np.maximum.accumulate(np.concatenate([[-1], where]))[self.cell(self.col)]  # the last key cell before
        own = nearest >= self.first[self.of]
        return np.where(own, keys[np.maximum(nearest, 0)], "none")

    def layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rank of the column among its row's filled cells, the row's filled cells, filled target-like cells right of it)."""
        filled = np.array([bool(t.strip()) for t in self.cells])
        target = filled & np.array([_is_target_like(t) for t in self.cells])
        at = self.cell(self.col)
        rank = np.where(filled[at] & (self.col >= 0), self.before(filled)[at], 0)
        return rank, self.total(filled), self.total(target) - self.before(target)[self.cell(self.col + 1)]


def left_label_roles(records: Sequence[UnitRecord]) -> list[str]:
    """:func:`left_label_role` of each record, each table row (one ``row_texts`` list) read once."""
    contexts = [r["context"] for r in records]
    col = _ints([c.get("col", 0) for c in contexts])
    return _Rows([c.get("row_texts") or () for c in contexts], col).left_labels().tolist()


def _shapes(texts: Sequence[str]) -> np.ndarray:
    """:func:`_shape` of each text, each distinct text shaped once."""
    index: dict[str, int] = {}
    at = [index.setdefault(t, len(index)) for t in texts]
    width = len(_cached_shape(""))
    shapes = np.fromiter(chain.from_iterable(map(_cached_shape, index)), dtype=np.float64, count=width * len(index))
    return shapes.reshape(len(index), width)[np.asarray(at, dtype=np.intp)]


_ABSENT = object()  # a context key a record lacks
# The context fields layout_vector reads, with their defaults.
_LAYOUT_KEYS = {"col": 0, "n_cols": _ABSENT, "row": 0, "n_rows": 1, "is_header_row": None,
                "header": "", "left": "", "right": "", "above": "", "row_texts": None}


def _layout_fields(records: Sequence[UnitRecord]) -> list[tuple[Any, ...]]:
    """The fields of ``_LAYOUT_KEYS`` of every record's context, one tuple per field (its default where a context lacks it)."""
    contexts = list(map(operator.itemgetter("context"), records))
    try:
        fields = list(map(operator.itemgetter(*_LAYOUT_KEYS), contexts))  # units hold every key
    except KeyError:
        fields = [tuple(c.get(key, default) for key, default in _LAYOUT_KEYS.items()) for c in contexts]
    return list(zip(*fields, strict=True))


def _ints(values: Sequence[Any]) -> np.ndarray:
    return np.fromiter(map(int, values), dtype=np.int64, count=len(values))


def _flags(values: Iterable[Any]) -> np.ndarray:
    return np.fromiter(map(bool, values), dtype=bool)


def layout_array(records: Sequence[UnitRecord]) -> np.ndarray:
    """:func:`layout_vector` of each record, as the rows of one array.

    Each distinct text is shaped once and each table row (one ``row_texts``
    list) is counted once; the rest is arithmetic on whole columns.
    """
    n = len(records)
    if not n:
        return np.zeros((0, layout_width()))
    texts = texts_of(records)
    col, n_cols, row, n_rows, header_row, headers, lefts, rights, aboves, row_texts = _layout_fields(records)
    headers, lefts, rights = list(map(str, headers)), list(map(str, lefts)), list(map(str, rights))
    rows = [r or [t] for r, t in zip(row_texts, texts, strict=True)]
    col = _ints(col)
    n_cols = np.maximum(1, _ints([len(r) if k is _ABSENT else k for k, r in zip(n_cols, rows, strict=True)]))
    cells = _Rows(rows, col)
    rank, filled, targets = cells.layout()
    flags = [
        _flags(header_row),
        _flags(h in _GRADE_HEADERS for h in headers),
        _flags(not h for h in headers),
        _flags(str(a).strip() == t.strip() for a, t in zip(aboves, texts, strict=True)),
        _flags(map(str.strip, lefts)),
    ]
    own_row = _flags(row_texts)  # else [text] stands in for the row, but not for the left label
    shapes = _shapes(texts + lefts + rights)
    columns = [
        col / n_cols,
        col == 0,
        col == n_cols - 1,
        np.minimum(col, 8) / 8.0,
        np.minimum(n_cols, 16) / 16.0,
        rank / np.maximum(1, filled),
        rank == 0,
        rank == filled - 1,
        filled / n_cols,
        np.minimum(targets, 6) / 6.0,
        _ints(row) / np.maximum(1, _ints(n_rows)),
        *flags,
        own_row & (cells.left_labels() == "activity"),
    ]
    out = np.empty((n, layout_width()))
    out[:, :14], out[:, 14:18], out[:, 18:22] = shapes[:n], shapes[n : 2 * n, 5:9], shapes[2 * n :, 5:9]
    for k, column in enumerate(columns, start=22):
        out[:, k] = column
    return out


def layout_matrix(records: Sequence[UnitRecord]) -> Any:
    """The layout vectors as a SciPy sparse matrix (for the scikit-learn featurizer; SciPy is imported here only)."""
    from scipy import sparse

    return sparse.csr_matrix(np.array([layout_vector(r) for r in records], dtype=np.float64))


def texts_of(records: Sequence[UnitRecord]) -> list[str]:
    return [unit_text(r) for r in records]


def headers_of(records: Sequence[UnitRecord]) -> list[str]:
    return [header_text(r) for r in records]


def neighbours_of(records: Sequence[UnitRecord]) -> list[str]:
    return [neighbour_text(r) for r in records]


def roles_of(records: Sequence[UnitRecord]) -> list[str]:
    """:func:`role_tokens` of each record, each table row's left labels found once."""
    return [_role_tokens(r, left) for r, left in zip(records, left_label_roles(records), strict=True)]


def role_texts_of(records: Sequence[UnitRecord]) -> list[str]:
    """Each unit's text behind its column role, for role-conditioned n-grams."""
    out = []
    for record in records:
        out.append(f"{column_role(record)}{ROLE_SEPARATOR}{unit_text(record)}")
    return out


def role_char_ngrams(doc: str) -> list[str]:
    """Character 1-2-grams tagged with the column role ("target:提高").

    The same words mean different things in different columns ("提高效率" is a
    target value under 指标值 and a justification under 指标值确定依据); these
    features let the model learn that instead of voting on the words alone.
    """
    role, text = doc.split(ROLE_SEPARATOR, 1)
    text = "".join(text.split())
    return list(map(f"{role}{ROLE_TAG}".__add__, chain(text, map(operator.add, text, text[1:]))))


def __getattr__(name: str) -> Any:
    # The scikit-learn featurizer moved to extractor.featurizer (imported on use).
    if name in ("UnitFeaturizer", "make_featurizer"):
        from extractor import featurizer

        return getattr(featurizer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
