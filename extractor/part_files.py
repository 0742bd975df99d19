"""A document's output part (:class:`~extractor.output_parts.DocumentPart`) as one file.

A worker process writes the part of each document it extracted to a file
renamed into place when complete; the process writing the run's outputs reads
it back and appends it, instead of making the part again from the state file.
The file is an 8-byte little-endian length, a JSON header of that length (every
field but the Arrow tables, and each table's name and byte length), then each
table as an Arrow IPC stream: reading it back makes no Python object per cell.

Part files live only for the run that wrote them (:data:`PART_SUFFIX`, next to
the state files): they carry nothing a rerun needs, so they are not fsynced and
a killed run's are deleted (:func:`remove_part_files`).
"""

from __future__ import annotations

import struct
from pathlib import Path

import orjson
import pyarrow as pa

from extractor.atomic import write_bytes_atomic
from extractor.dataset import Rows, row_dicts
from extractor.output_parts import DocumentPart

PART_SUFFIX = ".part"
_LENGTH = struct.Struct("<Q")


def part_file_of(state_file: Path) -> Path:
    """The part file of the document whose state file is ``state_file`` (beside it)."""
    return state_file.with_name(state_file.name + PART_SUFFIX)


def write_part_file(path: Path, part: DocumentPart) -> None:
    """Write ``part`` to ``path`` (complete or absent)."""
    tables = {name: _ipc_bytes(rows) for name, rows in part.parquet.items() if isinstance(rows, pa.Table)}
    header = orjson.dumps({
        "parquet": {name: row_dicts(rows) for name, rows in part.parquet.items() if name not in tables},
        "tables": [[name, len(data)] for name, data in tables.items()],
        "order": list(part.parquet),
        "jsonl": part.jsonl,
        "csv": part.csv,
        "queued": part.queued,
        "table_entries": part.tables,
        "status": part.status,
        "records_to_review": part.records_to_review,
    })
    write_bytes_atomic(path, b"".join([_LENGTH.pack(len(header)), header, *tables.values()]), sync=False)


def read_part_file(path: Path) -> DocumentPart:
    """The part :func:`write_part_file` wrote to ``path``; raises OSError or ValueError for a damaged file."""
    data = path.read_bytes()
    try:
        (size,) = _LENGTH.unpack_from(data)
        header = orjson.loads(data[_LENGTH.size : _LENGTH.size + size])
        at = _LENGTH.size + size
        parquet: dict[str, pa.Table | Rows] = dict(header["parquet"])
        buffer = pa.py_buffer(data)
        for name, length in header["tables"]:
            parquet[name] = pa.ipc.open_stream(buffer.slice(at, length)).read_all()
            at += length
        if at != len(data):
            raise ValueError(f"{len(data) - at} bytes after the last table")
        return DocumentPart(
            parquet={name: parquet[name] for name in header["order"]},
            jsonl=header["jsonl"],
            csv=header["csv"],
            queued=header["queued"],
            tables=header["table_entries"],
            status=header["status"],
            records_to_review=header["records_to_review"],
        )
    except (struct.error, ValueError, KeyError, TypeError, OSError, pa.ArrowException) as exc:  # Arrow: OSError for a short stream
        raise ValueError(f"{path}: not a whole part file ({type(exc).__name__}: {exc})") from exc


def remove_part_files(folder: Path) -> None:
    """Delete the part files in ``folder`` (a killed run's)."""
    for path in folder.glob(f"*{PART_SUFFIX}"):
        path.unlink(missing_ok=True)


def _ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()

