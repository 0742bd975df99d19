"""``evaluate`` end to end on a small slice of the real annotations (one test, well under a minute)."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from extractor.annotations import load_annotations
from extractor.evaluation.run import HELD_OUT, LODO, evaluate, fold_models
from extractor.models import ModelCard
from tests.helpers import DOC_004, ROOT

PER_LABEL = 25  # units per label per document


@pytest.fixture(scope="module")
def small_annotations(tmp_path_factory) -> Path:
    """Up to PER_LABEL units of each label from each hand-labelled document, plus 004's expected output."""
    root = tmp_path_factory.mktemp("annotations")
    (root / "hand").mkdir()
    kept: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "annotations" / "hand").glob("*.jsonl")):
        counts: dict[str, int] = defaultdict(int)
        for line in path.read_text(encoding="utf-8").splitlines():
            label = json.loads(line)["label"]
            if counts[label] < PER_LABEL:
                counts[label] += 1
                kept[path.name].append(line)
        (root / "hand" / path.name).write_text("\n".join(kept[path.name]) + "\n", encoding="utf-8")
    for folder in ("expected_records", "expected_sections"):
        (root / folder).mkdir()
        shutil.copy(ROOT / "annotations" / folder / f"{DOC_004.stem}.jsonl", root / folder)
    return root


@pytest.mark.slow
def test_leave_one_document_out_then_held_out(small_annotations: Path, tmp_path: Path):
    out = tmp_path / "lodo"
    m = evaluate(small_annotations, out, samples_dir=ROOT / "samples", models_root=tmp_path / "no-models")
    assert m["evaluation"] == LODO and m["model"]["backend"] == "sklearn"
    assert m["rows"]["n"] == m["data"]["n_units"] == sum(1 for _ in load_annotations(small_annotations))
    assert 0 <= m["review"]["threshold"] <= 1 and m["review"]["errors_caught"] >= 0.95
    assert m["records"]["available"] and list(m["records"]["per_document"]) == [DOC_004.stem]
    assert m["records"]["expected"] == 143
    assert m["sections"]["available"] and m["sections"]["documents"] == [DOC_004.stem]
    assert {p.name for p in out.iterdir()} == {"metrics.json", "report.html", "reliability.png", "review_curve.png", "confusion.png", "per_document.png"}

    # held-out: a model trained without 004 scored on 004
    annotations = load_annotations(small_annotations)
    card = ModelCard(version="without-004", backend="sklearn", created="")
    _doc, _test, model = next((d, t, m) for d, t, m in fold_models(annotations, card) if d == DOC_004.stem)
    model.save(tmp_path / "model")
    held = evaluate(small_annotations, tmp_path / "held", model_path=tmp_path / "model", documents=[DOC_004])
    assert held["evaluation"] == HELD_OUT and held["model"]["version"].startswith("without-004")
    assert held["data"]["documents"] == [DOC_004.stem]
    assert held["rows"]["n"] == sum(a.doc_id == DOC_004.stem for a in annotations)
    assert held["records"]["per_document"][DOC_004.stem]["f1"] == m["records"]["per_document"][DOC_004.stem]["f1"]
