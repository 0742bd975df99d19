"""The transformers backend, end to end on a tiny BERT built at test time (CPU, no download)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

# Without the [transformers] extra these tests skip locally; in CI (which
# installs it) a missing package must fail the run, not skip it.
if not os.environ.get("CI"):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")

import torch  # noqa: E402
from tiny_bert import build_tiny_bert  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from extractor.annotations import load_annotations  # noqa: E402
from extractor.cli import app  # noqa: E402
from extractor.datamodel import LABELS  # noqa: E402
from extractor.errors import ModelLoadError  # noqa: E402
from extractor.models import ModelCard, load_classifier, new_classifier  # noqa: E402
from extractor.models import transformers_backend as tb  # noqa: E402
from extractor.models.unit_text import MARKERS, unit_pair  # noqa: E402
from extractor.pipeline import process_document  # noqa: E402
from tests.helpers import read_records, read_rows

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "annotations"
SAMPLE = ROOT / "samples" / "004_3ff65f7921ff3963.txt"
TINY = {"max_steps": 40, "batch_size": 16, "lr": 1e-3, "max_length": 64, "seed": 7, "device": "cpu"}


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """One torch thread: a shared CI core otherwise makes OpenMP spin (10x slower steps)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def data() -> tuple[list[dict], list[str]]:
    """About 300 labelled units from all four documents."""
    annotations = sorted(load_annotations(ANNOTATIONS), key=lambda a: a.key)[::24]
    return [a.record() for a in annotations], [a.label for a in annotations]


def tiny_params(checkpoint: Path, **extra: object) -> dict:
    return {**TINY, "checkpoint": str(checkpoint), **extra}


def fit_tiny(checkpoint: Path, data: tuple[list[dict], list[str]]) -> tb.TransformersRowClassifier:
    card = ModelCard(version="test", backend="transformers", created="", params=tiny_params(checkpoint))
    return new_classifier(card).fit(*data)


@pytest.fixture(scope="module")
def fitted(checkpoint: Path, data: tuple[list[dict], list[str]]) -> tb.TransformersRowClassifier:
    return fit_tiny(checkpoint, data)


def test_unit_pair_has_text_and_marked_context() -> None:
    record = {
        "text": "一、党员和党组织建设",
        "context": {
            "layout": "inline",
            "col": 0,
            "n_cols": 1,
            "header": "职责活动",
            "is_header_row": False,
            "row_texts": ["x"],
            "left": "",
            "right": "负责全区党组织建设",
        },
    }
    text, context = unit_pair(record)
    assert text == "一、党员和党组织建设"
    for part in (
        "[ROLE:activity]",
        "[LAYOUT:inline]",
        "[ENUM:chinese]",
        "[FIRSTCOL]",
        "[LASTCOL]",
        "[HEADER] 职责活动",
        "[RIGHT] 负责全区党组织建设",
    ):
        assert part in context
    assert all(marker in MARKERS for marker in context.split() if marker.startswith("[") and marker.endswith("]"))


def test_new_merges_config_defaults_under_card_params(checkpoint: Path) -> None:
    model = new_classifier(ModelCard(version="t", backend="transformers", created="", params={"epochs": 1}))
    assert model.card.params["epochs"] == 1
    assert model.card.params["max_length"] == tb.default_params()["max_length"]
    assert {"checkpoint", "batch_size", "lr", "seed", "device", "max_steps"} <= set(model.card.params)


def test_checkpoint_env_overrides_config(monkeypatch: pytest.MonkeyPatch, checkpoint: Path) -> None:
    monkeypatch.setenv(tb.CHECKPOINT_ENV, str(checkpoint))
    assert tb.default_params()["checkpoint"] == str(checkpoint)


def test_missing_checkpoint_is_a_clear_error(tmp_path: Path, data: tuple[list[dict], list[str]]) -> None:
    missing = tmp_path / "no-such-checkpoint"
    card = ModelCard(version="t", backend="transformers", created="", params=tiny_params(missing))
    with pytest.raises(ModelLoadError) as info:
        new_classifier(card).fit(*data)
    assert str(missing) in str(info.value)
    assert "download" in str(info.value) and "configs/transformers.toml" in str(info.value)


def test_fit_temperature_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, 4))
    scaled = np.exp(logits / 2.0)
    gold = np.array([rng.choice(4, p=row / row.sum()) for row in scaled])
    assert tb.fit_temperature(logits, gold) == pytest.approx(2.0, rel=0.1)


def test_holdout_keeps_tables_whole(data: tuple[list[dict], list[str]]) -> None:
    records = data[0]
    train_rows, held = tb.holdout_split(records, 0.1, seed=3)
    assert sorted(train_rows + held) == list(range(len(records)))
    assert tb.MIN_HOLDOUT <= len(held) <= 0.2 * len(records)
    held_tables = {tb._group_key(records[k]) for k in held}
    assert not any(tb._group_key(records[k]) in held_tables for k in train_rows)
    assert tb.holdout_split(records, 0.1, seed=3) == (train_rows, held)
    assert tb.holdout_split(records[:10], 0.1, seed=3) == (list(range(10)), [])


