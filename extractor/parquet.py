"""Parquet outputs: one declared schema per output, typed columns, nested thresholds.

Each output's rows are the same dicts as its JSON Lines file; ``CONVERT`` turns
the few JSON shapes Arrow cannot take as they are (a grade → text mapping, a
free-form context) into typed values. Columns a metadata sidecar adds are strings.
Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib.abc import MetaPathFinder
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from extractor.atomic import _umask
from extractor.columns import ColumnBatch

_S, _I, _F, _B = pa.string(), pa.int32(), pa.float64(), pa.bool_()

THRESHOLD = pa.struct([("grade", _S), ("text", _S)])
PARSED_THRESHOLD = pa.struct(
    [("grade", _S), ("operator", _S), ("value", _F), ("upper", _F), ("unit", _S), ("raw", _S),
     ("lower_inclusive", _B), ("upper_inclusive", _B), ("date", _S)]
)
METADATA_COLUMNS = [("unit", _S), ("year", _I), ("kind", _S), ("province", _S), ("city", _S)]

SCHEMAS: dict[str, pa.Schema] = {
    "records": pa.schema([
        ("doc_id", _S), ("record_id", _S), ("source", _S), ("table", _I), ("line", _I), ("page", _I),
        ("parent_activity", _S), ("activity", _S), ("activity_budget", _F), ("indicator", _S),
        ("indicator_category", pa.list_(_S)), ("thresholds", pa.list_(THRESHOLD)),
        ("parsed_thresholds", pa.list_(PARSED_THRESHOLD)), ("confidence", _F), ("needs_review", _B),
        ("doubts", pa.map_(_S, _F)), *METADATA_COLUMNS,
    ]),
    "documents": pa.schema([
        ("doc_id", _S), ("source", _S), ("sha256", _S), ("encoding", _S), ("model_version", _S),
        ("model_created", _S), ("records", _I), ("status", _S), ("reasons", pa.list_(_S)), ("unit", _S), ("unit_line", _I), ("year", _I), ("year_line", _I),
        ("kind", _S), ("kind_line", _I), ("province", _S), ("city", _S), ("region_line", _I),
    ]),
    "sections": pa.schema([
        ("doc_id", _S), ("line", _I), ("end_line", _I), ("level", _I), ("number", _S), ("title", _S), ("type", _S),
        ("page", _I),
    ]),
    "rows": pa.schema([
        ("doc_id", _S), ("source", _S), ("doc_sha256", _S), ("key", _S), ("line", _I), ("end_line", _I),
        ("table", _I), ("row", _I), ("col", _I), ("text", _S), ("label", _S), ("confidence", _F),
        ("label_source", _S), ("model_version", _S), ("section_title", _S), ("context", _S), ("page", _I),
    ]),
}
# Outputs whose rows carry a metadata sidecar's columns.
WITH_SIDECAR = ("records", "documents")


def _thresholds(value: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"grade": grade, "text": text} for grade, text in (value or {}).items()]


_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # json.dumps(value, ensure_ascii=False, sort_keys=True), made once


CONVERT: dict[str, dict[str, Callable[[Any], Any]]] = {
    "records": {"thresholds": _thresholds, "doubts": lambda value: sorted((value or {}).items())},
    "rows": {"context": lambda value: None if value is None else _json(value)},
}


# The inverse of CONVERT: Parquet values back to the JSON Lines shapes.
UNCONVERT: dict[str, dict[str, Callable[[Any], Any]]] = {
    "records": {"thresholds": lambda value: {t["grade"]: t["text"] for t in value or []},
                "parsed_thresholds": lambda value: [{k: v for k, v in t.items() if v is not None} for t in value or []],
                "doubts": lambda value: dict(value or [])},
    "rows": {"context": lambda value: None if value is None else json.loads(value)},
}


def forgo_pandas_conversions() -> None:
    """Keep pyarrow from importing pandas in this process (0.2-0.7 s) unless it is imported already.

    pyarrow's first conversion of Python values imports pandas when it is
    installed (label-studio-sdk installs it) to check whether the values are
    pandas objects, and settles the answer for the process. One conversion with
    pandas hidden settles it as absent: the writing process of ``extract`` passes
    lists only and never asks pyarrow for pandas objects. Only for a process that
    will not either (the CLI's ``extract``): pyarrow's ``to_pandas`` and the like
    then fail in it.
    """
    if "pandas" in sys.modules:
        return
    hidden = _Hidden("pandas")
    sys.meta_path.insert(0, hidden)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(hidden)


class _Hidden(MetaPathFinder):
    """An import finder under which importing module ``name`` fails as if it were not installed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if fullname == self.name:
            raise ModuleNotFoundError(f"{fullname} is hidden from this import", name=fullname)


def iter_parquet(path: Path, output: str, batch_size: int = 2_048) -> Iterator[dict[str, Any]]:
    """The rows of an output's Parquet file as its JSON Lines dicts, one batch in memory at a time."""
    convert = UNCONVERT.get(output, {})
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
        for row in batch.to_pylist():
            yield {k: convert[k](v) if k in convert else v for k, v in row.items()}


def schema_for(output: str, extra_columns: Sequence[str] = ()) -> pa.Schema:
    """The declared schema of ``output``, plus string columns from a sidecar."""
    schema = SCHEMAS[output]
    for column in extra_columns:
        schema = schema.append(pa.field(column, _S))
    return schema


def to_arrow(output: str, rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (JSON Lines dicts) of ``output`` as an Arrow table of ``schema``; a missing field is null.

    Built column by column (``from_pydict``): several times faster than
    ``from_pylist`` for many rows of flat fields.
    """
    return pa.Table.from_pydict(row_columns(output, rows, schema), schema=schema)


def row_columns(output: str, rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> dict[str, list[Any]]:
    """Rows (JSON Lines dicts) of ``output`` as Arrow-ready lists, one per field of ``schema``; a missing field is None."""
    convert = CONVERT.get(output, {})
    columns = {}
    for name in schema.names:
        if name in convert:
            columns[name] = [convert[name](row[name]) if name in row else None for row in rows]
        else:
            columns[name] = [row.get(name) for row in rows]
    return columns


def arrow_rows(output: str, rows: Sequence[Mapping[str, Any]] | ColumnBatch, schema: pa.Schema) -> pa.Table:
    """Rows of ``output`` (dicts or a column batch) as an Arrow table of ``schema``, as its Parquet file holds them."""
    if isinstance(rows, ColumnBatch):
        return pa.Table.from_pydict(batch_columns(output, rows, schema), schema=schema)
    return to_arrow(output, rows, schema)


def batch_columns(output: str, batch: ColumnBatch, schema: pa.Schema) -> dict[str, list[Any]]:
    """A column batch of ``output`` as Arrow-ready lists, one per field of ``schema``: what
    :func:`row_columns` gives for the batch's dicts, without making them."""
    convert = CONVERT.get(output, {})
    columns = {}
    for name in schema.names:
        values = batch.column(name)
        has = name in batch.columns or name in batch.constants
        columns[name] = [convert[name](v) for v in values] if has and name in convert else values
    return columns


class ParquetSink:
    """Streams rows into a Parquet file in row groups of ``BATCH`` rows; renamed into place on success.

    Rows come as dicts, column batches or Arrow tables of the output's schema,
    in any mix; the row groups are the same either way (every one ``BATCH``
    rows but the last). Dicts wait until a row group's worth (or other rows)
    arrive and are converted together; batches and tables wait as Arrow tables.
    """

    BATCH = 2_048  # rows per row group: 20 000 cost the writing process ~75 MiB more at its peak

    def __init__(self, path: Path, output: str, extra_columns: Sequence[str] = ()) -> None:
        self.path = Path(path)
        self.output = output
        self.schema = schema_for(output, extra_columns)
        self._rows: list[Mapping[str, Any]] = []  # dicts not yet converted
        self._tables: list[pa.Table] = []  # converted rows, in order
        self._count = 0  # rows in the tables

    def __enter__(self) -> ParquetSink:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.close(fd)
        self._writer = pq.ParquetWriter(self._tmp, self.schema, compression="zstd")
        return self

    def write(self, row: Mapping[str, Any]) -> None:
        """Add one row (a JSON Lines dict)."""
        self.write_batch([row])

    def write_batch(self, rows: Sequence[Mapping[str, Any]] | ColumnBatch | pa.Table) -> None:
        """Add rows: dicts, a column batch, or an Arrow table (:func:`arrow_rows`); full row groups are written at once."""
        if isinstance(rows, Sequence):
            self._rows += rows
        else:
            self._gather()
            self._add(rows if isinstance(rows, pa.Table) else arrow_rows(self.output, rows, self.schema))
        if self._count + len(self._rows) >= self.BATCH:
            self._gather()
            self._write_groups(final=False)

    def _gather(self) -> None:
        """Convert the waiting dicts."""
        if self._rows:
            self._add(to_arrow(self.output, self._rows, self.schema))
            self._rows = []

    def _add(self, table: pa.Table) -> None:
        self._tables.append(table)
        self._count += table.num_rows

    def _write_groups(self, final: bool) -> None:
        """Write every full row group of the converted rows, and with ``final`` the rest as the last one."""
        end = self._count if final else self._count - self._count % self.BATCH
        if not end:
            return
        rows = pa.concat_tables(self._tables)  # chunks as they came: the writer reads row groups across them
        self._writer.write_table(rows.slice(0, end), row_group_size=self.BATCH)
        self._tables = [rows.slice(end)] if end < self._count else []
        self._count -= end

    def _flush(self) -> None:
        self._gather()
        self._write_groups(final=True)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self._flush()
        finally:
            self._writer.close()
        if exc_type is None:
            os.chmod(self._tmp, 0o666 & ~_umask())
            os.replace(self._tmp, self.path)
        else:
            Path(self._tmp).unlink(missing_ok=True)
