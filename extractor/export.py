"""Merge extract runs into one dataset without duplicates.

A document is its content (sha256): extracted in several runs, it is kept
once, from the run whose model is newest (the later run on a tie). Its
``record_id``s come from its content, so they are the same in every run;
``doc_id``s are assigned again over the merged documents so that they stay
unique (a stem shared by different documents gets a short content hash).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.dataset import DATASET_OUTPUTS, RESERVED_COLUMNS, DatasetWriter, iter_output, jsonl_outputs
from extractor.errors import RunFolderError
from extractor.identity import assign_doc_ids
from extractor.jsonl import iter_jsonl


@dataclass
class ExportSummary:
    """What the merged dataset holds."""

    documents: int
    duplicates: int
    records: int


def export_runs(runs: Sequence[str | Path], out: str | Path, jsonl: Collection[str] = ()) -> ExportSummary:
    """Write ``out/<output>.parquet`` for documents, records, sections and rows, and ``.jsonl``
    for documents, sections and those ``jsonl`` names (records, rows), as ``extract`` does."""
    jsonl = jsonl_outputs(jsonl)
    folders = [Path(run) for run in runs]
    for folder in folders:
        missing = [f"{name}.jsonl/.parquet" for name in DATASET_OUTPUTS
                   if not any((folder / f"{name}.{ext}").is_file() for ext in ("jsonl", "parquet"))]
        if missing:
            raise RunFolderError(f"not a finished extract run (missing {', '.join(missing)}); run extract into it first", folder)
    chosen, seen, extras = _choose(folders)
    kept = sorted(chosen.values(), key=lambda c: (c[2]["source"], c[2]["sha256"]))
    new_ids = assign_doc_ids([(Path(doc["source"]).stem, doc["sha256"]) for _, _, doc in kept])
    wanted = {(run, doc["doc_id"]): new for (_, run, doc), new in zip(kept, new_ids, strict=True)}
    with DatasetWriter(Path(out), extras, jsonl) as dataset:
        for name in DATASET_OUTPUTS:
            for run, folder in enumerate(folders):
                for row in iter_output(folder, name, RunFolderError):
                    doc_id = wanted.get((run, row.get("doc_id")))
                    if doc_id is not None:
                        dataset.write({name: [{**row, "doc_id": doc_id}]})
    return ExportSummary(documents=len(kept), duplicates=seen - len(kept), records=dataset.counts["records"])


def _choose(folders: Sequence[Path]) -> tuple[dict[str, tuple[tuple[str, int], int, dict[str, Any]]], int, list[str]]:
    """For each document content, the run to keep it from; documents seen; sidecar columns."""
    chosen: dict[str, tuple[tuple[str, int], int, dict[str, Any]]] = {}
    extras: dict[str, None] = {}
    seen = 0
    for run, folder in enumerate(folders):
        for number, doc in iter_jsonl(folder / "documents.jsonl", RunFolderError):
            if not doc.get("sha256") or not doc.get("doc_id"):
                raise RunFolderError(f"line {number}: a document without sha256 or doc_id", folder / "documents.jsonl")
            seen += 1
            extras.update(dict.fromkeys(k for k in doc if k not in RESERVED_COLUMNS))
            rank = (str(doc.get("model_created") or ""), run)
            if doc["sha256"] not in chosen or rank >= chosen[doc["sha256"]][0]:
                chosen[doc["sha256"]] = (rank, run, doc)
    return chosen, seen, list(extras)
