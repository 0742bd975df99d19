"""The cell classifier's shortcuts give what the plain computation gives.

Each shortcut (layout features of many records at once, character n-grams
looked up as integer codes, role-tagged n-grams looked up per role: to the
last bit; each distinct text's share of the scores computed once and kept:
within rounding, and to the last bit whatever came before) is compared with the
per-record computation it replaces: on every unit of the samples and the wild
tables (with and without their header) and on records made to hit the edge
cases (whitespace runs, capital sigma, separators and surrogates in texts,
missing context keys, columns before or past a row's end).
"""

from __future__ import annotations

import dataclasses
import random
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pytest

from extractor import features, pipeline
from extractor.document import analyse
from extractor.models import load_classifier
from extractor.models.base import reorder_columns
from extractor.models.linear_predict import CharBranch, GramTable, LayoutBranch, LinearTextModel, RoleTextBranch, TextBranch, TextScores, as_analysed
from extractor.models.linear_predict import clear_score_caches
from extractor.models.linear_predict import _WHITE_SPACES, char_ngrams
from extractor.reader import read_document
from scripts.convert_model import sample_records
from tests.helpers import ROOT

SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()
ODD_TEXTS = ["", " ", "ABC  Def\t\tG", "ΑΣ ΣΑ σ Σ", "İstanbul", "a\x00b", "x\x01y", "\ud83d\ude00 lone\udc80", "😀😀x",
             "≥95%", "满意度 ≥ 90%", "  项目  完成率  ", "\u3000全角\u3000", "优", "为良", "1、项目", "10-20万元", "abc\n def"]


@lru_cache(maxsize=1)
def _models() -> tuple[LinearTextModel, LinearTextModel]:
    model = load_classifier(SHIPPED)
    return model.pipeline, model.headerless


def _odd_records() -> list[dict]:
    """Records whose contexts lack keys, hold odd texts, or point outside their row."""
    rng = random.Random(11)
    cells = ["项目名称", "", "车辆保险费", "≥95%", "优", "  ", "90%", "指标名称", 3, None, "产出指标"]
    out = []
    for k in range(600):
        row = [rng.choice(cells) for _ in range(rng.randint(1, 7))]
        text = rng.choice(ODD_TEXTS + [str(c) for c in row])
        context = {
            "col": rng.choice([-7, -1, 0, 1, 2, 3, 5, 6, 9]),
            "n_cols": rng.choice([0, 1, 6, 20]),
            "row": rng.randint(0, 30),
            "n_rows": rng.choice([0, 1, 31]),
            "header": rng.choice(["", "优", "指标值", "ABC Σ", None]),
            "is_header_row": rng.random() < 0.2,
            "row_texts": rng.choice([row, row, row[:2], [], None, [rng.choice(ODD_TEXTS) for _ in range(4)]]),
            "left": rng.choice(ODD_TEXTS + [None]),
            "right": rng.choice(ODD_TEXTS),
            "above": rng.choice([text, "", " " + text]),
            "column_role": rng.choice(["target", "indicator", "", None, "a:b", "activity"]),
            "table_headers": rng.choice([[], ["指标"]]),
        }
        for key in rng.sample(sorted(context), rng.randint(0, 4)):  # some keys missing
            del context[key]
        out.append({"text": text, "context": context})
    return out


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """Every unit of the samples and the wild tables, with and without its header, and the odd records."""
    units = sample_records(SHIPPED, ROOT / "samples") + sample_records(SHIPPED, ROOT / "samples" / "wild")
    assert len(units) > 10_000
    return units + _odd_records()


def _plain(branch: TextBranch) -> TextBranch:
    """The same branch without its shortcut."""
    return TextBranch(*(getattr(branch, f.name) for f in dataclasses.fields(TextBranch)))


def _branches(kind: type) -> list[TextBranch]:
    branches = [b for model in _models() for b, _ in model.branches if type(b) is kind]
    assert branches
    return branches


# --- layout features of many records at once --------------------------------------


