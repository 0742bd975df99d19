"""Work that retraining shares between folds: each cache gives what the
uncached computation gives, and a changed input is computed again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

from extractor.annotations import load_annotations
from extractor.blas import one_blas_thread
from extractor.featurizer import UnitFeaturizer
from extractor.models import ModelCard, new_classifier
from extractor.models.linear_arrays import vectorizers
from extractor.tables import column_features as cf
from extractor.tables.column_features import ColumnSample, column_features, in_table
from extractor.tables.column_roles import ColumnRoleClassifier
from extractor.tables.column_training import labelled_tables, load_template_roles, structured_bands, training_set
from tests.helpers import DOC_000, DOC_003, ROOT


def _uncached_features(column: ColumnSample) -> dict[str, float]:
    """Column features computed as before the caches: every part, every time."""
    out: dict[str, float] = {}
    cf._header_features(column.header, out)
    cf._sibling_features(column.siblings, out)
    cf._content_features([c for c in column.cells if c.strip()], len(column.cells), out)
    cf._neighbour_features(column.cells, column.left, "left", out)
    cf._neighbour_features(column.cells, column.right, "right", out)
    cf._position_features(column.position, column.n_columns, out)
    return out


@pytest.fixture(scope="module")
def tables():
    return labelled_tables([DOC_003], load_template_roles(ROOT / "annotations"))[:4]


def test_cached_column_features_equal_the_uncached_ones_key_for_key(tables) -> None:
    columns, _roles, _weights = training_set(tables)
    cf.content_features.cache_clear()
    cf.neighbour_features.cache_clear()
    for column in columns:
        assert list(column_features(column, reuse=True).items()) == list(_uncached_features(column).items())
        assert list(column_features(column).items()) == list(_uncached_features(column).items())
    # The augmented copies repeat the annotated cells under other headers and positions.
    assert cf.content_features.cache_info().hits > 0


def test_a_column_whose_cells_changed_is_not_served_stale_features() -> None:
    left = ColumnSample("指标名称", ["预算执行率", "项目完成率", "满意度"], 0, 0)
    target = ColumnSample("指标值", ["≥95%", "100%", "≥90%"], 0, 0)
    left, target = in_table([left, target])
    before = column_features(target, reuse=True)
    assert before["percent"] == 1.0
    target.cells[:] = ["按时完成", "有效提升", "逐步改善"]  # the same object, new contents
    after = column_features(target, reuse=True)
    assert after == _uncached_features(target)
    assert after["percent"] == 0.0 and after["cjk"] == 1.0
    # The neighbour's relation to the changed cells is recomputed too.
    assert column_features(left, reuse=True) == _uncached_features(left)


def test_extraction_keeps_no_column_contents() -> None:
    cf.content_features.cache_clear()
    cf.neighbour_features.cache_clear()
    column_features(ColumnSample("指标值", ["≥95%", "100%"], 0, 1))
    assert cf.content_features.cache_info().currsize == 0 and cf.neighbour_features.cache_info().currsize == 0


def test_column_model_is_the_same_with_a_cold_or_a_warm_cache(tables) -> None:
    columns, roles, weights = training_set(tables)
    cf.content_features.cache_clear()
    cold = ColumnRoleClassifier().fit(columns, roles, sample_weight=weights)
    warm = ColumnRoleClassifier().fit(columns, roles, sample_weight=weights)
    assert cold.vectorizer_.feature_names_ == warm.vectorizer_.feature_names_
    np.testing.assert_array_equal(cold.coef_, warm.coef_)
    np.testing.assert_array_equal(cold.intercept_, warm.intercept_)


def _labelled(path: Path) -> list[tuple[str, list[str], list[str]]]:
    tables = labelled_tables([path], load_template_roles(ROOT / "annotations"))
    return [(t.template, [c.header for c in t.columns], t.roles) for t in tables]


def test_a_document_is_read_once_and_again_when_its_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(DOC_003.read_bytes())
    first = _labelled(path)
    assert first and structured_bands(path) is structured_bands(path)  # read once per content
    path.write_bytes(DOC_000.read_bytes())  # same path, other text
    second = _labelled(path)
    assert second != first
    copy = tmp_path / "copy.txt"
    copy.write_bytes(DOC_000.read_bytes())
    assert second == _labelled(copy)


@pytest.fixture(scope="module")
def records():
    annotations = [a for a in load_annotations(ROOT / "annotations") if a.doc_id in (DOC_000.stem, DOC_003.stem)]
    step = max(1, len(annotations) // 700)
    chosen = annotations[::step]
    return [a.record() for a in chosen], [a.label for a in chosen]


def test_featurizer_fit_transform_is_fit_then_transform_exactly(records) -> None:
    recs, _labels = records
    plain = UnitFeaturizer().fit(recs)
    expected = plain.transform(recs)
    featurizer = UnitFeaturizer()
    got = featurizer.fit_transform(recs)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_array_equal(got.data, expected.data)
    for name, vectorizer in vectorizers(featurizer.union_).items():
        assert "build_analyzer" not in vars(vectorizer), name  # the memo is gone after fitting
        assert vectorizer.vocabulary_ == vectorizers(plain.union_)[name].vocabulary_
    assert clone(featurizer).get_params() == featurizer.get_params()
    # New texts after fitting are analysed afresh, not looked up in the fit's memo.
    fresh = [{"text": "全新的指标名称", "context": dict(recs[0]["context"])}]
    np.testing.assert_array_equal(featurizer.transform(fresh).toarray(), plain.transform(fresh).toarray())


def test_row_model_equals_one_fitted_the_uncached_way(records) -> None:
    recs, labels = records
    model = new_classifier(ModelCard(version="t", backend="sklearn", created="")).fit(recs, labels)
    params = model.card.params
    features = UnitFeaturizer().fit(recs)
    with one_blas_thread():
        linear = LogisticRegression(C=float(params["C"]), max_iter=3000, class_weight=params["class_weight"])
        linear.fit(features.transform(recs), labels)
    fitted = model.pipeline.steps[-1][1]
    np.testing.assert_array_equal(fitted.coef_, linear.coef_)
    np.testing.assert_array_equal(fitted.intercept_, linear.intercept_)


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_one_blas_thread_inside_and_restored_after() -> None:
    import numpy  # noqa: F401  (loads its BLAS)
    import scipy.linalg  # noqa: F401

    before = _blas_threads()
    with one_blas_thread():
        assert _blas_threads() and set(_blas_threads()) == {1}
    assert _blas_threads() == before
