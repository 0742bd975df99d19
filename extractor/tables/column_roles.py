"""Column-role probabilities and one consistent role assignment per table.

The model is a :class:`ColumnRoleModel` as saved (numpy only), or the
scikit-learn ``ColumnRoleClassifier`` that training fits
(:mod:`extractor.tables.column_classifier`, also importable from here).

``assign_roles`` turns per-column probabilities into one assignment that a
table can have: at most one indicator, target, unit, weight … column; grade
columns as a set; activity levels and category levels ordered left to right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from extractor.tables.assignment import linear_sum_assignment
from extractor.tables.column_features import ColumnSample
from extractor.tables.column_model import ColumnRoleModel
from extractor.vocabulary import GRADES, ROLES, load_vocabulary

# How many columns of one table may take a role (others: unlimited).
_CAPACITY = {
    "seq": 1, "parent_activity": 1, "activity": 1, "goal": 1, "category1": 1, "category2": 1,
    "indicator": 1, "target": 1, "unit": 1, "weight": 1, "budget": 1, "nature": 2,
    "description": 2, "indicator_description": 2, "grade": 8,
}
# A role the vocabulary gives a header counts this much before any training.
_PRIOR_STRENGTH = 3.0


def role_probabilities(columns: Sequence[ColumnSample], model: ColumnRoleModel | None) -> np.ndarray:
    """P(role) per column, one column per entry of ``ROLES``.

    Without a trained model the vocabulary alone decides (header words only),
    with "other" for a column whose header names nothing.
    """
    prior = vocabulary_prior(columns)
    if model is None or not columns:
        return prior
    out = np.full((len(columns), len(ROLES)), 1e-6)
    proba = model.predict_proba(columns)
    for k, cls in enumerate(model.classes_):
        out[:, ROLES.index(str(cls))] = np.maximum(proba[:, k], 1e-6)
    # Product of experts: the model (learned from annotated templates) and the
    # vocabulary (what the words mean anywhere), so a template the model never
    # saw still gets the roles its header words name.
    combined = out * prior
    return combined / combined.sum(axis=1, keepdims=True)


def vocabulary_prior(columns: Sequence[ColumnSample]) -> np.ndarray:
    """P(role) from the vocabulary alone: peaked on the role a header names,
    flat for a header it does not know or a missing header."""
    vocab = load_vocabulary()
    out = np.zeros((len(columns), len(ROLES)))
    for i, column in enumerate(columns):
        role, score = vocab.header_role(column.header)
        logits = np.zeros(len(ROLES))
        if role:  # a named column whose role another column takes is most likely "other"
            logits[ROLES.index("other")] = _PRIOR_STRENGTH / 3
            logits[ROLES.index(role)] = _PRIOR_STRENGTH * score
        exp = np.exp(logits - logits.max())
        out[i] = exp / exp.sum()
    return out


@dataclass
class Assignment:
    """Roles chosen for a table's columns, with confidence and margin per column,
    and the columns whose role is not the model's first choice (``overruled``:
    set by capacity or by a table-level rule)."""

    roles: dict[int, str]
    confidence: dict[int, float]
    margin: dict[int, float]
    grade_keys: dict[int, str]
    overruled: frozenset[int] = frozenset()


def assign_roles(columns: Sequence[ColumnSample], proba: np.ndarray, excluded: Sequence[int] = ()) -> Assignment:
    """The most probable assignment that respects each role's capacity and order.

    Solved as an assignment problem (SciPy's ``linear_sum_assignment``, ported
    in :mod:`extractor.tables.assignment`, over
    -log P, each role offering as many slots as its capacity), so a column
    gives up a role to the column that fits it better instead of whichever was
    looked at first. Grade columns form one set: a lone target column beside
    two or more grades whose header does not name a target is a grade too.
    ``excluded`` columns (long-term halves of 长期/年度 pairs) are ``other``.
    """
    free = [c for c in range(len(columns)) if c not in set(excluded)]
    slots = [role for role in ROLES for _ in range(_CAPACITY.get(role, len(columns)))]
    cost = -np.log(np.clip(proba[np.ix_(free, [ROLES.index(r) for r in slots])], 1e-9, 1.0))
    rows, cols = linear_sum_assignment(cost)
    roles: dict[int, str] = {c: "other" for c in excluded}
    roles.update({free[i]: slots[j] for i, j in zip(rows, cols, strict=True)})
    _child_level_right_of_parent(roles, columns)
    _categories_hold_category_words(roles, columns, proba)
    _order_levels(roles, "parent_activity", "activity")
    _order_levels(roles, "category1", "category2")
    _one_indicator(roles, proba, excluded)
    _grades_as_a_set(roles, columns, proba)
    _activity_left_of_indicator(roles, columns)
    confidence, margin = {}, {}
    for c, r in roles.items():
        if c in excluded:
            confidence[c], margin[c] = 1.0, 1.0
            continue
        p = proba[c].tolist()  # the same numbers as Python floats, read one by one below
        k_role = ROLES.index(r)
        # A role given by a table-level rule rather than the model is a coin toss: review it.
        confidence[c] = max(p[k_role], _RULE_CONFIDENCE if r != ROLES[int(proba[c].argmax())] else 0.0)
        margin[c] = float(confidence[c] - max(v for k, v in enumerate(p) if k != k_role))
    overruled = frozenset(c for c, r in roles.items() if c not in excluded and r != ROLES[int(proba[c].argmax())])
    return Assignment(roles, confidence, margin, grade_keys(columns, roles), overruled)


_MIN_GRADES = 3
_GROW_GRADE = 0.2  # a header-less neighbour of a grade set this likely a grade joins it


def _value_run(roles: dict[int, str], proba: np.ndarray) -> list[int]:
    """Three or more adjacent columns that each look like a target value are a
    set of graded targets, not one target and its neighbours."""
    target, grade = ROLES.index("target"), ROLES.index("grade")
    valued = [c for c in sorted(roles) if roles[c] not in ("indicator", "activity") and proba[c, target] + proba[c, grade] >= 0.5]
    runs: list[list[int]] = []
    for c in valued:
        if runs and runs[-1][-1] == c - 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    best = max(runs, key=len, default=[])
    return best if len(best) >= _MIN_GRADES else []


def _grades_as_a_set(roles: dict[int, str], columns: Sequence[ColumnSample], proba: np.ndarray) -> None:
    """Grades come as a set: a lone grade column, or two or fewer under headers
    that name no grade (目标要求 | 考评分值), are the target value and their next
    most probable roles; a lone column whose header names a grade stays (a
    table that printed only its 优 column), and header-less sets stay (a
    graded table may fill only two of its grades)."""
    graded = sorted(c for c, r in roles.items() if r == "grade")
    if not graded:
        graded = _value_run(roles, proba)
        for c in graded:
            roles[c] = "grade"
    vocab = load_vocabulary()
    if len(graded) == 1 and not vocab.grade_of(columns[graded[0]].header or ""):
        _not_a_grade_set(roles, graded, proba)
        return
    if len(graded) < 2:
        return
    _grow_grade_set(roles, graded, columns, proba)
    headers = [columns[c].header or "" for c in graded]
    named = any(vocab.grade_of(h) for h in headers)
    if len(graded) < _MIN_GRADES and any(h.strip() for h in headers) and not named:
        _not_a_grade_set(roles, graded, proba)


def _not_a_grade_set(roles: dict[int, str], graded: list[int], proba: np.ndarray) -> None:
    """Too few unnamed grade columns to be a graded set (优 良 中 差 come three or
    more): the likeliest target among them is the target value, when the table
    has none, and the others take their next most probable role."""
    target = ROLES.index("target")
    ordered = sorted(graded, key=lambda c: -proba[c, target])
    if "target" not in roles.values():
        roles[ordered.pop(0)] = "target"
    for c in ordered:
        roles[c] = _next_role(roles, proba[c], ("grade", "target"))


def _next_role(roles: dict[int, str], p: np.ndarray, barred: Sequence[str]) -> str:
    """The most probable role outside ``barred`` that still has room in the table."""
    taken = list(roles.values())
    ranked = (ROLES[k] for k in np.argsort(-p) if ROLES[k] not in barred)
    return next(r for r in ranked if r not in _CAPACITY or taken.count(r) < _CAPACITY[r])


def _grow_grade_set(roles: dict[int, str], graded: list[int], columns: Sequence[ColumnSample], proba: np.ndarray) -> None:
    """Add the neighbours of a grade set that belong to it."""
    vocab = load_vocabulary()
    changed = True
    while changed and len(graded) < len(GRADES):  # grow the set over neighbours that belong to it
        changed = False
        for c, r in sorted(roles.items()):
            if r == "grade" or not (c - 1 in graded or c + 1 in graded):
                continue
            header = columns[c].header
            names_grade = vocab.grade_of(header) is not None
            unnamed_target = r == "target" and vocab.header_role(header)[0] != "target"
            headerless_grade = not header.strip() and proba[c, ROLES.index("grade")] >= _GROW_GRADE
            if names_grade or unnamed_target or headerless_grade:
                roles[c] = "grade"
                graded.append(c)
                changed = True


_MIN_INDICATOR = 0.05
_RULE_CONFIDENCE = 0.5


def _one_indicator(roles: dict[int, str], proba: np.ndarray, excluded: Sequence[int]) -> None:
    """A grid measures something: with grade or target columns and no indicator
    column, the column most likely to be the indicator is it."""
    if "indicator" in roles.values() or not {"grade", "target"} & set(roles.values()):
        return
    k = ROLES.index("indicator")
    candidates = [c for c, r in roles.items() if c not in excluded and r not in ("grade", "target")]
    best = max(candidates, key=lambda c: proba[c, k], default=None)
    if best is not None and proba[best, k] >= _MIN_INDICATOR:
        roles[best] = "indicator"


_TEXT_ROLES = ("description", "indicator_description", "goal", "basis", "other")


def _activity_left_of_indicator(roles: dict[int, str], columns: Sequence[ColumnSample]) -> None:
    """With no activity column, a header-less text column left of the indicator
    whose values repeat or are merged over rows is the activity."""
    if "activity" in roles.values() or "indicator" not in roles.values():
        return
    vocab = load_vocabulary()
    indicator = min(c for c, r in roles.items() if r == "indicator")
    for c in range(indicator - 1, -1, -1):
        column = columns[c]
        filled = [t.strip() for t in column.cells if t.strip()]
        # A "category" column without a single category word is no category column.
        no_categories = roles.get(c) in ("category1", "category2") and not any(vocab.category_level(t) for t in filled)
        if (roles.get(c) not in _TEXT_ROLES and not no_categories) or column.header.strip() or not filled:
            continue
        if len(set(filled)) < len(column.cells):
            roles[c] = "activity"
        return


_CATEGORY_ROLES = ("category1", "category2")
_MIN_CATEGORY_SHARE = 0.5  # a category column's cells are mostly category words


def _child_level_right_of_parent(roles: dict[int, str], columns: Sequence[ColumnSample]) -> None:
    """Activity levels sit side by side (一级职责 | 二级职责): with a parent level
    and no activity, the column right of the parent is the activity when it
    was taken for a category level but holds no category words, or for a
    description or note that its header does not name and whose cells are
    short names."""
    parents = [c for c, r in roles.items() if r == "parent_activity"]
    if not parents or "activity" in roles.values():
        return
    child = parents[0] + 1
    if child >= len(columns):
        return
    role, column = roles.get(child), columns[child]
    misread_category = role in _CATEGORY_ROLES and not _holds_category_words(column)
    misread_text = role in _TEXT_ROLES and not _header_names(column.header, role) and _short_names(column)
    if misread_category or misread_text:
        roles[child] = "activity"


_NAME_LENGTH = 20  # an activity name is short; a description is a sentence


def _header_names(header: str, role: str) -> bool:
    return load_vocabulary().header_role(header or "") == (role, 1.0)


def _short_names(column: ColumnSample) -> bool:
    cells = sorted(len(c.strip()) for c in column.cells if c.strip())
    return bool(cells) and cells[len(cells) // 2] <= _NAME_LENGTH


def _categories_hold_category_words(roles: dict[int, str], columns: Sequence[ColumnSample], proba: np.ndarray) -> None:
    """A category column holds the framework's category words (产出指标, 数量指标);
    one taken for a category that does not is the activity when the table has
    none and it stands left of the indicator (任务名称 | 考评内容), else it takes
    its next most probable role."""
    indicator = min((c for c, r in roles.items() if r == "indicator"), default=None)
    for c in sorted(roles):
        if roles[c] not in _CATEGORY_ROLES or not any(x.strip() for x in columns[c].cells):
            continue
        if _holds_category_words(columns[c]):
            continue
        if "activity" not in roles.values() and indicator is not None and c < indicator:
            roles[c] = "activity"
            continue
        roles[c] = _next_role(roles, proba[c], _CATEGORY_ROLES)


def _holds_category_words(column: ColumnSample) -> bool:
    vocab = load_vocabulary()
    cells = [c for c in column.cells if c.strip()]
    return bool(cells) and sum(vocab.category_level(c) is not None for c in cells) >= _MIN_CATEGORY_SHARE * len(cells)


def _order_levels(roles: dict[int, str], upper: str, lower: str) -> None:
    """The upper level sits left of the lower one; a lone upper level is the lower."""
    up = [c for c, r in roles.items() if r == upper]
    low = [c for c, r in roles.items() if r == lower]
    if up and low and up[0] > low[0]:
        roles[up[0]], roles[low[0]] = lower, upper
    elif up and not low and upper == "parent_activity":
        roles[up[0]] = lower


def grade_keys(columns: Sequence[ColumnSample], roles: dict[int, str]) -> dict[int, str]:
    """优/良/中/差 for each grade column: named by its header, else by its place."""
    vocab = load_vocabulary()
    graded = sorted(c for c, r in roles.items() if r == "grade")
    named = {c: vocab.grade_of(columns[c].header) for c in graded}
    if graded and all(named.values()) and len(set(named.values())) == len(graded):
        return {c: str(named[c]) for c in graded}
    return {c: GRADES[k] if k < len(GRADES) else f"{GRADES[-1]}{k - len(GRADES) + 2}" for k, c in enumerate(graded)}


def __getattr__(name: str) -> Any:
    # The scikit-learn estimator lives in extractor.tables.column_classifier (imported on use).
    if name == "ColumnRoleClassifier":
        from extractor.tables.column_classifier import ColumnRoleClassifier

        return ColumnRoleClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