def test_layout_array_equals_layout_vector_record_by_record(records: list[dict]) -> None:
    expected = np.array([features.layout_vector(r) for r in records], dtype=np.float64)
    assert np.array_equal(features.layout_array(records), expected)
    assert features.layout_array([]).shape == (0, features.layout_width())


def test_left_labels_and_role_tokens_of_many_records_equal_one_by_one(records: list[dict]) -> None:
    assert features.left_label_roles(records) == [features.left_label_role(r) for r in records]
    assert features.roles_of(records) == [features.role_tokens(r) for r in records]


def test_a_row_shared_by_records_is_read_for_each_records_column() -> None:
    row = ["项目名称", "车辆保险费", "≥95%", "", "90%"]
    records = [{"text": t or "x", "context": {"col": k, "row_texts": row}} for k, t in enumerate(row)]
    records += [{"text": "y", "context": {"col": 2, "row_texts": list(row)}}]  # an equal row in another list
    assert np.array_equal(features.layout_array(records), np.array([features.layout_vector(r) for r in records]))


# --- character n-grams as integer codes --------------------------------------------


def _assert_same_blocks(fast: TextBranch, plain: TextBranch, records: list[dict]) -> None:
    texts = list(dict.fromkeys(fast.select(records)))
    for got, expected, name in zip(fast.vectorise(texts), plain.vectorise(texts), ("indptr", "indices", "data"), strict=True):
        assert np.array_equal(got, expected), name


def test_char_branches_equal_the_plain_analyser(records: list[dict]) -> None:
    for branch in _branches(CharBranch):
        _assert_same_blocks(branch, _plain(branch), records)


def test_role_text_branches_equal_the_tagged_ngrams(records: list[dict]) -> None:
    for branch in _branches(RoleTextBranch):
        _assert_same_blocks(branch, _plain(branch), records)


@pytest.mark.parametrize("low, high", [(1, 1), (1, 2), (1, 3), (2, 3), (3, 3)])
def test_gram_table_finds_the_vocabulary_terms_of_char_ngrams(low: int, high: int) -> None:
    texts = [_WHITE_SPACES.sub(" ", t) for t in ODD_TEXTS + ["abcabc", "ab", "a"]]  # as the analyser passes them
    vocabulary = {term: k for k, term in enumerate(sorted({g for t in texts[::2] for g in char_ngrams(t, 1, 3)} | {"\U0010ffff"}))}
    rows, columns = GramTable(vocabulary, high).find(texts, low, high)
    found = sorted(zip(rows.tolist(), columns.tolist(), strict=True))
    expected = sorted((k, vocabulary[g]) for k, t in enumerate(texts) for g in char_ngrams(t, low, high) if g in vocabulary)
    assert expected and found == expected


def test_gram_table_without_terms_finds_nothing() -> None:
    rows, columns = GramTable({}, 2).find(["abc", ""], 1, 2)
    assert len(rows) == len(columns) == 0


def test_texts_analysed_together_equal_one_by_one() -> None:
    rng = random.Random(3)
    pieces = ["a", "B", "Σ", "ς", "ΑΣ", " ", "\t", "\n", "\x00", "項", "İ", "\u3000", "  "]
    for _ in range(5000):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 4))]
        for lower in (True, False):
            assert as_analysed(texts, lower) == [_WHITE_SPACES.sub(" ", t.lower() if lower else t) for t in texts]


# --- each distinct text's share of the scores, computed once -----------------------------


def _reference_scores(model: LinearTextModel, record: dict) -> np.ndarray:
    """One record's scores: its entries, branch after branch, added one at a time from 0.0."""
    sums = [0.0] * len(model.weights)
    offset = 0
    for branch, weight in model.branches:
        if isinstance(branch, LayoutBranch):
            values = features.layout_vector(record)
            entries = [(k, v) for k, v in enumerate(values) if v != 0.0]
        else:
            _, columns, data = _plain(branch).vectorise(branch.select([record]))
            entries = list(zip(columns.tolist(), data.tolist(), strict=True))
        for column, value in entries:
            value = value if weight is None else value * weight
            for c, row in enumerate(model.weights):
                sums[c] = sums[c] + value * float(row[column + offset])
        offset += branch.width
    return np.array(sums) + model.intercept