def test_predict_proba_is_calibrated_distribution_in_label_order(fitted: tb.TransformersRowClassifier, data: tuple[list[dict], list[str]]) -> None:
    records, gold = data
    proba = fitted.predict_proba(records)
    assert proba.shape == (len(records), len(LABELS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (proba >= 0).all() and proba.std(axis=0).max() > 1e-3
    assert fitted.model.config.id2label == dict(enumerate(LABELS))
    majority = max(gold.count(label) for label in LABELS) / len(gold)
    accuracy = np.mean([LABELS[k] == g for k, g in zip(proba.argmax(axis=1), gold, strict=True)])
    assert accuracy > majority  # a few steps already learn something
    assert fitted.predict_proba([]).shape == (0, len(LABELS))


def test_columns_follow_labels_order_whatever_the_model_order(fitted: tb.TransformersRowClassifier, data: tuple[list[dict], list[str]]) -> None:
    records = data[0][:20]
    proba = fitted.predict_proba(records)
    permuted = tb.TransformersRowClassifier(fitted.card, fitted.model, fitted.tokenizer, {**fitted.state, "labels": list(reversed(LABELS))})
    np.testing.assert_allclose(permuted.predict_proba(records), proba[:, ::-1])


def test_temperature_is_fitted_on_held_out_rows(fitted: tb.TransformersRowClassifier) -> None:
    calibration = fitted.state["calibration"]
    assert calibration["fitted"] and calibration["rows"] >= tb.MIN_HOLDOUT
    assert fitted.temperature > 0 and fitted.temperature == calibration["temperature"]
    assert calibration["nll_after"] <= calibration["nll_before"] + 1e-9
    assert fitted.state["steps"] == TINY["max_steps"]


def test_save_then_load_gives_identical_probabilities(
    fitted: tb.TransformersRowClassifier, data: tuple[list[dict], list[str]], tmp_path: Path
) -> None:
    directory = tmp_path / "model"
    fitted.save(directory)
    assert (directory / "hf" / "model.safetensors").is_file()
    assert not list(directory.rglob("*.bin")) and not list(directory.rglob("*.pkl"))
    state = json.loads((directory / tb.STATE_FILE).read_text(encoding="utf-8"))
    assert state["temperature"] == fitted.temperature and state["labels"] == list(LABELS)
    loaded = load_classifier(directory)
    assert isinstance(loaded, tb.TransformersRowClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(data[0]), fitted.predict_proba(data[0]))


def test_load_refuses_another_input_format(fitted: tb.TransformersRowClassifier, tmp_path: Path) -> None:
    directory = tmp_path / "model"
    fitted.save(directory)
    state = json.loads((directory / tb.STATE_FILE).read_text(encoding="utf-8"))
    (directory / tb.STATE_FILE).write_text(json.dumps({**state, "format": -1}), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="input format"):
        load_classifier(directory)
    shutil.rmtree(directory / "hf")
    with pytest.raises(ModelLoadError):
        load_classifier(directory)


def test_same_seed_same_model(fitted: tb.TransformersRowClassifier, checkpoint: Path, data: tuple[list[dict], list[str]]) -> None:
    again = fit_tiny(checkpoint, data)
    np.testing.assert_allclose(again.predict_proba(data[0]), fitted.predict_proba(data[0]), atol=1e-6)


def _small_annotations(root: Path, docs: tuple[str, ...] = ("003_325a9de861070d6d", "004_3ff65f7921ff3963"), every: int = 4) -> Path:
    """Every ``every``-th labelled unit of two documents, as an annotations folder."""
    hand = root / "annotations" / "hand"
    hand.mkdir(parents=True)
    for doc in docs:
        lines = (ANNOTATIONS / "hand" / f"{doc}.jsonl").read_text(encoding="utf-8").splitlines()[::every]
        (hand / f"{doc}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return hand.parent


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def retrained(tmp_path_factory: pytest.TempPathFactory, checkpoint: Path) -> Path:
    """``extractor retrain --backend transformers`` on two documents; the models folder."""
    tmp = tmp_path_factory.mktemp("retrain")
    params = tiny_params(checkpoint, max_steps=120, epochs=100, batch_size=32, lr=3e-3)
    flags = [flag for key, value in params.items() for flag in ("--param", f"{key}={value}")]
    output = _cli("retrain", "--annotations", str(_small_annotations(tmp)), "--models", str(tmp / "models"), "--backend", "transformers", *flags)
    assert "current model is now transformers-" in output
    return tmp / "models"


def test_retrain_writes_the_current_model(retrained: Path) -> None:
    model = load_classifier(retrained)
    assert isinstance(model, tb.TransformersRowClassifier)
    assert model.card.backend == "transformers" and model.card.params["max_steps"] == 120
    assert model.card.metrics["evaluation"] == "leave-one-document-out" and 0 <= model.card.metrics["macro_f1"] <= 1
    records = [a.record() for a in load_annotations(retrained.parent / "annotations")][:50]
    np.testing.assert_allclose(model.predict_proba(records).sum(axis=1), 1.0, atol=1e-9)


def test_process_document_labels_every_unit(retrained: Path) -> None:
    result = process_document(SAMPLE, load_classifier(retrained))
    assert result.records and result.units
    assert all(u.label in LABELS and 0 < (u.confidence or 0) <= 1 for u in result.units)


def test_extract_cli_with_the_trained_model(retrained: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _cli("extract", str(SAMPLE), "--out", str(out), "--model", str(retrained), "--no-reviews")
    rows = read_rows(out)
    assert rows and all(r["label"] in LABELS and 0 < r["confidence"] <= 1 for r in rows)
    assert read_records(out)
