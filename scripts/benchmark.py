"""End-to-end extraction speed, memory and output size, beside jieba alone.

One run prints (``python -m scripts.benchmark``, or ``make benchmark``):

- MB/s and documents/s for 1 and 2 workers on 40 documents (10 copies of the
  4 samples; ``--corpus`` copies another folder's .txt files instead), each run in a fresh ``extractor extract`` process, the least
  time of a few rounds (``--rounds``; the rounds alternate the runs, so one
  busy spell of a shared machine does not fall on one figure); and for 1
  worker again with the per-text caches emptied before every document, since
  the copies repeat every text and a real corpus repeats far fewer (and 2
  workers so, since each worker warms its own caches: with them, the
  1-worker run warms them once and the 2-worker run twice);
- jieba tokenisation alone on the same text, and end to end / jieba;
- the wall time of one small document from a cold start (a new process);
- the peak RSS of the main process and of the largest worker, and of a
  1-worker run over ten times the documents (memory must not grow with a run);
  that run and a 2-worker one over the same documents give the 2-worker
  speed-up where each process's start-up weighs a tenth as much;
- CPU-seconds per MB for one sample repeated 1x, 10x and 50x in one document
  (the least of a few runs each);
- output bytes per input byte (the 1-worker run's output folder, state included).

``--engine ray`` also times ``--engine ray`` on a local Ray instance. With
``--formats`` it times instead the PDF and DOCX files of tests/data/formats
end to end (one worker) beside the libraries' own table extraction. Figures
on a shared machine are noisy: compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

# The extractor is imported inside the functions: a ``--child`` process must
# start as bare as the ``extractor`` command does.
ROOT = Path(__file__).resolve().parent.parent


def build_corpus(folder: Path, copies: int, source: Path = ROOT / "samples") -> tuple[list[Path], int]:
    """Copies of every .txt file of ``source`` under distinct names; returns files and total bytes."""
    files = []
    for k in range(copies):
        for sample in sorted(source.glob("*.txt")):
            target = folder / f"{k:03d}_{sample.name}"
            shutil.copy(sample, target)
            files.append(target)
    return files, sum(f.stat().st_size for f in files)


def time_extraction(files: list[Path], workers: int, model: Path, engine: str = "local") -> float:
    from extractor.bulk import run_extraction

    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        start = time.perf_counter()
        summary = run_extraction(files, out, model, threshold=0.9, workers=workers, engine=engine)
        elapsed = time.perf_counter() - start
        assert summary.failed == 0, summary.errors
        return elapsed
    finally:
        shutil.rmtree(out, ignore_errors=True)


def time_jieba(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds for jieba to tokenise every line of the same documents."""
    from extractor.features import jieba_tokenizer
    from extractor.reader import read_document

    lines = [line for f in files for line in read_document(f).lines]
    tokenizer = jieba_tokenizer()  # dictionary loaded outside the timing
    tokenizer.lcut("预热")
    start, start_cpu = time.perf_counter(), time.process_time()
    for line in lines:
        tokenizer.lcut(line)
    return time.perf_counter() - start, time.process_time() - start_cpu


def time_ray(files: list[Path], cores: int, model: Path) -> tuple[float, float, float]:
    """Seconds to start a local Ray instance, then for a cold and a warm run."""
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - start
    try:
        return started, time_extraction(files, 1, model, "ray"), time_extraction(files, 1, model, "ray")
    finally:
        ray.shutdown()


FORMATS_DIR = ROOT / "tests" / "data" / "formats"


def copies_of(suffix: str, folder: Path, copies: int) -> list[Path]:
    """``copies`` copies of every fixture with ``suffix`` (distinct names, so none is skipped)."""
    files = []
    for k in range(copies):
        for source in sorted(FORMATS_DIR.glob(f"*{suffix}")):
            target = folder / f"{k:03d}_{source.name}"
            shutil.copy(source, target)
            files.append(target)
    return files


def pdfplumber_tables(files: list[Path]) -> tuple[float, int]:
    """Seconds for pdfplumber alone to extract every table of ``files``, and their pages."""
    import pdfplumber

    pages = 0
    start = time.perf_counter()
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                pages += 1
    return time.perf_counter() - start, pages


