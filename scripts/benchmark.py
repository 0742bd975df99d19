"""End-to-end extraction throughput, peak memory, and jieba tokenisation alone.

Builds a corpus by copying the bundled samples (``--copies`` times), then
times a fresh bulk run with one worker and with all cores, and tokenises the
same text with jieba (user dictionary loaded) to give the ratio between the
two. Prints numbers; it is not a test.

    python scripts/benchmark.py [--copies 10] [--engine ray] [--formats]

``--engine ray`` also times ``--engine ray`` on a local Ray instance with one
CPU per core: cold (workers start and load the model) and warm.

With ``--formats`` it times instead the PDF and DOCX files of
tests/data/formats end to end (one worker): pages per second for PDF and
documents per second for DOCX, beside the library's own table extraction on
the same files (pdfplumber's ``extract_tables``, python-docx's cell texts) as
a ratio.

"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from extractor.bulk import run_extraction
from extractor.features import jieba_tokenizer
from extractor.models.base import resolve_model_dir
from extractor.reader import read_document

ROOT = Path(__file__).resolve().parent.parent


def build_corpus(folder: Path, copies: int) -> tuple[list[Path], int]:
    """Copies of every sample under distinct names; returns files and total bytes."""
    files = []
    for k in range(copies):
        for sample in sorted((ROOT / "samples").glob("*.txt")):
            target = folder / f"{k:03d}_{sample.name}"
            shutil.copy(sample, target)
            files.append(target)
    return files, sum(f.stat().st_size for f in files)


def time_extraction(files: list[Path], workers: int, model: Path, engine: str = "local") -> float:
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        start = time.perf_counter()
        summary = run_extraction(files, out, model, threshold=0.9, workers=workers, engine=engine)
        elapsed = time.perf_counter() - start
        assert summary.failed == 0, summary.errors
        return elapsed
    finally:
        shutil.rmtree(out, ignore_errors=True)


def time_jieba(files: list[Path]) -> float:
    """Seconds for jieba to tokenise every line of the same documents."""
    lines = [line for f in files for line in read_document(f).lines]
    tokenizer = jieba_tokenizer()  # dictionary loaded outside the timing
    tokenizer.lcut("预热")
    start = time.perf_counter()
    for line in lines:
        tokenizer.lcut(line)
    return time.perf_counter() - start


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the 4 samples (default 10)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local", help="ray: also time --engine ray")
    parser.add_argument("--formats", action="store_true", help="time PDF and DOCX files instead of the .txt samples")
    args = parser.parse_args(argv)
    model = resolve_model_dir(ROOT / "models")
    if args.formats:
        benchmark_formats(args.copies, model)
        return 0
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-in-") as tmp:
        files, size = build_corpus(Path(tmp), args.copies)
        mb = size / 1e6
        one = time_extraction(files, 1, model)
        rss_one = peak_mib(resource.RUSAGE_SELF)
        many = time_extraction(files, cores, model)
        rss_workers = peak_mib(resource.RUSAGE_CHILDREN)
        jieba_s = time_jieba(files)
        ray_s = time_ray(files, cores, model) if args.engine == "ray" else None
    print(f"corpus: {len(files)} documents, {mb:.2f} MB (UTF-8), model {model.name}")
    print(f"end-to-end, 1 worker:    {mb / one:6.3f} MB/s  {len(files) / one:6.2f} docs/s  ({one:.1f} s)")
    print(f"end-to-end, {cores} workers:   {mb / many:6.3f} MB/s  {len(files) / many:6.2f} docs/s  ({many:.1f} s)")
    print(f"jieba tokenisation alone: {mb / jieba_s:6.3f} MB/s  ({jieba_s:.1f} s)")
    print(f"end-to-end (1 worker) / jieba alone: {(mb / one) / (mb / jieba_s):.3f}")
    print(f"peak memory: main process {rss_one:.0f} MiB, largest worker {rss_workers:.0f} MiB")
    if ray_s:
        started, cold, warm = ray_s
        print(f"ray engine, {cores} CPUs: cold {len(files) / cold:6.2f} docs/s ({cold:.1f} s), "
              f"warm {len(files) / warm:6.2f} docs/s ({warm:.1f} s); starting Ray took {started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
