"""Plain data objects passed between pipeline stages.

Every object keeps the 1-based source line it came from, so any output row can
be traced back to the document a person is holding.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

LABELS: tuple[str, ...] = ("activity", "indicator", "threshold", "other")

SECTION_TYPES: tuple[str, ...] = (
    "title",
    "duties",
    "organization",
    "budget_overview",
    "income",
    "expenditure",
    "change",
    "operating_costs",
    "three_public",
    "performance",
    "procurement",
    "assets",
    "glossary",
    "other_notes",
    "contents",
    "other",
)


@dataclass(frozen=True)
class Document:
    """A decoded, normalised document: one entry in ``lines`` per source line.

    ``format`` is the reader that made it (``txt``, ``docx``, ``pdf``, ``html``,
    ``xlsx``). Readers of formats with a real table grid put the tables in
    ``tables`` (cells with their spans) and write each table row as one line
    of ``lines``, so that line numbers stay a single provenance key; for
    ``txt`` ``tables`` is None and tables are rebuilt from the text.
    """

    doc_id: str
    source: str
    lines: tuple[str, ...]
    encoding: str
    sha256: str
    format: str = "txt"
    tables: tuple[Table, ...] | None = None
    # 1-based page of each line (PDF only; None elsewhere).
    pages: tuple[int | None, ...] | None = None

    def line(self, number: int) -> str:
        """Return the text of 1-based source line ``number``."""
        return self.lines[number - 1]

    def page_of(self, number: int) -> int | None:
        """The 1-based PDF page of 1-based line ``number`` (None for other formats)."""
        if self.pages is None or not 1 <= number <= len(self.pages):
            return None
        return self.pages[number - 1]


@dataclass
class Section:
    """One heading of the document outline and the lines it spans."""

    line: int
    end_line: int
    level: int
    number: str
    title: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cell:
    """One table cell: its text (multi-line cells joined by newlines) and lines.

    ``row_span``/``col_span`` are the cell's extent in a grid read from the
    file (DOCX, PDF, HTML, XLSX). A position covered by a merged cell that
    starts above or to the left is a ``merged`` cell with empty text.
    ``page`` is the 1-based page of a PDF cell.
    """

    text: str
    line: int
    end_line: int
    col: int
    row_span: int = 1
    col_span: int = 1
    merged: bool = False
    page: int | None = None


@dataclass
class Row:
    """One logical table row.

    ``columns`` maps a column index to the header text in force for this row
    (tables can restart their header midway); ``is_header`` marks header rows.
    ``key`` is the "key" of an inline list line (绩效指标, 绩效标准, …).
    The structure stage (:mod:`extractor.tables.structure`) adds each column's
    ``roles`` (activity, indicator, grade, target, …) with ``role_confidence``,
    ``grade_keys`` (column -> 优/良/中/差) and the ``form`` values in force
    (项目名称 and the like from key-value rows above the grid).
    ``split_confidence`` (0–1) says how sure the split of a text row into
    cells is (below 0.5: ambiguous, e.g. a run-together "…场次1020"); 1.0 for
    rows whose cells the source separated.
    """

    cells: list[Cell]
    line: int
    columns: dict[int, str] = field(default_factory=dict)
    is_header: bool = False
    key: str = ""
    roles: dict[int, str] = field(default_factory=dict)
    role_confidence: dict[int, float] = field(default_factory=dict)
    roles_overruled: frozenset[int] = frozenset()  # columns not given the model's first-choice role
    grade_keys: dict[int, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    split_confidence: float = 1.0

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class Table:
    """A rebuilt table with an optional header mapping column -> header text.

    ``layout`` is ``tab_lines`` (one cell per TAB-prefixed line), ``tab_rows``
    (TAB-separated cells on one line), ``spaced`` (cells separated by spaces),
    ``joined`` (cells run together with no separator) or ``inline``
    ("绩效指标：a；b；c").
    ``caption`` is the text line just above the table (often "1.车辆保险费绩效目标表").
    """

    index: int
    layout: str
    line: int
    end_line: int
    rows: list[Row]
    caption: str = ""
    section_title: str = ""
    is_performance: bool = False
    page: int | None = None
    form: dict[str, str] = field(default_factory=dict)

    def header_texts(self) -> list[str]:
        """Distinct header texts of the table, in column order of first use."""
        seen: dict[str, None] = {}
        for row in self.rows:
            for col in sorted(row.columns):
                seen.setdefault(row.columns[col], None)
        return list(seen)


@dataclass
class RowUnit:
    """The unit the classifier labels: one non-empty cell of a performance table.

    ``row`` and ``col`` index into ``Table.rows`` and the row's cells.
    ``context`` is a JSON-able snapshot of everything the classifier and the
    reviewer need (so annotations can be trained on without the document):
    ``layout``, ``col``, ``n_cols``, ``row``, ``n_rows``, ``header``,
    ``row_texts`` (every cell of the row, empty ones included),
    ``prev_row_texts``, ``next_row_texts``, ``left``/``right`` (nearest
    non-empty cells in the row), ``above`` (same column, previous row),
    ``section_title`` and ``table_headers``.
    ``label``/``confidence`` are filled by the classifier; ``label_source`` says
    whether the label came from the model or a reviewer's correction.
    """

    doc_id: str
    table: int
    row: int
    col: int
    line: int
    end_line: int
    text: str
    header: str = ""
    layout: str = ""
    section_title: str = ""
    doc_sha256: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    confidence: float | None = None
    label_source: str = "model"

    @property
    def key(self) -> str:
        """Stable identity across runs: document content, source line and column."""
        return unit_key(self.doc_sha256, self.line, self.col)


def unit_key(doc_sha256: str, line: int, col: int) -> str:
    """Key of a row unit: first 16 hex digits of the document hash, line, column."""
    return f"{doc_sha256[:16]}:{line}:{col}"


@dataclass
class ParsedThreshold:
    """A threshold string parsed into grade, operator, value, bound and unit.

    For operator "range", ``value`` is the lower and ``upper`` the upper bound;
    ``lower_inclusive`` / ``upper_inclusive`` say whether each bound belongs to
    the range (None: the text does not say). ``date`` is an ISO 8601 date
    ("2022-12-31", "--12-31", "--10") when the value is a date, e.g. with
    operator "by" for a deadline. See :mod:`extractor.thresholds`.
    """

    grade: str | None
    operator: str | None
    value: float | None
    upper: float | None
    unit: str | None
    raw: str
    lower_inclusive: bool | None = None
    upper_inclusive: bool | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _PARSED_FIELDS}  # scalars only: no deep copy needed


@dataclass
class IndicatorRecord:
    """One performance indicator with its activity context and thresholds.

    ``confidence`` is the probability that the record is right, from its
    ``doubts`` (see :mod:`extractor.doubts`); ``needs_review`` is set when it is
    below the review threshold.
    """

    doc_id: str
    source: str
    table: int
    line: int
    parent_activity: str | None
    activity: str | None
    activity_budget: float | None
    indicator: str
    indicator_category: list[str]
    thresholds: dict[str, str]
    parsed_thresholds: list[dict[str, Any]]
    confidence: float
    needs_review: bool
    page: int | None = None  # PDF page of ``line``; None for other formats
    doubts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data, as ``dataclasses.asdict`` gives them, without its deep copy:
        the lists and dicts are copied, the values in them are scalars."""
        out = {name: getattr(self, name) for name in _RECORD_FIELDS}
        out["indicator_category"] = list(self.indicator_category)
        out["thresholds"] = dict(self.thresholds)
        out["parsed_thresholds"] = [dict(parsed) for parsed in self.parsed_thresholds]
        out["doubts"] = dict(self.doubts)
        return out


_RECORD_FIELDS = tuple(f.name for f in fields(IndicatorRecord))
_PARSED_FIELDS = tuple(f.name for f in fields(ParsedThreshold))