def python_docx_tables(files: list[Path]) -> float:
    """Seconds for python-docx alone to read every paragraph and table cell of ``files``."""
    import docx

    start = time.perf_counter()
    for path in files:
        document = docx.Document(str(path))
        [p.text for p in document.paragraphs]
        [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    return time.perf_counter() - start


def benchmark_formats(copies: int, model: Path) -> None:
    """Pages/s (PDF) and documents/s (DOCX) end to end, against the libraries alone."""
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        pdfs = copies_of(".pdf", Path(tmp), copies)
        docxs = copies_of(".docx", Path(tmp), copies)
        plumber_s, pages = pdfplumber_tables(pdfs)
        pdf_s = time_extraction(pdfs, 1, model)
        docx_lib_s = python_docx_tables(docxs)
        docx_s = time_extraction(docxs, 1, model)
    print(f"PDF: {len(pdfs)} files, {pages} pages (tests/data/formats x {copies})")
    print(f"  end-to-end, 1 worker:            {pages / pdf_s:7.2f} pages/s  ({pdf_s:.1f} s)")
    print(f"  pdfplumber extract_tables alone: {pages / plumber_s:7.2f} pages/s  ({plumber_s:.1f} s)")
    print(f"  end-to-end / pdfplumber alone:   {plumber_s / pdf_s:.3f}")
    print(f"DOCX: {len(docxs)} files")
    print(f"  end-to-end, 1 worker:            {len(docxs) / docx_s:7.2f} docs/s  ({docx_s:.1f} s)")
    print(f"  python-docx cell texts alone:    {len(docxs) / docx_lib_s:7.2f} docs/s  ({docx_lib_s:.1f} s)")
    print(f"  end-to-end / python-docx alone:  {docx_lib_s / docx_s:.3f}")


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@dataclass
class Run:
    """One ``extractor extract`` process: wall and CPU seconds (all processes, and the main one), peak memory, output bytes."""

    wall: float
    cpu: float
    main_cpu: float
    main_mib: float
    worker_mib: float
    out_bytes: int


def run_cli(paths: list[Path], out: Path, workers: int, fresh_caches: bool = False) -> Run:
    """``extractor extract`` in a fresh process (through ``--child`` to read its memory);
    ``fresh_caches`` empties the per-text caches before each document (one worker)."""
    start = time.perf_counter()
    child_mode = "--child-fresh" if fresh_caches else "--child"
    result = subprocess.run(
        [sys.executable, "-m", "scripts.benchmark", child_mode, str(out), str(workers), *map(str, paths)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"extraction failed ({result.returncode}): {result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return Run(wall, figures["cpu"], figures["main_cpu"], figures["main_mib"], figures["worker_mib"], folder_bytes(out))


def clear_text_caches() -> None:
    """Empty every per-text cache of the extractor's modules (a bounded ``lru_cache`` of 1,024
    entries or more; the small and unbounded ones hold the vocabulary, jieba and such, loaded once)
    and the classifier's scores per text."""
    from extractor.models.linear_predict import clear_score_caches

    clear_score_caches()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "extractor":
            continue
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if info and getattr(value, "__module__", None) == name and (info().maxsize or 0) >= 1024:
                value.cache_clear()


def forget_texts_between_documents() -> None:
    """Make this process extract each document as if no text of it had been seen before."""
    import extractor.bulk as bulk

    extract = bulk.process_loaded

    def fresh(*args: object, **kwargs: object) -> object:
        clear_text_caches()
        return extract(*args, **kwargs)

    bulk.process_loaded = fresh


def child(out: str, workers: str, paths: list[str], fresh_caches: bool = False) -> int:
    """Run the CLI's extract in this process and print its own and its workers' figures."""
    args = ["extract", *paths, "--out", out, "--workers", workers]
    sys.argv = ["extractor", *args]  # as the command starts: ``extract`` imports no review client
    from extractor.cli import app

    if fresh_caches:
        forget_texts_between_documents()

    try:
        app(args, prog_name="extractor", standalone_mode=False)
    except SystemExit as exc:  # typer.Exit
        if exc.code:
            return int(exc.code)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        "main_cpu": me.ru_utime + me.ru_stime,
        "main_mib": me.ru_maxrss / 1024,
        "worker_mib": kids.ru_maxrss / 1024,
    }))
    return 0


