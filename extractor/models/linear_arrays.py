"""The row classifier's file format: plain arrays in one ``.npz``, never code.

A fitted pipeline (``UnitFeaturizer`` then ``LogisticRegression``) is saved as
each vectoriser's vocabulary (a string array, term ``k`` at position ``k``) and
idf weights, and the classifier's coefficients, intercepts and classes. The
feature *architecture* is recorded only as a description (branch names,
vectoriser settings, feature functions by name). Extraction predicts from
the arrays with numpy (:mod:`extractor.models.linear_predict`, which computes
the features as the description says); :func:`load_pipelines` rebuilds the
scikit-learn pipelines from :func:`extractor.featurizer.make_featurizer` and
refuses a file whose description differs. ``numpy.load`` runs with ``allow_pickle=False``, so a crafted file can only
hold numbers and strings; an object array, a missing or misshapen array, or an
unknown format is a :class:`ModelLoadError` (E202). Loading takes a few tens
of milliseconds.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from extractor.atomic import write_bytes_atomic
from extractor.errors import ModelLoadError
from extractor.features import layout_width

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

Arrays = Mapping[str, np.ndarray]

FORMAT = "budget-extractor/linear-arrays-1"
FORMAT_KEY = "format"


def vectorizers(union: FeatureUnion) -> dict[str, TfidfVectorizer]:
    """The union's text branches by name (the last step of each branch pipeline)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline

    out = {}
    for name, branch in union.transformer_list:
        last = branch[-1] if isinstance(branch, Pipeline) else branch
        if isinstance(last, TfidfVectorizer):
            out[name] = last
    return out


def describe(union: FeatureUnion) -> str:
    """The union's architecture as JSON: branch names, vectoriser settings, weights.

    Callables (selectors, analysers, tokenisers) appear by qualified name, so a
    file made by another feature set is recognised and refused.
    """
    from sklearn.pipeline import Pipeline

    def plain(value: Any) -> Any:
        if callable(value):
            return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
        if isinstance(value, tuple):
            return list(value)
        return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)

    branches = []
    for name, branch in union.transformer_list:
        steps = branch.steps if isinstance(branch, Pipeline) else [(name, branch)]
        branches.append([name, [[step, type(est).__name__, {k: plain(v) for k, v in sorted(est.get_params(deep=False).items())}]
                                for step, est in steps]])
    return json.dumps({"branches": branches, "weights": union.transformer_weights}, ensure_ascii=False, sort_keys=True)


def pipeline_arrays(prefix: str, pipeline: Pipeline) -> dict[str, np.ndarray]:
    """Arrays of one fitted pipeline under ``prefix/``."""
    from sklearn.linear_model import LogisticRegression

    from extractor.featurizer import UnitFeaturizer

    featurizer, clf = pipeline.steps[0][1], pipeline.steps[-1][1]
    if not isinstance(featurizer, UnitFeaturizer) or not isinstance(clf, LogisticRegression):
        raise ModelLoadError(
            f"only a UnitFeaturizer + LogisticRegression pipeline can be saved as arrays, not {type(clf).__name__} "
            "(set params.calibration to \"none\")"
        )
    arrays = {f"{prefix}/features": np.array(describe(featurizer.union_))}
    for name, vec in vectorizers(featurizer.union_).items():
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        arrays[f"{prefix}/{name}/terms"] = np.array(terms, dtype=str) if terms else np.zeros(0, dtype="<U1")
        if vec.use_idf:
            arrays[f"{prefix}/{name}/idf"] = np.asarray(vec.idf_, dtype=np.float64)
    arrays[f"{prefix}/coef"] = np.asarray(clf.coef_, dtype=np.float64)
    arrays[f"{prefix}/intercept"] = np.asarray(clf.intercept_, dtype=np.float64)
    arrays[f"{prefix}/classes"] = np.asarray(clf.classes_).astype(str)
    arrays[f"{prefix}/C"] = np.array(float(clf.C))
    return arrays


def save_pipelines(path: Path, pipelines: Mapping[str, Any]) -> None:
    """Write the fitted ``pipelines`` (None ones are left out) to ``path`` atomically.

    A model loaded from arrays (:class:`extractor.models.linear_predict.LinearTextModel`)
    writes back the arrays it was read from.
    """
    arrays: dict[str, np.ndarray] = {FORMAT_KEY: np.array(FORMAT)}
    for prefix, pipeline in pipelines.items():
        if pipeline is not None:
            saved = getattr(pipeline, "to_arrays", None)
            arrays.update(saved(prefix) if saved else pipeline_arrays(prefix, pipeline))
    save_arrays(path, arrays)


