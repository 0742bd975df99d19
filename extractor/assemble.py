"""Assemble labelled row units into indicator records.

Walking a table row by row: an activity unit sets the current activity (an
activity numbered "一、" is a parent of the "1、" activities under it), each
indicator unit starts a record, and the threshold units of its row become
its thresholds, keyed by the grade their column header names (优/良/中/差 or
指标值). Category columns (一级/二级指标) carry down through merged cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor.datamodel import Document, IndicatorRecord, Row, RowUnit, Table
from extractor.enumeration import enumeration_kind, strip_enumeration
from extractor.numbering import parse_numbering
from extractor.doubts import record_doubts, table_novelty
from extractor.record_confidence import RecordConfidence, heuristic_confidence
from extractor.vocabulary import GRADES, TARGET_KEY, load_vocabulary
from extractor.thresholds import parse_threshold, parse_thresholds, split_graded_standard

_PROJECT_CAPTION = re.compile(r"^\s*\d{1,3}\s*[.．、]\s*(.+?)\s*绩效目标表\s*$")
_NUMBER = re.compile(r"^\s*(\d+(?:\s*\.\s*\d+)?)\s*$")
_PARENT_KINDS = {"chinese", "paren_chinese"}
# PDF rows broken over lines: a row without an indicator continues the record above.
_ORPHAN_REACH = 2
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Indicator names that count things, or measure a rate; units of counts.
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
_SPACE = re.compile(r"\s")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile(r"\s*\n\s*")


@dataclass
class _State:
    parent: str | None = None
    child_number: tuple[str, int] | None = None  # (scheme, value) of the last numbered activity under ``parent``
    activity: str | None = None
    activity_is_parent: bool = False  # the activity is the "一、" row itself, not one of its children
    activity_unit: RowUnit | None = None
    budget: float | None = None
    categories: dict[int, str] = field(default_factory=dict)


def assemble(
    doc: Document,
    tables: Sequence[Table],
    units: Sequence[RowUnit],
    review_threshold: float,
    calibrator: RecordConfidence | None = None,
) -> list[IndicatorRecord]:
    """Indicator records of every performance table, in document order, each
    with its doubts and the probability that it is right (``calibrator``, or
    a heuristic without one)."""
    by_cell = {(u.table, u.row, u.col): u for u in units}
    by_table: dict[int, list[RowUnit]] = {}
    for key in sorted(by_cell):  # one sort for the document, not one per table
        by_table.setdefault(key[0], []).append(by_cell[key])
    records: list[IndicatorRecord] = []
    previous_form: dict[str, str] = {}
    for table in tables:
        if table.is_performance and table.layout == "inline":
            records += _inline_records(doc, table, by_table.get(table.index, []), review_threshold)
        elif table.is_performance:
            records += _grid_records(doc, table, by_cell, review_threshold, previous_form)
        # A form printed as its own table (项目名称 … above a separate grid) names the next grid's project.
        previous_form = table.form if table.form and not table.is_performance else {}
    _set_confidence(records, review_threshold, calibrator)
    return records


def _set_confidence(records: list[IndicatorRecord], review_threshold: float, calibrator: RecordConfidence | None) -> None:
    """Confidence of each record from all its doubts; review below the threshold."""
    if not records:
        return
    if calibrator is not None:
        confidence = calibrator.predict_proba([r.doubts for r in records])[:, 1]
    else:
        confidence = [heuristic_confidence(r.doubts) for r in records]
    for record, value in zip(records, confidence, strict=True):
        record.confidence = round(float(value), 4)
        record.needs_review = record.confidence < review_threshold


def _grid_records(
    doc: Document, table: Table, by_cell: dict, threshold: float, previous_form: dict[str, str]
) -> list[IndicatorRecord]:
    """Records of a grid: each row's cells read by their column's role."""
    caption_project = project_name(table.caption)
    state = _State()
    seen: dict[str, str] | None = None
    form: dict[str, str] = {}
    records: list[IndicatorRecord] = []
    novelty = table_novelty(table)
    last_row_with_record = -10
    for r, row in enumerate(table.rows):
        if row.is_header or not row.roles:
            continue
        if row.form != seen:  # a new project or band: nothing carries over
            seen, state = row.form, _State()
            form = row.form or previous_form
        labelled = [u for u in (by_cell.get((table.index, r, c.col)) for c in row.cells) if u is not None]
        _update_activity(state, row, labelled, has_parent_column="parent_activity" in row.roles.values())
        _update_budget(state, row, labelled)
        _update_categories(state, row, labelled)
        indicators = [u for u in labelled if u.label == "indicator"]
        thresholds = [u for u in labelled if u.label == "threshold"]
        if state.budget is None and form.get("budget"):
            state.budget = _first_number(form["budget"])
        if indicators:
            activity = caption_project or state.activity or form.get("activity") or form.get("unit_name")
            for unit in indicators:
                records.append(_record(doc, table, novelty, state, unit, thresholds, threshold, activity, row))
            last_row_with_record = r
        elif table.layout == "tab_rows" and thresholds and records and r - last_row_with_record <= _ORPHAN_REACH:
            _extend_thresholds(records[-1], thresholds, table, threshold)
    backfill_categories(records)
    return records


def _inline_records(doc: Document, table: Table, units: list[RowUnit], threshold: float) -> list[IndicatorRecord]:
    """Every indicator of an inline block shares the block's standard (``units``: the block's, in cell order)."""
    state = _State()
    activities = [u for u in units if u.label == "activity"]
    heading = [u for u in units if u.row == 0 and not table.rows[0].key]
    if activities or heading:
        # The block's heading is its activity even when the model missed it;
        # the records then go to review (see _record's confidence).
        state.activity_unit = (activities or heading)[0]
        state.activity = activity_name(state.activity_unit.text)
    standards = graded_sets([u for u in units if u.label == "threshold"], table)
    novelty = table_novelty(table)
    return [
        _record(doc, table, novelty, state, u, standard_for(u.text, standards), threshold, state.activity, table.rows[u.row])
        for u in units
        if u.label == "indicator"
    ]


def graded_sets(units: list[RowUnit], table: Table) -> list[list[RowUnit]]:
    """Split a standard into its graded sets: a set ends when a grade repeats.

    "90%以上的为优；…；70%以下的为差。5篇为优；…；1篇为差" holds two sets.
    """
    sets: list[list[RowUnit]] = [[]]
    seen: set[str] = set()
    for key, unit in zip(_grade_keys(units, table), units, strict=True):
        if key in seen:
            sets.append([])
            seen = set()
        sets[-1].append(unit)
        seen.add(key)
    return sets


def standard_for(indicator: str, sets: list[list[RowUnit]]) -> list[RowUnit]:
    """The graded set an indicator is measured by: a count set for a count
    ("…的数量"), a percentage set for a rate ("…率"), else the first."""
    if len(sets) == 1:
        return sets[0]
    vocab = load_vocabulary()
    name = indicator.strip()
    wanted = "count" if vocab.ends_with(name, "count_endings") else "percent" if vocab.ends_with(name, "rate_endings") else None
    count_units = set(vocab.indicator_words.get("count_units", ()))
    for graded in sets:
        units = {parse_threshold(u.text).unit for u in graded}
        kind = "percent" if "%" in units else "count" if units & count_units else None
        if wanted and kind == wanted:
            return graded
    return sets[0]


def project_name(caption: str) -> str | None:
    """"1.车辆保险费绩效目标表" -> "车辆保险费"; None for other captions."""
    match = _PROJECT_CAPTION.match(caption or "")
    return match.group(1).strip() if match else None


def _update_activity(state: _State, row: Row, labelled: list[RowUnit], has_parent_column: bool) -> None:
    """Activity cells start a new activity block; its parent is carried only within its block.

    With a parent-activity column, that column's cell is the parent. Without
    one, an activity numbered like a top level ("一、") is the parent of the
    activities numbered below it ("1、"); an activity not numbered has no
    parent, and one whose numbering starts again ("3、" then "1、") without a
    new top-level row belongs to a parent the text does not print (null).
    """
    named = [u for u in labelled if u.label == "activity"]
    if not named:  # most rows: nothing changes
        return
    parents = [u for u in named if row.roles.get(u.col) == "parent_activity"]
    activities = [u for u in named if row.roles.get(u.col) != "parent_activity"]
    if parents:
        state.parent = activity_name(clean_name(" ".join(u.text.strip() for u in parents)))
        state.activity, state.activity_unit, state.budget = None, parents[0], None
    if not activities:
        return
    state.activity_unit = activities[0]
    text = clean_name(" ".join(u.text.strip() for u in activities))
    name = activity_name(text)
    kind = enumeration_kind(text)
    if not has_parent_column:
        if kind in _PARENT_KINDS:
            state.parent, state.child_number = name, None
        elif kind is None:
            state.parent = None
        else:
            _follow_child_numbering(state, text, name)
    state.activity_is_parent = not has_parent_column and kind in _PARENT_KINDS
    state.activity = name
    state.budget = None


def _follow_child_numbering(state: _State, text: str, name: str) -> None:
    """A new child activity numbered at or below the last one of the same scheme
    starts the children of a parent the text does not print (``name``: the
    activity's name, :func:`activity_name` of ``text``)."""
    numbering = parse_numbering(text)
    if numbering is None or name == state.activity:
        return
    last = state.child_number
    if last is not None and last[0] == numbering.scheme and numbering.value <= last[1]:
        state.parent = None
    state.child_number = (numbering.scheme, numbering.value)


def _update_budget(state: _State, row: Row, labelled: list[RowUnit]) -> None:
    """The activity's budget, from its own row or a later "预算数" row, first one wins."""
    if state.budget is None:
        state.budget = _row_budget(row, labelled)


_FIRST_NUMBER = re.compile(r"(\d+(?:\s*\.\s*\d+)?)")


def _first_number(text: str) -> float | None:
    """The first number of a form value ("预算数 16. 56 其中…" -> 16.56; OCR spaces allowed)."""
    match = _FIRST_NUMBER.search(text)
    return float(_SPACE.sub("", match.group(1))) if match else None


def _row_budget(row: Row, labelled: list[RowUnit]) -> float | None:
    """The number in the budget column."""
    for unit in labelled:
        if row.roles.get(unit.col) == "budget" and _NUMBER.match(unit.text):
            return float(_SPACE.sub("", _NUMBER.match(unit.text).group(1)))
    return None


_CATEGORY_LEVELS = {"category1": 1, "category2": 2}


def _update_categories(state: _State, row: Row, labelled: list[RowUnit]) -> None:
    """Category cells (一级/二级指标) replace the carried value and reset finer levels.

    Merged 一级 cells are printed once, often mid-block, so an empty 一级 is
    inferred from the framework (数量指标 is an 产出指标) when the 二级 names it.
    """
    found: dict[int, str] = {}
    for unit in labelled:
        level = _CATEGORY_LEVELS.get(row.roles.get(unit.col, ""))
        if level:
            text = _SPACE.sub("", unit.text)
            if _looks_like_words(text):
                found[level] = text
    for level in sorted(found):
        state.categories[level] = found[level]
        for finer in [c for c in state.categories if c > level and c not in found]:
            del state.categories[finer]
    if 2 in found and 1 not in found:
        implied = load_vocabulary().implied_level1(found[2])
        if implied:
            state.categories[1] = implied


def backfill_categories(records: list[IndicatorRecord]) -> None:
    """Give the first records of a table the 一级 category printed further down."""
    for k, record in enumerate(records):
        if len(record.indicator_category) != 1:
            continue
        implied = load_vocabulary().implied_level1(record.indicator_category[0])
        later = next((r.indicator_category[0] for r in records[k + 1 :] if len(r.indicator_category) == 2), None)
        if implied or later:
            record.indicator_category = [implied or later, record.indicator_category[0]]


def activity_name(text: str) -> str:
    """An activity cell as a name: no enumeration prefix, no quotes of a quoted cell."""
    return strip_enumeration(clean_name(text)).strip('"').strip()


def clean_name(text: str) -> str:
    """A cell's text as a name: paragraphs joined by "；", wrapped lines and OCR
    spaces between Chinese characters removed."""
    if "\n" in text:
        paragraphs = [_LINE_BREAK.sub("", p.strip().strip('"').strip()) for p in _PARAGRAPH_BREAK.split(text.strip())]
    else:  # one line: one paragraph, nothing to join
        paragraphs = [text.strip().strip('"').strip()]
    return "；".join(_join_cjk(p) for p in paragraphs if p)


def _join_cjk(text: str) -> str:
    """Spaces between Chinese characters removed (OCR gaps)."""
    return _CJK_GAP.sub("", text) if " " in text or "\u3000" in text else text


def _looks_like_words(text: str) -> bool:
    """Mostly Chinese characters: not OCR debris such as "厂111111" or "///III"."""
    cjk = len(_CJK.findall(text))
    return cjk >= 2 and cjk * 2 >= len(text)


def _grade_keys(units: Sequence[RowUnit], table: Table) -> list[str]:
    """Grade label per threshold unit: from its column, its text, or its position."""
    keys: list[str] = []
    for k, unit in enumerate(units):
        row = table.rows[unit.row]
        role = row.roles.get(unit.col)
        graded = split_graded_standard(unit.text) if table.layout == "inline" else []
        if role == "grade" and unit.col in row.grade_keys and table.layout != "inline":
            keys.append(row.grade_keys[unit.col])
        elif role == "target":
            keys.append(TARGET_KEY)
        elif len(graded) == 1 and graded[0][0] in GRADES:
            keys.append(graded[0][0])
        elif len(units) == 1:
            keys.append(TARGET_KEY)
        else:
            keys.append(GRADES[k] if k < len(GRADES) else f"{TARGET_KEY}{k + 1}")
    return keys


def _threshold_map(units: Sequence[RowUnit], table: Table) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, unit in zip(_grade_keys(units, table), units, strict=True):
        text = unit.text.strip()
        out[key] = f"{out[key]}；{text}" if key in out else text
    return out


def _record(
    doc: Document, table: Table, novelty: dict[str, float], state: _State, unit: RowUnit, thresholds: list[RowUnit],
    threshold: float, activity: str | None, row: Row,
) -> IndicatorRecord:
    mapped = _threshold_map(thresholds, table)
    measure_unit, operator = _unit_and_direction(row)
    used = [unit, *thresholds, *([state.activity_unit] if state.activity_unit else [])]
    confidence = min(_support(u, expected) for u, expected in zip(used, _expected_labels(unit, thresholds, state), strict=True))
    # A child may bear its parent's name ("七、法制宣传" over "1、法制宣传"); the parent row itself has no parent.
    parent = None if state.activity_is_parent else state.parent
    parsed = [p.to_dict() for p in parse_thresholds(mapped, unit=measure_unit, operator=operator)]
    doubts = record_doubts(confidence, row, novelty, activity, mapped, parsed)
    return IndicatorRecord(
        doc_id=doc.doc_id,
        source=doc.source,
        table=table.index,
        line=unit.line,
        parent_activity=parent,
        activity=activity,
        activity_budget=state.budget,
        indicator=clean_name(unit.text),
        indicator_category=[state.categories[c] for c in sorted(state.categories)],
        thresholds=mapped,
        parsed_thresholds=parsed,
        confidence=round(float(confidence), 4),
        needs_review=confidence < threshold,
        doubts=doubts,
    )


def _unit_and_direction(row: Row) -> tuple[str | None, str | None]:
    """The row's unit-column text, and its comparison: a symbol (≥ = ≤) before a
    direction word (正向/反向) when the table has both columns."""
    if "unit" not in row.roles.values() and "nature" not in row.roles.values():
        return None, None
    cells = {c.col: c.text.strip() for c in row.cells if c.text.strip()}
    units = [cells[c] for c, r in sorted(row.roles.items()) if r == "unit" and c in cells]
    natures = [cells[c] for c, r in sorted(row.roles.items()) if r == "nature" and c in cells]
    natures.sort(key=lambda t: not any(ch in t for ch in "≥≤=＝><＞＜"))
    return (units[0] if units else None), (natures[0] if natures else None)


def _expected_labels(unit: RowUnit, thresholds: list[RowUnit], state: _State) -> list[str]:
    return ["indicator", *(["threshold"] * len(thresholds)), *(["activity"] if state.activity_unit else [])]


def _support(unit: RowUnit, role: str) -> float:
    """Confidence a unit lends a record: its own, or none if it was labelled otherwise."""
    confidence = unit.confidence if unit.confidence is not None else 0.0
    return confidence if unit.label == role else min(confidence, 1.0 - confidence)


def _extend_thresholds(record: IndicatorRecord, units: list[RowUnit], table: Table, threshold: float) -> None:
    """Append a broken row's threshold text to the record above."""
    for key, text in _threshold_map(units, table).items():
        record.thresholds[key] = f"{record.thresholds[key]} {text}" if key in record.thresholds else text
    record.parsed_thresholds = [p.to_dict() for p in parse_thresholds(record.thresholds)]
    low = min([record.doubts.get("cell_confidence", 1.0), *(u.confidence or 0.0 for u in units)])
    record.doubts["cell_confidence"] = float(low)
    record.confidence = round(float(low), 4)
    record.needs_review = low < threshold


__all__ = ["assemble", "project_name"]
