"""A sorted spool writes every line it was given, ordered by key (ties in arrival order), and
leaves nothing behind: no output file when the block fails, no temporary file either way."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from extractor.output import jsonl_line
from extractor.spool import SortedSpool


def test_lines_come_out_by_key_with_ties_in_arrival_order(tmp_path: Path) -> None:
    draw = random.Random(3)
    rows = [{"n": n, "confidence": draw.choice([0.1, 0.5, 0.5, 0.9]), "text": "满意度" * draw.randint(0, 400)} for n in range(500)]
    with SortedSpool(tmp_path / "queue.jsonl") as spool:
        for row in rows:
            spool.add(row["confidence"], jsonl_line(row))
        assert spool.write_sorted() == len(rows)
    written = [json.loads(line) for line in (tmp_path / "queue.jsonl").read_text(encoding="utf-8").splitlines()]
    assert written == sorted(rows, key=lambda r: r["confidence"])  # sorted() is stable too
    assert [p.name for p in tmp_path.iterdir()] == ["queue.jsonl"]


def test_keys_may_come_as_lists_or_tuples(tmp_path: Path) -> None:
    """A part read back from its file has its keys as JSON lists; one made in memory, as tuples."""
    with SortedSpool(tmp_path / "tables.jsonl") as spool:
        spool.add([-2.0, "b", 7], "second\n")
        spool.add((-3.0, "a", 9), "first\n")
        spool.add((-2.0, "b", 3), "third\n")
        spool.write_sorted()
    assert (tmp_path / "tables.jsonl").read_text(encoding="utf-8") == "first\nthird\nsecond\n"


def test_an_empty_spool_writes_an_empty_file(tmp_path: Path) -> None:
    with SortedSpool(tmp_path / "queue.jsonl") as spool:
        assert spool.write_sorted() == 0
    assert (tmp_path / "queue.jsonl").read_bytes() == b""


def test_a_failed_block_writes_nothing_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), SortedSpool(tmp_path / "queue.jsonl") as spool:
        spool.add(0.5, "a line\n")
        raise RuntimeError("the run was interrupted")
    assert list(tmp_path.iterdir()) == []
