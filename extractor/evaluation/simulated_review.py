"""Simulated reviewer: record F1 on a template the model never saw, against reviewer actions.

For each held-out template (leave-one-template-out, as ``extractor evaluate``
groups the annotated samples): train the cell and column-role models on the
other templates, extract the held-out documents, and build the review queue
the way ``extractor review push`` orders it (table tasks and cell tasks by
expected gain, :func:`extractor.review.table_tasks.review_order`). A simulated
reviewer then answers the first N tasks from the hand annotations:

- a table task: each column's role from the table's hand-checked expected
  records (the column holding their indicators, activities or threshold
  values; graded targets when they are graded), header rows as the model
  found them;
- a cell task: the cell's hand label.

After N actions the models are retrained with those answers (reviewed tables
teach the column-role model, reviewed cells the cell classifier) and the
documents extracted again with the answers applied, as the next extraction
would.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.annotations import Annotation, load_annotations
from extractor.evaluation.common import compact_text, read_expected
from extractor.evaluation.generalisation import content_scores
from extractor.models import ModelCard, new_classifier
from extractor.pipeline import DocumentResult, process_document
from extractor.review.reviews import append_jsonl_atomic
from extractor.review.table_tasks import build_table_task, review_order, reviewed_table_entry
from extractor.table_queue import table_entries
from extractor.tables.column_training import labelled_tables, load_template_roles, template_of_document, train_column_model
from extractor.tables.reviewed_roles import reviewed_labelled_tables, reviewed_tables_path

DEFAULT_ACTIONS = (0, 5, 10, 30)
# Cells below this confidence are queued for the simulated reviewer.
DEFAULT_THRESHOLD = 0.9


KEY_ROLES = ("activity", "parent_activity", "indicator", "grade", "target")
LABEL_OF_ROLE = {"activity": "activity", "parent_activity": "activity", "indicator": "indicator"}
# Share of a column's filled cells that must say what an expected record says.
MATCH_SHARE = 0.5


def hand_roles(entry: Mapping[str, Any], expected: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each column's role as the table's hand-checked expected records say: the
    column holding most of their indicators (activities) is the indicator
    (activity); columns holding their threshold values are graded targets when
    the records are graded, else the target. Where no column holds what the
    records say (OCR garbled it), the model's columns are kept: the reviewer
    cannot tell either. Other columns keep the model's role unless it makes
    records (then "other")."""
    mine = [r for r in expected if entry["line"] <= r["line"] <= entry["end_line"]]
    said = {
        "indicator": {compact_text(r["indicator"]) for r in mine},
        "activity": {compact_text(r["activity"]) for r in mine if r.get("activity")},
        "threshold": {compact_text(v) for r in mine for v in (r.get("thresholds") or {}).values()},
    }
    graded = any(set(r.get("thresholds") or {}) & {"优", "良", "中", "差"} for r in mine)
    body = [row for k, row in enumerate(entry["rows"]) if k not in entry["header_rows"]]
    width = int(entry["n_cols"])
    predicted = {c: entry["roles"].get(str(c), "other") for c in range(width)}
    hits: dict[str, dict[int, int]] = {label: {} for label in said}
    for c in range(width):
        cells = [compact_text(row[c]) for row in body if c < len(row) and row[c].strip()]
        for label, texts in said.items():
            n = sum(cell in texts for cell in cells)
            if cells and n >= MATCH_SHARE * len(cells):
                hits[label][c] = n
    roles = {c: "other" if r in KEY_ROLES else r for c, r in predicted.items()}
    def best(label: str, role: str, right_most: bool) -> int:
        # Ties (a 三级指标 column repeating the 二级指标 words, a 依据 column repeating
        # the value) go to the model's column, else the right-most (left-most) one.
        h = hits[label]
        return max(h, key=lambda c: (h[c], predicted[c] == role, c if right_most else -c))

    for label, role in (("activity", "activity"), ("indicator", "indicator")):
        if hits[label]:
            roles[best(label, role, right_most=True)] = role
        else:
            roles.update({c: r for c, r in predicted.items() if LABEL_OF_ROLE.get(r) == label})
    if not hits["threshold"]:
        roles.update({c: r for c, r in predicted.items() if r in ("grade", "target")})
    elif graded:
        roles.update({c: "grade" for c in hits["threshold"]})
    else:
        roles[best("threshold", "target", right_most=False)] = "target"
    return {str(c): r for c, r in roles.items()}


