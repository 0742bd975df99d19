"""The dataset a run (or a merge of runs) is made of: documents, records,
sections and rows, each row stamped with its document's id and metadata,
written as JSON Lines and Parquet side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

from extractor.datamodel import Document
from extractor.identity import record_ids
from extractor.metadata import METADATA_FIELDS, read_metadata
from extractor.output import JsonlWriter
from extractor.parquet import SCHEMAS, WITH_SIDECAR, ParquetSink

DATASET_OUTPUTS = ("documents", "records", "sections", "rows")
# Output field names a sidecar column may not take.
RESERVED_COLUMNS = frozenset(name for schema in SCHEMAS.values() for name in schema.names)

Stamped = dict[str, list[dict[str, Any]]]


def document_payload(doc: Document) -> dict[str, Any]:
    """What a document's state keeps about the document itself."""
    return {"sha256": doc.sha256, "encoding": doc.encoding, "metadata": read_metadata(doc.lines).to_dict()}


def stamp_document(
    result: Mapping[str, Any],
    doc_id: str,
    source: str,
    extra: Mapping[str, str | None],
    model_version: str,
    model_created: str,
) -> Stamped:
    """One document's output rows: ids, metadata and sidecar columns put on each.

    ``result`` is a state file's ``result`` (records, sections, rows, document).
    """
    document = result["document"]
    metadata = document["metadata"]
    values = {name: metadata.get(name) for name in METADATA_FIELDS}
    records = result["records"]
    ids = record_ids(document["sha256"], [r["line"] for r in records])
    return {
        "documents": [{
            "doc_id": doc_id, "source": source, "sha256": document["sha256"], "encoding": document["encoding"],
            "model_version": model_version, "model_created": model_created, "records": len(records),
            "status": document.get("status"), "reasons": document.get("reasons", []),
            **metadata, **extra,
        }],
        "records": [
            {"doc_id": doc_id, "record_id": rid, **{k: v for k, v in r.items() if k != "doc_id"}, **values, **extra}
            for rid, r in zip(ids, records, strict=True)
        ],
        "sections": [{**s, "doc_id": doc_id} for s in result["sections"]],
        "rows": [{**r, "doc_id": doc_id} for r in result["rows"]],
    }


class DatasetWriter:
    """``<name>.jsonl`` and ``<name>.parquet`` for each dataset output, written atomically."""

    def __init__(self, out: Path, extra_columns: Sequence[str] = (), jsonl: bool = True) -> None:
        self.out = Path(out)
        self.extra_columns = tuple(extra_columns)
        self.jsonl = jsonl
        self.counts = dict.fromkeys(DATASET_OUTPUTS, 0)

    def __enter__(self) -> DatasetWriter:
        self._stack = ExitStack().__enter__()
        self._sinks: dict[str, list[Any]] = {}
        for name in DATASET_OUTPUTS:
            extra = self.extra_columns if name in WITH_SIDECAR else ()
            sinks: list[Any] = [self._stack.enter_context(ParquetSink(self.out / f"{name}.parquet", name, extra))]
            if self.jsonl:
                sinks.append(self._stack.enter_context(JsonlWriter(self.out / f"{name}.jsonl")))
            self._sinks[name] = sinks
        return self

    def write(self, stamped: Stamped) -> None:
        for name, rows in stamped.items():
            for row in rows:
                for sink in self._sinks[name]:
                    sink.write(row)
            self.counts[name] += len(rows)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.__exit__(exc_type, exc, tb)
