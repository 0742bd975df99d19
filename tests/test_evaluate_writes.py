"""``extractor evaluate`` reads: it writes under --out only, unless --update-card asks to change the card."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from tests.helpers import ROOT
from tests.test_evaluation_end_to_end import small_annotations  # noqa: F401 - a fixture, shared

SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_evaluate_leaves_the_model_card_alone_unless_asked(small_annotations: Path, tmp_path: Path) -> None:  # noqa: F811
    model = tmp_path / "model"
    shutil.copytree(SHIPPED, model)
    tracked, before = _snapshot(ROOT / "models"), _snapshot(model)
    base = ["evaluate", "--model", str(model), "--annotations", str(small_annotations), "--reviewer-actions", "none"]

    result = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    assert _snapshot(model) == before and _snapshot(ROOT / "models") == tracked
    assert (tmp_path / "eval" / "metrics.json").exists() and "updated" not in result.output

    result = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "eval2"), "--update-card"])
    assert result.exit_code == 0, result.output
    chosen = json.loads((tmp_path / "eval2" / "metrics.json").read_text(encoding="utf-8"))["review"]["threshold"]
    card = json.loads((model / "card.json").read_text(encoding="utf-8"))
    assert card["review_threshold"] == pytest.approx(chosen) and _snapshot(model) != before
    assert _snapshot(ROOT / "models") == tracked
