"""Shared test helpers: paths to the bundled samples and a document from text."""

from __future__ import annotations

import hashlib
from pathlib import Path

from extractor.datamodel import Document
from extractor.normalize import normalize_lines

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DOC_000 = SAMPLES / "000_f44a55659bcd5ffe.txt"
DOC_001 = SAMPLES / "001_96d939c67dd7b28c.txt"
DOC_003 = SAMPLES / "003_325a9de861070d6d.txt"
DOC_004 = SAMPLES / "004_3ff65f7921ff3963.txt"


def document_from_text(text: str, doc_id: str = "synthetic") -> Document:
    """A Document built in memory, as the reader would build it from a file."""
    return Document(
        doc_id=doc_id,
        source=f"{doc_id}.txt",
        lines=tuple(normalize_lines(text)),
        encoding="utf-8",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def read_rows(out_dir: Path) -> list[dict]:
    """Every classified cell of an extract run, read from rows.parquet with pyarrow
    (the default run writes no rows.jsonl); ``context`` is decoded from its JSON."""
    import json

    import pyarrow.parquet as pq

    rows = pq.read_table(Path(out_dir) / "rows.parquet").to_pylist()
    for row in rows:
        if row.get("context") is not None:
            row["context"] = json.loads(row["context"])
    return rows


def read_records(out_dir: Path) -> list[dict]:
    """Every record of an extract run, as records.jsonl lines: from records.jsonl when the run
    wrote one (``--jsonl records``), else from records.parquet (the default run)."""
    from extractor.dataset import iter_output
    from extractor.errors import RunFolderError

    return list(iter_output(Path(out_dir), "records", RunFolderError))