# Runs per size in the scaling figures, the least CPU time kept: the 1x document
# takes about a tenth of a second, where one run's noise is a good part of it.
SCALING_RUNS = {1: 7, 10: 3, 50: 3}


def scaling(model: Path, folder: Path, runs: dict[int, int] = SCALING_RUNS) -> list[tuple[int, float, float]]:
    """(copies, MB, least CPU-seconds of ``runs[copies]`` runs) for one sample repeated
    ``copies`` times in one document, under the extract command's collector settings.

    The runs go round the sizes (1x, 10x, 50x, 1x, ...), so that a busy spell of a
    shared machine does not fall on every run of one size."""
    from extractor.collector import extraction_collector, paused_collector
    from extractor.models import load_classifier
    from extractor.pipeline import process_document

    classifier = load_classifier(model)
    sample = ROOT / "samples" / SCALING_SAMPLE
    text = sample.read_text(encoding="utf-8")
    paths = {copies: folder / f"x{copies}.txt" for copies in runs}
    for copies, path in paths.items():
        path.write_text(text * copies, encoding="utf-8")
    best = dict.fromkeys(runs, float("inf"))
    with extraction_collector():
        process_document(sample, classifier, 0.9)  # jieba and the caches set up outside the timing
        for turn in range(max(runs.values())):
            for copies in (c for c in runs if turn < runs[c]):
                start = time.process_time()
                with paused_collector():  # as extract runs each document
                    process_document(paths[copies], classifier, 0.9)
                best[copies] = min(best[copies], time.process_time() - start)
    return [(copies, paths[copies].stat().st_size / 1e6, best[copies]) for copies in runs]


SCALING_SAMPLE = "004_3ff65f7921ff3963.txt"
GROWTH = 10  # the longer run of the memory figure: this many times the corpus
COLD_SAMPLE = ROOT / "samples" / SCALING_SAMPLE  # the 58 KB document issue 11 timed


def positive(text: str) -> int:
    """A whole number of at least 1 (for ``--rounds`` and ``--copies``)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class Round(NamedTuple):
    """One round of the timed runs; jieba's are (wall, CPU) seconds."""

    cold: Run
    one: Run
    fresh: Run
    two: Run
    fresh_two: Run
    jieba: tuple[float, float]


def measure_round(files: list[Path], folder: Path) -> Round:
    """Cold start, 1 worker, 1 worker without caches, 2 workers, 2 without caches, jieba alone: each once."""
    return Round(run_cli([COLD_SAMPLE], folder / "cold", 1), run_cli(files, folder / "one", 1),
                 run_cli(files, folder / "fresh", 1, fresh_caches=True), run_cli(files, folder / "two", 2),
                 run_cli(files, folder / "fresh-two", 2, fresh_caches=True), time_jieba(files))


