"""A run's output files, written one document at a time as documents finish.

Workers leave each document's result in a state file (gzip JSON, which also
lets a rerun skip unchanged documents; its table cells are a column batch, see
:mod:`extractor.columns`); :class:`RunOutputs` streams those
results into the dataset files (Parquet; JSON Lines for the small ones and on request), records.csv, and at the
end the review queues and errors.jsonl. Every file is written under a
temporary name and renamed only when the run completes.
"""

from __future__ import annotations

import gzip
from collections.abc import Collection, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import orjson
from extractor.atomic import write_bytes_atomic
from extractor.columns import ColumnBatch
from extractor.dataset import DatasetWriter, jsonl_outputs, stamp_document
from extractor.output import JsonlWriter, RecordsCsvWriter
from extractor.sidecar import Sidecar
from extractor.status import FAILURE, SUCCESS, failure_status
from extractor.table_queue import TABLE_QUEUE_FILE

if TYPE_CHECKING:
    from extractor.bulk import Job, RunSummary

STATE_COMPRESSION = 1


def is_queued(confidence: float, label_source: str, context: Any, threshold: float) -> bool:
    """Whether a row goes to review_queue.jsonl: a model's label below the review threshold,
    never a header cell (a row without its context was not queued when it was made)."""
    return bool(confidence < threshold and label_source == "model"
                and isinstance(context, dict) and not context.get("is_header_row"))


def queued_rows(rows: ColumnBatch, threshold: float) -> list[int]:
    """The positions of the rows that go to review_queue.jsonl (see :func:`is_queued`)."""
    values = zip(rows.column("confidence"), rows.column("label_source"), rows.column("context"), strict=True)
    return [i for i, (confidence, source, context) in enumerate(values) if is_queued(confidence, source, context, threshold)]


def write_state(path: Path, state: Mapping[str, Any]) -> None:
    """A state file: compact UTF-8 JSON (orjson), gzip-compressed (fast level: a tenth of the bytes for little CPU)."""
    write_bytes_atomic(path, gzip.compress(orjson.dumps(state), compresslevel=STATE_COMPRESSION))


def read_state(path: Path) -> dict[str, Any]:
    """A state file's content; raises OSError, EOFError or a JSON error (a ValueError) for a damaged one."""
    return orjson.loads(gzip.decompress(path.read_bytes()))


class RunOutputs:
    """The output files of one run; :meth:`add` a finished document, :meth:`finish` once all are in.

    Queued rows go to review_queue.jsonl with their context; rows.parquet (and
    rows.jsonl, written only when ``jsonl`` names rows) have it only with ``keep_context``.
    ``jsonl`` names the optional outputs also written as JSON Lines (records, rows).
    Leaving the block without :meth:`finish` (an error, an interrupt) writes nothing.
    """

    def __init__(
        self,
        out: Path,
        summary: RunSummary,
        sidecar: Sidecar,
        model_created: str,
        keep_context: bool = False,
        jsonl: Collection[str] = (),
    ) -> None:
        self.out, self.summary, self.sidecar, self.model_created = out, summary, sidecar, model_created
        self.keep_context, self.jsonl = keep_context, jsonl_outputs(jsonl)

    def __enter__(self) -> RunOutputs:
        self._stack = ExitStack().__enter__()
        self._dataset = self._stack.enter_context(DatasetWriter(self.out, self.sidecar.columns, self.jsonl))
        self._csv = self._stack.enter_context(RecordsCsvWriter(self.out / "records.csv", self.sidecar.columns))
        self._queue: list[dict[str, Any]] = []
        self._tables: list[dict[str, Any]] = []
        return self

    def add(self, job: Job, doc_id: str, state: Mapping[str, Any] | None = None) -> None:
        """Write one extracted document under ``doc_id``: its ``state``, else its state file's."""
        summary = self.summary
        state = state or read_state(job.state_file)
        extra = self.sidecar.lookup(job.path, state["result"]["document"]["sha256"])
        stamped = stamp_document(state["result"], doc_id, state["source"], extra, summary.model_version, self.model_created)
        rows = cast(ColumnBatch, stamped["rows"])
        self._queue += rows.dicts(queued_rows(rows, summary.threshold))
        if not self.keep_context:
            stamped["rows"] = rows.without("context")
        self._dataset.write(stamped)
        summary.statuses[stamped["documents"][0].get("status") or SUCCESS] += 1
        summary.records_to_review += sum(bool(r.get("needs_review")) for r in stamped["records"])
        for record in stamped["records"]:
            self._csv.write(record)
        self._tables += state["result"].get("tables", [])

    def finish(self, errors: Sequence[Mapping[str, Any]]) -> None:
        """Give every failed input its status, then complete every file."""
        summary = self.summary
        for entry in errors:
            self._dataset.write({"documents": [failure_status(dict(entry))], "records": [], "sections": [], "rows": []})
            summary.statuses[FAILURE] += 1
        self._stack.close()
        with JsonlWriter(self.out / "review_queue.jsonl") as queued:
            for row in sorted(self._queue, key=lambda r: r["confidence"]):
                queued.write(row)
        with JsonlWriter(self.out / TABLE_QUEUE_FILE) as tables:
            for entry in sorted(self._tables, key=lambda t: (-t["gain"], t["doc_id"], t["line"])):
                tables.write(entry)
        with JsonlWriter(self.out / "errors.jsonl") as written:
            for entry in errors:
                written.write(entry)
        counts = self._dataset.counts
        summary.records, summary.rows, summary.queued = counts["records"], counts["rows"], queued.count

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.__exit__(exc_type, exc, tb)
