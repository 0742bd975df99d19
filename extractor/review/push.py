"""``extractor review push``: queue uncertain rows as Label Studio tasks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extractor.review.client import ReviewClient
from extractor.review.reviews import load_reviews
from extractor.review.settings import (
    LABEL_CONFIG_PATH,
    ReviewSettings,
    default_threshold,
    load_settings,
)
from extractor.review.tasks import (
    QUEUE_FILE,
    ROWS_FILE,
    build_task,
    read_queue,
    select_for_review,
)


@dataclass
class PushResult:
    """What a push did. ``skipped_*`` count rows not imported, by reason."""

    project: str
    project_id: int
    threshold: float
    pushed: int
    skipped_existing: int
    skipped_reviewed: int
    skipped_confident: int
    skipped_duplicate: int = 0
    created_project: bool = False
    task_ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return (
            self.skipped_existing
            + self.skipped_reviewed
            + self.skipped_confident
            + self.skipped_duplicate
        )


def push_queue(
    out_dir: str | Path,
    *,
    project: str | None = None,
    threshold: float | None = None,
    annotations_dir: str | Path | None = None,
    all_rows: bool = False,
    settings: ReviewSettings | None = None,
) -> PushResult:
    """Import rows of ``out_dir/review_queue.jsonl`` (or ``rows.jsonl`` with
    ``all_rows``) whose confidence is below ``threshold`` into ``project``,
    most uncertain first, each with the model's prediction. Rows already in the
    project (same key) or already reviewed are skipped."""
    settings = settings or load_settings()
    title = project or settings.project
    limit = threshold if threshold is not None else default_threshold(None, settings)
    rows = read_queue(Path(out_dir) / (ROWS_FILE if all_rows else QUEUE_FILE))
    reviewed = set(load_reviews(annotations_dir or settings.annotations_dir))
    selected, counts = select_for_review(rows, limit, reviewed)

    client = ReviewClient(settings.url, settings.api_key)
    project_id, created = client.ensure_project(
        title, LABEL_CONFIG_PATH.read_text(encoding="utf-8")
    )
    existing = client.task_keys(project_id)
    new = [row for row in selected if row["key"] not in existing]
    task_ids = client.import_tasks(project_id, [build_task(row) for row in new])
    if new:
        versions = Counter(str(row.get("model_version") or "unknown") for row in new)
        client.set_model_version(project_id, versions.most_common(1)[0][0])
    return PushResult(
        project=title,
        project_id=project_id,
        threshold=limit,
        pushed=len(new),
        skipped_existing=len(selected) - len(new),
        skipped_reviewed=counts["reviewed"],
        skipped_confident=counts["confident"],
        skipped_duplicate=counts["duplicate"],
        created_project=created,
        task_ids=task_ids,
    )
