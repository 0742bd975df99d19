"""Bulk extraction over files and folders: resumable, parallel, never losing work.

Each finished document leaves a state file in ``OUT/.state/``; a rerun skips
documents whose input, model, reviews and threshold are unchanged, so an
interrupted run resumes where it stopped. A failing document -- bad bytes, or
over one of the per-document limits (size, time, cells, thresholds, records;
see :mod:`extractor.limits`) -- is recorded in ``errors.jsonl`` and never
stops the others. The output files grow as documents finish (from the part
files workers leave, or the state), each written to a temporary file and
renamed at the end; temporary and part files a killed run left behind are
removed at the start of the next.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections import Counter, deque
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

from extractor.atomic import remove_stale_temporaries
from extractor.columns import ColumnBatch
from extractor.collector import extraction_collector, paused_collector, tune_for_extraction
from extractor.datamodel import unit_key
from extractor.discovery import discover
from extractor.errors import ConfigError, DocumentTimeoutError, ExtractorError, OutputDirError, WorkerDiedError
from extractor.limits import Limits, time_limit
from extractor.models import load_classifier
from extractor.models.base import ModelCard, RowClassifier, resolve_model_dir
from extractor.status import document_status
from extractor.dataset import RESERVED_COLUMNS, ROW_FIELDS, document_payload, jsonl_outputs
from extractor.identity import assign_doc_ids
from extractor.output import compact_record
from extractor.pipeline import DocumentResult, Reviews, process_loaded
from extractor.pool import run_pool
from extractor.reader import read_document
from extractor.readers import LEGACY_SUFFIXES, SUPPORTED_SUFFIXES
from extractor.output_parts import OutputSettings, is_queued, make_part
from extractor.part_files import part_file_of, remove_part_files, write_part_file
from extractor.run_outputs import RunOutputs, read_state, write_state
from extractor.sidecar import Sidecar, load_sidecar
from extractor.table_queue import table_entries

# Bump when extraction logic changes in a way that makes old state stale.
PIPELINE_VERSION = "7"  # 2: documents and identity; 3: records, rows and sections carry "page"; 4: lean rows; 5: table queue; 6: compact records; 7: rows as columns
STATE_DIR = ".state"
STATE_SUFFIX = ".json.gz"
INPUT_SUFFIXES = SUPPORTED_SUFFIXES | LEGACY_SUFFIXES  # legacy ones are listed with a named error
# More worker processes than this is a typo, not a plan.
MAX_WORKERS = 64
# A parallel run in which no document finishes for the time limit plus this
# long has a worker stuck where its timer cannot reach: the workers are replaced.
STALL_GRACE_SECONDS = 60.0


@dataclass
class RunSummary:
    """Counts for the one-screen summary, and the errors."""

    out_dir: Path
    documents: int = 0
    processed: int = 0
    unchanged: int = 0
    failed: int = 0
    records: int = 0
    rows: int = 0
    queued: int = 0
    threshold: float = 0.0
    model_version: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    records_to_review: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 0


@dataclass(frozen=True)
class Job:
    """One input file and where its extracted state is kept."""

    path: Path
    state_file: Path


def collect_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[dict[str, Any]]]:
    """Files named directly, and supported files under folders (recursive, hidden ones skipped).

    Paths passed over (special files, broken links, unreadable folders, a folder
    without documents, …) come back as error entries; see :mod:`extractor.discovery`.
    """
    found = discover(paths, INPUT_SUFFIXES)
    return found.files, [_error_entry(Path(e.path or ""), e) for e in found.errors]


def _error_entry(path: Path, exc: BaseException) -> dict[str, Any]:
    code = getattr(exc, "code", "E999")
    message = str(exc) if isinstance(exc, ExtractorError) else f"[{code}] {path}: {type(exc).__name__}: {exc}"
    return {"source": str(path), "doc_id": path.stem, "code": code, "error": type(exc).__name__, "message": message}


def state_file(out_dir: Path, path: Path) -> Path:
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:20]
    return out_dir / STATE_DIR / f"{path.stem}-{digest}{STATE_SUFFIX}"


def fingerprint(sha256: str, model_version: str, threshold: float, reviews: Reviews, keep_context: bool = False) -> str:
    """What a cached result depends on: input bytes, model, threshold, this document's reviews,
    and whether every row keeps its context."""
    mine = sorted((k, str(v.get("label") or v.get("roles"))) for k, v in reviews.items() if k.startswith(sha256[:16]))
    blob = json.dumps([sha256, model_version, threshold, PIPELINE_VERSION, mine, keep_context])
    return hashlib.sha256(blob.encode()).hexdigest()


def result_payload(result: DocumentResult, threshold: float = 0.0, keep_context: bool = False) -> dict[str, Any]:
    """The JSON-able part of a result that the output files are made of.

    Its ``rows`` (one per table cell) are a column batch's JSON: see :func:`row_columns`.
    """
    return {
        "records": [compact_record(r.to_dict()) for r in result.records],
        "rows": row_columns(result, threshold, keep_context).to_json(),
        "sections": [{"doc_id": result.doc.doc_id, **s.to_dict(), "page": result.doc.page_of(s.line)}
                     for s in result.sections],
        "document": {**document_payload(result.doc), **document_status(result)},
        "tables": table_entries(result.doc.doc_id, result.doc.sha256, result.doc.source, result.tables,
                                result.sections, result.units, result.records, result.model_version),
    }


def row_columns(result: DocumentResult, threshold: float = 0.0, keep_context: bool = False) -> ColumnBatch:
    """A document's cells (rows.parquet's fields) as columns, the document's own values as constants.

    A row keeps its bulky ``context`` (the whole table row, neighbours, headers)
    only when it goes to the review queue (a model label below ``threshold``),
    which Label Studio tasks are made from, or with ``keep_context``; elsewhere it is None.
    """
    units, doc = result.units, result.doc

    def column(name: str) -> list[Any]:
        return list(map(attrgetter(name), units))

    confidence = [round(float(c or 0.0), 6) for c in column("confidence")]
    label_source, context, line, col = column("label_source"), column("context"), column("line"), column("col")
    if not keep_context:
        context = [c if is_queued(x, s, c, threshold) else None for x, s, c in zip(confidence, label_source, context, strict=True)]
    columns = {
        "key": list(map(unit_key, repeat(doc.sha256), line, col)), "line": line, "end_line": column("end_line"),
        "table": column("table"), "row": column("row"), "col": col, "text": column("text"), "label": column("label"),
        "confidence": confidence, "label_source": label_source, "section_title": column("section_title"),
        "context": context, "page": list(map(doc.page_of, line)),
    }
    constants = {"doc_id": doc.doc_id, "source": doc.source, "doc_sha256": doc.sha256, "model_version": result.model_version}
    return ColumnBatch(constants, columns, ROW_FIELDS)


# Worker-process globals: the model is loaded once per process, not per document.
_WORKER: dict[str, Any] = {}


def _init_worker(
    model_path: str,
    reviews: Mapping[str, Any],
    limits: Limits,
    state_files: Mapping[str, str],
    doc_ids: Mapping[str, str],
    settings: OutputSettings,
) -> None:
    _WORKER.update(
        classifier=load_classifier(model_path), reviews=reviews, limits=limits, state_files=state_files,
        doc_ids=doc_ids, settings=settings,
    )
    tune_for_extraction()  # a worker process only extracts


def _process(path: str) -> tuple[str, dict[str, Any]]:
    """Process one document in a worker; returns (path, status) and never raises.

    When the document's id is known (``doc_ids``), the worker also writes its
    output part to a part file (:mod:`extractor.part_files`), named in the
    status under ``"part"``. The status itself stays small: a worker killed
    while it sends a large message leaves the pool's result pipe half written,
    and the pool waits for the rest for ever.
    """
    w = _WORKER
    settings: OutputSettings = w["settings"]
    state_path = Path(w["state_files"][path])
    doc_id = w["doc_ids"].get(path)
    status = process_to_state(Path(path), state_path, w["classifier"], settings.threshold, w["reviews"], w["limits"],
                              settings.keep_context, with_state=doc_id is not None)
    state = status.pop("state", None)
    if state is not None and doc_id is not None:
        part_path = part_file_of(state_path)
        try:
            write_part_file(part_path, make_part(state, doc_id, settings))
        except OSError:
            pass  # a full disk, say: the writing process makes the part from the state file
        else:
            status["part"] = str(part_path)
    return path, status


@paused_collector()  # a document leaves no cyclic garbage: see extractor.collector
def process_to_state(
    path: Path,
    state_path: Path,
    classifier: RowClassifier,
    threshold: float,
    reviews: Reviews,
    limits: Limits | None = None,
    keep_context: bool = False,
    with_state: bool = False,
) -> dict[str, Any]:
    """Extract one document into its state file; return a small status, never raise.

    The status is ``{"error": …}`` or ``{"unchanged": bool, "sha256": …}``; the result itself
    stays on disk so a run over thousands of documents keeps little in memory.
    ``with_state`` (a caller about to make the document's outputs) also gets
    the state under ``"state"``, saving the read back from disk.
    A document over one of ``limits`` ends in that limit's named error.
    """
    limits = limits or Limits()
    try:
        limits.check_size(path, path.stat().st_size)
        with time_limit(limits.max_seconds_per_document, path):
            doc = read_document(path)
            expected = fingerprint(doc.sha256, classifier.card.version, threshold, reviews, keep_context)
            cached = _read_state(state_path)
            if cached and cached.get("fingerprint") == expected and "result" in cached:
                return {"unchanged": True, "sha256": doc.sha256, **({"state": cached} if with_state else {})}
            result = process_loaded(doc, classifier, threshold, reviews, limits)
            state = {"source": str(path), "fingerprint": expected, "result": result_payload(result, threshold, keep_context)}
    except Exception as exc:  # bad input (ExtractorError) or a bug: this document fails, the run goes on
        return {"error": _error_entry(path, exc)}
    write_state(state_path, state)
    return {"unchanged": False, "sha256": doc.sha256, **({"state": state} if with_state else {})}


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        return read_state(path)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def _run_jobs(
    jobs: Sequence[Job],
    model_dir: Path,
    classifier: Callable[[], RowClassifier],
    settings: OutputSettings,
    reviews: Reviews,
    workers: int,
    limits: Limits,
    doc_ids: Mapping[Path, str],
) -> Iterator[tuple[Job, dict[str, Any]]]:
    """``(job, status)`` per job: here when one worker is asked for (``classifier()``
    loads the model then; the status holds the state), else in worker processes
    that each load the model once (the status names the part file of a document
    in ``doc_ids``)."""
    threshold, keep_context = settings.threshold, settings.keep_context
    if workers <= 1 or len(jobs) <= 1:
        if jobs:
            model = classifier()
            tune_for_extraction()  # the model too out of every scan (run_extraction restores the collector)
            for job in jobs:
                yield job, process_to_state(job.path, job.state_file, model, threshold, reviews, limits, keep_context, True)
        return
    by_path = {str(job.path): job for job in jobs}
    state_files = {p: str(job.state_file) for p, job in by_path.items()}
    ids = {str(path): doc_id for path, doc_id in doc_ids.items()}
    initargs = (str(model_dir), dict(reviews), limits, state_files, ids, settings)
    stall = limits.max_seconds_per_document + STALL_GRACE_SECONDS if limits.max_seconds_per_document else None
    results = run_pool(list(by_path), _process, _init_worker, initargs, workers, stall, partial(_lost, limits))
    for path, state in results:
        yield by_path[path], state


def _lost(limits: Limits, path: str, why: str) -> dict[str, Any]:
    """The status of a document whose worker died or hung on it, alone in a fresh worker."""
    if why == "hung":
        exc: ExtractorError = DocumentTimeoutError(
            f"its worker did not finish or answer its {limits.max_seconds_per_document:g} s timer and was killed", path
        )
    else:
        exc = WorkerDiedError("the worker process extracting it died (out of memory?); the others went on", path)
    return {"error": _error_entry(Path(path), exc)}


def run_extraction(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    model_dir: str | Path,
    threshold: float,
    reviews: Reviews | None = None,
    workers: int = 1,
    on_document: Callable[[Path, dict[str, Any]], None] = lambda _p, _s: None,
    metadata: str | Path | None = None,
    engine: str = "local",
    address: str | None = None,
    limits: Limits | None = None,
    classifier: RowClassifier | None = None,
    keep_context: bool = False,
    jsonl: Collection[str] = (),
) -> RunSummary:
    """Extract every input into ``out_dir``; see the module docstring for guarantees.

    ``metadata`` is a sidecar CSV whose columns are copied onto documents and
    records; ``engine`` is ``local`` (processes here) or ``ray`` (one task per
    document on the Ray cluster at ``address``, a local one by default).
    ``classifier`` is the model of ``model_dir`` when the caller has already
    loaded it; otherwise this process reads only the model card and loads the
    model when it extracts documents itself (one worker); worker processes
    load their own, once each. ``workers`` 0 means one per core.
    ``keep_context`` keeps every row's ``context`` in rows.parquet/.jsonl
    (by default only the review queue's rows carry it); ``jsonl`` names the
    outputs also written as JSON Lines besides Parquet: ``records``, ``rows``
    (documents and sections always are).
    Raises ConfigError (E203) for a threshold outside [0, 1], a worker count
    outside 0..MAX_WORKERS or an unknown ``jsonl`` output, and OutputDirError (E401) when ``out_dir`` is not a
    folder that can be written.
    """
    validate_options(threshold, workers)
    jsonl = jsonl_outputs(jsonl)
    out = prepare_out_dir(Path(out_dir))
    sidecar = load_sidecar(metadata, RESERVED_COLUMNS) if metadata else Sidecar()
    card = classifier.card if classifier else ModelCard.load(resolve_model_dir(Path(model_dir)))
    reviews = reviews or {}
    limits = limits or Limits()
    files, errors = collect_inputs(paths)
    jobs = [Job(p, state_file(out, p)) for p in files]
    # A document counts as unchanged only if an earlier run wrote its state: one whose
    # worker died after writing it is found current on retry, but was made by this run.
    earlier = {job.path for job in jobs if job.state_file.exists()}
    workers = workers if workers > 0 else (os.cpu_count() or 1)
    summary = RunSummary(out_dir=out, documents=len(files) + len(errors), threshold=threshold, model_version=card.version)
    settings = OutputSettings(threshold, card.version, card.created, sidecar, keep_context, jsonl)
    statuses: dict[Path, dict[str, Any]] = {}
    stems = _ids_from_stems(jobs)
    if engine == "ray":
        from extractor.ray_engine import run_jobs_on_ray

        results = run_jobs_on_ray(jobs, Path(model_dir), threshold, reviews, address, keep_context)
    else:
        model = (lambda: classifier) if classifier else (lambda: load_classifier(model_dir))
        results = _run_jobs(jobs, Path(model_dir), model, settings, reviews, workers, limits, stems)
    with extraction_collector(), RunOutputs(out, summary, settings) as outputs:
        waiting = deque(jobs)
        for job, status in results:
            state = status.pop("state", None)  # extracted in this process: written at once, not read back
            statuses[job.path] = status
            on_document(job.path, status)
            # Write in input order as documents finish, so writing overlaps extraction.
            while stems and waiting and waiting[0].path in statuses:
                first = waiting.popleft()
                if "error" not in statuses[first.path]:
                    outputs.add(first, stems[first.path], state if first is job else None, statuses[first.path].get("part"))
        summary.errors = errors + [statuses[j.path]["error"] for j in jobs if "error" in statuses[j.path]]
        summary.failed = len(summary.errors)
        summary.unchanged = sum(bool(s.get("unchanged")) for p, s in statuses.items() if p in earlier)
        summary.processed = sum("error" not in s for s in statuses.values()) - summary.unchanged
        if not stems:  # two inputs share a stem: ids need every document's content hash
            done = [j for j in jobs if "error" not in statuses[j.path]]
            for job, doc_id in zip(done, assign_doc_ids([(j.path.stem, statuses[j.path]["sha256"]) for j in done]), strict=True):
                outputs.add(job, doc_id)
        outputs.finish(summary.errors)
    remove_part_files(out / STATE_DIR)  # one whose worker died before it could say so
    return summary


def _ids_from_stems(jobs: Sequence[Job]) -> dict[Path, str]:
    """Each input's doc_id when no two inputs share a file stem (the id is then the stem,
    as :func:`assign_doc_ids` gives it), so documents can be written as they finish; else {}."""
    stems = Counter(job.path.stem for job in jobs)
    return {job.path: job.path.stem for job in jobs} if all(n == 1 for n in stems.values()) else {}


def validate_options(threshold: float, workers: int) -> None:
    """Refuse a review threshold outside [0, 1] and a worker count outside 0..MAX_WORKERS."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"the review threshold is a confidence between 0 and 1, not {threshold!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= MAX_WORKERS:
        raise ConfigError(f"workers must be a whole number from 1 to {MAX_WORKERS} (0 = one per core), not {workers!r}")


def prepare_out_dir(out: Path) -> Path:
    """Create ``out`` and its state folder, and remove temporary files a killed run left there."""
    if out.exists() and not out.is_dir():
        raise OutputDirError("--out must be a folder, but this is a file", out)
    try:
        (out / STATE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"cannot create the output folder: {exc.strerror}", out) from exc
    for folder in (out, out / STATE_DIR):
        remove_stale_temporaries(folder)
    remove_part_files(out / STATE_DIR)
    return out
