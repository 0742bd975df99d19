"""Terminal feedback for bulk runs: a progress bar on a TTY and a one-screen summary."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from extractor.bulk import RunSummary

_MAX_ERRORS_SHOWN = 10


class DocumentProgress:
    """Counts finished documents; draws a bar only when stderr is a terminal (rich is
    imported only then: a run from a script or a scheduler saves its imports)."""

    def __init__(self) -> None:
        self._progress: Any = None  # a rich Progress on a terminal
        self._task: Any = None

    def __enter__(self) -> DocumentProgress:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                TextColumn("{task.fields[name]}"), console=Console(stderr=True), transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("docs", total=None, name="")
        return self

    def advance_document(self, path: Path, state: dict[str, Any]) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, name=path.name)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
        if exc_type is KeyboardInterrupt:
            print("interrupted: finished documents are saved; run the same command again to resume", file=sys.stderr)


def print_summary(summary: RunSummary) -> None:
    """Documents done and failed, records, rows queued for review, then the errors."""
    err = sys.stderr
    print(f"documents: {summary.documents}  done: {summary.processed + summary.unchanged} "
          f"(unchanged, skipped: {summary.unchanged})  failed: {summary.failed}", file=err)
    print(f"records: {summary.records} (needing review: {summary.records_to_review})  rows: {summary.rows}  "
          f"queued for review: {summary.queued} (confidence < {summary.threshold:.3f})", file=err)
    counts = "  ".join(f"{status}: {summary.statuses.get(status, 0)}" for status in ("success", "partial", "failure"))
    print(f"status: {counts} (reasons in documents.jsonl)", file=err)
    print(f"model: {summary.model_version}  output: {summary.out_dir}", file=err)
    for entry in summary.errors[:_MAX_ERRORS_SHOWN]:
        print(f"  failed {entry['message']}", file=err)
    if len(summary.errors) > _MAX_ERRORS_SHOWN:
        print(f"  … {len(summary.errors) - _MAX_ERRORS_SHOWN} more in errors.jsonl", file=err)
