"""A run's output files, written one document at a time as documents finish.

Workers leave each document's result in a state file (gzip JSON, which also
lets a rerun skip unchanged documents; its table cells are a column batch, see
:mod:`extractor.columns`) and, where they know the document's id, its share of
the outputs ready made in a part file (:mod:`extractor.part_files`).
:class:`RunOutputs` appends each part (made here from the state where no
worker made one: :mod:`extractor.output_parts`) to the dataset files (Parquet;
JSON Lines for the small ones and on request) and records.csv, spools the
review-queue lines to disk (:mod:`extractor.spool`), and at the end writes the
review queues sorted and errors.jsonl. Every file is written under a temporary
name and renamed only when the run completes.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import orjson
from extractor.atomic import write_bytes_atomic
from extractor.dataset import DatasetWriter
from extractor.output import JsonlWriter, RecordsCsvWriter
from extractor.output_parts import OutputSettings, make_part
from extractor.part_files import read_part_file
from extractor.spool import SortedSpool
from extractor.status import FAILURE, failure_status
from extractor.table_queue import TABLE_QUEUE_FILE

if TYPE_CHECKING:
    from extractor.bulk import Job, RunSummary

STATE_COMPRESSION = 1


def write_state(path: Path, state: Mapping[str, Any]) -> None:
    """A state file: compact UTF-8 JSON (orjson), gzip-compressed (fast level: a tenth of the bytes for little CPU)."""
    write_bytes_atomic(path, gzip.compress(orjson.dumps(state), compresslevel=STATE_COMPRESSION))


def read_state(path: Path) -> dict[str, Any]:
    """A state file's content; raises OSError, EOFError or a JSON error (a ValueError) for a damaged one."""
    return orjson.loads(gzip.decompress(path.read_bytes()))


class RunOutputs:
    """The output files of one run; :meth:`add` a finished document, :meth:`finish` once all are in.

    Queued rows go to review_queue.jsonl with their context; rows.parquet (and
    rows.jsonl, written only when ``settings.jsonl`` names rows) have it only
    with ``settings.keep_context``. Leaving the block without :meth:`finish`
    (an error, an interrupt) writes nothing.
    """

    def __init__(self, out: Path, summary: RunSummary, settings: OutputSettings) -> None:
        self.out, self.summary, self.settings = out, summary, settings

    def __enter__(self) -> RunOutputs:
        self._stack = ExitStack().__enter__()
        columns = self.settings.sidecar.columns
        self._dataset = self._stack.enter_context(DatasetWriter(self.out, columns, self.settings.jsonl))
        self._csv = self._stack.enter_context(RecordsCsvWriter(self.out / "records.csv", columns))
        self._queue = self._stack.enter_context(SortedSpool(self.out / "review_queue.jsonl"))
        self._tables = self._stack.enter_context(SortedSpool(self.out / TABLE_QUEUE_FILE))
        return self

    def add(self, job: Job, doc_id: str, state: Mapping[str, Any] | None = None, part_file: str | None = None) -> None:
        """Write one extracted document under ``doc_id``: the part a worker left in ``part_file``
        (then deleted), else (or when that file cannot be read) the part of its ``state``, read
        from its state file when not given."""
        part = None
        if part_file:
            try:
                part = read_part_file(Path(part_file))
            except (OSError, ValueError):
                pass  # made again below
            Path(part_file).unlink(missing_ok=True)
        if part is None:
            part = make_part(state or read_state(job.state_file), doc_id, self.settings)
        self._dataset.write_part(part.parquet, part.jsonl)
        self._csv.write_lines(part.csv)
        for spool, lines in ((self._queue, part.queued), (self._tables, part.tables)):
            for key, line in lines:
                spool.add(key, line)
        self.summary.statuses[part.status] += 1
        self.summary.records_to_review += part.records_to_review

    def finish(self, errors: Sequence[Mapping[str, Any]]) -> None:
        """Give every failed input its status, then complete every file."""
        summary = self.summary
        for entry in errors:
            self._dataset.write({"documents": [failure_status(dict(entry))], "records": [], "sections": [], "rows": []})
            summary.statuses[FAILURE] += 1
        summary.queued = self._queue.write_sorted()  # least confident row first
        self._tables.write_sorted()
        self._stack.close()
        with JsonlWriter(self.out / "errors.jsonl") as written:
            for entry in errors:
                written.write(entry)
        counts = self._dataset.counts
        summary.records, summary.rows = counts["records"], counts["rows"]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.__exit__(exc_type, exc, tb)
