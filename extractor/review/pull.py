"""``extractor review pull``: append finished annotations to reviews.jsonl."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.review.client import ReviewClient
from extractor.review.errors import ReviewExportError
from extractor.review.reviews import append_jsonl_atomic, iter_all_reviews, reviews_path
from extractor.review.settings import ReviewSettings, load_settings
from extractor.jsonl import iter_jsonl
from extractor.review.table_tasks import reviewed_table_entry, table_answer, tables_project
from extractor.review.tasks import choice_of
from extractor.tables.reviewed_roles import reviewed_tables_path

MAX_PROBLEMS_SHOWN = 10


@dataclass
class PullResult:
    """What a pull did: ``new`` lines written, split into confirmed/corrected."""

    project: str
    project_id: int
    path: Path
    new: int
    confirmed: int
    corrected: int
    already: int
    cancelled: int
    tables_new: int = 0
    tables_path: Path | None = None


def _reviewer(completed_by: Any, emails: dict[int, str]) -> str:
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or completed_by.get("id") or "")
    if isinstance(completed_by, int):
        return emails.get(completed_by, str(completed_by))
    return str(completed_by or "")


def annotation_to_review(
    task: dict[str, Any], annotation: dict[str, Any], reviewer: str
) -> dict[str, Any]:
    """One review line from an exported task and one of its annotations."""
    data = task.get("data") or {}
    if not data.get("key"):
        raise ValueError(
            "task data has no 'key' (not pushed by `extractor review push`)"
        )
    label = choice_of(annotation.get("result"))
    time = annotation.get("updated_at") or annotation.get("created_at")
    if not (annotation.get("id") and time):
        raise ValueError("the annotation has no id or time")
    return {
        "key": data["key"],
        "doc_id": data.get("doc_id"),
        "doc_sha256": data.get("doc_sha256"),
        "line": data.get("line"),
        "col": data.get("col"),
        "text": data.get("text"),
        "context": data.get("context") or {},
        "label": label,
        "predicted_label": data.get("predicted_label"),
        "predicted_score": data.get("predicted_score"),
        "model_version": data.get("model_version"),
        "task_id": task.get("id"),
        "annotation_id": annotation.get("id"),
        "reviewer": reviewer,
        "time": time,
        "source": "review",
    }


def collect_reviews(
    export: list[dict[str, Any]], project: str, url: str, emails: dict[int, str]
) -> tuple[list[dict[str, Any]], int]:
    """All reviews in an export, and how many annotations were skipped (cancelled).

    Raises ReviewExportError naming every task whose annotation is unusable.
    """
    reviews, cancelled, problems = [], 0, []
    for task in export:
        if not isinstance(task, dict):
            problems.append(f"export entry {str(task)[:80]!r} is not a task")
            continue
        for annotation in task.get("annotations") or []:
            if not isinstance(annotation, dict):
                problems.append(f"task {task.get('id')}: annotation is not an object")
                continue
            if annotation.get("was_cancelled"):
                cancelled += 1
                continue
            try:
                reviews.append(
                    annotation_to_review(
                        task,
                        annotation,
                        _reviewer(annotation.get("completed_by"), emails),
                    )
                )
            except ValueError as exc:
                problems.append(
                    f"task {task.get('id')} annotation {annotation.get('id')}: {exc}"
                )
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = (
            f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)"
            if len(problems) > MAX_PROBLEMS_SHOWN
            else ""
        )
        raise ReviewExportError(
            f"project {project!r} on {url} has {len(problems)} unusable annotation(s): {shown}{more}. "
            "Open those tasks in Label Studio, pick exactly one of the four labels and submit, "
            "then pull again. Nothing was written."
        )
    return reviews, cancelled


def pull_annotations(
    *,
    project: str | None = None,
    annotations_dir: str | Path | None = None,
    settings: ReviewSettings | None = None,
) -> PullResult:
    """Append the project's new annotations to ``<annotations_dir>/reviews/reviews.jsonl``.

    An annotation already pulled (same id and time) is skipped; a later edit of
    it in Label Studio is appended as a newer review of the same row.
    """
    settings = settings or load_settings()
    title = project or settings.project
    base = Path(annotations_dir or settings.annotations_dir)
    path = reviews_path(base)
    have = {(r.get("annotation_id"), r.get("time")) for r in iter_all_reviews(base)}

    client = ReviewClient(settings.url, settings.api_key)
    project_id = client.require_project(title)
    export = client.export_annotated(project_id)
    emails = client.user_emails()
    reviews, cancelled = collect_reviews(export, title, client.url, emails)
    new = [r for r in reviews if (r["annotation_id"], r["time"]) not in have]
    append_jsonl_atomic(path, new)
    confirmed = sum(1 for r in new if r["label"] == r["predicted_label"])
    tables_new = _pull_tables(client, tables_project(title), base, emails)
    return PullResult(
        project=title,
        project_id=project_id,
        path=path,
        new=len(new),
        confirmed=confirmed,
        corrected=len(new) - confirmed,
        already=len(reviews) - len(new),
        cancelled=cancelled,
        tables_new=tables_new,
        tables_path=reviewed_tables_path(base),
    )


def collect_table_reviews(export: list[dict[str, Any]], project: str, url: str, emails: dict[int, str]) -> list[dict[str, Any]]:
    """One ``columns/reviewed_tables.jsonl`` line per finished table annotation.

    Raises ReviewExportError naming every unusable annotation (nothing is written then).
    """
    out, problems = [], []
    for task in export:
        for annotation in (task.get("annotations") or []) if isinstance(task, dict) else []:
            if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
                continue
            try:
                if not (task.get("data") or {}).get("key"):
                    raise ValueError("task data has no 'key' (not pushed by `extractor review push`)")
                header_rows, roles = table_answer(task, annotation.get("result"))
                time = annotation.get("updated_at") or annotation.get("created_at")
                if not (annotation.get("id") and time):
                    raise ValueError("the annotation has no id or time")
            except ValueError as exc:
                problems.append(f"task {task.get('id')} annotation {annotation.get('id')}: {exc}")
                continue
            out.append({
                **reviewed_table_entry(task, header_rows, roles), "task_id": task.get("id"),
                "annotation_id": annotation.get("id"), "time": time, "source": "review",
                "reviewer": _reviewer(annotation.get("completed_by"), emails),
            })  # fmt: skip
    if problems:
        raise ReviewExportError(
            f"project {project!r} on {url} has {len(problems)} unusable table annotation(s): "
            f"{'; '.join(problems[:MAX_PROBLEMS_SHOWN])}. Fix them in Label Studio and pull again. Nothing was written."
        )
    return out


def _pull_tables(client: ReviewClient, title: str, base: Path, emails: dict[int, str]) -> int:
    """Append the tables project's new answers to ``columns/reviewed_tables.jsonl``; 0 without that project."""
    project_id = client.find_project(title)
    if project_id is None:
        return 0
    path = reviewed_tables_path(base)
    have = {(e.get("annotation_id"), e.get("time")) for _, e in iter_jsonl(path)} if path.exists() else set()
    entries = collect_table_reviews(client.export_annotated(project_id), title, client.url, emails)
    new = [e for e in entries if (e["annotation_id"], e["time"]) not in have]
    return append_jsonl_atomic(path, new)