def least(runs: Iterable[Run]) -> Run:
    """The run of least wall time (the machine's noise only ever adds time)."""
    return min(runs, key=lambda run: run.wall)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["--child"], ["--child-fresh"]):
        return child(argv[1], argv[2], argv[3:], fresh_caches=argv[0] == "--child-fresh")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=positive, default=10, help="copies of the 4 samples (default 10: 40 documents)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples",
                        help="folder whose .txt files are copied instead of the samples' (tables the model was not trained on)")
    parser.add_argument("--rounds", type=positive, default=3,
                        help="rounds of the timed runs; each figure is the least of them (default 3)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local", help="ray: also time --engine ray")
    parser.add_argument("--formats", action="store_true", help="time PDF and DOCX files instead of the .txt samples")
    args = parser.parse_args(argv)
    from extractor.models.base import resolve_model_dir

    model = resolve_model_dir(ROOT / "models")
    if args.formats:
        benchmark_formats(args.copies, model)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        if not any(args.corpus.glob("*.txt")):
            parser.error(f"--corpus {args.corpus}: no .txt files there")
        files, size = build_corpus(folder / "in", args.copies, args.corpus)
        mb = size / 1e6
        rounds = [measure_round(files, folder / f"round{k}") for k in range(args.rounds)]
        cold, one, fresh, two = (least(r.cold for r in rounds), least(r.one for r in rounds),
                                 least(r.fresh for r in rounds), least(r.two for r in rounds))
        fresh_two = least(r.fresh_two for r in rounds)
        jieba_s, jieba_cpu = min(r.jieba[0] for r in rounds), min(r.jieba[1] for r in rounds)
        (folder / "many").mkdir()
        many, _ = build_corpus(folder / "many", args.copies * GROWTH, args.corpus)
        grown = run_cli(many, folder / "many-out", 1)
        grown_two = run_cli(many, folder / "many-two", 2)
        # After every run whose memory is measured: Linux counts in a child's peak RSS this
        # process's RSS when it forked the child, and scaling() loads the model here.
        scaled = scaling(model, folder)
        ray_s = time_ray(files, os.cpu_count() or 1, model) if args.engine == "ray" else None
    print(f"corpus: {len(files)} documents from {args.corpus.name}/, {mb:.2f} MB (UTF-8), model {model.name}, {os.cpu_count()} cores; "
          f"each time the least of {args.rounds} round{'s' if args.rounds > 1 else ''}")
    print(f"slowest round: 1 worker {max(r.one.wall for r in rounds):.1f} s, 2 workers "
          f"{max(r.two.wall for r in rounds):.1f} s, jieba {max(r.jieba[0] for r in rounds):.1f} s")
    for label, run in (("1 worker ", one), ("2 workers", two)):
        print(f"end-to-end, {label}: {mb / run.wall:6.3f} MB/s  {len(files) / run.wall:6.2f} docs/s  "
              f"({run.wall:.1f} s wall, {run.cpu:.1f} CPU-s)")
    print(f"2 workers / 1 worker throughput: {one.wall / two.wall:.2f}x; with the per-text caches emptied before each "
          f"document (each process warms its own caches once): {fresh.wall / fresh_two.wall:.2f}x; over {len(many)} "
          f"documents ({GROWTH}x, one run each, where start-up weighs less): {grown.wall / grown_two.wall:.2f}x")
    writer_ms, worker_ms = 1e3 * two.main_cpu / len(files), 1e3 * (two.cpu - two.main_cpu) / len(files)
    print(f"2 workers: the main process took {writer_ms:.0f} CPU-ms per document, the workers {worker_ms:.0f}: "
          f"the main process keeps up with about {worker_ms / writer_ms:.0f} workers")
    print(f"jieba tokenisation alone: {mb / jieba_s:6.3f} MB/s  ({jieba_s:.1f} s)")
    print(f"end-to-end (1 worker) / jieba alone: {jieba_s / one.wall:.3f} "
          f"(in CPU time, which waiting for a busy machine's cores does not add to: {jieba_cpu / min(r.one.cpu for r in rounds):.3f})")
    print(f"end-to-end (1 worker, per-text caches emptied before each document): {mb / fresh.wall:6.3f} MB/s  "
          f"({fresh.wall:.1f} s wall); / jieba alone: {jieba_s / fresh.wall:.3f}")
    print(f"cold start, one small document ({COLD_SAMPLE.stat().st_size / 1e3:.0f} KB): {cold.wall:.2f} s wall")
    print(f"peak RSS (the most of any round): main process {max(r.one.main_mib for r in rounds):.0f} MiB (1 worker), "
          f"{max(r.two.main_mib for r in rounds):.0f} MiB (2 workers); largest worker {max(r.two.worker_mib for r in rounds):.0f} MiB")
    print(f"peak RSS of a 1-worker run over {len(many)} documents ({GROWTH}x): {grown.main_mib:.0f} MiB "
          f"(over {len(files)}: {max(r.one.main_mib for r in rounds):.0f} MiB)")
    base = scaled[0][2] / scaled[0][1]
    for copies, size_mb, cpu in scaled:
        print(f"CPU per MB, {copies:2d}x {SCALING_SAMPLE}: {cpu / size_mb:6.2f} CPU-s/MB  ({cpu:.2f} CPU-s for "
              f"{size_mb:.2f} MB; {cpu / scaled[0][2]:.1f}x the 1x time, {cpu / size_mb / base:.2f}x its per-MB cost)")
    print(f"output bytes per input byte: {one.out_bytes / size:.2f} (1-worker run, state files included)")
    if ray_s:
        started, cold_ray, warm = ray_s
        print(f"ray engine: cold {len(files) / cold_ray:6.2f} docs/s ({cold_ray:.1f} s), "
              f"warm {len(files) / warm:6.2f} docs/s ({warm:.1f} s); starting Ray took {started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
