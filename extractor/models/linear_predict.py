"""The row classifier's prediction from its saved arrays, with numpy alone.

Extraction uses this instead of rebuilding scikit-learn pipelines, so an
``extract`` process never imports scikit-learn or SciPy (over a second and
about 100 MiB each). The features are computed as the stored description
says (analyser, n-gram range, lower-casing, sublinear tf, idf, norm, branch
weight) and the probabilities are the logistic regression's. A record's
scores are the intercept plus each branch's share, and a text branch's
share depends on one text only, so it is computed once per distinct text and
kept (:class:`TextScores`); each share is added left to right from 0.0, so a
record's scores do not depend on the batch or on what came before. They are
scikit-learn's products added in another order: the probabilities agree with
the pipeline's within about 1e-15 (``tests/test_numpy_predict.py``).

A description may name only the feature functions of :mod:`extractor.features`
listed below and vectoriser settings this module computes; anything else is
a :class:`ModelLoadError` (E202), so a model file still holds no code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add
from pathlib import Path
from threading import Lock
from typing import Any
from weakref import WeakSet

import numpy as np

from extractor import features
from extractor.errors import ModelLoadError
from extractor.features import UnitRecord
from extractor.models.linear_arrays import Arrays, array_entry, check_linear, read_arrays, text_entry, vocabulary_entry
from extractor.sparse_rows import entry_rows, sum_of_squares

# The code a description may name, by role.
_SELECTORS = ("texts_of", "headers_of", "neighbours_of", "roles_of", "role_texts_of")
_TOKENIZERS = ("jieba_words",)
_ANALYZERS = ("role_char_ngrams",)
_LAYOUTS = {"layout_matrix": "layout_array"}  # the matrix function -> the same numbers as a numpy array
# Vectoriser settings with one value only here (others change the features).
_FIXED = {"binary": False, "dtype": "numpy.float64", "input": "content", "preprocessor": None, "stop_words": None, "strip_accents": None}
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyser turns these into one space


def _function(name: Any, allowed: Sequence[str]) -> Callable[..., Any]:
    """The function of :mod:`extractor.features` a description names, if it is one of ``allowed``."""
    module, _, attr = str(name).rpartition(".")
    if module != features.__name__ or attr not in allowed:
        raise ValueError(f"{name!r} is none of the feature functions {list(allowed)}")
    return getattr(features, attr)


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams as scikit-learn's ``analyzer="char"`` makes them (shortest first, left to right)."""
    text = _WHITE_SPACES.sub(" ", text)
    out: list[str] = []
    grams = list(text)
    for n in range(1, min(high, len(text)) + 1):
        if n > 1:  # each (n-1)-gram but the last, with the character that follows it
            grams = list(map(add, grams[:-1], text[n - 1 :]))
        if n >= low:
            out += grams
    return out


def word_ngrams(tokens: Sequence[str], low: int, high: int) -> list[str]:
    """Word n-grams (space-joined) as scikit-learn's ``analyzer="word"`` makes them."""
    if low == high == 1:
        return list(tokens)  # each joined alone is itself
    return [" ".join(tokens[i : i + n]) for n in range(low, min(high, len(tokens)) + 1) for i in range(len(tokens) - n + 1)]


def analyzer(params: Mapping[str, Any]) -> Callable[[str], list[str]]:
    """The terms of one text, as a ``TfidfVectorizer`` with ``params`` finds them."""
    if params["analyzer"] not in ("char", "word"):
        return _function(params["analyzer"], _ANALYZERS)  # a callable analyser gets the text as it is
    low, high = (int(n) for n in params["ngram_range"])
    lower = bool(params["lowercase"])
    if params["analyzer"] == "char":
        return lambda text: char_ngrams(text.lower() if lower else text, low, high)
    if params["tokenizer"] is not None:
        tokenize = _function(params["tokenizer"], _TOKENIZERS)
    else:
        pattern = re.compile(params["token_pattern"])
        if pattern.groups > 1:
            raise ValueError(f"token pattern {pattern.pattern!r} has more than one group")
        tokenize = pattern.findall
    return lambda text: word_ngrams(tokenize(text.lower() if lower else text), low, high)


