"""A document's output part gives the same files, byte for byte, whether it is made from the
state in memory (one worker), by a worker and read back from its part file, or from the state
file when a part file cannot be read; and a Parquet file is the same whatever mix of dicts,
column batches and Arrow tables its rows arrive as."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractor.atomic import TMP_SUFFIX
from extractor.bulk import STATE_DIR, Job, RunSummary, run_extraction, state_file
from extractor.columns import ColumnBatch
from extractor.dataset import ROW_FIELDS
from extractor.models.base import ModelCard, resolve_model_dir
from extractor.output_parts import OutputSettings, make_part
from extractor.parquet import ParquetSink, arrow_rows, schema_for
from extractor.part_files import PART_SUFFIX, part_file_of, read_part_file, write_part_file
from extractor.run_outputs import RunOutputs, read_state
from extractor.sidecar import load_sidecar
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


def _leftovers(out: Path) -> list[str]:
    """Part files and temporary files (spools included) left in a finished run's folder."""
    return [p.name for p in (*out.iterdir(), *(out / STATE_DIR).iterdir()) if p.name.endswith((PART_SUFFIX, TMP_SUFFIX))]


def test_one_and_two_workers_give_the_same_files(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, sidecar = corpus
    one = run_extraction([docs], tmp_path / "one", MODEL, THRESHOLD, workers=1, metadata=sidecar, **OPTIONS)
    made_by_workers: list[bool] = []
    two = run_extraction([docs], tmp_path / "two", MODEL, THRESHOLD, workers=2, metadata=sidecar,
                         on_document=lambda _path, status: made_by_workers.append("part" in status), **OPTIONS)
    assert one.records == two.records > 0 and one.statuses == two.statuses
    assert made_by_workers == [True] * 4  # every part came from a worker's part file
    from_memory, from_part_files = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert set(from_memory) >= {"records.parquet", "rows.parquet", "records.csv", "rows.jsonl", "review_queue.jsonl"}
    assert from_memory == from_part_files
    assert _leftovers(tmp_path / "two") == []
    region = pq.read_table(tmp_path / "two" / "records.parquet", columns=["doc_id", "region"]).to_pylist()
    assert {r["region"] for r in region if r["doc_id"] == DOC_003.stem} == {"湖南"}


def test_a_part_file_reads_back_as_the_part_it_was_made_from(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, sidecar = corpus
    run_extraction([docs / DOC_004.name], tmp_path / "run", MODEL, THRESHOLD, metadata=sidecar, **OPTIONS)
    settings = OutputSettings(THRESHOLD, "v1", "2026-01-01", load_sidecar(sidecar), True, ("records", "rows"))
    made = make_part(read_state(next((tmp_path / "run" / STATE_DIR).iterdir())), "doc", settings)
    write_part_file(tmp_path / "doc.part", made)
    read = read_part_file(tmp_path / "doc.part")
    assert list(read.parquet) == list(made.parquet)
    for name, rows in made.parquet.items():
        assert read.parquet[name].equals(rows) if isinstance(rows, pa.Table) else read.parquet[name] == rows
    assert read.parquet["rows"].num_rows > 1000 and read.queued and read.csv.count("\n") > 100
    assert (read.jsonl, read.csv, read.status, read.records_to_review) == (made.jsonl, made.csv, made.status, made.records_to_review)
    assert [tuple(pair) for pair in read.queued] == [tuple(pair) for pair in made.queued]
    assert [(tuple(key), line) for key, line in read.tables] == list(made.tables)


@pytest.mark.parametrize("damage", [b"", b"\x05", b"not a part file at all", "truncated"])
def test_a_damaged_part_file_is_refused_and_its_part_made_again_from_the_state(
    corpus: tuple[Path, Path], tmp_path: Path, damage: bytes | str
) -> None:
    docs, _ = corpus
    summary = run_extraction([docs], tmp_path / "run", MODEL, THRESHOLD)
    bad = tmp_path / "bad.part"
    if damage == "truncated":
        run = tmp_path / "run"
        write_part_file(bad, make_part(read_state(next((run / STATE_DIR).iterdir())), "doc", OutputSettings(THRESHOLD, "v", "c")))
        bad.write_bytes(bad.read_bytes()[:-100])
    else:
        bad.write_bytes(damage)
    with pytest.raises(ValueError, match="bad.part"):
        read_part_file(bad)
    # The outputs again, each document given the damaged file as the part its worker made.
    card = ModelCard.load(MODEL)
    again = RunSummary(out_dir=tmp_path / "again", threshold=THRESHOLD, model_version=card.version)
    (tmp_path / "again").mkdir()
    with RunOutputs(tmp_path / "again", again, OutputSettings(THRESHOLD, card.version, card.created)) as outputs:
        for path in sorted(docs.iterdir()):
            damaged = tmp_path / f"{path.stem}.part"
            shutil.copy(bad, damaged)
            outputs.add(Job(path, state_file(tmp_path / "run", path)), path.stem, part_file=str(damaged))
            assert not damaged.exists()
        outputs.finish([])
    assert again.records == summary.records > 0
    assert _files(tmp_path / "again") == _files(tmp_path / "run")


def test_part_files_a_killed_run_left_are_deleted_and_not_used(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    docs, _ = corpus
    out = tmp_path / "run"
    (out / STATE_DIR).mkdir(parents=True)
    stale = part_file_of(state_file(out, docs / DOC_004.name))
    stale.write_bytes(b"a killed run's part")
    run_extraction([docs], out, MODEL, THRESHOLD, workers=2)
    assert not stale.exists() and _leftovers(out) == []
    run_extraction([docs], tmp_path / "one", MODEL, THRESHOLD, workers=1)
    assert _files(out) == _files(tmp_path / "one")


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
