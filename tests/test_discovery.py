"""Input discovery: nothing is dropped in silence, and no path stops the others."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from extractor.bulk import INPUT_SUFFIXES, run_extraction
from extractor.discovery import discover
from extractor.models.base import resolve_model_dir
from tests.helpers import DOC_003, DOC_004, ROOT, read_records

MODEL = resolve_model_dir(ROOT / "models")
NOBODY = 65534


def _codes(found_errors: list) -> dict[str, str]:
    return {Path(e.path).name: e.code for e in found_errors}


def _errors(out: Path) -> dict[str, dict]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(e["source"]).name: e for e in map(json.loads, lines)}


def test_special_files_and_broken_links_are_listed_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(DOC_004, folder / "good.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "self.txt").symlink_to(folder / "self.txt")
    (folder / "sub" / "back").symlink_to(folder)  # a folder link back up: a loop
    (folder / "linked.txt").symlink_to(folder / "good.txt")  # a link to a document is fine (same file once)
    out = tmp_path / "out"
    summary = run_extraction([folder], out, MODEL, threshold=0.9)
    errors = _errors(out)
    assert {name: e["code"] for name, e in errors.items()} == {
        "pipe.txt": "E131", "dangling.txt": "E132", "self.txt": "E132", "back": "E132",
    }
    assert "FIFO" in errors["pipe.txt"]["message"] and "gone.txt" in errors["dangling.txt"]["message"]
    assert summary.processed == 1 and summary.failed == 4
    assert {r["doc_id"] for r in read_records(out)} == {"good"}


def test_fifo_named_directly_is_refused_without_opening_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening it would block forever
    found = discover([tmp_path / "pipe.txt"], INPUT_SUFFIXES)
    assert found.files == [] and _codes(found.errors) == {"pipe.txt": "E131"}


def test_empty_folder_and_folder_without_documents_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.md").write_text("not a document", encoding="utf-8")
    (tmp_path / "notes" / "data").mkdir()
    found = discover([tmp_path / "empty", tmp_path / "notes"], INPUT_SUFFIXES)
    assert _codes(found.errors) == {"empty": "E134", "notes": "E134"}
    assert "*.txt" in found.errors[0].message


@contextmanager
def _as_nobody() -> Iterator[None]:
    """Run the block as an unprivileged user when the tests run as root (root reads any folder)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


def test_unreadable_subfolder_is_listed_and_the_rest_is_found() -> None:
    base = Path(tempfile.mkdtemp(prefix="discovery-"))  # not under pytest's 0700 folder: nobody must reach it
    try:
        base.chmod(0o755)
        (base / "a").mkdir()
        (base / "locked").mkdir()
        shutil.copy(DOC_004, base / "a" / "doc.txt")
        shutil.copy(DOC_003, base / "locked" / "hidden_from_us.txt")
        (base / "a").chmod(0o755)
        (base / "a" / "doc.txt").chmod(0o644)
        (base / "locked").chmod(0o000)
        with _as_nobody():
            found = discover([base], INPUT_SUFFIXES)
        assert [p.name for p in found.files] == ["doc.txt"]
        assert _codes(found.errors) == {"locked": "E133"}
        assert "permission denied" in found.errors[0].message
    finally:
        (base / "locked").chmod(0o755)
        shutil.rmtree(base)


def _deep_folder(root: Path, depth: int, name: str) -> None:
    """``depth`` nested folders under ``root``, made through folder handles (the full path may be too long to name)."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        with open(os.open("doc.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as handle:
            handle.write(DOC_003.read_bytes())
    finally:
        os.close(fd)


def _remove_deep_folder(root: Path, name: str) -> None:
    """Undo :func:`_deep_folder` one level at a time (shutil.rmtree recurses and fails this deep)."""
    top = root / name
    while top.exists():
        if (top / name).exists():
            (top / name).rename(root / "lifted")
            shutil.rmtree(top)
            (root / "lifted").rename(top)
        else:
            shutil.rmtree(top)


@pytest.fixture
def deep_folders(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "in"
    (folder / "deep").mkdir(parents=True)
    (folder / "too_long").mkdir()
    _deep_folder(folder / "deep", 1000, "d")  # 2,000 characters: deep, but a valid path
    _deep_folder(folder / "too_long", 1100, "dddd")  # 5,500 characters: over PATH_MAX (4,096)
    yield folder
    _remove_deep_folder(folder / "deep", "d")
    _remove_deep_folder(folder / "too_long", "dddd")


def test_a_thousand_folders_deep_and_paths_over_path_max_do_not_stop_the_run(tmp_path: Path, deep_folders: Path) -> None:
    folder = deep_folders
    shutil.copy(DOC_004, folder / "good.txt")
    long_name = tmp_path / ("x" * 300 + ".txt")  # a name over NAME_MAX, given directly
    out = tmp_path / "out"
    summary = run_extraction([folder, long_name], out, MODEL, threshold=0.9)
    codes = {e["code"] for e in summary.errors}
    assert codes == {"E135"} and len(summary.errors) == 2
    assert all("too long" in e["message"] for e in summary.errors)
    assert summary.processed == 2  # good.txt and the document 1,000 folders down
    docs = {r["source"] for r in read_records(out)}
    assert any(source.endswith("/d/doc.txt") for source in docs) and any(source.endswith("good.txt") for source in docs)


def test_files_come_in_a_stable_sorted_order_and_hidden_names_are_skipped(tmp_path: Path) -> None:
    for name in ("b.txt", "a/z.txt", "a.txt", ".hidden/x.txt", "c/.y.txt", "c/d.TXT"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = discover([tmp_path], INPUT_SUFFIXES)
    assert [p.relative_to(tmp_path.resolve()).as_posix() for p in found.files] == ["a/z.txt", "a.txt", "b.txt", "c/d.TXT"]
    assert found.errors == []
