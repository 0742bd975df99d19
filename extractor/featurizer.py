"""The scikit-learn featurizer of the row classifier: the feature functions of
:mod:`extractor.features` as TF-IDF branches of one ``FeatureUnion``.

Training fits it; extraction does not import it (it predicts from the saved
arrays with :mod:`extractor.models.linear_predict`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from extractor.features import (
    UnitRecord,
    headers_of,
    jieba_words,
    layout_matrix,
    neighbours_of,
    role_char_ngrams,
    role_texts_of,
    roles_of,
    texts_of,
)


def _text_branch(extract: Any, vectorizer: TfidfVectorizer) -> Pipeline:
    return Pipeline([("select", FunctionTransformer(extract)), ("tfidf", vectorizer)])


def make_featurizer() -> FeatureUnion:
    """The feature extractor: text, words, header, neighbours and layout."""
    return FeatureUnion(
        [
            ("chars", _text_branch(texts_of, TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True))),
            (
                "words",
                _text_branch(
                    texts_of,
                    TfidfVectorizer(tokenizer=jieba_words, token_pattern=None, lowercase=False, min_df=2, sublinear_tf=True),
                ),
            ),
            ("header", _text_branch(headers_of, TfidfVectorizer(analyzer="char", ngram_range=(1, 2)))),
            ("roles", _text_branch(roles_of, TfidfVectorizer(token_pattern=r"\S+", lowercase=False, use_idf=False))),
            (
                "neighbours",
                _text_branch(neighbours_of, TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=3, max_features=3000, sublinear_tf=True)),
            ),
            ("role_text", _text_branch(role_texts_of, TfidfVectorizer(analyzer=role_char_ngrams, min_df=2, sublinear_tf=True))),
            ("layout", FunctionTransformer(layout_matrix)),
        ],
        # Column roles generalise across templates better than raw header
        # characters, and role-conditioned n-grams keep one review round from
        # unlearning a column. There is deliberately no feature naming the
        # layout itself: reviews of a new layout are mostly "other" rows, and
        # such a feature would turn that into a bias against the whole layout.
        transformer_weights={"header": 0.3, "roles": 2.0},
    )


@contextmanager
def memoised_analysers(union: FeatureUnion) -> Iterator[None]:
    """Inside: each text vectoriser of ``union`` analyses a string (its n-grams or
    words) once and reuses the tokens when the string comes again. Outside, the
    vectorisers are as they were (their parameters are never touched)."""
    branches = [branch[-1] for _name, branch in union.transformer_list if isinstance(branch, Pipeline)]
    vectorizers = [v for v in branches if isinstance(v, TfidfVectorizer)]
    for vectorizer in vectorizers:
        vectorizer.build_analyzer = _memoised(vectorizer.build_analyzer())  # type: ignore[method-assign]
    try:
        yield
    finally:
        for vectorizer in vectorizers:
            del vectorizer.build_analyzer


def _memoised(analyse: Callable[[str], list[str]]) -> Callable[[], Callable[[str], list[str]]]:
    memo: dict[str, list[str]] = {}

    def cached(doc: str) -> list[str]:
        tokens = memo.get(doc)
        if tokens is None:
            tokens = memo[doc] = analyse(doc)
        return tokens

    return lambda: cached


def _drop_stop_words(union: FeatureUnion) -> None:
    """Remove the vectorizers' ``stop_words_`` (terms cut by min_df): only size, no use."""
    for _name, branch in union.transformer_list:
        vectorizer = branch[-1] if isinstance(branch, Pipeline) else branch
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_


class UnitFeaturizer(BaseEstimator, TransformerMixin):
    """scikit-learn transformer from unit records to a sparse feature matrix."""

    def fit(self, records: Sequence[UnitRecord], y: Any = None) -> UnitFeaturizer:
        self.union_ = make_featurizer().fit(records)
        _drop_stop_words(self.union_)
        return self

    def fit_transform(self, records: Sequence[UnitRecord], y: Any = None, **_params: Any) -> sparse.csr_matrix:
        """``fit(records).transform(records)``, each vectoriser analysing each
        distinct string once for both (the same matrix, computed the same way)."""
        records = list(records)
        union = make_featurizer()
        with memoised_analysers(union):
            self.union_ = union.fit(records)
            _drop_stop_words(self.union_)
            return self.transform(records)

    def transform(self, records: Sequence[UnitRecord]) -> sparse.csr_matrix:
        """The union's features, each text branch vectorising every distinct string once.

        The same matrix as ``self.union_.transform(records)``: a vectoriser's row
        depends on its string alone, so repeated cells, headers and neighbours
        share one computed row.
        """
        records = list(records)
        weights = self.union_.transformer_weights or {}
        blocks = []
        for name, branch in self.union_.transformer_list:
            select = branch.steps[0][1] if isinstance(branch, Pipeline) and len(branch.steps) == 2 else None
            if isinstance(select, FunctionTransformer) and select.func is not None:
                index: dict[str, int] = {}
                rows = [index.setdefault(text, len(index)) for text in select.func(records)]
                block = branch.steps[1][1].transform(list(index))[np.asarray(rows, dtype=np.intp)]
            else:
                block = branch.transform(records)
            weight = weights.get(name)
            blocks.append(block if weight is None else block * weight)
        return sparse.hstack(blocks).tocsr()