class TextScores:
    """A text branch's share of the scores for each text seen, up to ``limit`` texts (then it
    starts afresh). One lock around each call: a model shared by threads stays right."""

    def __init__(self, width: int, limit: int = 1 << 14) -> None:
        self.width, self.limit = width, limit
        self.index: dict[str, int] = {}
        self.values = np.zeros((0, width))
        self._lock = Lock()
        _ALL_SCORES.add(self)

    def shares(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """The share of each of ``texts``, one row each; ``compute(new)`` gives those of texts not kept yet."""
        with self._lock:
            new = self._missing(texts)
            if new:
                self._add(new, compute(new))
            return self.values[np.fromiter(map(self.index.__getitem__, texts), dtype=np.intp, count=len(texts))]

    def clear(self) -> None:
        with self._lock:
            self.index = {}

    def _missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct ``texts`` without a share yet, in first-seen order (all of them, kept
        afresh, when they would pass the limit)."""
        new = [t for t in dict.fromkeys(texts) if t not in self.index]
        if len(self.index) + len(new) > self.limit:
            self.index = {}
            new = list(dict.fromkeys(texts))
        return new

    def _add(self, texts: Sequence[str], values: np.ndarray) -> None:
        start = len(self.index)
        if start + len(texts) > len(self.values):  # room for the limit, or for one call's texts past it
            grown = np.zeros((max(self.limit, start + len(texts)), self.width))
            grown[:start] = self.values[:start]
            self.values = grown
        self.values[start : start + len(texts)] = values
        self.index.update(zip(texts, range(start, start + len(texts))))


_ALL_SCORES: WeakSet[TextScores] = WeakSet()


def clear_score_caches() -> None:
    """Forget every text's share of the scores (the benchmark's run without per-text caches)."""
    for cache in list(_ALL_SCORES):
        cache.clear()


@dataclass
class TextBranch:
    """A selector and a TF-IDF vectoriser with its stored vocabulary and idf."""

    select: Callable[[Sequence[UnitRecord]], list[str]]
    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray | None
    sublinear_tf: bool
    norm: str | None
    width: int

    def scores(self, records: Sequence[UnitRecord], weights: np.ndarray, weight: float | None, cache: TextScores) -> np.ndarray:
        """Each record's share of the linear scores (one column per row of ``weights``, this branch's
        coefficients), each distinct text's computed once and kept in ``cache``."""
        def compute(texts: list[str]) -> np.ndarray:
            starts, columns, data = self.vectorise(texts)
            if weight is not None:
                data = data * weight
            values = np.zeros((len(texts), len(weights)))
            if len(data):  # bincount of no weights gives integers
                rows = entry_rows(np.diff(starts))
                for c, coefficients in enumerate(weights):
                    values[:, c] = np.bincount(rows, weights=data * coefficients[columns], minlength=len(texts))
            return values

        return cache.shares(self.select(records), compute)

    def term_rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text, column) of each vocabulary term of ``texts``, the terms of each text looked up in turn."""
        known = self.vocabulary.get
        terms: list[int] = []
        sizes = []
        for text in texts:
            before = len(terms)
            terms += map(known, self.analyze(text), repeat(-1))  # -1: a term outside the vocabulary
            sizes.append(len(terms) - before)
        found = np.asarray(terms, dtype=np.int64)
        keep = found >= 0
        return np.repeat(np.arange(len(texts), dtype=np.int64), sizes)[keep], found[keep]

    def vectorise(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, indices, data) of ``texts``: counts, sublinear tf, idf, row norm."""
        return self.weigh(*self.term_counts(texts))

    def weigh(self, starts: np.ndarray, columns: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, indices, data) from term counts: sublinear tf, idf, row norm."""
        data = counts.astype(np.float64)
        if self.sublinear_tf:
            data = np.log(data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[columns]
        if self.norm == "l2":
            lengths = np.diff(starts)
            norms = np.sqrt(sum_of_squares(starts[:-1], lengths, data))
            norms[norms == 0.0] = 1.0
            data /= np.repeat(norms, lengths)
        return starts, columns, data

    def term_counts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, indices, counts) of the vocabulary terms of ``texts``, columns ascending in each row."""
        return self.count(*self.term_rows(texts), len(texts))

    def count(self, rows: np.ndarray, columns: np.ndarray, n_texts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, indices, counts) of the terms found by :meth:`term_rows`.

        Counting and ordering them is one ``numpy.unique`` over (text, column) for all the texts.
        """
        keys, counts = np.unique(rows * self.width + columns, return_counts=True)
        starts = np.zeros(n_texts + 1, dtype=np.intp)
        np.cumsum(np.bincount(keys // self.width, minlength=n_texts), out=starts[1:])
        return starts, (keys % self.width).astype(np.intp), counts


_BITS = 21  # bits of a code point: three make one int64


def _code_points(text: str) -> np.ndarray | None:
    """The code points of ``text`` (lone surrogates too), or None where they cannot be read one per character."""
    data = text.encode("utf-32-le", "surrogatepass")
    return np.frombuffer(data, dtype=np.uint32).astype(np.int64) if len(data) == 4 * len(text) else None


def gram_codes(texts: Sequence[str], low: int, high: int) -> list[tuple[int, np.ndarray, np.ndarray]] | None:
    """(n, text, code) of every character n-gram of ``texts``, ``low <= n <= high <= 3``, as :func:`char_ngrams` makes them.

    An n-gram's code is its code points side by side (``_BITS`` each); None
    where the texts' code points cannot be read (see :func:`_code_points`).
    """
    points = _code_points("".join(texts))
    if points is None:
        return None
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    room = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(points))  # characters from each on, in its text
    out = []
    codes = points
    for n in range(1, high + 1):
        if n > 1:
            codes = (codes[:-1] << _BITS) | points[n - 1 :]
        if n >= low:
            whole = room[: len(codes)] >= n
            out.append((n, text[: len(codes)][whole], codes[whole]))
    return out


class GramTable:
    """The 1- to 3-character terms of a vocabulary by their codes (:func:`gram_codes`): characters by
    code point in one array, longer terms sorted for ``numpy.searchsorted``."""

    def __init__(self, vocabulary: Mapping[str, int], high: int) -> None:
        self.codes: dict[int, np.ndarray] = {}
        self.columns: dict[int, np.ndarray] = {}
        for n in range(1, high + 1):
            terms = [term for term in vocabulary if len(term) == n]
            found = gram_codes(terms, n, n)
            if found is None:
                raise ValueError(f"a {n}-character term of the vocabulary has no code")
            order = np.argsort(found[0][2], kind="stable")
            self.codes[n] = found[0][2][order]
            self.columns[n] = np.array([vocabulary[t] for t in terms], dtype=np.int64)[order]
        self.by_point = np.full(int(self.codes[1].max(initial=-1)) + 1, -1, dtype=np.int64)  # column of each character, or -1
        self.by_point[self.codes[1]] = self.columns[1]

    def find(self, texts: Sequence[str], low: int, high: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(text, column) of each n-gram of ``texts`` in the vocabulary; None where :func:`gram_codes` gives none."""
        grams = gram_codes(texts, low, high)
        if grams is None:
            return None
        rows, columns = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for n, text, codes in grams:
            which, found = self._characters(codes) if n == 1 else self._search(n, codes)
            rows.append(text[which])
            columns.append(found)
        return np.concatenate(rows), np.concatenate(columns)

    def _characters(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which codes are known characters, their columns)."""
        inside = codes < len(self.by_point)
        found = np.where(inside, self.by_point[np.where(inside, codes, 0)], -1) if len(self.by_point) else np.full(len(codes), -1)
        which = np.flatnonzero(found >= 0)
        return which, found[which]

    def _search(self, n: int, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which codes are known ``n``-grams, their columns)."""
        known = self.codes[n]
        if not len(known):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        order = np.argsort(codes)  # sorted keys search several times faster
        at = np.minimum(np.searchsorted(known, codes[order]), len(known) - 1)
        hit = known[at] == codes[order]
        return order[hit], self.columns[n][at[hit]]


