"""Shortcuts of table analysis and record assembly give what the plain computation gives.

Each fast path (work per column or per row instead of per cell, a cheaper
test before an exact one) is compared with the computation it replaces, on
the samples and on generated inputs chosen to reach its edge cases.
"""

from __future__ import annotations

import copy
import random
import re

import pytest

from extractor.assemble import _CJK_GAP, clean_name
from extractor.datamodel import Cell, Row, Table
from extractor.models import load_classifier
from extractor.models.base import resolve_model_dir
from extractor.normalize import _BOOKMARK, _INVISIBLE, _SPACE_LIKE, _TC_FIELD, _is_wrapped, normalize_line, unquote_cell
from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import align as align_module
from extractor.tables import find_tables, joined, spaced, structure_tables, text_rows
from extractor.tables.column_features import ColumnSample, band_features, column_features, in_table
from extractor.tables.structure import band_columns, structure_many, structure_table
from extractor.tables.text_header import names_columns
from extractor.units import build_units
from extractor.vocabulary import Vocabulary, load_vocabulary
from tests.helpers import DOC_000, DOC_001, DOC_003, DOC_004, ROOT, document_from_text

SAMPLES = (DOC_000, DOC_001, DOC_003, DOC_004)
# Cell texts that exercise the features: blanks, padding, values, stems, categories, grades, sequences.
_TEXTS = ("", " ", "  \n", "≥95%", " ≥90% ", "效果达到95%", "效果达到90%", "产出指标", "数量指标", "优", "1", "2", "3",
          "项目完成率", "按时完成。", "100", "万元", "正向", "12.5", "满意度≥90%", "项目完成率")


@pytest.fixture(scope="module")
def sample_tables():
    tables = []
    for path in SAMPLES:
        doc = read_document(path)
        found = find_tables(doc.lines, segment(doc.lines))
        structure_tables(found, segment(doc.lines), None)
        tables += found
    return tables


def _random_band(rng: random.Random) -> list[ColumnSample]:
    """A table of random width whose columns may differ in length (ragged rows)."""
    width, rows = rng.randint(1, 7), rng.randint(0, 9)
    headers = ["", "指标名称", "指标值", "优", "一级指标", "计量单位", "备注"]
    return in_table([
        ColumnSample(rng.choice(headers), [rng.choice(_TEXTS) for _ in range(rows - rng.randint(0, 2) * (rows > 0))], 0, 0)
        for _ in range(width)
    ])


def _as_items(features: list[dict[str, float]]) -> list[list[tuple[str, float]]]:
    return [list(f.items()) for f in features]


def test_band_features_equal_column_features_on_the_samples() -> None:
    bands = 0
    for table in (t for path in SAMPLES for t in find_tables(read_document(path).lines)):
        if table.layout == "inline":
            continue
        for band in structure_table(table, None):
            columns = band_columns(table, band)
            assert _as_items(band_features(columns)) == _as_items([column_features(c) for c in columns])
            bands += 1
    assert bands > 20


def test_band_features_equal_column_features_on_ragged_random_bands() -> None:
    rng = random.Random(11)
    for _ in range(500):
        columns = _random_band(rng)
        assert _as_items(band_features(columns)) == _as_items([column_features(c) for c in columns])


def test_band_features_of_columns_from_different_tables() -> None:
    """Columns whose neighbours are not each other (a training set's mix) are read each on its own."""
    rng = random.Random(5)
    columns = [c for _ in range(40) for c in _random_band(rng)]
    rng.shuffle(columns)
    assert _as_items(band_features(columns)) == _as_items([column_features(c) for c in columns])


# --- row units: neighbours found by one sweep per row --------------------------------


def _plain_neighbour(row: Row, col: int, step: int) -> str:
    """The reference: scan from the cell to the nearest non-empty cell."""
    k = col + step
    while 0 <= k < len(row.cells):
        if row.cells[k].text.strip():
            return row.cells[k].text
        k += step
    return ""


def _plain_above(table: Table, r: int, col: int) -> str:
    """The reference: scan the rows above, nearest first."""
    for row in reversed(table.rows[:r]):
        if col < len(row.cells) and row.cells[col].text.strip():
            return row.cells[col].text
    return ""