class Simulation:
    """One held-out template: its documents, the models of the other templates, the queue."""

    def __init__(self, annotations: list[Annotation], sources: dict[str, Path], annotations_dir: Path,
                 expected: dict[str, list[dict[str, Any]]], held_out: list[str], threshold: float) -> None:
        self.train_docs = sorted(set(sources) - set(held_out))
        self.train_units = [a for a in annotations if a.doc_id in self.train_docs]
        self.hand = {a.key: a for a in annotations if a.doc_id in held_out}
        self.sources, self.expected, self.held_out, self.threshold = sources, expected, held_out, threshold
        self.tables = labelled_tables([sources[d] for d in self.train_docs], load_template_roles(annotations_dir) or {})
        self.workdir = Path(tempfile.mkdtemp(prefix="simulate-review-"))

    def model(self, reviewed_cells: list[Annotation]) -> Any:
        card = ModelCard(version="simulated", backend="sklearn", created="")
        units = self.train_units + reviewed_cells
        model = new_classifier(card).fit([a.record() for a in units], [a.label for a in units])
        model.column_model = train_column_model([*self.tables, *reviewed_labelled_tables(self.workdir)])
        return model

    def extract(self, model: Any, reviews: Mapping[str, Any]) -> dict[str, DocumentResult]:
        return {d: process_document(self.sources[d], model, self.threshold, reviews) for d in self.held_out}

    def f1(self, results: Mapping[str, DocumentResult]) -> float:
        predicted = [r.to_dict() for res in results.values() for r in res.records]
        return content_scores(predicted, [r for d in self.held_out for r in self.expected.get(d, [])])["f1"]

    def queue(self, results: Mapping[str, DocumentResult]) -> list[tuple[str, Any]]:
        """(kind, item) in review order: table entries and cell units."""
        tables, cells = [], []
        for res in results.values():
            entries = table_entries(res.doc.doc_id, res.doc.sha256, res.doc.source, res.tables, res.sections,
                                    res.units, res.records, res.model_version)  # fmt: skip
            covered = {k for e in entries for k in e["covers"]}
            tables += [(e, res) for e in entries]
            cells += [u for u in res.units if u.confidence < self.threshold and not u.context.get("is_header_row")
                      and u.key not in covered and u.key in self.hand]  # fmt: skip
        items = {e["key"]: ("table", (e, r)) for e, r in tables} | {u.key: ("cell", u) for u in cells}
        order = review_order([e for e, _ in tables], [{"key": u.key, "confidence": u.confidence} for u in cells])
        return [items[key] for key, _ in order]

    def after(self, actions: list[tuple[str, Any]], initial: Any) -> tuple[float, float]:
        """F1 once the reviewer has answered ``actions``: with the answers applied by the
        ``initial`` model, and by the models retrained on them (what the next extraction gives)."""
        path = reviewed_tables_path(self.workdir)
        path.unlink(missing_ok=True)
        reviews: dict[str, Any] = {}
        cells: list[Annotation] = []
        tables = []
        for kind, item in actions:
            if kind == "table":
                entry, result = item
                roles = hand_roles(entry, self.expected.get(entry["doc_id"], []))
                answer = reviewed_table_entry({"data": build_table_task(entry)["data"]}, entry["header_rows"], roles)
                tables.append({**answer, "time": "2026-01-01T00:00:00Z", "source": "review"})
                reviews[entry["key"]] = tables[-1]
            else:
                cells.append(self.hand[item.key])
                reviews[item.key] = {"label": self.hand[item.key].label}
        append_jsonl_atomic(path, tables)
        return self.f1(self.extract(initial, reviews)), self.f1(self.extract(self.model(cells), reviews))


def reviewer_curve(
    annotations_dir: Path,
    samples_dir: Path,
    actions: Sequence[int] = DEFAULT_ACTIONS,
    threshold: float = DEFAULT_THRESHOLD,
    templates: Sequence[str] = (),
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Per held-out template (all, or those in ``templates``): record F1 after each number of
    reviewer ``actions``, with the answers applied and with the models retrained on them."""
    annotations = load_annotations(annotations_dir)
    expected = read_expected(annotations_dir / "expected_records")
    sources = {d: samples_dir / f"{d}.txt" for d in {a.doc_id for a in annotations} if (samples_dir / f"{d}.txt").exists()}
    of_doc = {d: template_of_document(p) for d, p in sources.items()}
    groups = sorted(set(of_doc.values()) & set(templates or of_doc.values()))
    if len(set(of_doc.values())) < 2:
        return {"available": False, "note": "needs annotated documents of two templates"}
    per_template: dict[str, Any] = {}
    for template in groups:
        held_out = sorted(d for d, t in of_doc.items() if t == template)
        if not any(expected.get(d) for d in held_out):
            continue
        progress(f"simulated reviewer on template {template}")
        sim = Simulation(annotations, sources, annotations_dir, expected, held_out, threshold)
        try:
            initial = sim.model([])
            queue = sim.queue(sim.extract(initial, {}))
            points = []
            for n in actions:
                done = queue[:n]
                applied, retrained = sim.after(done, initial)
                tables = sum(kind == "table" for kind, _ in done)
                points.append({"actions": len(done), "tables": tables, "cells": len(done) - tables,
                               "f1_applied": applied, "f1_retrained": retrained})
        finally:
            shutil.rmtree(sim.workdir, ignore_errors=True)
        per_template[template] = {"documents": held_out, "queue_length": len(queue), "points": points}
    return {"available": bool(per_template), "threshold": threshold, "per_template": per_template}
