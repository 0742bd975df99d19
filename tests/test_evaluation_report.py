"""metrics.json keeps its keys, report.html renders every section, the model card takes the threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.evaluation.records import record_metrics
from extractor.evaluation.report import REPORT_SECTIONS, write_outputs
from extractor.evaluation.rows import RowPredictions
from extractor.evaluation.run import LODO, assemble_metrics, make_plots, unavailable, update_model_card
from extractor.evaluation.sections import section_metrics
from extractor.models import ModelCard

TOP_KEYS = {"schema", "evaluation", "created", "model", "data", "rows", "per_document", "calibration", "review", "records", "sections"}
PLOTS = {"reliability", "review_curve", "confusion", "per_document"}


def _metrics(records: dict | None = None) -> tuple[dict, RowPredictions]:
    gold = ["activity", "indicator", "threshold", "other"] * 5
    predicted = list(gold)
    predicted[2] = "other"
    rows = RowPredictions(gold, predicted, [0.6 if k == 2 else 0.95 for k in range(20)], ["d1"] * 10 + ["d2"] * 10)
    rec = {"doc_id": "d1", "line": 3, "activity": "公文运转", "indicator": "发文<数量>", "thresholds": {"优": "≥90%"}}
    if records is None:
        records = {"available": True, **record_metrics([rec], [rec, {**rec, "line": 9}])}
    sections = {"available": True, **section_metrics({"d1": [{"line": 1, "level": 1}]}, {"d1": [{"line": 1, "level": 1}]})}
    data = {"annotations": "annotations", "documents": ["d1", "d2"], "n_units": 20, "fingerprint": "0" * 64}
    card = ModelCard(version="sklearn-test", backend="sklearn", created="")
    return assemble_metrics(LODO, card, rows, records, sections, data), rows


def test_metrics_have_the_stable_keys():
    m, _ = _metrics()
    assert set(m) == TOP_KEYS
    assert {"per_label", "macro_f1", "accuracy", "confusion", "labels"} <= set(m["rows"])
    assert {"ece", "bins"} <= set(m["calibration"])
    assert {"curve", "threshold", "queue_share", "errors_caught", "target"} <= set(m["review"])
    assert {"precision", "recall", "f1", "thresholds_exact", "per_document"} <= set(m["records"])
    assert {"precision", "recall", "level_accuracy", "per_document"} <= set(m["sections"])
    assert {"version", "backend"} <= set(m["model"])
    assert {"row_macro_f1", "record_f1", "section_f1"} <= set(m["per_document"]["d1"])
    assert m["review"]["threshold"] == 0.95 and m["review"]["queue_size"] == 1


def test_report_renders_every_section_with_embedded_plots(tmp_path: Path):
    m, rows = _metrics()
    plots = make_plots(m, rows)
    assert set(plots) == PLOTS and all(png.startswith(b"\x89PNG") for png in plots.values())
    write_outputs(tmp_path, m, plots)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for anchor, heading in REPORT_SECTIONS:
        assert f'id="{anchor}"' in html and f"<h2>{heading}</h2>" in html
    assert html.count("How to read this.") == len(REPORT_SECTIONS)
    assert html.count('src="data:image/png;base64,') == len(PLOTS)
    assert "<link" not in html and "<script" not in html  # self-contained
    assert "发文&lt;数量&gt;" in html  # document text is escaped
    assert json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["rows"] == m["rows"]
    assert {p.name for p in tmp_path.glob("*.png")} == {f"{name}.png" for name in PLOTS}
    assert not list(tmp_path.glob(".*.tmp"))


def test_report_says_what_was_not_evaluated(tmp_path: Path):
    m, rows = _metrics(records=unavailable("no expected records"))
    assert m["records"]["f1"] is None and m["records"]["per_document"] == {}
    write_outputs(tmp_path, m, make_plots(m, rows))
    assert "Not evaluated: no expected records" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_update_model_card_stores_threshold_and_figures(tmp_path: Path):
    ModelCard(version="v1", backend="sklearn", created="", metrics={"macro_f1": 0.5, "kept": 1}).save(tmp_path)
    m, _ = _metrics()
    card = update_model_card(tmp_path, m)
    again = ModelCard.load(tmp_path)
    assert again.review_threshold == card.review_threshold == m["review"]["threshold"]
    assert again.metrics["macro_f1"] == m["rows"]["macro_f1"] and again.metrics["kept"] == 1
    assert again.metrics["record_f1"] == m["records"]["f1"]
    with pytest.raises(ValueError):
        update_model_card(tmp_path, {**m, "evaluation": "held-out"})
