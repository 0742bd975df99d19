"""Table reviews without a server: keys, applying reviewed roles, task answers, the retrain gate."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from extractor.datamodel import Cell, Row, Table
from extractor.document import analyse
from extractor.errors import AnnotationsError, ModelLoadError
from extractor.models.base import current_version
from extractor.reader import read_document
from extractor.retrain_gate import GateReport, compare_held_out
from extractor.review.reviews import append_jsonl_atomic
from extractor.review.table_tasks import (
    HEADER_FROM, MAX_COLUMNS, NO_HEADER, TO_NAME, build_table_task, header_choice, review_order, role_from,
    select_tables, table_answer, table_label_config,
)  # fmt: skip
from extractor.table_queue import table_entries
from extractor.tables.reviewed_roles import load_reviewed_tables, reviewed_tables_path, table_fingerprint, table_key
from extractor.training import rollback, train
from extractor.vocabulary import ROLES
from tests.review_fixtures import trimmed_annotations

DATA = Path(__file__).resolve().parent / "data" / "review_tables"
MUNICIPAL, WATER = DATA / "municipal_works.txt", DATA / "water_works.txt"
RIGHT = ["seq", "activity", "indicator", "target", "unit", "weight"]


def _table(rows: list[list[str]]) -> Table:
    return Table(index=0, layout="tab_rows", line=1, end_line=len(rows),
                 rows=[Row(cells=[Cell(text=t, line=k + 1, end_line=k + 1, col=c) for c, t in enumerate(r)], line=k + 1)
                       for k, r in enumerate(rows)])  # fmt: skip


def _review(path: Path, roles: list[str], time: str, header_rows: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """A reviewed-tables line for the first table of ``path``, as ``review pull`` writes it."""
    doc = read_document(path)
    table = analyse(doc).tables[0]
    rows = [r.texts() for r in table.rows]
    return {
        "key": table_key(doc.sha256, table), "doc_id": doc.doc_id, "header_rows": list(header_rows),
        "roles": {str(c): r for c, r in enumerate(roles)}, "headers": rows[0],
        "columns": [[r[c] for r in rows[1:]] for c in range(len(roles))], "time": time, "source": "review",
    }  # fmt: skip


def test_table_key_ignores_where_cells_sit_but_not_the_document() -> None:
    rows = [["项目", "指标", "指标值"], ["道路养护", "养护里程", "≥320"], ["", "修复率", "≥98%"]]
    shifted = _table(rows)
    shifted.rows[2].cells = [Cell(text=t, line=3, end_line=3, col=c + 1) for c, t in enumerate(["修复率", "≥98%"])]
    assert table_fingerprint(_table(rows)) == table_fingerprint(shifted)
    assert table_fingerprint(_table(rows)) != table_fingerprint(_table([*rows[:2], ["", "修复率", "≥99%"]]))
    assert table_key("a" * 64, _table(rows)) != table_key("b" * 64, _table(rows))


def test_reviewed_roles_apply_to_every_row_of_that_table_only() -> None:
    review = _review(MUNICIPAL, RIGHT, "2026-12-01T00:00:00Z")
    doc = read_document(MUNICIPAL)
    table = analyse(doc, reviewed_tables={review["key"]: review}).tables[0]
    data = [row for row in table.rows if not row.is_header]
    assert table.rows[0].is_header and len(data) == 5
    assert all(row.roles == dict(enumerate(RIGHT)) for row in data)
    assert all(set(row.role_confidence.values()) == {1.0} for row in data)
    # The same layout in another document keeps the model's own roles (learned, never matched by key).
    other = analyse(read_document(WATER), reviewed_tables={review["key"]: review}).tables[0]
    assert any(v < 1.0 for row in other.rows for v in row.role_confidence.values())


def test_a_header_row_the_model_missed_is_marked_by_the_review() -> None:
    rows = [["一级指标", "考评要点", "甲等", "乙等"], ["产出指标", "参训人数", "≥500", "≥400"], ["", "合格率", "≥95%", "≥90%"]]
    table = _table(rows)
    for row in table.rows:
        row.roles = {0: "category1", 1: "other", 2: "grade", 3: "grade"}
    review = {"roles": {"0": "category1", "1": "indicator", "2": "grade", "3": "grade"}, "header_rows": [0]}
    from extractor.tables.reviewed_roles import apply_reviewed_roles

    assert apply_reviewed_roles("c" * 64, [table], {table_key("c" * 64, table): review}) == 1
    assert table.rows[0].is_header and not table.rows[1].is_header and table.is_performance
    assert table.rows[1].columns == {0: "一级指标", 1: "考评要点", 2: "甲等", 3: "乙等"}
    assert table.rows[2].grade_keys == {2: "优", 3: "良"}


def test_a_malformed_reviewed_table_line_names_file_and_line(tmp_path: Path) -> None:
    path = reviewed_tables_path(tmp_path)
    path.parent.mkdir(parents=True)
    good = {"key": "0123456789abcdef:table:00", "roles": {"0": "indicator"}, "header_rows": []}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "roles": {"0": "boss"}}) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationsError, match=r"line 2: unknown roles \['boss'\]") as info:
        load_reviewed_tables(tmp_path)
    assert str(path) in str(info.value)


def _entry() -> dict[str, Any]:
    doc = read_document(MUNICIPAL)
    layout = analyse(doc)
    return table_entries(doc.doc_id, doc.sha256, doc.source, layout.tables, layout.sections, layout.units, [], "m1", below=1.01)[0]


def test_table_task_round_trip_and_bad_answers() -> None:
    entry = _entry()
    task = build_table_task(entry)
    assert task["data"]["col1"] == "工作事项" and task["data"][f"col{MAX_COLUMNS - 1}"] == "（无此列）"
    picked = {r["from_name"]: r["value"]["choices"] for r in task["predictions"][0]["result"]}
    assert picked[HEADER_FROM] == [header_choice(0)] and len(picked) == 1 + entry["n_cols"]

    def choices(name: str, values: list[str]) -> dict[str, Any]:
        return {"from_name": name, "to_name": TO_NAME, "type": "choices", "value": {"choices": values}}

    answer = [choices(HEADER_FROM, [header_choice(0)])] + [choices(role_from(c), [r]) for c, r in enumerate(RIGHT)]
    assert table_answer(task, answer) == ([0], {str(c): r for c, r in enumerate(RIGHT)})
    with pytest.raises(ValueError, match="no header row"):
        table_answer(task, answer[1:])
    with pytest.raises(ValueError, match=NO_HEADER):
        table_answer(task, [choices(HEADER_FROM, [NO_HEADER, header_choice(0)]), *answer[1:]])
    with pytest.raises(ValueError, match="column 2"):
        table_answer(task, [*answer[:2], choices(role_from(1), ["boss"]), *answer[3:]])


def test_label_config_offers_every_role_for_every_column() -> None:
    root = ET.fromstring(table_label_config())
    groups = {c.get("name"): [x.get("value") for x in c] for c in root.iter("Choices")}
    assert groups[HEADER_FROM][0] == NO_HEADER
    assert all(groups[role_from(c)] == list(ROLES) for c in range(MAX_COLUMNS))


def test_queue_order_and_selection() -> None:
    tables = [{"key": "t1", "gain": 4.2, "n_cols": 6, "doc_id": "a", "line": 3},
              {"key": "t2", "gain": 0.3, "n_cols": 6, "doc_id": "a", "line": 9},
              {"key": "t3", "gain": 9.0, "n_cols": MAX_COLUMNS + 1, "doc_id": "a", "line": 20},
              {"key": "t1", "gain": 4.2, "n_cols": 6, "doc_id": "a", "line": 3}]  # fmt: skip
    chosen, counts = select_tables(tables, reviewed={"t2"})
    assert [t["key"] for t in chosen] == ["t1"] and counts == {"reviewed": 1, "duplicate": 1, "too_wide": 1}
    order = review_order(chosen, [{"key": "c1", "confidence": 0.4}, {"key": "c2", "confidence": 0.9}])
    assert [k for k, _ in order] == ["t1", "c1", "c2"]


def test_held_out_comparison_counts_records_of_equal_sets_only() -> None:
    report = GateReport()
    before = {"template A": {"right": 40, "n": 50}, "template B": {"right": 10, "n": 20}, "augmented x": {"right": 5, "n": 9}}
    after = {"template A": {"right": 37, "n": 50}, "template B": {"right": 12, "n": 20}, "augmented x": {"right": 9, "n": 10}}
    compare_held_out(report, before, after)
    assert (len(report.fixed), len(report.broke)) == (2, 3) and not report.passed
    assert "template A: 40 -> 37 of 50 records right" in report.broke[0]
    assert any("augmented x: not comparable" in n for n in report.notes)


def test_retrain_refuses_a_round_that_breaks_an_earlier_review_and_rolls_back(tmp_path: Path) -> None:
    annotations = trimmed_annotations(tmp_path / "annotations", ("000_f44a55659bcd5ffe", "004_3ff65f7921ff3963"), 150)
    samples, models = tmp_path / "samples", tmp_path / "models"
    samples.mkdir()
    append_jsonl_atomic(reviewed_tables_path(annotations), [_review(MUNICIPAL, RIGHT, "2020-01-01T00:00:00Z")])
    first = train(annotations, models, samples_dir=samples)
    assert first.promoted

    # A later round labels the same layout wrongly, three times over.
    wrong = _review(WATER, ["seq", "description", "indicator_description", "basis", "unit", "weight"], "2099-01-01T00:00:00Z")
    append_jsonl_atomic(reviewed_tables_path(annotations), [{**wrong, "key": f"{wrong['key']}{k}"} for k in range(3)])
    second = train(annotations, models, samples_dir=samples)
    assert not second.promoted and current_version(models) == first.version
    assert second.gate is not None and any("'工作事项': now description (reviewer: activity)" in b for b in second.gate.broke)
    assert (models / second.version / "card.json").exists()  # kept on disk, not current

    forced = train(annotations, models, samples_dir=samples, force=True)
    assert forced.promoted and current_version(models) == forced.version
    assert rollback(models) == first.version and current_version(models) == first.version
    with pytest.raises(ModelLoadError, match="no model 'nope'"):
        rollback(models, "nope")


def test_extraction_queues_uncertain_tables_and_never_header_cells(tmp_path: Path) -> None:
    from extractor.bulk import run_extraction

    out = tmp_path / "out"
    run_extraction([MUNICIPAL], out, Path(__file__).resolve().parents[1] / "models", 1.0)
    queue = [json.loads(line) for line in (out / "review_queue.jsonl").read_text(encoding="utf-8").splitlines()]
    tables = [json.loads(line) for line in (out / "table_queue.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [t["doc_id"] for t in tables] == ["municipal_works"] and tables[0]["min_role_confidence"] < 0.8
    headers = set(tables[0]["header_units"])  # the six cells of 序号 | 工作事项 | … | 分值
    assert len(headers) == 6 and queue and not headers & {r["key"] for r in queue}