def save_arrays(path: Path, arrays: Arrays) -> None:
    """Write ``arrays`` (as :func:`read_arrays` returns them) to ``path`` atomically."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    write_bytes_atomic(path, buffer.getvalue())


def load_pipelines(path: Path, prefixes: tuple[str, ...]) -> dict[str, Pipeline | None]:
    """The scikit-learn pipelines saved in ``path`` (None for a prefix the file lacks)."""
    return pipelines_from_arrays(read_arrays(path), prefixes, path)


def pipelines_from_arrays(arrays: Arrays, prefixes: tuple[str, ...], path: Path) -> dict[str, Pipeline | None]:
    """The scikit-learn pipelines of ``arrays`` (read from ``path``)."""
    return {p: _pipeline(arrays, p, path) if f"{p}/coef" in arrays else None for p in prefixes}


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the model file at ``path``, after checking its format (numbers and strings only)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except FileNotFoundError as exc:
        raise ModelLoadError("missing model file", path) from exc
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        # allow_pickle=False turns an object (pickled) array into a ValueError: refused, never run.
        raise ModelLoadError(f"not a model array file (numbers and strings only): {exc}", path) from exc
    if text_entry(arrays, FORMAT_KEY, path) != FORMAT:
        raise ModelLoadError(f"unknown model format {arrays[FORMAT_KEY]!r}; expected {FORMAT}", path)
    return arrays


def text_entry(arrays: Arrays, key: str, path: Path) -> str:
    value = arrays.get(key)
    if value is None or value.shape != () or value.dtype.kind != "U":
        raise ModelLoadError(f"model file lacks the text entry {key!r}", path)
    return str(value)


def array_entry(arrays: Arrays, key: str, kind: str, ndim: int, path: Path) -> np.ndarray:
    value = arrays.get(key)
    if value is None:
        raise ModelLoadError(f"model file lacks the array {key!r}", path)
    if value.dtype.kind != kind or value.ndim != ndim:
        raise ModelLoadError(f"model array {key!r} is {value.dtype}[{value.ndim}-d], expected kind {kind!r} {ndim}-d", path)
    return value


def check_linear(arrays: Arrays, prefix: str, n_features: int, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, intercepts and classes of ``prefix``, checked against ``n_features``."""
    coef = array_entry(arrays, f"{prefix}/coef", "f", 2, path)
    intercept = array_entry(arrays, f"{prefix}/intercept", "f", 1, path)
    classes = array_entry(arrays, f"{prefix}/classes", "U", 1, path)
    if coef.shape[1] != n_features or coef.shape[0] != intercept.shape[0] or len(classes) < 2:
        raise ModelLoadError(
            f"model arrays of {prefix} do not fit together: coef {coef.shape}, {intercept.size} intercepts, "
            f"{len(classes)} classes, {n_features} features", path
        )
    if coef.shape[0] not in (1, len(classes)):
        raise ModelLoadError(f"model array {prefix}/coef has {coef.shape[0]} rows for {len(classes)} classes", path)
    return coef, intercept, classes


def vocabulary_entry(arrays: Arrays, prefix: str, name: str, use_idf: bool, path: Path) -> tuple[dict[str, int], np.ndarray | None]:
    """A branch's vocabulary (term -> column) and idf weights (None without idf)."""
    terms = array_entry(arrays, f"{prefix}/{name}/terms", "U", 1, path).tolist()
    vocabulary = {term: k for k, term in enumerate(terms)}
    if len(vocabulary) != len(terms):
        raise ModelLoadError(f"model array {prefix}/{name}/terms repeats a term", path)
    if not use_idf:
        return vocabulary, None
    idf = array_entry(arrays, f"{prefix}/{name}/idf", "f", 1, path)
    if idf.shape != (len(terms),):
        raise ModelLoadError(f"model array {prefix}/{name}/idf has {idf.size} weights for {len(terms)} terms", path)
    return vocabulary, idf


def _pipeline(arrays: Arrays, prefix: str, path: Path) -> Pipeline:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from extractor.featurizer import UnitFeaturizer, make_featurizer

    union = make_featurizer()
    if text_entry(arrays, f"{prefix}/features", path) != describe(union):
        raise ModelLoadError(f"the {prefix} model was made with a different feature set than this code builds", path)
    n_features = layout_width()
    for name, vec in vectorizers(union).items():
        vec.vocabulary_, idf = vocabulary_entry(arrays, prefix, name, vec.use_idf, path)
        if idf is not None:
            vec.idf_ = idf
        else:
            vec._tfidf = TfidfTransformer(norm=vec.norm, use_idf=False, sublinear_tf=vec.sublinear_tf).fit(
                sparse.csr_matrix((1, len(vec.vocabulary_)))
            )
        n_features += len(vec.vocabulary_)
    featurizer = UnitFeaturizer()
    featurizer.union_ = union
    coef, intercept, classes = check_linear(arrays, prefix, n_features, path)
    C = float(array_entry(arrays, f"{prefix}/C", "f", 0, path)) if f"{prefix}/C" in arrays else 1.0
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.coef_, clf.intercept_, clf.classes_ = coef, intercept, classes
    clf.n_features_in_ = n_features
    return Pipeline([("features", featurizer), ("clf", clf)])
