"""A document's output part gives the same files, byte for byte, whether it is made from the
state in memory (one worker) or read back from its state file (workers); and a Parquet file is
the same whatever mix of dicts, column batches and Arrow tables its rows arrive as."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractor.bulk import run_extraction
from extractor.columns import ColumnBatch
from extractor.dataset import ROW_FIELDS
from extractor.models.base import resolve_model_dir
from extractor.parquet import ParquetSink, arrow_rows, schema_for
from tests.helpers import DOC_003, DOC_004, SAMPLES

MODEL = resolve_model_dir(SAMPLES.parent / "models")
THRESHOLD = 0.9
OPTIONS = {"keep_context": True, "jsonl": ("records", "rows")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Four documents (two copies of two samples, one wild table) and a sidecar naming three of them."""
    folder = tmp_path_factory.mktemp("parts")
    docs = folder / "in"
    docs.mkdir()
    for source in (DOC_003, DOC_004, SAMPLES / "wild" / "hn_xiangtan_hwc_2023.txt"):
        shutil.copy(source, docs / source.name)
    shutil.copy(DOC_004, docs / "again.txt")
    sidecar = folder / "meta.csv"
    with sidecar.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "region", "batch"])
        writer.writerows([[f"in/{DOC_003.name}", "湖南", "一"], [f"in/{DOC_004.name}", None, "二"], ["in/again.txt", "河北", None]])
    return docs, sidecar


def _files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()}


def test_one_and_two_workers_give_the_same_files(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, sidecar = corpus
    one = run_extraction([docs], tmp_path / "one", MODEL, THRESHOLD, workers=1, metadata=sidecar, **OPTIONS)
    two = run_extraction([docs], tmp_path / "two", MODEL, THRESHOLD, workers=2, metadata=sidecar, **OPTIONS)
    assert one.records == two.records > 0 and one.statuses == two.statuses
    from_memory, from_state_files = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert set(from_memory) >= {"records.parquet", "rows.parquet", "records.csv", "rows.jsonl", "review_queue.jsonl"}
    assert from_memory == from_state_files
    region = pq.read_table(tmp_path / "two" / "records.parquet", columns=["doc_id", "region"]).to_pylist()
    assert {r["region"] for r in region if r["doc_id"] == DOC_003.stem} == {"湖南"}


def test_a_parquet_file_is_the_same_whatever_form_its_rows_arrive_in(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, _ = corpus
    run_extraction([docs], tmp_path / "run", MODEL, THRESHOLD, keep_context=True)
    rows = pq.read_table(tmp_path / "run" / "rows.parquet").to_pylist()
    schema = schema_for("rows")
    for row in rows:  # back to the shapes a run's rows have before conversion
        row["context"] = None if row["context"] is None else {"raw": row["context"]}
    ParquetSink.BATCH, batch = 300, ParquetSink.BATCH  # several row groups from a few thousand rows
    try:
        with ParquetSink(tmp_path / "dicts.parquet", "rows") as sink:
            sink.write_batch(rows)
        pieces = random.Random(7)
        with ParquetSink(tmp_path / "mixed.parquet", "rows") as sink:
            start = 0
            while start < len(rows):
                chunk = rows[start : start + pieces.randint(1, 700)]
                kind = pieces.choice(["dicts", "one by one", "batch", "arrow"])
                if kind == "dicts":
                    sink.write_batch(chunk)
                elif kind == "one by one":
                    for row in chunk:
                        sink.write(row)
                else:
                    columns = ColumnBatch({}, {name: [row[name] for row in chunk] for name in ROW_FIELDS}, ROW_FIELDS)
                    sink.write_batch(columns if kind == "batch" else arrow_rows("rows", columns, schema))
                start += len(chunk)
    finally:
        ParquetSink.BATCH = batch
    assert pq.ParquetFile(tmp_path / "dicts.parquet").metadata.num_row_groups > 3
    assert (tmp_path / "dicts.parquet").read_bytes() == (tmp_path / "mixed.parquet").read_bytes()
    assert isinstance(arrow_rows("rows", rows[:2], schema), pa.Table)