def _random_table(rng: random.Random) -> Table:
    """Ragged rows with blank cells; some rows number their cells off their positions (aligned rows)."""
    rows = []
    for r in range(rng.randint(1, 8)):
        shift = rng.choice([0, 0, 1, 2])
        cells = [Cell(rng.choice(_TEXTS), r + 1, r + 1, k + shift) for k in range(rng.randint(0, 6))]
        rows.append(Row(cells=cells, line=r + 1, columns={c.col: "指标名称" for c in cells[:2]}))
    return Table(index=0, layout="tab_rows", line=1, end_line=len(rows), rows=rows, is_performance=True)


def _assert_plain_neighbours(tables: list[Table]) -> int:
    doc = document_from_text("x")
    checked = 0
    for table in tables:
        units = build_units(doc, [table])
        for unit in units:
            row = table.rows[unit.row]
            assert unit.context["left"] == _plain_neighbour(row, unit.col, -1)
            assert unit.context["right"] == _plain_neighbour(row, unit.col, +1)
            assert unit.context["above"] == _plain_above(table, unit.row, unit.col)
            assert unit.context["row_texts"] == row.texts()
            assert unit.context["prev_row_texts"] == (table.rows[unit.row - 1].texts() if unit.row else [])
            assert unit.context["next_row_texts"] == (table.rows[unit.row + 1].texts() if unit.row + 1 < len(table.rows) else [])
            checked += 1
    return checked


def test_unit_neighbours_equal_a_scan_per_cell_on_the_samples(sample_tables) -> None:
    assert _assert_plain_neighbours([t for t in sample_tables if t.is_performance]) > 1000


def test_unit_neighbours_equal_a_scan_per_cell_on_ragged_random_tables() -> None:
    rng = random.Random(3)
    assert _assert_plain_neighbours([_random_table(rng) for _ in range(400)]) > 1000


# --- text shortcuts: a cheap test before the exact work -----------------------------

# Characters that reach each rewrite and shortcut: odd spaces, invisible marks, field codes, quotes, CJK, newlines.
_PIECES = ("a", "指标", " ", "  ", "\u3000", "\u00a0", "\u200b", "\ufeff", "\x0c", "\t", "TC", " TC 总体目标 \\f A \\l 1 ",
           "[bookmark: _Toc1]", '"', '""', "\n", "\n\n", "≥95%", "优", "数量指标", "一、", "\r")


def _random_texts(seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8))) for _ in range(n)]


def _plain_normalize_line(line: str) -> str:
    """The reference: every rewrite applied to every line."""
    line = line.rstrip("\r\n")
    for pattern, replacement in ((_INVISIBLE, ""), (_BOOKMARK, ""), (_TC_FIELD, ""), (_SPACE_LIKE, " ")):
        line = pattern.sub(replacement, line)
    return line.rstrip(" ")


def _plain_unquote_cell(text: str) -> str:
    text = text.strip()
    while _is_wrapped(text):
        text = text[1:-1].replace('""', '"').strip()
    return text


def test_normalised_and_unquoted_lines_equal_the_full_rewrites() -> None:
    for text in _random_texts(1):
        assert normalize_line(text) == _plain_normalize_line(text)
        assert unquote_cell(text) == _plain_unquote_cell(text)


def _plain_clean_name(text: str) -> str:
    paragraphs = [re.sub(r"\s*\n\s*", "", p.strip().strip('"').strip()) for p in re.split(r"\n\s*\n", text.strip())]
    return "；".join(_CJK_GAP.sub("", p) for p in paragraphs if p)


def test_clean_names_equal_the_paragraph_split() -> None:
    for text in _random_texts(2):
        assert clean_name(text) == _plain_clean_name(text)


def _plain_spaced_header(line: str, vocab: Vocabulary) -> list[str] | None:
    """The reference: :func:`spaced.header_cells` without the token-count test."""
    if "\t" in line:
        return None
    pieces = [p for p in spaced.WIDE_GAP.split(line.strip()) if p]
    if len(pieces) > 1:
        cells = [cell for piece in pieces for cell in spaced._piece_cells(piece, vocab)]
        if names_columns(cells, vocab):
            return cells
    cells = spaced._joined_tokens(line.split(), vocab)
    return cells if names_columns(cells, vocab) else None


