"""One document's share of every output file, made from its state.

:func:`make_part` turns a document's state into a :class:`DocumentPart`: its
records and rows as Arrow tables of their Parquet schemas, its records.csv
lines as text, its review-queue rows as dicts, ready to append to the run's
files (:class:`extractor.run_outputs.RunOutputs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from extractor.columns import ColumnBatch
from extractor.dataset import DEFAULT_JSONL, Rows, row_dicts, stamp_document
from extractor.output import csv_lines, jsonl_line
from extractor.parquet import WITH_SIDECAR, arrow_rows, schema_for
from extractor.sidecar import Sidecar
from extractor.status import SUCCESS
from extractor.table_queue import queue_order

# The outputs a part carries as Arrow tables (the large ones); the others stay dicts.
ARROW_OUTPUTS = ("records", "rows")


@dataclass(frozen=True)
class OutputSettings:
    """What turns any document's state into its part: the same for every document of a run."""

    threshold: float
    model_version: str
    model_created: str
    sidecar: Sidecar = field(default_factory=Sidecar)
    keep_context: bool = False
    jsonl: tuple[str, ...] = DEFAULT_JSONL  # the outputs also written as JSON Lines


@dataclass
class DocumentPart:
    """One document's rows for each dataset output (``parquet``: an Arrow table or dicts; ``jsonl``: dicts,
    for the outputs written as JSON Lines), its records.csv lines, and its review-queue rows and
    table-queue entries as (sort key, JSON line) pairs (:mod:`extractor.spool`)."""

    parquet: dict[str, pa.Table | Rows]
    jsonl: dict[str, list[dict[str, Any]]]
    csv: str
    queued: list[tuple[float, str]]
    tables: list[tuple[tuple[float, str, int], str]]
    status: str
    records_to_review: int


def is_queued(confidence: float, label_source: str, context: Any, threshold: float) -> bool:
    """Whether a row goes to review_queue.jsonl: a model's label below the review threshold,
    never a header cell (a row without its context was not queued when it was made)."""
    return bool(confidence < threshold and label_source == "model"
                and isinstance(context, dict) and not context.get("is_header_row"))


def queued_rows(rows: ColumnBatch, threshold: float) -> list[int]:
    """The positions of the rows that go to review_queue.jsonl (see :func:`is_queued`)."""
    values = zip(rows.column("confidence"), rows.column("label_source"), rows.column("context"), strict=True)
    return [i for i, (confidence, source, context) in enumerate(values) if is_queued(confidence, source, context, threshold)]


def make_part(state: Mapping[str, Any], doc_id: str, settings: OutputSettings) -> DocumentPart:
    """The part of the document whose state file holds ``state``, under ``doc_id``.

    Queued rows (:func:`queued_rows`) keep their context; the other outputs
    have it only with ``settings.keep_context``.
    """
    result = state["result"]
    extra = settings.sidecar.lookup(Path(state["source"]), result["document"]["sha256"])
    stamped = stamp_document(result, doc_id, state["source"], extra, settings.model_version, settings.model_created)
    rows = stamped["rows"]
    assert isinstance(rows, ColumnBatch)
    queued = [(row["confidence"], jsonl_line(row)) for row in rows.dicts(queued_rows(rows, settings.threshold))]
    if not settings.keep_context:
        stamped["rows"] = rows.without("context")
    records = stamped["records"]
    assert isinstance(records, list)
    return DocumentPart(
        parquet={name: _parquet_rows(name, value, settings.sidecar) for name, value in stamped.items()},
        jsonl={name: row_dicts(value) for name, value in stamped.items() if name in settings.jsonl},
        csv=csv_lines(records, settings.sidecar.columns),
        queued=queued,
        tables=[(queue_order(entry), jsonl_line(entry)) for entry in result.get("tables", [])],
        status=stamped["documents"][0].get("status") or SUCCESS,
        records_to_review=sum(bool(r.get("needs_review")) for r in records),
    )


def _parquet_rows(name: str, rows: Rows, sidecar: Sidecar) -> pa.Table | Rows:
    if name not in ARROW_OUTPUTS:
        return rows
    return arrow_rows(name, rows, schema_for(name, sidecar.columns if name in WITH_SIDECAR else ()))

