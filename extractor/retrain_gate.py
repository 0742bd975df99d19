"""The retrain gate: does a candidate model break more than it fixes?

Three kinds of evidence, each compared item by item with the current model:

- **held-out templates**: the records each template gets right when its
  documents are extracted by models trained without them (leave-one-template-
  out, and the augmented variants of its documents), stored in each model's
  card (``metrics.held_out_items``) when it was trained, so the current model
  is never evaluated again;
- **held-out cells**: on unchanged annotations (another recipe or backend
  parameters), each cell the leave-one-document-out models get wrong;
- **reviewed items of earlier rounds**: every cell review and every column of
  every table review made before the current model was trained (a fixed
  evaluation set that only grows). Both models label them from the stored
  annotation (cells: the cell classifier; tables: the column-role model).

A candidate that breaks more items than it fixes is refused; the report names
what it broke.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.annotations import Annotation
from extractor.datamodel import LABELS
from extractor.models.base import RowClassifier
from extractor.review.reviews import parse_time
from extractor.tables.column_roles import assign_roles, role_probabilities
from extractor.tables.reviewed_roles import load_reviewed_tables, reviewed_labelled_tables

MAX_SHOWN = 20


@dataclass
class GateReport:
    """Items the candidate fixed and broke, compared with the current model."""

    fixed: list[str] = field(default_factory=list)
    broke: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return len(self.broke) <= len(self.fixed)

    def lines(self) -> list[str]:
        """A short human summary, the broken items first."""
        out = [f"gate: fixes {len(self.fixed)}, breaks {len(self.broke)} -> {'pass' if self.passed else 'REFUSED'}"]
        out += [f"  broke {item}" for item in self.broke[:MAX_SHOWN]]
        if len(self.broke) > MAX_SHOWN:
            out.append(f"  ... and {len(self.broke) - MAX_SHOWN} more")
        out += [f"  note: {n}" for n in self.notes]
        return out


def held_out_items(evaluation: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Records right (of how many) per held-out template and per augmented variant, from an evaluation."""
    loto = evaluation.get("leave_one_template_out") or {}
    if not loto.get("available"):
        return {}
    scored = {f"template {t}": s for t, s in loto.get("per_template", {}).items()}
    scored |= {f"augmented {k}": s for k, s in (loto.get("augmented") or {}).get("per_kind", {}).items()}
    return {name: {"right": round(s["recall"] * s["n_expected"]), "n": int(s["n_expected"])} for name, s in scored.items()}


def compare_held_out(
    report: GateReport, current: Mapping[str, Mapping[str, int]] | None, candidate: Mapping[str, Mapping[str, int]]
) -> None:
    """Each record more (fewer) right on a held-out set counts as one fixed (broken) item.

    Only sets of the same size are compared (a set that grew with new
    annotations is another set)."""
    if not current:
        report.notes.append("no held-out template figures in the current model's card (no sample texts, or trained before the gate): held-out templates not compared")
        return
    for name in sorted(set(current) | set(candidate)):
        before, after = current.get(name), candidate.get(name)
        if not before or not after or before["n"] != after["n"]:
            report.notes.append(f"{name}: not comparable (held-out set changed)")
            continue
        delta = after["right"] - before["right"]
        target = report.fixed if delta > 0 else report.broke
        target += [f"{name}: {before['right']} -> {after['right']} of {after['n']} records right"] * abs(delta)


def held_out_units(keys: Sequence[str], correct: Sequence[bool]) -> dict[str, Any]:
    """The cells each document's held-out model got wrong (leave one document out), and
    a hash of the cells evaluated: the same annotations give the same hash."""
    digest = hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()
    return {"evaluated": digest, "wrong": sorted(k for k, ok in zip(keys, correct, strict=True) if not ok)}


def compare_units(report: GateReport, current: Mapping[str, Any] | None, candidate: Mapping[str, Any]) -> None:
    """On the same annotations, each held-out cell wrong now (right before) is one broken (fixed) item."""
    if not current or current.get("evaluated") != candidate["evaluated"]:
        report.notes.append("held-out cells not compared (the annotations changed since the current model, or its card has none)")
        return
    before, after = set(current["wrong"]), set(candidate["wrong"])
    report.broke += [f"held-out cell {key}" for key in sorted(after - before)]
    report.fixed += [f"held-out cell {key}" for key in sorted(before - after)]


def earlier_round(time: str, since: str) -> bool:
    """Whether a review made at ``time`` was in the data of a model created at ``since``."""
    try:
        return bool(time) and parse_time(time) < parse_time(since)
    except (TypeError, ValueError):
        return False


def compare_reviewed(
    report: GateReport, annotations: Sequence[Annotation], annotations_dir: Path, since: str,
    current: RowClassifier, candidate: RowClassifier,
) -> None:
    """Cell reviews and table-review columns of rounds before ``since``, labelled by both models."""
    cells = [a for a in annotations if a.source == "review" and earlier_round(a.time, since)]
    if cells:
        records = [a.record() for a in cells]
        before, after = current.predict_proba(records).argmax(axis=1), candidate.predict_proba(records).argmax(axis=1)
        for a, b, c in zip(cells, before, after, strict=True):
            _count(report, f"reviewed cell {a.doc_id} line {a.line} col {a.col} {a.text[:20]!r}",
                   LABELS[int(b)] == a.label, LABELS[int(c)] == a.label, f"{LABELS[int(c)]} (reviewer: {a.label})")
    reviewed = load_reviewed_tables(annotations_dir)
    earlier = {k for k, e in reviewed.items() if earlier_round(str(e.get("time") or ""), since)}
    for table in reviewed_labelled_tables(annotations_dir):
        key = table.template.removeprefix("reviewed:")
        if key not in earlier:
            continue
        before = _roles(table.columns, getattr(current, "column_model", None))
        after = _roles(table.columns, getattr(candidate, "column_model", None))
        for c, role in enumerate(table.roles):
            header = table.columns[c].header or f"column {c + 1}"
            _count(report, f"reviewed table {key} {header!r}", before[c] == role, after[c] == role, f"{after[c]} (reviewer: {role})")


def _roles(columns: Sequence[Any], model: Any) -> list[str]:
    assignment = assign_roles(columns, role_probabilities(columns, model))
    return [assignment.roles.get(c, "other") for c in range(len(columns))]


def _count(report: GateReport, item: str, was_right: bool, is_right: bool, now: str) -> None:
    if was_right and not is_right:
        report.broke.append(f"{item}: now {now}")
    elif is_right and not was_right:
        report.fixed.append(item)