def _plain_joined_header(line: str, vocab: Vocabulary) -> list[str] | None:
    """The reference: :func:`joined.header_cells` without the first/last character test."""
    text = line.strip()
    if not text or "\t" in text or len(text) > joined.MAX_HEADER_CHARS:
        return None
    words, longest, _firsts, _lasts = joined._header_words(vocab)
    span = range(1, min(longest, len(text)) + 1)
    if not any(text[:n] in words for n in span) or not any(text[-n:] in words for n in span):
        return None
    cells = joined._segment(text, words, longest)
    if cells is None or sum(len(c) for c in cells if c in words) < 0.75 * len(text.replace(" ", "")):
        return None
    return cells if names_columns(cells, vocab) else None


def test_header_line_tests_equal_the_full_tests() -> None:
    vocab = load_vocabulary()
    words = sorted({w for ws in vocab.roles.values() for w in ws})
    rng = random.Random(4)
    lines = [line for path in SAMPLES for line in read_document(path).lines]
    for _ in range(3000):  # header words run together or spaced, with stray characters around them
        chosen = [rng.choice(words + ["的", "1", "x"]) for _ in range(rng.randint(1, 6))]
        lines += ["".join(chosen), " ".join(chosen), "  ".join(chosen), " " + " ".join(chosen) + "。"]
    found = 0
    for line in lines:
        plain = _plain_joined_header(line, vocab)
        assert joined.header_cells(line, vocab) == plain
        assert spaced.header_cells(line, vocab) == _plain_spaced_header(line, vocab)
        found += plain is not None
    assert found > 10


# --- a document's bands given roles together -----------------------------------------


@pytest.fixture(scope="module")
def column_model():
    return load_classifier(resolve_model_dir(ROOT / "models")).column_model


def test_roles_chosen_together_equal_those_chosen_table_by_table(column_model) -> None:
    for path in SAMPLES:
        lines = read_document(path).lines
        grids = [t for t in find_tables(lines, segment(lines)) if t.layout != "inline"]
        alone = copy.deepcopy(grids)
        together = structure_many(grids, column_model)
        assert together == [structure_table(table, column_model) for table in alone]
        assert grids == alone  # the rows: aligned cells, roles, confidences, forms


class _PlainAligner(align_module._Aligner):
    """The row aligner's programme as first written: every cell of every path scored and kept, then
    the two best of each state chosen, with no work shared between paths and none skipped."""

    def _extend(self, nxt: dict, path, j: int, last: str, role: str, m: int) -> None:
        empty = align_module.LEADING_EMPTY if j == 0 else (
            align_module.EMPTY_COST.get(role, 1.0) * (align_module.TRAILING_FACTOR if j == m else 1.0))
        _plain_keep(nxt, (j, last), align_module._Path(path.score - empty, path.cells + (None,), path.ambiguous))
        limit = align_module.MAX_CHARS.get(role)
        inside, crosses_wide = 0.0, False
        for end in range(j + 1, m + 1):
            if end > j + 1:
                inside += self._join(end - 1)
                crosses_wide = crosses_wide or len(self.atoms[end - 1].gap) >= 2
            text = self.text(j, end)
            if limit is not None and len(text) > limit and (crosses_wide or not self.wide):
                break
            score = self.values.score(text, role, self.level1)
            kind = align_module._kind(role, score, text)
            cut, ambiguous = (0.0, False) if j == 0 else self._boundary(j, last, kind)
            _plain_keep(nxt, (end, kind), align_module._Path(path.score + score - cut - inside,
                                                             path.cells + ((j, end, score),), path.ambiguous or ambiguous))


def _plain_keep(states: dict, key: tuple, path) -> None:
    paths = states.setdefault(key, [])
    paths.append(path)
    paths.sort(key=lambda p: -p.score)
    del paths[2:]


def test_the_row_aligner_keeps_the_readings_the_plain_programme_keeps(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    aligned = text_rows.align
    monkeypatch.setattr(text_rows, "align", lambda *args: calls.append(args) or aligned(*args))
    for path in sorted((ROOT / "samples" / "wild").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "layouts").glob("*.txt")):
        doc = read_document(path)
        find_tables(doc.lines, segment(doc.lines))
    rows = [args for args in calls if args[1]]
    assert len(rows) > 50 and max(len(args[1]) for args in rows) > 20  # run-together rows of many characters
    for line, atoms, roles, values, level1 in rows:
        wide = any(len(a.gap) >= 2 for a in atoms[1:])
        fast = align_module._Aligner(line, atoms, roles, values, level1, wide).run()
        plain = _PlainAligner(line, atoms, roles, values, level1, wide).run()
        assert fast == plain, line
