"""Shared helpers and fixtures for the review tests (real Label Studio, no mocks).

Import the fixtures into a test module (``from tests.review_fixtures import ...``)
or register this module once with ``pytest_plugins = ["tests.review_fixtures"]``.
The server is a process-wide singleton, so importing ``ls_server`` into
several modules still starts one Label Studio per test session.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from extractor.datamodel import unit_key
from extractor.review.server import ServerHandle, ensure_label_studio, start_server
from extractor.review.settings import ReviewSettings

_SERVER: ServerHandle | None = None
_USERS = 0

# One performance table of a budget disclosure: (cells, labels) per row.
TABLE: list[tuple[list[str], list[str]]] = [
    (["　　1、公文运转", "质量指标", "行文差错率为零。", "0"],
     ["activity", "other", "indicator", "threshold"]),
    (["", "时效指标", "公文按时办结率", "90%及以上"],
     ["other", "other", "indicator", "threshold"]),
    (["　　2、机关运行保障", "数量指标", "保障在编人员数量", "≥120人"],
     ["activity", "other", "indicator", "threshold"]),
    (["", "满意度指标", "服务对象满意度", "95%"],
     ["other", "other", "indicator", "threshold"]),
    (["　　3、信息化建设<运维>", "成本指标", "运维费用控制在预算内 & 不超支", "≤50万元"],
     ["activity", "other", "indicator", "threshold"]),
]  # fmt: skip
HEADERS = {"0": "项目名称", "1": "指标类别", "2": "绩效指标", "3": "指标值"}


def make_rows(
    doc_id: str = "000_demo", n: int = 12, model_version: str = "test-model-1"
) -> list[dict[str, Any]]:
    """Realistic row units (the extraction's JSONL contract) with spread confidences."""
    sha = hashlib.sha256(doc_id.encode("utf-8")).hexdigest()
    units = []
    for r, (cells, labels) in enumerate(TABLE):
        for c, text in enumerate(cells):
            if text:
                units.append((r, c, text, labels[c]))
    rows = []
    for i, (r, c, text, label) in enumerate(units[:n]):
        line = 40 + r
        prev = TABLE[r - 1][0] if r > 0 else []
        nxt = TABLE[r + 1][0] if r + 1 < len(TABLE) else []
        cells = TABLE[r][0]
        context = {
            "layout": "tab_rows", "col": c, "n_cols": len(cells), "row": r + 1, "n_rows": len(TABLE) + 1,
            "header": HEADERS[str(c)], "row_texts": list(cells), "prev_row_texts": list(prev),
            "next_row_texts": list(nxt),
            "left": next((t for t in reversed(cells[:c]) if t), ""),
            "right": next((t for t in cells[c + 1 :] if t), ""),
            "above": prev[c] if prev else "", "section_title": "三、项目支出绩效目标",
            "table_headers": HEADERS,
        }  # fmt: skip
        rows.append({
            "doc_id": doc_id, "source": f"samples/{doc_id}.txt", "doc_sha256": sha, "line": line,
            "end_line": line, "table": 0, "row": r + 1, "col": c, "text": text, "label": label,
            "confidence": round(0.35 + 0.05 * ((i * 7) % 13), 3), "model_version": model_version,
            "key": unit_key(sha, line, c), "section_title": "三、项目支出绩效目标", "context": context,
        })  # fmt: skip
    return rows


def write_out_dir(out_dir: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows.jsonl`` and ``review_queue.jsonl`` as the extraction would."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    (out_dir / "rows.jsonl").write_text(text, encoding="utf-8")
    (out_dir / "review_queue.jsonl").write_text(text, encoding="utf-8")
    return out_dir


def trimmed_annotations(root: Path, docs: tuple[str, ...], lines: int) -> Path:
    """``root/hand`` with the first ``lines`` hand labels of each of ``docs`` (a small, fast training set)."""
    hand = Path(__file__).resolve().parents[1] / "annotations" / "hand"
    (root / "hand").mkdir(parents=True)
    for doc in docs:
        kept = (hand / f"{doc}.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:lines]
        (root / "hand" / f"{doc}.jsonl").write_text("".join(kept), encoding="utf-8")
    return root


def _acquire() -> ServerHandle:
    global _SERVER, _USERS
    if _SERVER is None or not _SERVER.running():
        ensure_label_studio()
        data_dir = Path(tempfile.mkdtemp(prefix="ls-test-"))
        _SERVER = start_server(
            port=None, data_dir=data_dir, username="reviewer@example.com"
        )
    _USERS += 1
    return _SERVER


def _release() -> None:
    global _SERVER, _USERS
    _USERS -= 1
    if _USERS <= 0 and _SERVER is not None:
        _SERVER.stop()
        shutil.rmtree(_SERVER.data_dir, ignore_errors=True)
        _SERVER = None


@pytest.fixture(scope="session")
def ls_server() -> Iterator[ServerHandle]:
    """A real Label Studio on 127.0.0.1 (free port, temp data dir), one per session."""
    server = _acquire()
    try:
        yield server
    finally:
        _release()


@pytest.fixture
def ls_settings(ls_server: ServerHandle, tmp_path: Path) -> ReviewSettings:
    """Settings pointing at the test server, a fresh project and annotations dir."""
    return ReviewSettings(
        url=ls_server.url,
        api_key=ls_server.api_key,
        project=f"test-{uuid.uuid4().hex[:8]}",
        threshold=0.9,
        annotations_dir=tmp_path / "annotations",
        data_dir=ls_server.data_dir,
    )


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An extraction output folder with realistic queued rows."""
    return write_out_dir(tmp_path / "out", make_rows())


def with_project(settings: ReviewSettings, project: str) -> ReviewSettings:
    return replace(settings, project=project)
