"""Review side without a server: queue files, task building, review files, settings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from extractor.config import current_review_threshold
from extractor.datamodel import LABELS
from extractor.errors import AnnotationsError, ConfigError
from extractor.review.errors import ReviewExportError, ReviewQueueError
from extractor.review.pull import collect_reviews
from extractor.review.reviews import append_jsonl_atomic, load_reviews, reviews_path
from extractor.review.settings import (
    LABEL_CONFIG_PATH,
    default_threshold,
    load_settings,
)
from extractor.review.tasks import (
    FROM_NAME,
    TO_NAME,
    build_task,
    choice_of,
    read_queue,
    select_for_review,
)
from tests.review_fixtures import make_rows, write_out_dir


def _review(key: str, label: str, time: str, **extra: object) -> dict[str, object]:
    return {"key": key, "label": label, "time": time, "source": "review", **extra}


def test_labeling_config_matches_task_fields() -> None:
    root = ET.parse(LABEL_CONFIG_PATH).getroot()
    choices = root.find(".//Choices")
    assert (
        choices is not None
        and choices.get("name") == FROM_NAME
        and choices.get("toName") == TO_NAME
    )
    assert [c.get("value") for c in choices.findall("Choice")] == list(LABELS)
    assert [c.get("hotkey") for c in choices.findall("Choice")] == ["1", "2", "3", "4"]
    values = {
        el.get("value") for el in root.iter() if el.get("value", "").startswith("$")
    }
    data = build_task(make_rows()[0])["data"]
    assert {v[1:] for v in values} <= set(data)


def test_build_task_escapes_and_highlights_the_unit() -> None:
    row = next(r for r in make_rows(n=18) if "<运维>" in r["text"])
    task = build_task(row)
    html = task["data"]["html"]
    assert "&lt;运维&gt;" in html and "<运维>" not in html
    assert "&amp; 不超支" in html  # a neighbour cell is escaped too
    assert html.count('data-unit="1"') == 1
    assert (
        task["data"]["key"] == row["key"] and task["data"]["context"] == row["context"]
    )
    (pred,) = task["predictions"]
    assert (
        pred["score"] == row["confidence"] and pred["model_version"] == "test-model-1"
    )
    assert choice_of(pred["result"]) == row["label"]


def test_select_orders_most_uncertain_first_and_skips() -> None:
    rows = make_rows()
    reviewed = {rows[0]["key"]}
    chosen, counts = select_for_review(rows + [dict(rows[1])], 0.9, reviewed)
    confidences = [r["confidence"] for r in chosen]
    assert confidences == sorted(confidences) and max(confidences) < 0.9
    assert rows[0]["key"] not in {r["key"] for r in chosen}
    assert (
        counts["reviewed"] == 1
        and counts["duplicate"] == 1
        and counts["confident"] >= 1
    )


def test_read_queue_reports_bad_line(tmp_path: Path) -> None:
    out = write_out_dir(tmp_path / "out", make_rows(n=2))
    with (out / "review_queue.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"doc_id": "x"}\n')
    with pytest.raises(ReviewQueueError, match=r"line 3: missing"):
        read_queue(out / "review_queue.jsonl")
    with pytest.raises(ReviewQueueError, match="not found"):
        read_queue(tmp_path / "nope.jsonl")


def test_rows_without_context_say_how_to_keep_it(tmp_path: Path) -> None:
    rows = make_rows(n=1)
    del rows[0]["context"]
    out = write_out_dir(tmp_path / "out", rows)
    with pytest.raises(ReviewQueueError, match="--keep-context"):
        read_queue(out / "review_queue.jsonl")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [("{not json", "not valid JSON"), ('{"key": "a", "label": "bogus", "time": "2024-01-01T00:00:00Z"}', "bogus"),
     ('{"label": "other", "time": "2024-01-01T00:00:00Z"}', "missing 'key'"), ("[1, 2]", "not a JSON object")],
)  # fmt: skip
def test_malformed_annotations_line_names_file_and_line(
    tmp_path: Path, bad_line: str, message: str
) -> None:
    path = reviews_path(tmp_path)
    append_jsonl_atomic(path, [_review("k1", "indicator", "2024-01-01T00:00:00Z")])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n" + bad_line + "\n")
    with pytest.raises(AnnotationsError) as info:
        load_reviews(tmp_path)
    assert (
        "line 3" in str(info.value)
        and message in str(info.value)
        and str(path) in str(info.value)
    )


def test_load_reviews_newest_wins(tmp_path: Path) -> None:
    append_jsonl_atomic(reviews_path(tmp_path), [
        _review("k1", "indicator", "2024-05-01T10:00:00Z"), _review("k1", "threshold", "2024-05-02T10:00:00Z"),
        _review("k2", "activity", "2024-05-03T10:00:00+00:00"), _review("k2", "other", "2024-05-01T10:00:00Z"),
    ])  # fmt: skip
    (reviews_path(tmp_path).parent / "older.jsonl").write_text(
        json.dumps(_review("k3", "other", "2023-01-01T00:00:00")) + "\n",
        encoding="utf-8",
    )
    latest = load_reviews(tmp_path)
    assert {k: v["label"] for k, v in latest.items()} == {
        "k1": "threshold",
        "k2": "activity",
        "k3": "other",
    }
    assert load_reviews(tmp_path / "missing") == {}


def test_append_is_atomic_and_keeps_old_lines(tmp_path: Path) -> None:
    path = reviews_path(tmp_path)
    append_jsonl_atomic(path, [_review("k1", "other", "2024-01-01T00:00:00Z")])
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # a file without a final newline
    append_jsonl_atomic(path, [_review("k2", "other", "2024-01-01T00:00:00Z")])
    assert [
        json.loads(x)["key"] for x in path.read_text(encoding="utf-8").splitlines()
    ] == ["k1", "k2"]
    assert [p.name for p in path.parent.iterdir()] == [
        "reviews.jsonl"
    ]  # no temp file left


def test_collect_reviews_rejects_bad_results() -> None:
    data = build_task(make_rows()[0])["data"]
    good = {"id": 1, "result": [{"from_name": "label", "type": "choices", "value": {"choices": ["other"]}}],
            "updated_at": "2024-01-01T00:00:00Z", "completed_by": 1}  # fmt: skip
    bogus = {
        **good,
        "id": 2,
        "result": [
            {"from_name": "label", "type": "choices", "value": {"choices": ["x"]}}
        ],
    }
    empty = {**good, "id": 3, "result": []}
    cancelled = {**good, "id": 4, "was_cancelled": True}
    reviews, skipped = collect_reviews(
        [{"id": 7, "data": data, "annotations": [good, cancelled]}],
        "p",
        "u",
        {1: "a@b"},
    )
    assert (
        [r["label"] for r in reviews] == ["other"]
        and reviews[0]["reviewer"] == "a@b"
        and skipped == 1
    )
    with pytest.raises(
        ReviewExportError,
        match=r"task 7 annotation 2: choice 'x'.*task 7 annotation 3: .*no result",
    ):
        collect_reviews(
            [{"id": 7, "data": data, "annotations": [good, bogus, empty]}], "p", "u", {}
        )


def test_settings_env_overrides_toml(tmp_path: Path) -> None:
    conf = tmp_path / "configs" / "review.toml"
    conf.parent.mkdir()
    conf.write_text(
        '[review]\nurl = "http://team:8080"\napi_key = "abc"\nproject = "p"\nthreshold = 0.8\n'
    )
    settings = load_settings(conf, env={})
    assert (settings.url, settings.api_key, settings.project, settings.threshold) == (
        "http://team:8080",
        "abc",
        "p",
        0.8,
    )
    assert settings.annotations_dir == tmp_path / "annotations"
    settings = load_settings(
        conf, env={"LABEL_STUDIO_URL": "http://x:1/", "LABEL_STUDIO_API_KEY": "k"}
    )
    assert (settings.url, settings.api_key) == ("http://x:1", "k")
    assert (
        default_threshold(None, settings) == 0.8
        and default_threshold(0.75, settings) == 0.75
    )
    with pytest.raises(ConfigError):
        default_threshold(1.5, settings)


def test_settings_use_token_saved_by_serve(tmp_path: Path) -> None:
    conf = tmp_path / "configs" / "review.toml"
    conf.parent.mkdir()
    conf.write_text('[review]\nurl = ""\n[review.server]\ndata_dir = "ls"\n')
    (tmp_path / "ls").mkdir()
    (tmp_path / "ls" / "credentials.json").write_text(
        json.dumps({"url": "http://127.0.0.1:9", "api_key": "t"})
    )
    assert (load_settings(conf, env={}).url, load_settings(conf, env={}).api_key) == (
        "http://127.0.0.1:9",
        "t",
    )
    other = load_settings(conf, env={"LABEL_STUDIO_URL": "http://team"})
    assert other.api_key is None  # the local token is never sent to another server


def test_repo_config_loads() -> None:
    settings = load_settings(env={})
    assert settings.threshold is None and settings.project  # the model card decides
    card_threshold = current_review_threshold()
    assert 0.5 < card_threshold < 1 and default_threshold(None, settings) == card_threshold
