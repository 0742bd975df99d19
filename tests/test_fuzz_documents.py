"""Property-based: real documents, mutated the way exports and hand edits damage them.

Lines are deleted, duplicated and swapped, TABs inserted, the text truncated
and random Unicode injected; whatever comes out, extraction must not crash,
every output line must be a JSON object with the documented fields, every line
number must lie inside the document, and a second run must give the same output.
Examples are few and bounded (a window of each sample) so this runs in CI in
well under a minute; set FUZZ_EXAMPLES to fuzz longer.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.bulk import run_extraction
from extractor.models import load_classifier
from extractor.models.base import RowClassifier, resolve_model_dir
from tests.helpers import ROOT, SAMPLES

MODEL = resolve_model_dir(ROOT / "models")
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
WINDOW = 160  # lines of a sample per example: tables, headings and prose, and fast
# Bounded for CI; FUZZ_EXAMPLES=500 fuzzes longer on a developer's machine.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

# The fields README.md documents for each output file.
FIELDS = {
    "records.jsonl": {
        "doc_id", "source", "table", "line", "parent_activity", "activity", "activity_budget", "indicator",
        "indicator_category", "thresholds", "parsed_thresholds", "confidence", "needs_review",
    },
    "sections.jsonl": {"doc_id", "line", "end_line", "level", "number", "title", "type"},
    "rows.jsonl": {"doc_id", "line", "table", "row", "col", "text", "label", "confidence", "model_version", "key", "label_source"},
    "review_queue.jsonl": {"doc_id", "line", "label", "confidence", "key", "context"},
    "errors.jsonl": {"source", "code", "message"},
}
OUTPUTS = ("records.jsonl", "records.csv", "sections.jsonl", "rows.jsonl", "review_queue.jsonl", "errors.jsonl")
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # a line of the source file, as README.md defines it


@pytest.fixture(scope="session")
def classifier() -> RowClassifier:
    """The shipped model, loaded once for every example."""
    return load_classifier(MODEL)


@cache
def _sample_lines(index: int) -> tuple[str, ...]:
    return tuple(SAMPLE_FILES[index].read_text(encoding="utf-8").split("\n"))


_position = st.floats(min_value=0, max_value=1, exclude_max=True)
_edits = st.one_of(
    st.tuples(st.just("delete"), _position),
    st.tuples(st.just("duplicate"), _position),
    st.tuples(st.just("swap"), _position, _position),
    st.tuples(st.just("tab"), _position, _position),
    st.tuples(st.just("unicode"), _position, _position, st.text(min_size=1, max_size=6)),
    st.tuples(st.just("truncate"), _position),
)


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    lines = list(_sample_lines(draw(st.integers(0, len(SAMPLE_FILES) - 1))))
    start = draw(st.integers(0, max(0, len(lines) - WINDOW)))
    lines = lines[start : start + WINDOW]
    for edit in draw(st.lists(_edits, min_size=1, max_size=8)):
        lines = _apply(lines, edit)
    return "\n".join(lines) + "\n"


def _apply(lines: list[str], edit: tuple) -> list[str]:
    if not lines:
        return lines
    kind, where = edit[0], int(edit[1] * len(lines))
    if kind == "delete":
        return lines[:where] + lines[where + 1 :]
    if kind == "duplicate":
        return lines[: where + 1] + lines[where:]
    if kind == "swap":
        other = int(edit[2] * len(lines))
        lines[where], lines[other] = lines[other], lines[where]
    elif kind in ("tab", "unicode"):
        line = lines[where]
        at = int(edit[2] * (len(line) + 1))
        lines[where] = line[:at] + ("\t" if kind == "tab" else edit[3]) + line[at:]
    else:  # truncate: the text stops mid-line
        text = "\n".join(lines)
        return text[: int(edit[1] * len(text))].split("\n")
    return lines


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the repository; a failure prints its reproduction blob
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated_documents())
def test_mutated_documents_give_valid_bounded_repeatable_output(classifier: RowClassifier, tmp_path: Path, text: str) -> None:
    case = Path(tempfile.mkdtemp(dir=tmp_path))  # one folder per example (tmp_path is shared by all)
    source = case / "doc.txt"
    source.write_text(text, encoding="utf-8", newline="")
    n_lines = len(LINE_BREAK.split(text.removesuffix("\n").removesuffix("\r")))

    summary = run_extraction([source], case / "first", MODEL, threshold=0.9, classifier=classifier, jsonl=("records", "rows"))
    for entry in summary.errors:
        assert entry["code"] != "E999" and re.fullmatch(r"E\d{3}", entry["code"]), entry["message"]

    for name, fields in FIELDS.items():
        for raw in (case / "first" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(raw)
            assert isinstance(item, dict) and fields <= set(item), (name, sorted(fields - set(item)))
            if name != "errors.jsonl":
                assert 1 <= item["line"] <= n_lines, (name, item["line"], n_lines)
                assert item.get("end_line") is None or item["line"] <= item["end_line"] <= n_lines
            if name == "records.jsonl":
                assert 0.0 <= item["confidence"] <= 1.0 and isinstance(item["thresholds"], dict)

    run_extraction([source], case / "second", MODEL, threshold=0.9, classifier=classifier, jsonl=("records", "rows"))
    assert _outputs(case / "second") == _outputs(case / "first")
