"""Push/pull against a real Label Studio server (started once per session)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from extractor.review import pull_annotations, push_queue
from extractor.review.cli import review_app
from extractor.review.errors import (
    ReviewAuthError,
    ReviewExportError,
    ReviewProjectError,
    ReviewUnreachableError,
)
from extractor.review.reviews import load_reviews, reviews_path
from extractor.review.server import ServerHandle, free_port
from extractor.review.settings import ReviewSettings
from extractor.review.tasks import prediction_result
from tests import review_fixtures
from tests.review_fixtures import make_rows, write_out_dir

# Fixtures shared with the other review modules (one server per session).
ls_server = review_fixtures.ls_server
ls_settings = review_fixtures.ls_settings
out_dir = review_fixtures.out_dir

pytestmark = pytest.mark.labelstudio


def _client(settings: ReviewSettings) -> LabelStudio:
    return LabelStudio(base_url=settings.url, api_key=settings.api_key)


def _tasks(settings: ReviewSettings, project_id: int) -> list[Any]:
    return sorted(
        _client(settings).tasks.list(project=project_id, fields="all"),
        key=lambda t: t.id,
    )


def _annotate(settings: ReviewSettings, task_id: int, label: str) -> None:
    """Submit a label through the API, as the labelling UI does."""
    _client(settings).annotations.create(
        id=task_id, result=prediction_result(label), lead_time=3.5
    )


def _other(label: str) -> str:
    return "other" if label != "other" else "indicator"


def test_push_orders_most_uncertain_first_with_predictions(
    ls_settings: ReviewSettings, out_dir: Path
) -> None:
    rows = make_rows()
    result = push_queue(out_dir, settings=ls_settings)
    queued = sorted(
        (r for r in rows if r["confidence"] < 0.9), key=lambda r: r["confidence"]
    )
    assert (
        result.created_project
        and result.pushed == len(queued)
        and result.skipped_confident == len(rows) - len(queued)
    )
    tasks = _tasks(ls_settings, result.project_id)
    assert [t.data["key"] for t in tasks] == [r["key"] for r in queued]
    for task, row in zip(tasks, queued, strict=True):
        (pred,) = task.predictions
        assert (pred.model_version, pred.score) == (
            "test-model-1",
            pytest.approx(row["confidence"]),
        )
        assert pred.result[0]["value"]["choices"] == [row["label"]]
        assert (
            task.data["text"] == row["text"] and task.data["context"] == row["context"]
        )
        assert 'data-unit="1"' in task.data["html"]


def test_second_push_creates_no_duplicates(
    ls_settings: ReviewSettings, out_dir: Path
) -> None:
    first = push_queue(out_dir, settings=ls_settings)
    write_out_dir(
        out_dir, make_rows() + make_rows(doc_id="001_other", n=3)
    )  # same rows plus new ones
    second = push_queue(out_dir, settings=ls_settings, threshold=0.9)
    assert (
        second.project_id == first.project_id
        and second.skipped_existing == first.pushed
    )
    assert second.pushed == 3
    keys = [t.data["key"] for t in _tasks(ls_settings, first.project_id)]
    assert len(keys) == len(set(keys)) == first.pushed + 3


def test_pull_counts_then_nothing_new_then_not_requeued(
    ls_settings: ReviewSettings, out_dir: Path
) -> None:
    pushed = push_queue(out_dir, settings=ls_settings)
    tasks = _tasks(ls_settings, pushed.project_id)
    for task in tasks[:3]:  # confirmations
        _annotate(ls_settings, task.id, task.data["predicted_label"])
    for task in tasks[3:5]:  # corrections
        _annotate(ls_settings, task.id, _other(task.data["predicted_label"]))

    result = pull_annotations(settings=ls_settings)
    assert (result.new, result.confirmed, result.corrected) == (5, 3, 2)
    path = reviews_path(ls_settings.annotations_dir)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5 and {x["source"] for x in lines} == {"review"}
    first = next(x for x in lines if x["task_id"] == tasks[3].id)
    assert first["label"] == _other(tasks[3].data["predicted_label"])
    assert first["predicted_label"] == tasks[3].data["predicted_label"]
    assert first["context"]["row_texts"] and first["reviewer"] == "reviewer@example.com"
    assert (
        first["model_version"] == "test-model-1"
        and first["annotation_id"]
        and first["time"]
    )

    again = pull_annotations(settings=ls_settings)
    assert (again.new, again.already) == (0, 5)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 5

    reviews = load_reviews(ls_settings.annotations_dir)
    assert set(reviews) == {t.data["key"] for t in tasks[:5]}
    fresh = replace(ls_settings, project=ls_settings.project + "-next")
    requeue = push_queue(out_dir, settings=fresh)
    assert requeue.skipped_reviewed == 5 and requeue.pushed == pushed.pushed - 5
    assert not set(reviews) & {t.data["key"] for t in _tasks(fresh, requeue.project_id)}


def test_bad_annotation_is_reported_and_nothing_written(
    ls_settings: ReviewSettings, out_dir: Path
) -> None:
    pushed = push_queue(out_dir, settings=ls_settings)
    tasks = _tasks(ls_settings, pushed.project_id)
    _annotate(ls_settings, tasks[0].id, "indicator")
    assert pull_annotations(settings=ls_settings).new == 1
    before = reviews_path(ls_settings.annotations_dir).read_bytes()
    _annotate(ls_settings, tasks[1].id, "not-a-label")
    _client(ls_settings).annotations.create(id=tasks[2].id, result=[])
    with pytest.raises(ReviewExportError) as info:
        pull_annotations(settings=ls_settings)
    message = str(info.value)
    assert f"task {tasks[1].id}" in message and "not-a-label" in message
    assert (
        f"task {tasks[2].id}" in message
        and "no result" in message
        and ls_settings.project in message
    )
    assert reviews_path(ls_settings.annotations_dir).read_bytes() == before


def test_unreachable_server_is_clear_and_writes_nothing(
    ls_settings: ReviewSettings, out_dir: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    down = replace(ls_settings, url=url)
    with pytest.raises(
        ReviewUnreachableError, match=f"cannot reach Label Studio at {url}"
    ):
        push_queue(out_dir, settings=down)
    with pytest.raises(ReviewUnreachableError, match="extractor review serve"):
        pull_annotations(settings=down)
    assert not ls_settings.annotations_dir.exists()


def test_wrong_token_is_clear(ls_settings: ReviewSettings, out_dir: Path) -> None:
    bad = replace(ls_settings, api_key="0123456789abcdef-wrong")
    with pytest.raises(ReviewAuthError, match=r"refused the API key.*HTTP 401"):
        push_queue(out_dir, settings=bad)
    with pytest.raises(ReviewAuthError, match="LABEL_STUDIO_API_KEY"):
        pull_annotations(settings=bad)
    assert not ls_settings.annotations_dir.exists()


def test_missing_project_is_clear(ls_settings: ReviewSettings) -> None:
    with pytest.raises(
        ReviewProjectError, match=rf"no project named '{ls_settings.project}'.*push"
    ):
        pull_annotations(settings=ls_settings)


def test_cli_push_and_pull(
    ls_server: ServerHandle,
    ls_settings: ReviewSettings,
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", ls_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", ls_server.api_key)
    ann = str(ls_settings.annotations_dir)
    runner = CliRunner()
    args = [
        "push",
        str(out_dir),
        "--project",
        ls_settings.project,
        "--threshold",
        "0.5",
        "--annotations",
        ann,
    ]
    pushed = runner.invoke(review_app, args)
    assert pushed.exit_code == 0, pushed.output
    assert "pushed 3, skipped 9" in pushed.output
    assert (
        "pushed 0, skipped 12 (3 already queued"
        in runner.invoke(review_app, args).output
    )
    pulled = runner.invoke(
        review_app, ["pull", "--project", ls_settings.project, "--annotations", ann]
    )
    assert pulled.exit_code == 0 and "0 new review(s)" in pulled.output
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "nope-nope-nope")
    failed = runner.invoke(
        review_app, ["pull", "--project", ls_settings.project, "--annotations", ann]
    )
    assert failed.exit_code == 1 and "refused the API key" in failed.output