@dataclass
class CharBranch(TextBranch):
    """A character n-gram branch (n up to 3) looking its n-grams up as integer codes, all texts at once."""

    low: int = 1
    high: int = 1
    lower: bool = False
    table: GramTable = field(init=False)

    def __post_init__(self) -> None:
        self.table = GramTable(self.vocabulary, self.high)

    def term_rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        found = self.table.find(as_analysed(texts, self.lower), self.low, self.high)
        return found if found is not None else TextBranch.term_rows(self, texts)


# Between texts: not whitespace, and neither cased nor case-ignorable, so that
# no whitespace run and no final-sigma context of lower-casing reaches across it.
_APART = "\x00"


def as_analysed(texts: Sequence[str], lower: bool) -> list[str]:
    """``texts`` lower-cased (with ``lower``) and each whitespace run made one space, as the char analyser sees them.

    Done on all the texts joined at once unless a text holds the joint.
    """
    joined = _APART.join(texts)
    if joined.count(_APART) != max(len(texts) - 1, 0):
        return [_WHITE_SPACES.sub(" ", t.lower() if lower else t) for t in texts]
    return _WHITE_SPACES.sub(" ", joined.lower() if lower else joined).split(_APART) if texts else []


@dataclass
class RoleTextBranch(TextBranch):
    """``role_texts_of`` with ``role_char_ngrams``: each role's texts looked up at once in that role's terms (their tags cut)."""

    by_role: dict[str, GramTable] = field(default_factory=dict)

    def term_rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        roles: dict[str, list[int]] = {}
        plain = []
        for k, doc in enumerate(texts):
            role, text = doc.split(features.ROLE_SEPARATOR, 1)
            roles.setdefault(role, []).append(k)
            plain.append("".join(text.split()))
        rows, columns = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for role, which in roles.items():
            table = self.by_role.get(role) or self.by_role.setdefault(role, GramTable(self._terms_of(role), 2))
            found = table.find([plain[k] for k in which], 1, 2)
            if found is None:
                return TextBranch.term_rows(self, texts)
            rows.append(np.asarray(which, dtype=np.int64)[found[0]])
            columns.append(found[1])
        return np.concatenate(rows), np.concatenate(columns)

    def _terms_of(self, role: str) -> dict[str, int]:
        """The vocabulary's terms of ``role`` without their ``role:`` tag."""
        tag = f"{role}{features.ROLE_TAG}"
        return {term[len(tag) :]: column for term, column in self.vocabulary.items() if term.startswith(tag)}


