"""The dataset: metadata on every record, unique ids, sidecar columns, Parquet, export."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import fields
from pathlib import Path

import duckdb  # the dev extra: never skipped
import pytest

from extractor.bulk import STATE_DIR, run_extraction
from extractor.datamodel import IndicatorRecord, ParsedThreshold
from extractor.errors import ConfigError, MetadataFileError
from extractor.export import export_runs
from extractor.identity import assign_doc_ids
from extractor.metadata import METADATA_FIELDS
from extractor.models.base import resolve_model_dir
from extractor.parquet import PARSED_THRESHOLD, SCHEMAS
from tests.helpers import ROOT, SAMPLES, read_records, read_rows
from tests.test_metadata import EXPECTED


MODEL = resolve_model_dir(ROOT / "models")
WILD = SAMPLES / "wild"
HB_2020 = WILD / "hb_wuhan_qingshan_2020.txt"  # small documents that yield records
HN_2023 = WILD / "hn_xiangtan_hwc_2023.txt"
CQ_2022 = WILD / "cq_banan_yipin_2022.txt"
DOCS = ROOT / "docs" / "dataset.md"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _output(run: Path, name: str) -> list[dict]:
    """An output's rows: from Parquet for rows and records (no JSON Lines by default), else ``<name>.jsonl``."""
    readers = {"rows": read_rows, "records": read_records}
    return readers[name](run) if name in readers else _lines(run / f"{name}.jsonl")


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled sample and wild table, extracted once."""
    out = tmp_path_factory.mktemp("samples-run")
    summary = run_extraction([SAMPLES], out, MODEL, threshold=0.9)
    assert summary.failed == 0 and summary.documents == len(EXPECTED)
    return out


def test_every_document_and_record_carries_unit_year_and_kind(samples_run: Path):
    expected = {Path(name).stem: (unit, year, kind) for name, unit, year, kind, _p, _c in EXPECTED}
    documents = {d["doc_id"]: d for d in _lines(samples_run / "documents.jsonl")}
    assert {k: (d["unit"], d["year"], d["kind"]) for k, d in documents.items()} == expected
    records = read_records(samples_run)
    assert {r["doc_id"] for r in records} >= {"000_f44a55659bcd5ffe", "004_3ff65f7921ff3963", "hn_xiangtan_hwc_2023"}
    for record in records:
        assert (record["unit"], record["year"], record["kind"]) == expected[record["doc_id"]], record["record_id"]
    with (samples_run / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(records)
    assert all((r["unit"], int(r["year"]), r["kind"]) == expected[r["doc_id"]] for r in rows)


def test_every_output_row_carries_its_doc_id_and_records_a_unique_record_id(samples_run: Path):
    doc_ids = {d["doc_id"] for d in _lines(samples_run / "documents.jsonl")}
    for name in ("records", "sections", "rows", "review_queue"):
        assert {r["doc_id"] for r in _output(samples_run, name)} <= doc_ids, name
    ids = [r["record_id"] for r in read_records(samples_run)]
    assert len(ids) == len(set(ids))


def test_two_files_named_report_txt_get_distinct_doc_ids_and_nothing_is_overwritten(tmp_path: Path, samples_run: Path):
    for folder, source in (("a", HB_2020), ("b", HN_2023), ("c", HN_2023)):  # c: an equal copy of b
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(source, tmp_path / "in" / folder / "report.txt")
    out = tmp_path / "out"
    run_extraction([tmp_path / "in"], out, MODEL, threshold=0.9)
    documents = _lines(out / "documents.jsonl")
    ids = [d["doc_id"] for d in documents]
    assert len(set(ids)) == 3 and all(i.startswith("report-") for i in ids)
    assert len(list((out / STATE_DIR).glob("*.json.gz"))) == 3
    by_source = {Path(d["source"]).parent.name: d["doc_id"] for d in documents}
    rows = Counter(s["doc_id"] for s in read_rows(out))
    records = Counter(r["doc_id"] for r in read_records(out))
    for folder in "abc":
        assert rows[by_source[folder]] > 0 and records[by_source[folder]] > 0, folder
    # the same content elsewhere and under another name gives the same record ids
    again = {r["record_id"] for r in read_records(out) if r["doc_id"] == by_source["a"]}
    first = {r["record_id"] for r in read_records(samples_run) if r["doc_id"] == HB_2020.stem}
    assert again == first and again


def test_doc_ids_stay_readable_and_unique():
    ids = assign_doc_ids([("a", "1" * 64), ("report", "2" * 64), ("report", "3" * 64), ("report", "3" * 64)])
    assert ids == ["a", "report-22222222", "report-33333333", "report-33333333-2"]


def test_sidecar_columns_reach_documents_and_records(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (HB_2020, HN_2023, CQ_2022):
        shutil.copy(source, folder / source.name)
    sha = hashlib.sha256(HN_2023.read_bytes()).hexdigest()
    sidecar = tmp_path / "meta" / "sources.csv"
    sidecar.parent.mkdir()
    sidecar.write_text(
        "path,sha256,url,county\n"
        f"../in/{HB_2020.name},,http://example.gov.cn/a.html,青山区\n"
        f",{sha.upper()},http://example.gov.cn/b.html,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run_extraction([folder], out, MODEL, threshold=0.9, metadata=sidecar)
    expected = {
        HB_2020.stem: {"url": "http://example.gov.cn/a.html", "county": "青山区"},
        HN_2023.stem: {"url": "http://example.gov.cn/b.html", "county": None},
        CQ_2022.stem: {"url": None, "county": None},
    }
    for document in _lines(out / "documents.jsonl"):
        assert {k: document[k] for k in ("url", "county")} == expected[document["doc_id"]]
    records = read_records(out)
    assert {r["doc_id"] for r in records} >= {HB_2020.stem, HN_2023.stem}
    for record in records:
        assert {k: record[k] for k in ("url", "county")} == expected[record["doc_id"]]
    con = duckdb.connect()
    got = con.execute(f"SELECT DISTINCT doc_id, url, county FROM '{out / 'records.parquet'}' ORDER BY doc_id").fetchall()
    with_records = {r["doc_id"] for r in records}
    assert got == sorted((d, v["url"], v["county"]) for d, v in expected.items() if d in with_records)
    with (out / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert {r["url"] for r in csv.DictReader(handle)} == {v["url"] or "" for d, v in expected.items() if d in with_records}


@pytest.mark.parametrize(
    ("text", "problem"),
    [("name,url\nx,y\n", "path or a sha256"), ("path,year\na.txt,2019\n", "year"),
     ("path,url\na.txt,x\na.txt,y\n", "line 3"), ("path,url\n,x\n", "line 2")],
)
def test_a_malformed_sidecar_is_refused_with_the_file_and_problem(tmp_path: Path, text: str, problem: str):
    sidecar = tmp_path / "sources.csv"
    sidecar.write_text(text, encoding="utf-8")
    with pytest.raises(MetadataFileError) as err:
        run_extraction([HB_2020], tmp_path / "out", MODEL, threshold=0.9, metadata=sidecar)
    assert err.value.code == "E204" and "sources.csv" in str(err.value) and problem in str(err.value)


def _documented_schemas() -> dict[str, list[tuple[str, str]]]:
    """Column tables of docs/dataset.md, by output."""
    schemas: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"### (\w+)$", line):
            current = m.group(1)
        elif current and (m := re.match(r"\| `([^`]+)` \| `(.+)` \|$", line)):
            schemas.setdefault(current, []).append((m.group(1), m.group(2)))
    return schemas


def test_parquet_outputs_open_in_duckdb_with_the_documented_schema(samples_run: Path):
    documented = _documented_schemas()
    assert set(documented) == {"documents", "records", "sections", "rows"}
    con = duckdb.connect()
    for name, columns in documented.items():
        described = con.execute(f"DESCRIBE SELECT * FROM '{samples_run / f'{name}.parquet'}'").fetchall()
        assert [(row[0], row[1]) for row in described] == columns, name
        count = con.execute(f"SELECT count(*) FROM '{samples_run / f'{name}.parquet'}'").fetchone()[0]
        assert count == len(_output(samples_run, name)), name


def test_the_parquet_schema_keeps_every_field_of_a_record():
    record = {f.name for f in fields(IndicatorRecord)} | {"record_id", *METADATA_FIELDS}
    assert set(SCHEMAS["records"].names) == record
    assert [f.name for f in PARSED_THRESHOLD] == [f.name for f in fields(ParsedThreshold)]


def test_the_documented_query_gives_the_share_of_numeric_targets(samples_run: Path):
    query = re.search(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    query = query.replace("'dataset/records.parquet'", f"'{samples_run / 'records.parquet'}'")
    got = {(year, province): (n, share) for year, province, n, share in duckdb.connect().execute(query).fetchall()}
    groups: dict[tuple, list[bool]] = {}
    for r in read_records(samples_run):
        numeric = any(t["value"] is not None for t in r["parsed_thresholds"])
        groups.setdefault((r["year"], r["province"] or "(unknown)"), []).append(numeric)
    assert got == {k: (len(v), round(sum(v) / len(v), 3)) for k, v in groups.items()}
    assert (2019, "河北省") in got


def _extract(files: list[Path], folder: Path, out: Path) -> None:
    folder.mkdir(parents=True)
    for source in files:
        shutil.copy(source, folder / source.name)
    run_extraction([folder], out, MODEL, threshold=0.9)


def test_export_of_overlapping_runs_keeps_each_document_once(tmp_path: Path):
    _extract([HB_2020, HN_2023], tmp_path / "a", tmp_path / "run-a")
    _extract([HN_2023, CQ_2022], tmp_path / "b", tmp_path / "run-b")
    dataset = tmp_path / "dataset"
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "export", str(tmp_path / "run-a"), str(tmp_path / "run-b"), "--out", str(dataset)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    con = duckdb.connect()
    records = f"'{dataset / 'records.parquet'}'"
    assert con.execute(f"SELECT count(*) - count(DISTINCT record_id) FROM {records}").fetchone()[0] == 0
    run_records = read_records(tmp_path / "run-a") + read_records(tmp_path / "run-b")
    assert con.execute(f"SELECT count(*) FROM {records}").fetchone()[0] == len({r["record_id"] for r in run_records})
    documents = con.execute(f"SELECT doc_id, source FROM '{dataset / 'documents.parquet'}' ORDER BY doc_id").fetchall()
    assert [d for d, _ in documents] == sorted([HB_2020.stem, HN_2023.stem, CQ_2022.stem])
    # a tie on the model: the run given last wins
    assert dict(documents)[HN_2023.stem] == str((tmp_path / "b" / HN_2023.name).resolve())
    assert read_records(dataset) and (dataset / "sections.parquet").exists()
    # the runs wrote no rows.jsonl: the export reads their rows.parquet, and writes none either
    assert not (dataset / "rows.jsonl").exists()
    run_rows = {r["key"] for r in read_rows(tmp_path / "run-a") + read_rows(tmp_path / "run-b")}
    assert {r["key"] for r in read_rows(dataset)} == run_rows


def test_jsonl_on_request_holds_what_parquet_holds_and_a_rerun_without_it_removes_it(tmp_path: Path):
    out = tmp_path / "out"
    run_extraction([HN_2023], out, MODEL, threshold=0.9, jsonl=("records", "rows"))
    from_jsonl = _lines(out / "rows.jsonl")
    from_parquet = read_rows(out)
    assert len(from_jsonl) == len(from_parquet) > 10
    for a, b in zip(from_jsonl, from_parquet, strict=True):
        assert {k: v for k, v in b.items() if v is not None or k in a} == a
    records = _lines(out / "records.jsonl")
    assert any(r["parsed_thresholds"] for r in records)
    run_extraction([HN_2023], out, MODEL, threshold=0.9)
    assert not (out / "rows.jsonl").exists() and read_rows(out) == from_parquet
    assert not (out / "records.jsonl").exists()
    # records read back from Parquet are the JSON Lines records, field for field
    assert read_records(out) == records


def test_an_unknown_jsonl_output_is_refused_naming_the_choices(tmp_path: Path):
    with pytest.raises(ConfigError, match="'rowz'.*records, rows"):
        run_extraction([HN_2023], tmp_path / "out", MODEL, threshold=0.9, jsonl=("rowz",))
    assert not (tmp_path / "out" / "records.parquet").exists()


def test_export_prefers_the_run_with_the_newest_model(tmp_path: Path):
    _extract([HN_2023], tmp_path / "a", tmp_path / "run-a")
    _extract([HN_2023], tmp_path / "b", tmp_path / "run-b")
    documents = tmp_path / "run-a" / "documents.jsonl"
    rows = [{**d, "model_created": "2099-01-01T00:00:00+00:00"} for d in _lines(documents)]  # as if retrained later
    documents.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in rows), encoding="utf-8")
    summary = export_runs([tmp_path / "run-a", tmp_path / "run-b"], tmp_path / "dataset")
    assert (summary.documents, summary.duplicates) == (1, 1)
    (kept,) = _lines(tmp_path / "dataset" / "documents.jsonl")
    assert kept["source"] == str((tmp_path / "a" / HN_2023.name).resolve())


def test_export_refuses_a_folder_that_is_not_a_run(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "export", str(tmp_path), "--out", str(tmp_path / "dataset")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert "E205" in done.stderr and str(tmp_path) in done.stderr and "documents.jsonl" in done.stderr