def test_scores_equal_each_records_own_sum(records: list[dict]) -> None:
    chosen = random.Random(5).sample(records, 300) + records[-60:]
    for model in _models():
        scores = model.decision_function(chosen)
        expected = np.array([_reference_scores(model, r) for r in chosen])
        assert np.allclose(scores, expected, rtol=0.0, atol=1e-12)


def test_a_records_scores_do_not_depend_on_the_texts_seen_before(records: list[dict]) -> None:
    """To the last bit: the same outputs whatever documents a worker had extracted before."""
    chosen = random.Random(6).sample(records, 500)
    for model in _models():
        clear_score_caches()
        cold = model.decision_function(chosen)
        assert np.array_equal(model.decision_function(chosen), cold)  # every text's share kept
        clear_score_caches()
        model.decision_function(random.Random(7).sample(records, 2000))  # other texts first
        shuffled = random.Random(8).sample(range(len(chosen)), len(chosen))
        assert np.array_equal(model.decision_function([chosen[k] for k in shuffled]), cold[shuffled])
        assert all(np.array_equal(model.decision_function([chosen[k]])[0], cold[k]) for k in range(20))  # alone


def test_text_scores_compute_only_new_texts_and_start_afresh_past_their_limit() -> None:
    asked: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        asked.append(texts)
        return np.array([[float(ord(t[0])), float(len(t))] for t in texts])

    cache = TextScores(2, limit=3)
    assert cache.shares(["a", "bb", "a"], compute).tolist() == [[97.0, 1.0], [98.0, 2.0], [97.0, 1.0]]
    assert cache.shares(["a", "c"], compute)[:, 0].tolist() == [97.0, 99.0]
    assert asked == [["a", "bb"], ["c"]]
    assert cache.shares(["d", "a"], compute)[:, 0].tolist() == [100.0, 97.0]  # past the limit: all computed again
    assert asked[-1] == ["d", "a"]
    texts = [chr(ord("e") + k) for k in range(5)]  # one call past the limit: kept for that call
    assert cache.shares(texts[::-1], compute)[:, 0].tolist() == [float(ord(t)) for t in texts[::-1]]


def test_a_model_shared_by_threads_gives_each_the_scores_it_gives_alone(records: list[dict]) -> None:
    model = _models()[0]
    batches = [random.Random(k).sample(records, 300) for k in range(6)]
    clear_score_caches()
    alone = [model.decision_function(batch) for batch in batches]
    for cache in model._caches:  # a small limit, so that threads clear it under each other
        if cache is not None:
            cache.limit = 400
    try:
        clear_score_caches()
        with ThreadPoolExecutor(max_workers=6) as pool:
            together = list(pool.map(model.decision_function, batches * 4))
    finally:
        for cache in model._caches:
            if cache is not None:
                cache.limit = TextScores(1).limit
    assert all(np.array_equal(got, alone[k % len(batches)]) for k, got in enumerate(together))


def test_predict_proba_routes_records_with_and_without_a_header(records: list[dict]) -> None:
    classifier = load_classifier(SHIPPED)
    chosen = random.Random(8).sample(records, 400)
    headed = [features.has_header(r) for r in chosen]
    assert any(headed) and not all(headed)
    got = classifier.predict_proba(chosen)
    for k, record in enumerate(chosen):
        model = classifier.pipeline if headed[k] else classifier.headerless
        assert np.array_equal(got[k], reorder_columns(model.predict_proba([record]), model.classes_)[0])


def test_units_classified_in_batches_get_what_one_batch_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    classifier = load_classifier(SHIPPED)
    units = analyse(read_document(ROOT / "samples" / "003_325a9de861070d6d.txt"), classifier.column_model).units
    assert len(units) > 3 * 7

    def labelled(batch: int) -> list[tuple]:
        monkeypatch.setattr(pipeline, "CLASSIFY_BATCH", batch)
        pipeline.classify_units(units, classifier)
        return [(u.label, u.confidence, u.label_source) for u in units]

    assert labelled(7) == labelled(len(units))
