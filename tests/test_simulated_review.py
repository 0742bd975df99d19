"""The simulated reviewer that ``extractor evaluate`` reports: review actions must raise record F1."""

from __future__ import annotations

from extractor.evaluation.simulated_review import reviewer_curve
from extractor.tables.column_training import template_of_document
from tests.helpers import DOC_003, ROOT


def test_five_review_actions_raise_record_f1_on_a_template_the_model_never_saw() -> None:
    template = template_of_document(DOC_003)  # the project-table template; its models train on the graded one
    curve = reviewer_curve(ROOT / "annotations", ROOT / "samples", actions=(0, 5), templates=(template,))
    assert curve["available"] and list(curve["per_template"]) == [template]
    result = curve["per_template"][template]
    before, after = result["points"]
    assert before["actions"] == 0 and before["f1_applied"] == before["f1_retrained"]
    assert after["actions"] == min(5, result["queue_length"]) == after["tables"] + after["cells"]
    assert after["tables"] >= 1  # an uncertain table is worth more than a cell, so it comes first
    assert after["f1_applied"] > before["f1_applied"] and after["f1_retrained"] >= after["f1_applied"] - 0.01
