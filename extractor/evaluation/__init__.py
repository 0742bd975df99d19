"""Evaluation of a row classifier and of the whole extraction (issue 4, ``extractor evaluate``).

- :mod:`.rows`: per-label precision/recall/F1, confusion, calibration, review threshold;
- :mod:`.review_curve`: queue size against errors caught, and the threshold choice;
- :mod:`.records`: indicator records against hand-checked expected records;
- :mod:`.sections`: section headings against hand-checked expected sections;
- :mod:`.plots`, :mod:`.report`: the PNG plots, ``metrics.json`` and ``report.html``;
- :mod:`.run`: :func:`evaluate` (leave-one-document-out or held-out) and
  :func:`update_model_card`.
"""

from __future__ import annotations

from extractor.evaluation.records import match_records, record_metrics
from extractor.evaluation.review_curve import choose_threshold, review_curve
from extractor.evaluation.rows import RowPredictions, row_metrics
from extractor.evaluation.run import card_metrics, evaluate, fold_models, update_model_card
from extractor.evaluation.sections import section_metrics, section_scores

__all__ = [
    "RowPredictions",
    "card_metrics",
    "choose_threshold",
    "evaluate",
    "fold_models",
    "match_records",
    "record_metrics",
    "review_curve",
    "row_metrics",
    "section_metrics",
    "section_scores",
    "update_model_card",
]
