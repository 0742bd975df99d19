"""Temporary files of a writer killed mid-write are removed by the next run; a live writer's are kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from extractor.bulk import STATE_DIR, run_extraction
from extractor.models.base import resolve_model_dir
from tests.helpers import DOC_004, ROOT, read_records

MODEL = resolve_model_dir(ROOT / "models")

# Starts writing ``argv[1]`` through AtomicFile, says so, and waits to be killed.
_WRITER = """
import sys, time
from pathlib import Path
from extractor.atomic import AtomicFile
with AtomicFile(Path(sys.argv[1])) as out:
    out.handle.write("x" * 100_000)
    out.handle.flush()
    print("writing", flush=True)
    time.sleep(120)
"""


def _start_writer(target: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stdout.readline() == b"writing\n"
    return proc


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_temporaries_left_by_a_sigkill_are_removed_and_a_live_writers_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / STATE_DIR).mkdir(parents=True)
    for target in (out / "records.jsonl", out / STATE_DIR / "doc-0123.json"):
        killed = _start_writer(target)
        killed.kill()  # SIGKILL while the file is open and half written
        killed.wait()
    (out / ".records.csv.k2j4h5g6.tmp").write_text("from an older version, no pid in the name")
    live = _start_writer(out / "sections.jsonl")
    try:
        assert len(_temporaries(out)) == 3 and len(_temporaries(out / STATE_DIR)) == 1
        summary = run_extraction([DOC_004], out, MODEL, threshold=0.9)
        assert summary.processed == 1
        assert _temporaries(out / STATE_DIR) == []
        kept = _temporaries(out)
        assert len(kept) == 1 and kept[0].startswith(f".sections.jsonl.{live.pid}.")
        assert len(read_records(out)) == summary.records
    finally:
        live.kill()
        live.wait()
