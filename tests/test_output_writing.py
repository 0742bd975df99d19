"""The output writers' fast paths give what the plain computation gives."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from extractor.bulk import run_extraction
from extractor.models.base import resolve_model_dir
from extractor.parquet import CONVERT, iter_parquet, schema_for, to_arrow
from extractor.run_outputs import read_state, write_state
from tests.helpers import DOC_003, ROOT

MODEL = resolve_model_dir(ROOT / "models")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("writing") / "out"
    run_extraction([DOC_003], out, MODEL, threshold=0.9, keep_context=True)
    return out


def _plain(output: str, rows: list[dict], schema: pa.Schema) -> pa.Table:
    """Row by row, converting only the fields a row has (what ``to_arrow`` must equal)."""
    convert = CONVERT.get(output, {})
    return pa.Table.from_pylist([{**row, **{k: f(row[k]) for k, f in convert.items() if k in row}} for row in rows],
                                schema=schema)


@pytest.mark.parametrize("output", ["documents", "records", "sections", "rows"])
def test_column_by_column_arrow_tables_equal_row_by_row_ones(run: Path, output: str) -> None:
    rows = list(iter_parquet(run / f"{output}.parquet", output))
    assert rows
    rows[0] = {k: v for k, v in rows[0].items() if k not in ("doc_id", "thresholds", "context")}  # missing fields
    schema = schema_for(output, ["batch"])
    rows[-1] = {**rows[-1], "batch": "2024-03"}  # a sidecar column
    assert to_arrow(output, rows, schema).equals(_plain(output, rows, schema))


def test_a_state_file_reads_back_what_was_written(run: Path, tmp_path: Path) -> None:
    (state_file,) = (run / ".state").iterdir()
    state = read_state(state_file)
    write_state(tmp_path / "copy.json.gz", state)
    assert read_state(tmp_path / "copy.json.gz") == state
    assert state["result"]["records"] and any(c is not None for c in state["result"]["rows"]["columns"]["context"])
