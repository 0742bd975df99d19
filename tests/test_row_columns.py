"""Rows kept as columns give what one dict per cell gave: the same dicts, queue and Parquet files."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from extractor.bulk import row_columns
from extractor.columns import ColumnBatch
from extractor.datamodel import RowUnit
from extractor.dataset import ROW_FIELDS
from extractor.models import load_classifier
from extractor.models.base import resolve_model_dir
from extractor.parquet import ParquetSink, batch_columns, row_columns as dict_columns, schema_for
from extractor.pipeline import DocumentResult, process_document
from extractor.output_parts import is_queued, queued_rows
from tests.helpers import DOC_003, ROOT

FORMATS = ROOT / "tests" / "data" / "formats"
PAGES = FORMATS / "004_3ff65f7921ff3963.pdf"  # cells on several pages, none queued
QUEUED_PDF = FORMATS / "hn_xiangtan_hwc_2023.pdf"
THRESHOLD = 0.995


@pytest.fixture(scope="module", params=[DOC_003, PAGES, QUEUED_PDF], ids=["txt", "pdf-pages", "pdf-queued"])
def result(request: pytest.FixtureRequest) -> DocumentResult:
    return process_document(request.param, load_classifier(resolve_model_dir(ROOT / "models")), THRESHOLD)


def _row_entry(unit: RowUnit, result: DocumentResult) -> dict[str, Any]:
    """One cell as a dict, field by field from its unit (the plain computation)."""
    return {
        "doc_id": unit.doc_id, "source": result.doc.source, "doc_sha256": unit.doc_sha256, "key": unit.key,
        "line": unit.line, "end_line": unit.end_line, "table": unit.table, "row": unit.row, "col": unit.col,
        "text": unit.text, "label": unit.label, "confidence": round(float(unit.confidence or 0.0), 6),
        "label_source": unit.label_source, "model_version": result.model_version,
        "section_title": unit.section_title, "context": unit.context, "page": result.doc.page_of(unit.line),
    }


def _plain_queued(row: dict[str, Any]) -> bool:
    context = row["context"]
    return (row["confidence"] < THRESHOLD and row["label_source"] == "model"
            and isinstance(context, dict) and not context.get("is_header_row"))


@pytest.mark.parametrize("keep_context", [False, True])
def test_columns_make_the_dicts_of_every_cell(result: DocumentResult, keep_context: bool) -> None:
    expected = [_row_entry(unit, result) for unit in result.units]
    queued = [_plain_queued(row) for row in expected]
    assert expected and not all(queued)
    assert any(queued) or result.doc.source.endswith(PAGES.name)
    if not keep_context:
        expected = [row if q else {**row, "context": None} for row, q in zip(expected, queued, strict=True)]
    batch = row_columns(result, THRESHOLD, keep_context)
    assert list(batch.dicts()) == expected
    assert [list(row) for row in batch.dicts()] == [list(ROW_FIELDS)] * len(expected)  # key order of the files
    assert queued_rows(batch, THRESHOLD) == [i for i, q in enumerate(queued) if q]
    assert len(batch) == len(expected)


def test_a_batch_survives_its_json_and_picks_rows(result: DocumentResult) -> None:
    batch = row_columns(result, THRESHOLD, keep_context=True)
    again = ColumnBatch.from_json(batch.to_json(), ROW_FIELDS)
    every = list(batch.dicts())
    assert list(again.dicts()) == every
    picked = sorted(random.Random(3).sample(range(len(every)), 25))
    assert list(batch.dicts(picked)) == [every[i] for i in picked]
    assert list(batch.with_constants(doc_id="x").dicts()) == [{**row, "doc_id": "x"} for row in every]
    assert list(batch.with_constants(line=7).dicts()) == [{**row, "line": 7} for row in every]
    assert list(batch.without("context").dicts()) == [{k: v for k, v in row.items() if k != "context"} for row in every]
    assert batch.column("doc_id") == [row["doc_id"] for row in every]


def test_queued_rows_is_the_per_row_test() -> None:
    rng = random.Random(5)
    contexts = [None, {}, {"is_header_row": True}, {"is_header_row": False, "row_texts": ["a"]}, "text"]
    rows = [{"confidence": rng.random(), "label_source": rng.choice(["model", "review"]), "context": rng.choice(contexts)}
            for _ in range(500)]
    batch = ColumnBatch({}, {name: [row[name] for row in rows] for name in rows[0]}, list(rows[0]))
    expected = [i for i, row in enumerate(rows) if is_queued(row["confidence"], row["label_source"], row["context"], 0.5)]
    assert queued_rows(batch, 0.5) == expected and expected


def _random_rows(result: DocumentResult, n: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = list(row_columns(result, THRESHOLD, keep_context=True).dicts())
    return [{**rng.choice(rows), "context": rng.choice([None, {"row_texts": [str(i)]}])} for i in range(n)]


def _as_batch(rows: list[dict[str, Any]], constants: tuple[str, ...] = ("doc_id", "source")) -> ColumnBatch:
    return ColumnBatch({k: rows[0][k] for k in constants},
                       {k: [row[k] for row in rows] for k in ROW_FIELDS if k not in constants}, ROW_FIELDS)


def test_batch_columns_equal_the_columns_of_its_dicts(result: DocumentResult) -> None:
    rows = _random_rows(result, 300, random.Random(1))
    rows = [{**row, "doc_id": rows[0]["doc_id"], "source": rows[0]["source"]} for row in rows]
    schema = schema_for("rows")
    for batch in (_as_batch(rows), _as_batch(rows).without("context"), _as_batch(rows).without("doc_id")):
        assert batch_columns("rows", batch, schema) == dict_columns("rows", list(batch.dicts()), schema)


def _write(path: Path, pieces: list[list[dict[str, Any]] | ColumnBatch], batch_rows: int) -> Path:
    with ParquetSink(path, "rows") as sink:
        sink.BATCH = batch_rows
        for piece in pieces:
            if isinstance(piece, ColumnBatch):
                sink.write_batch(piece)
            else:
                for row in piece:
                    sink.write(row)
    return path


def test_column_batches_and_dicts_in_any_mix_write_the_same_parquet_file(result: DocumentResult, tmp_path: Path) -> None:
    rng = random.Random(7)
    for attempt in range(6):
        sizes = [rng.randint(0, 40) for _ in range(12)]
        documents, start = [], 0
        for size in sizes:
            rows = _random_rows(result, size, rng)
            documents.append([{**row, "doc_id": f"d{start}", "source": "s.txt"} for row in rows])
            start += size
        batch_rows = rng.randint(1, 30)
        by_dicts = _write(tmp_path / f"dicts{attempt}.parquet", documents, batch_rows)
        mixed = [_as_batch(rows) if rows and rng.random() < 0.7 else rows for rows in documents]
        by_columns = _write(tmp_path / f"mixed{attempt}.parquet", mixed, batch_rows)
        assert by_columns.read_bytes() == by_dicts.read_bytes()
        groups = [pq.ParquetFile(by_columns).metadata.row_group(g).num_rows
                  for g in range(pq.ParquetFile(by_columns).metadata.num_row_groups)]
        assert sum(groups) == sum(sizes) and all(n == batch_rows for n in groups[:-1])
