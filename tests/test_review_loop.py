"""The whole review loop against a real Label Studio (started once per session).

extract -> push -> a reviewer annotates through the API (some confirmations,
some corrections) -> pull -> retrain -> extract again. The reviewer's
"truth" is the hand label of the same row in ``annotations/hand/``, joined on
the row key, so which tasks are confirmations and which corrections follows
from what the model got wrong, as it would for a person.

Kept fast: the initial model is trained on a trimmed copy of two documents'
hand labels and never sees the document that is extracted and reviewed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio

from extractor.bulk import run_extraction
from extractor.datamodel import LABELS
from extractor.models import load_classifier
from extractor.models.base import ModelCard, current_version
from extractor.review import load_reviews, pull_annotations, push_queue
from extractor.review.reviews import reviews_path
from extractor.review.settings import ReviewSettings
from extractor.review.tasks import prediction_result
from extractor.training import train
from tests import review_fixtures
from tests.helpers import read_rows

# Fixtures shared with the other review modules (one server per session).
ls_server = review_fixtures.ls_server
ls_settings = review_fixtures.ls_settings

pytestmark = pytest.mark.labelstudio

ROOT = Path(__file__).resolve().parents[1]
HAND = ROOT / "annotations" / "hand"
TRAIN_DOCS = ("000_f44a55659bcd5ffe", "004_3ff65f7921ff3963")
REVIEWED_DOC = "003_325a9de861070d6d"  # not in the initial training data
TRAIN_LINES = 400  # hand labels kept per training document (speed)
THRESHOLD = 0.97  # high, so plenty of rows are queued
BUDGET = 15  # tasks the reviewer annotates, most uncertain first


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _by_key(out_dir: Path) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in read_rows(out_dir)}


def _client(settings: ReviewSettings) -> LabelStudio:
    return LabelStudio(base_url=settings.url, api_key=settings.api_key)


def _tasks(settings: ReviewSettings, project_id: int) -> list[Any]:
    """The project's tasks in import order (most uncertain first)."""
    return sorted(_client(settings).tasks.list(project=project_id, fields="all"), key=lambda t: t.id)


def _annotate(settings: ReviewSettings, task_id: int, label: str) -> None:
    """Submit a label through the API, as the labelling UI does."""
    _client(settings).annotations.create(id=task_id, result=prediction_result(label), lead_time=4.0)


def _trimmed_annotations(root: Path) -> Path:
    """``root/hand`` with the first TRAIN_LINES hand labels of TRAIN_DOCS; reviews/ starts empty."""
    return review_fixtures.trimmed_annotations(root, TRAIN_DOCS, TRAIN_LINES)


