"""Training data for the column-role model, and layout augmentation.

Labelled columns come from the annotated documents' tables, each column's
role taken from ``annotations/columns/templates.json`` (header word -> role,
written by hand per template). Every labelled table is also rewritten the way
other regions print tables (:func:`augment`): header synonyms from the
vocabulary, no header, extra 序号 / 权重 / 度量单位 / 指标性质 / 备注 columns,
reordered columns, the project as an activity column, the target as a set of
graded columns. Finally each vocabulary word becomes one header-only
example of its role, so a word listed in the vocabulary is known even when no
annotated table uses it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from extractor.assemble import project_name
from extractor.datamodel import Table
from extractor.errors import AnnotationsError
from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import find_tables
from extractor.tables.column_features import ColumnSample, in_table
from extractor.tables.column_classifier import ColumnRoleClassifier
from extractor.tables.structure import Band, band_columns, structure_table
from extractor.tables.synthetic_grades import graded_columns
from extractor.vocabulary import GRADES, clean, load_vocabulary

TEMPLATES_FILE = Path("columns") / "templates.json"
_STRUCTURAL_ROLES = {"parent_activity", "activity", "category1", "category2", "grade", "target"}
AUGMENTATIONS = ("synonyms", "no_header", "extra_columns", "reordered", "activity_column", "graded")


@dataclass
class LabelledTable:
    """The columns of one band of one annotated table, with their roles."""

    doc_id: str
    template: str
    columns: list[ColumnSample]
    roles: list[str]
    project: str = ""


def load_template_roles(annotations_dir: Path) -> dict | None:
    """The hand-written header -> role table of the annotated templates, or None without one."""
    path = annotations_dir / TEMPLATES_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("roles"), dict):
            raise ValueError("no 'roles' object")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise AnnotationsError(f"column-role templates unreadable: {exc}", path) from exc
    return data


def labelled_tables(paths: Iterable[Path], templates: dict) -> list[LabelledTable]:
    """Every band with a header in the documents at ``paths``, columns labelled by ``templates``."""
    out: list[LabelledTable] = []
    for path in paths:
        doc_id, bands = structured_bands(path)
        for table, band in bands:
            labelled = _label_band(doc_id, table, band, templates)
            if labelled:
                out.append(labelled)
    return out


def structured_bands(path: Path) -> tuple[str, tuple[tuple[Table, Band], ...]]:
    """The document's id and the bands of its grid tables (inline lists left out),
    structured without a column model; do not modify them.

    Read once per content: cross-validation fits a column model per fold from
    the same documents, and a file that changed is read again."""
    path = Path(path)
    return _structured_bands(str(path), hashlib.sha256(path.read_bytes()).hexdigest())


@lru_cache(maxsize=32)
def _structured_bands(path: str, _sha256: str) -> tuple[str, tuple[tuple[Table, Band], ...]]:
    doc = read_document(Path(path))
    bands = [
        (table, band)
        for table in find_tables(doc.lines, segment(doc.lines)) if table.layout != "inline"
        for band in structure_table(table, None)
    ]
    return doc.doc_id, tuple(bands)


def _label_band(doc_id: str, table: Table, band: Band, templates: dict) -> LabelledTable | None:
    if not band.has_header:
        return None
    columns = band_columns(table, band)
    words = {c: clean(h) for c, h in band.headers.items()}
    overrides: dict[str, str] = {}
    for present, changes in templates.get("when", {}).items():
        if present in words.values():
            overrides.update(changes)
    roles: list[str] = []
    keep: list[ColumnSample] = []
    previous = ""
    for column in columns:
        word = clean(column.header)
        role = overrides.get(word) or templates["roles"].get(word)
        if role is None and previous in templates.get("after", {}):
            role = templates["after"][previous]
        if word:
            previous = word
        if role is None:
            role = "other"  # a column the template does not name (blank filler, OCR debris)
        keep.append(column)
        roles.append(role)
    if "indicator" not in roles and "grade" not in roles and "target" not in roles:
        return None
    template = "|".join(sorted({clean(h) for h in band.headers.values()}))
    project = project_name(table.caption) or band.form.get("activity", "")
    return LabelledTable(doc_id, template, keep, roles, project)


def augment(table: LabelledTable, rng: random.Random) -> dict[str, LabelledTable]:
    """The table rewritten as other regions print it, one variant per augmentation."""
    return {
        "synonyms": _synonyms(table, rng),
        "no_header": _retitle(table, [""] * len(table.columns)),
        "extra_columns": _extra_columns(table, rng),
        "reordered": _reordered(table, rng),
        "activity_column": _activity_column(table, rng),
        "graded": _graded(table, rng),
    }


def _graded(table: LabelledTable, rng: random.Random) -> LabelledTable:
    """The target column printed as four graded columns (优 良 中 差), headed
    by one style of grade words or, half the time, by no header at all; the
    columns after it (unit, note) kept half the time."""
    if "target" not in table.roles or "grade" in table.roles:
        return table
    at = table.roles.index("target")
    vocab = load_vocabulary()
    style = rng.randrange(len(vocab.grades["优"]))
    named = rng.random() < 0.5
    grades = [
        ColumnSample(vocab.grades[g][min(style, len(vocab.grades[g]) - 1)] if named else "", cells, 0, 0)
        for g, cells in zip(GRADES, graded_columns(table.columns[at].cells, rng), strict=True)
    ]
    # Half the time the set ends the table, as graded tables without notes print it.
    after = at + 1 if rng.random() < 0.5 else len(table.columns)
    columns = [*table.columns[:at], *grades, *table.columns[after:]]
    roles = [*table.roles[:at], *["grade"] * len(grades), *table.roles[after:]]
    if not named:
        columns = [replace(c, header="") for c in columns]
    return _renumber(replace(table, columns=columns, roles=roles))


def _activity_column(table: LabelledTable, rng: random.Random) -> LabelledTable:
    """The project named above the grid printed as its first column instead
    (every row, or once as a merged cell), with or without a header."""
    if not table.project or "activity" in table.roles:
        return table
    n_rows = max((len(c.cells) for c in table.columns), default=0)
    merged = rng.random() < 0.5
    cells = [table.project if k == 0 or not merged else "" for k in range(n_rows)]
    header = rng.choice(("", *load_vocabulary().roles["activity"]))
    columns = [ColumnSample(header, cells, 0, 0), *table.columns]
    return _renumber(replace(table, columns=columns, roles=["activity", *table.roles]))


def _synonyms(table: LabelledTable, rng: random.Random) -> LabelledTable:
    vocab = load_vocabulary()
    style = rng.randrange(len(vocab.grades["优"]) - 1)  # 优 / 优秀 …, same style for the set
    headers = []
    grade_index = 0
    for column, role in zip(table.columns, table.roles, strict=True):
        if role == "grade":
            words = vocab.grades[GRADES[min(grade_index, 3)]]
            headers.append(words[min(style, len(words) - 1)])
            grade_index += 1
        else:
            headers.append(rng.choice(vocab.roles[role]) if vocab.roles.get(role) else column.header)
    return _retitle(table, headers)


def _retitle(table: LabelledTable, headers: Sequence[str]) -> LabelledTable:
    columns = [replace(c, header=h) for c, h in zip(table.columns, headers, strict=True)]
    return _renumber(replace(table, columns=columns))


_EXTRA = {
    "seq": lambda n, rng: [str(k + 1) for k in range(n)],
    "weight": lambda n, rng: [str(rng.choice((2, 3, 4, 5, 10, 15, 20))) for _ in range(n)],
    "unit": lambda n, rng: [rng.choice(("%", "个", "次", "万元", "人", "天", "")) for _ in range(n)],
    "nature": lambda n, rng: [rng.choice(("≥", "=", "≤", "正向", "反向")) for _ in range(n)],
    "basis": lambda n, rng: ["" if rng.random() < 0.7 else rng.choice(("按计划", "参考上年", "行业标准")) for _ in range(n)],
}


def _extra_columns(table: LabelledTable, rng: random.Random) -> LabelledTable:
    vocab = load_vocabulary()
    columns, roles = list(table.columns), list(table.roles)
    n_rows = max((len(c.cells) for c in columns), default=0)
    for role in rng.sample(sorted(_EXTRA), k=3):
        cells = _EXTRA[role](n_rows, rng)
        at = 0 if role == "seq" else rng.randrange(len(columns) + 1)
        columns.insert(at, ColumnSample(rng.choice(vocab.roles[role]), cells, at, 0))
        roles.insert(at, role)
    return _renumber(replace(table, columns=columns, roles=roles))


def _reordered(table: LabelledTable, rng: random.Random) -> LabelledTable:
    order = list(range(len(table.columns)))
    grades = [k for k in order if table.roles[k] == "grade"]
    rest = [k for k in order if table.roles[k] != "grade"]
    rng.shuffle(rest)
    at = rng.randrange(len(rest) + 1)
    order = rest[:at] + grades + rest[at:]
    return _renumber(replace(table, columns=[table.columns[k] for k in order], roles=[table.roles[k] for k in order]))


def _renumber(table: LabelledTable) -> LabelledTable:
    """Positions, width, sibling headers and neighbours after columns were added, moved or renamed."""
    return replace(table, columns=in_table(table.columns))


def vocabulary_examples(repeat: int = 4) -> tuple[list[ColumnSample], list[str]]:
    """Header-only examples of every vocabulary word of every role."""
    vocab = load_vocabulary()
    columns, roles = [], []
    for role, words in vocab.roles.items():
        for word in words:
            for k in range(repeat):
                columns.append(ColumnSample(word, [], k, repeat + 2))
                roles.append(role)
    return columns, roles


def training_set(
    tables: Sequence[LabelledTable], seed: int = 0, copies: int = 3
) -> tuple[list[ColumnSample], list[str], list[float]]:
    """Columns, roles and weights of ``tables``, their augmented variants and the
    vocabulary examples. Each template weighs the same in total, however many
    of its tables the documents print."""
    rng = random.Random(seed)
    columns, roles = vocabulary_examples()
    weights = [1.0] * len(columns)
    per_template = Counter(t.template for t in tables)
    for table in tables:
        weight = 10.0 / per_template[table.template]
        variants = [table] + [v for _ in range(copies) for v in augment(table, rng).values()]
        for variant in variants:
            columns.extend(variant.columns)
            roles.extend(variant.roles)
            weights.extend([weight] * len(variant.columns))
    return columns, roles, weights


def train_column_model(tables: Sequence[LabelledTable], seed: int = 0) -> ColumnRoleClassifier:
    """Fit the column-role model on ``tables`` (augmented) and the vocabulary."""
    columns, roles, weights = training_set(tables, seed)
    return ColumnRoleClassifier().fit(columns, roles, sample_weight=weights)


def fit_column_model(paths: Sequence[Path], annotations_dir: Path, seed: int = 0) -> ColumnRoleClassifier:
    """The column-role model of the documents at ``paths`` (labelled by the
    template roles in ``annotations_dir``), their augmented variants and the
    vocabulary; the vocabulary alone when the annotations have no template roles."""
    templates = load_template_roles(annotations_dir)
    tables = labelled_tables(paths, templates) if templates else []
    return train_column_model(tables, seed)


def template_of_document(path: Path) -> str:
    """The document's template: the structural column roles (activity levels,
    categories, grades or target) its tables' headers name, the most common set.
    Descriptions and notes are left out: OCR splits and merges them."""
    vocab = load_vocabulary()
    signatures: Counter[str] = Counter()
    for _table, band in structured_bands(path)[1]:
        roles = {vocab.header_role(h)[0] for h in band.headers.values()} & _STRUCTURAL_ROLES
        if band.has_header and roles & {"grade", "target"}:
            signatures["+".join(sorted(roles))] += 1
    return signatures.most_common(1)[0][0] if signatures else "none"
