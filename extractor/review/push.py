"""``extractor review push``: queue uncertain rows as Label Studio tasks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.review.client import ReviewClient
from extractor.review.reviews import load_reviews
from extractor.review.settings import (
    LABEL_CONFIG_PATH,
    ReviewSettings,
    default_threshold,
    load_settings,
)
from extractor.review.table_tasks import (
    build_table_task,
    read_table_queue,
    review_order,
    select_tables,
    table_label_config,
    tables_project,
)
from extractor.review.tasks import (
    QUEUE_FILE,
    build_task,
    read_all_rows,
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
    tables_project: str = ""
    tables_project_id: int | None = None
    tables_pushed: int = 0
    tables_skipped_existing: int = 0
    tables_skipped_reviewed: int = 0
    tables_skipped_too_wide: int = 0
    skipped_covered: int = 0
    skipped_header: int = 0
    table_task_ids: list[int] = field(default_factory=list)
    order: list[tuple[str, float]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return (
            self.skipped_existing
            + self.skipped_reviewed
            + self.skipped_confident
            + self.skipped_duplicate
            + self.skipped_covered
            + self.skipped_header
        )


TABLES_DESCRIPTION = "Tables whose column roles the model was unsure about: name each column (extractor review push)."


def push_queue(
    out_dir: str | Path,
    *,
    project: str | None = None,
    threshold: float | None = None,
    annotations_dir: str | Path | None = None,
    all_rows: bool = False,
    settings: ReviewSettings | None = None,
) -> PushResult:
    """Import rows of ``out_dir/review_queue.jsonl`` (or every row, from rows.parquet, with
    ``all_rows``) whose confidence is below ``threshold`` into ``project``,
    most uncertain first, each with the model's prediction. Rows already in the
    project (same key) or already reviewed are skipped.

    Tables of ``out_dir/table_queue.jsonl`` (uncertain column roles) go to the
    project ``<project>-tables`` as one task each, most expected gain first;
    the cells whose label follows their column's role in those tables are
    then left to the table task, and header cells are never cell tasks."""
    settings = settings or load_settings()
    title = project or settings.project
    limit = threshold if threshold is not None else default_threshold(None, settings)
    rows = read_all_rows(out_dir) if all_rows else read_queue(Path(out_dir) / QUEUE_FILE)
    reviewed = set(load_reviews(annotations_dir or settings.annotations_dir))
    entries = read_table_queue(out_dir)
    tables, table_counts = select_tables(entries, reviewed)
    asked = {t["key"] for t in tables} | reviewed
    decided = {key for e in entries if e["key"] in asked for key in e.get("covers", [])}
    headers = {key for e in entries for key in e.get("header_units", [])}
    is_header = {r["key"] for r in rows if r["key"] in headers or (r.get("context") or {}).get("is_header_row")}
    covered = {r["key"] for r in rows if r["key"] in decided} - is_header
    left_to_tables = is_header | covered
    selected, counts = select_for_review([r for r in rows if r["key"] not in left_to_tables], limit, reviewed)

    client = ReviewClient(settings.url, settings.api_key)
    table_result = _push_tables(client, tables_project(title), tables)
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
        tables_skipped_reviewed=table_counts["reviewed"],
        tables_skipped_too_wide=table_counts["too_wide"],
        skipped_covered=len(covered),
        skipped_header=len(is_header),
        order=review_order(tables, selected),
        **table_result,
    )


def _push_tables(client: ReviewClient, title: str, tables: list[Any]) -> dict[str, Any]:
    """Import the table tasks not yet in the tables project (created when there is one to push)."""
    if not tables and client.find_project(title) is None:
        return {"tables_project": title}
    project_id, _created = client.ensure_project(title, table_label_config(), TABLES_DESCRIPTION)
    existing = client.task_keys(project_id)
    new = [t for t in tables if t["key"] not in existing]
    ids = client.import_tasks(project_id, [build_table_task(t) for t in new])
    if new:
        client.set_model_version(project_id, str(new[0].get("model_version") or "unknown"))
    return {
        "tables_project": title, "tables_project_id": project_id, "tables_pushed": len(new),
        "tables_skipped_existing": len(tables) - len(new), "table_task_ids": ids,
    }  # fmt: skip