def test_review_loop_end_to_end(ls_settings: ReviewSettings, tmp_path: Path) -> None:
    annotations = _trimmed_annotations(ls_settings.annotations_dir)
    models = tmp_path / "models"
    sample = ROOT / "samples" / f"{REVIEWED_DOC}.txt"
    truth = {row["key"]: row["label"] for row in _jsonl(HAND / f"{REVIEWED_DOC}.jsonl")}
    settings = replace(ls_settings, project=f"loop-{uuid.uuid4().hex[:8]}", threshold=THRESHOLD)

    # 1. An initial model that never saw the reviewed document; extract it.
    first = train(annotations, models)
    assert first.promoted and current_version(models) == first.version
    before = tmp_path / "out-before"
    summary = run_extraction([sample], before, models, THRESHOLD)
    assert summary.failed == 0 and summary.queued > BUDGET
    queue = _jsonl(before / "review_queue.jsonl")
    assert all(row["key"] in truth for row in queue)

    # 2. Push the queue; a second push of the same queue adds nothing. Cells whose label
    # follows their column's role in a table queued as a table task are left to that task.
    covered = {key for table in _jsonl(before / "table_queue.jsonl") for key in table["covers"]}
    queue = [row for row in queue if row["key"] not in covered]
    pushed = push_queue(before, settings=settings)
    assert pushed.created_project and pushed.pushed == len(queue) > BUDGET and pushed.threshold == THRESHOLD
    assert pushed.skipped_covered == len(covered & {row["key"] for row in _jsonl(before / "review_queue.jsonl")})
    again = push_queue(before, settings=settings)
    assert (again.project_id, again.pushed, again.skipped_existing) == (pushed.project_id, 0, pushed.pushed)
    tasks = _tasks(settings, pushed.project_id)
    assert [t.data["key"] for t in tasks] == [row["key"] for row in queue]

    # 3. The reviewer labels the most uncertain tasks with the right label.
    reviewed = tasks[:BUDGET]
    wanted = {t.data["key"]: truth[t.data["key"]] for t in reviewed}
    predicted = {t.data["key"]: t.data["predicted_label"] for t in reviewed}
    corrections = {key for key in wanted if wanted[key] != predicted[key]}
    for task in reviewed:
        _annotate(settings, task.id, wanted[task.data["key"]])

    # 4. Pull: confirmations and corrections counted; a second pull changes nothing.
    pulled = pull_annotations(settings=settings)
    assert (pulled.new, pulled.corrected, pulled.confirmed) == (BUDGET, len(corrections), BUDGET - len(corrections))
    assert pulled.corrected > 0
    path = reviews_path(annotations)
    assert path == pulled.path
    written = path.read_bytes()
    repeat = pull_annotations(settings=settings)
    assert (repeat.new, repeat.already) == (0, BUDGET) and path.read_bytes() == written
    reviews = load_reviews(annotations)
    assert {key: r["label"] for key, r in reviews.items()} == wanted

    # Pushing the same queue after the pull re-queues neither reviewed nor queued rows.
    third = push_queue(before, settings=settings, annotations_dir=annotations)
    assert (third.pushed, third.skipped_reviewed, third.skipped_existing) == (0, BUDGET, pushed.pushed - BUDGET)
    keys = [t.data["key"] for t in _tasks(settings, pushed.project_id)]
    assert len(keys) == len(set(keys)) == pushed.pushed

    # 5. Retrain on hand labels + reviews: a new current model that counts the reviews.
    second = train(annotations, models, force=False)
    assert second.version != first.version and second.current_version == first.version
    assert second.promoted and current_version(models) == second.version
    card = ModelCard.load(second.directory)
    assert card.training_data["reviewed_units"] == BUDGET
    assert REVIEWED_DOC in card.training_data["documents"]
    assert "reviews/reviews.jsonl" in card.training_data["files"]

    # 6. Extract again with the reviews: every reviewed row carries the reviewer's label.
    after = tmp_path / "out-after"
    run_extraction([sample], after, models, THRESHOLD, reviews=load_reviews(annotations))
    rows = _by_key(after)
    for key, label in wanted.items():
        assert (rows[key]["label"], rows[key]["label_source"], rows[key]["confidence"]) == (label, "review", 1.0), key
        assert rows[key]["model_version"] == second.version
    assert sum(row["label_source"] == "review" for row in rows.values()) == BUDGET
    assert not set(wanted) & {row["key"] for row in _jsonl(after / "review_queue.jsonl")}

    # ... and the retrained cell classifier itself now labels them as reviewed, reviews ignored.
    # (A cell's label in the output follows its column's role; the cell classifier
    # overrules only an unsure column, so the classifier is asked directly here.)
    plain = tmp_path / "out-model-only"
    run_extraction([sample], plain, models, THRESHOLD, reviews=None, keep_context=True)  # rows with their context
    model_rows = _by_key(plain)
    assert all(model_rows[key]["label_source"] == "model" for key in wanted)
    classifier = load_classifier(models)
    proba = classifier.predict_proba([{"text": model_rows[k]["text"], "context": model_rows[k]["context"]} for k in wanted])
    learned = {key: LABELS[int(p.argmax())] for key, p in zip(wanted, proba, strict=True)}
    wrong = {key: (learned[key], label) for key, label in wanted.items() if learned[key] != label}
    assert not wrong, f"retrained model still mislabels reviewed rows: {wrong}"
    old_rows = _by_key(before)
    assert {key for key in wanted if old_rows[key]["label"] != wanted[key]} == corrections  # wrong before the loop
