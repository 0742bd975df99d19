"""One table task teaches a layout, against a real Label Studio (shared server).

A document whose table names its columns with words no annotation and no
vocabulary entry uses (工作事项 / 衡量内容 / 期望水平) is extracted → its table is
queued as ONE table task → the test answers it through the API as a reviewer
would (header row and each column's role) → pull → retrain → the reviewed
document's records are all right, and so are those of a second document of
the same layout that nobody reviewed. Expected records are hand-written
(``tests/data/review_tables/``).

Kept fast: the models train on a few hundred hand labels of two samples and
no sample texts (``samples_dir`` is empty), so retrain skips the record
evaluation.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio

from extractor.bulk import run_extraction
from extractor.evaluation.generalisation import content_key
from extractor.models.base import ModelCard
from extractor.review import load_reviews, pull_annotations, push_queue
from extractor.review.settings import ReviewSettings
from extractor.review.table_tasks import HEADER_FROM, TO_NAME, header_choice, role_from, tables_project
from extractor.tables.reviewed_roles import load_reviewed_tables
from extractor.training import train
from tests import review_fixtures
from tests.helpers import read_records, read_rows

ls_server = review_fixtures.ls_server
ls_settings = review_fixtures.ls_settings

pytestmark = pytest.mark.labelstudio

DATA = Path(__file__).resolve().parent / "data" / "review_tables"
REVIEWED, UNSEEN = DATA / "municipal_works.txt", DATA / "water_works.txt"
TRAIN_DOCS = ("000_f44a55659bcd5ffe", "004_3ff65f7921ff3963")
THRESHOLD = 0.97
# What a reviewer reading the table answers: row 1 is the header; each column's role.
HEADER_ROWS = [0]
ROLES = {0: "seq", 1: "activity", 2: "indicator", 3: "target", 4: "unit", 5: "weight"}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _records(out: Path) -> Counter[Any]:
    return Counter((r["line"], content_key(r)) for r in read_records(out))


def _expected(doc: Path) -> Counter[Any]:
    return Counter((r["line"], content_key(r)) for r in _jsonl(doc.with_suffix(".expected.jsonl")))


def _answer() -> list[dict[str, Any]]:
    """The reviewer's result: the header row and every column's role."""
    header = {"from_name": HEADER_FROM, "to_name": TO_NAME, "type": "choices",
              "value": {"choices": [header_choice(k) for k in HEADER_ROWS]}}  # fmt: skip
    return [header] + [
        {"from_name": role_from(c), "to_name": TO_NAME, "type": "choices", "value": {"choices": [role]}}
        for c, role in ROLES.items()
    ]


def test_one_table_task_teaches_a_new_layout(ls_settings: ReviewSettings, tmp_path: Path) -> None:
    annotations = review_fixtures.trimmed_annotations(ls_settings.annotations_dir, TRAIN_DOCS, 300)
    no_samples = tmp_path / "samples"
    no_samples.mkdir()
    models = tmp_path / "models"
    settings = replace(ls_settings, project=f"tables-{uuid.uuid4().hex[:8]}", threshold=THRESHOLD)

    # 1. A model that never saw this layout gets the table wrong and queues it as one table task.
    first = train(annotations, models, samples_dir=no_samples)
    assert first.promoted
    before = tmp_path / "before"
    run_extraction([REVIEWED], before, models, THRESHOLD)
    assert _records(before) != _expected(REVIEWED)
    queued = _jsonl(before / "table_queue.jsonl")
    assert len(queued) == 1 and queued[0]["doc_id"] == "municipal_works"
    entry = queued[0]

    pushed = push_queue(before, settings=settings, annotations_dir=annotations)
    assert (pushed.tables_project, pushed.tables_pushed) == (tables_project(settings.project), 1)
    again = push_queue(before, settings=settings, annotations_dir=annotations)
    assert (again.tables_pushed, again.tables_skipped_existing, again.pushed) == (0, 1, 0)
    client = LabelStudio(base_url=settings.url, api_key=settings.api_key)
    tasks = list(client.tasks.list(project=pushed.tables_project_id, fields="all"))
    assert [t.data["key"] for t in tasks] == [entry["key"]]
    # Header cells never become cell tasks; cells the table task decides are not asked twice.
    cell_keys = {t.data["key"] for t in client.tasks.list(project=pushed.project_id, fields="all")}
    rows = {r["key"]: r for r in read_rows(before)}
    assert not {k for k in cell_keys if rows[k].get("context", {}).get("is_header_row")}
    assert not cell_keys & set(entry["covers"])

    # 2. The reviewer answers the table task; pull writes one reviewed table.
    client.annotations.create(id=tasks[0].id, result=_answer(), lead_time=20.0)
    pulled = pull_annotations(settings=settings, annotations_dir=annotations)
    assert pulled.tables_new == 1
    reviewed = load_reviewed_tables(annotations)
    assert list(reviewed) == [entry["key"]]
    assert reviewed[entry["key"]]["roles"] == {str(c): r for c, r in ROLES.items()}
    assert reviewed[entry["key"]]["headers"] == ["序号", "工作事项", "衡量内容", "期望水平", "计量单位", "分值"]
    assert pull_annotations(settings=settings, annotations_dir=annotations).tables_new == 0
    third = push_queue(before, settings=settings, annotations_dir=annotations)
    assert (third.tables_pushed, third.tables_skipped_reviewed) == (0, 1)

    # 3. Retrain: the reviewed table teaches the column-role model.
    second = train(annotations, models, samples_dir=no_samples)
    assert second.promoted and second.gate is not None and not second.gate.broke
    assert ModelCard.load(second.directory).training_data["reviewed_tables"] == 1

    # 4. The reviewed document: every record right (the review applies to the whole table) ...
    after = tmp_path / "after"
    run_extraction([REVIEWED], after, models, THRESHOLD, reviews=load_reviews(annotations))
    assert _records(after) == _expected(REVIEWED)
    # ... and a document of the same layout, other rows, not reviewed (its key differs): right too.
    unseen = tmp_path / "unseen"
    run_extraction([UNSEEN], unseen, models, THRESHOLD, reviews=load_reviews(annotations))
    assert _records(unseen) == _expected(UNSEEN)
    assert not _jsonl(unseen / "table_queue.jsonl")
