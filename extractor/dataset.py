"""The dataset a run (or a merge of runs) is made of: documents, records,
sections and rows, each row stamped with its document's id and metadata,
written as Parquet, and as JSON Lines too for the small outputs (records and
rows only on request)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from extractor.columns import ColumnBatch
from extractor.datamodel import Document
from extractor.errors import ConfigError, ExtractorError
from extractor.identity import record_ids
from extractor.jsonl import iter_jsonl
from extractor.metadata import METADATA_FIELDS, read_metadata
from extractor.output import JsonlWriter
from extractor.parquet import SCHEMAS, WITH_SIDECAR, ParquetSink, iter_parquet

DATASET_OUTPUTS = ("documents", "records", "sections", "rows")
# Outputs also written as JSON Lines by default. Records and rows (one per table
# cell) are in Parquet, and in records.csv for records, unless asked for: a third
# copy of the records would make a run's output several times its input.
DEFAULT_JSONL = ("documents", "sections")
OPTIONAL_JSONL = ("records", "rows")


def jsonl_outputs(asked: Collection[str] = ()) -> tuple[str, ...]:
    """The outputs written as JSON Lines: the default ones and those ``asked`` for
    (names from DATASET_OUTPUTS); raises ConfigError (E203) naming an unknown one."""
    unknown = sorted(set(asked) - set(DATASET_OUTPUTS))
    if unknown:
        raise ConfigError(f"no output {', '.join(map(repr, unknown))} to write as JSON Lines; choose from {', '.join(OPTIONAL_JSONL)}")
    return (*DEFAULT_JSONL, *(name for name in OPTIONAL_JSONL if name in asked))


# Output field names a sidecar column may not take.
RESERVED_COLUMNS = frozenset(name for schema in SCHEMAS.values() for name in schema.names)
# The fields of a row (one table cell), in the order rows.jsonl and review_queue.jsonl write them.
ROW_FIELDS = tuple(SCHEMAS["rows"].names)
# The fields every row of a document shares, kept once a document in its state.
ROW_CONSTANTS = ("doc_id", "source", "doc_sha256", "model_version")

# An output's rows: dicts, or (rows) a column batch.
Rows = list[dict[str, Any]] | ColumnBatch
Stamped = dict[str, Rows]


def row_dicts(rows: Rows) -> list[dict[str, Any]]:
    """``rows`` as dicts (a column batch's made one per row)."""
    return list(rows.dicts()) if isinstance(rows, ColumnBatch) else rows


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

    ``result`` is a state file's ``result`` (records, sections, rows, document);
    its rows (a column batch's JSON) come back as a :class:`ColumnBatch`.
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
        "rows": ColumnBatch.from_json(result["rows"], ROW_FIELDS).with_constants(doc_id=doc_id),
    }


def iter_output(folder: Path, name: str, error: type[ExtractorError]) -> Iterator[dict[str, Any]]:
    """The rows of dataset output ``name`` in a run folder: its JSON Lines file, or its Parquet file
    when the run wrote no JSON Lines for it; ``error`` names an unreadable file."""
    jsonl = folder / f"{name}.jsonl"
    if jsonl.is_file() or not (folder / f"{name}.parquet").is_file():
        yield from (row for _, row in iter_jsonl(jsonl, error))
        return
    path = folder / f"{name}.parquet"
    try:
        yield from iter_parquet(path, name)
    except (OSError, pa.ArrowException) as exc:
        raise error(f"cannot read: {exc}", path) from exc


class DatasetWriter:
    """``<name>.parquet`` for each dataset output and ``<name>.jsonl`` for those in ``jsonl``,
    written atomically; a JSON Lines file not asked for is removed (a stale one would mislead)."""

    def __init__(self, out: Path, extra_columns: Sequence[str] = (), jsonl: Collection[str] = DEFAULT_JSONL) -> None:
        self.out = Path(out)
        self.extra_columns = tuple(extra_columns)
        self.jsonl = frozenset(jsonl)
        self.counts = dict.fromkeys(DATASET_OUTPUTS, 0)

    def __enter__(self) -> DatasetWriter:
        self._stack = ExitStack().__enter__()
        self._sinks: dict[str, list[Any]] = {}
        for name in DATASET_OUTPUTS:
            extra = self.extra_columns if name in WITH_SIDECAR else ()
            sinks: list[Any] = [self._stack.enter_context(ParquetSink(self.out / f"{name}.parquet", name, extra))]
            if name in self.jsonl:
                sinks.append(self._stack.enter_context(JsonlWriter(self.out / f"{name}.jsonl")))
            else:
                (self.out / f"{name}.jsonl").unlink(missing_ok=True)
            self._sinks[name] = sinks
        return self

    def write(self, stamped: Stamped) -> None:
        """Add each output's rows (dicts, or a column batch) to its files."""
        self.write_part(stamped, {name: row_dicts(rows) for name, rows in stamped.items()})

    def write_part(self, parquet: Mapping[str, Rows | pa.Table], jsonl: Mapping[str, Iterable[dict[str, Any]]]) -> None:
        """Add each output's rows: ``parquet[name]`` (dicts, a column batch or an Arrow table of the
        output's schema) to its Parquet file, and ``jsonl[name]``, the same rows as dicts, to its
        JSON Lines file when it has one."""
        for name, rows in parquet.items():
            sink, *jsonl_sinks = self._sinks[name]
            sink.write_batch(rows)
            for jsonl_sink in jsonl_sinks:
                jsonl_sink.write_all(jsonl[name])
            self.counts[name] += len(rows)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.__exit__(exc_type, exc, tb)