@dataclass
class LayoutBranch:
    """Numbers per record (a feature function of :mod:`extractor.features` giving an array)."""

    matrix: Callable[[Sequence[UnitRecord]], np.ndarray]
    width: int

    def scores(self, records: Sequence[UnitRecord], weights: np.ndarray, weight: float | None) -> np.ndarray:
        """Each record's share of the linear scores (one column per row of ``weights``)."""
        values = self.matrix(records).reshape(len(records), self.width)
        if weight is not None:
            values = values * weight
        out = np.zeros((len(records), len(weights)))
        for k in range(self.width):  # left to right, each record alone (a matrix product's order depends on the batch)
            out += values[:, k : k + 1] * weights[:, k]
        return out


Branch = TextBranch | LayoutBranch


class LinearTextModel:
    """One saved pipeline (features, then logistic regression) predicting with numpy.

    Has ``classes_`` and ``predict_proba`` like the scikit-learn pipeline it
    was saved from, and saves back to the same arrays (:meth:`to_arrays`).
    """

    def __init__(self, branches: list[tuple[Branch, float | None]], coef: np.ndarray, intercept: np.ndarray,
                 classes: np.ndarray, arrays: dict[str, np.ndarray]) -> None:
        self.branches = branches
        self.weights = np.ascontiguousarray(coef)  # one row per score column
        self.intercept = intercept
        self.classes_ = classes
        self.arrays = arrays
        self._caches = [TextScores(len(coef)) if isinstance(b, TextBranch) else None for b, _ in branches]

    @classmethod
    def from_arrays(cls, arrays: Arrays, prefix: str, path: Path) -> LinearTextModel:
        """The model saved under ``prefix/`` in ``arrays`` (read from ``path``)."""
        description = text_entry(arrays, f"{prefix}/features", path)
        try:
            branches = _branches(json.loads(description), arrays, prefix, path)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ModelLoadError(f"the {prefix} model was made with a different feature set than this code reads: {exc}", path) from exc
        coef, intercept, classes = check_linear(arrays, prefix, sum(b.width for b, _ in branches), path)
        if f"{prefix}/C" in arrays:
            array_entry(arrays, f"{prefix}/C", "f", 0, path)
        own = {key[len(prefix) + 1 :]: value for key, value in arrays.items() if key.startswith(f"{prefix}/")}
        return cls(branches, coef, intercept, classes, own)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays this model was loaded from, under ``prefix/``."""
        return {f"{prefix}/{key}": value for key, value in self.arrays.items()}

    def decision_function(self, records: Sequence[UnitRecord]) -> np.ndarray:
        """Linear scores, one column per row of the coefficients: the intercept plus each branch's share.

        A text branch's share of a record is a function of one text (its cell,
        header, neighbours...): it is computed once per distinct text and kept
        (:class:`TextScores`), so it is the same number whichever documents
        came before. The sum differs from scikit-learn's one sparse product
        only in the order of the additions (within about 1e-15).
        """
        scores = np.zeros((len(records), len(self.weights)))
        offset = 0
        for (branch, weight), cache in zip(self.branches, self._caches, strict=True):
            weights = self.weights[:, offset : offset + branch.width]
            scores += branch.scores(records, weights, weight, cache) if cache is not None else branch.scores(records, weights, weight)
            offset += branch.width
        return scores + self.intercept

    def predict_proba(self, records: Sequence[UnitRecord]) -> np.ndarray:
        """Probabilities in ``classes_`` order, as ``LogisticRegression.predict_proba`` gives them."""
        scores = self.decision_function(records)
        if len(self.classes_) <= 2:  # one-vs-rest logistic (equal to SciPy's expit within a rounding)
            right = 1.0 / (1.0 + np.exp(-scores))
            if right.shape[1] == 1:
                return np.hstack([1 - right, right])
            return right / right.sum(axis=1, keepdims=True)
        scores -= scores.max(axis=1).reshape((-1, 1))
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1).reshape((-1, 1))
        return scores


def _branches(spec: Mapping[str, Any], arrays: Arrays, prefix: str, path: Path) -> list[tuple[Branch, float | None]]:
    """The branches a stored description names, with their weights."""
    weights = spec.get("weights") or {}
    out: list[tuple[Branch, float | None]] = []
    for name, steps in spec["branches"]:
        weight = None if weights.get(name) is None else float(weights[name])
        out.append((_branch(name, steps, arrays, prefix, path), weight))
    if not out:
        raise ValueError("no feature branches")
    return out


def _branch(name: str, steps: Sequence[Any], arrays: Arrays, prefix: str, path: Path) -> Branch:
    kinds = [kind for _step, kind, _params in steps]
    if kinds == ["FunctionTransformer"] and _plain_function(steps[0][2]):
        matrix = _function(steps[0][2]["func"], tuple(_LAYOUTS))
        return LayoutBranch(getattr(features, _LAYOUTS[matrix.__name__]), features.layout_width())
    if kinds != ["FunctionTransformer", "TfidfVectorizer"] or not _plain_function(steps[0][2]):
        raise ValueError(f"branch {name} is {kinds}, not a selector and a TF-IDF vectoriser")
    params = steps[1][2]
    changed = {key: params.get(key) for key, value in _FIXED.items() if params.get(key) != value}
    if changed or params["norm"] not in ("l2", None):
        raise ValueError(f"branch {name} has settings this code does not compute: {changed or {'norm': params['norm']}}")
    vocabulary, idf = vocabulary_entry(arrays, prefix, name, bool(params["use_idf"]), path)
    plain = TextBranch(_function(steps[0][2]["func"], _SELECTORS), analyzer(params), vocabulary, idf,
                       bool(params["sublinear_tf"]), params["norm"], len(vocabulary))
    return shortcut(plain, params)


def shortcut(plain: TextBranch, params: Mapping[str, Any]) -> TextBranch:
    """``plain`` as the subclass that finds the same terms faster, where its selector and analyser allow one."""
    low, high = (int(n) for n in params["ngram_range"])
    if params["analyzer"] == "char" and high <= 3:
        return CharBranch(**vars(plain), low=low, high=high, lower=bool(params["lowercase"]))
    if plain.select is features.role_texts_of and plain.analyze is features.role_char_ngrams:
        return RoleTextBranch(**vars(plain))
    return plain


def _plain_function(params: Mapping[str, Any]) -> bool:
    """A ``FunctionTransformer`` that only calls its function."""
    return params.get("kw_args") is None and params.get("inverse_func") is None and not params.get("validate")


def load_linear_models(path: Path, prefixes: tuple[str, ...]) -> dict[str, LinearTextModel | None]:
    """The models saved in ``path`` (None for a prefix the file lacks)."""
    arrays = read_arrays(path)
    return {p: LinearTextModel.from_arrays(arrays, p, path) if f"{p}/coef" in arrays else None for p in prefixes}


