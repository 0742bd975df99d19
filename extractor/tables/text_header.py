"""Header lines of tables rebuilt from text rows: which cells name column roles.

A line is a header when its cells (split by spaces, or segmented out of
run-together text) are mostly header words of the vocabulary and name at
least three different column roles.
"""

from __future__ import annotations

from extractor.vocabulary import Vocabulary

MIN_ROLES = 3
MIN_SHARE = 0.75  # share of a header line's cells that must be header words


def column_roles(cells: list[str], vocab: Vocabulary) -> list[str]:
    """The role each header cell names ("other" when it names none)."""
    return [vocab.header_role(c)[0] or "other" for c in cells]


def names_columns(cells: list[str], vocab: Vocabulary) -> bool:
    """At least three roles named exactly, by at least three quarters of the cells."""
    if len(cells) < MIN_ROLES:
        return False
    matches = [vocab.header_role(c) for c in cells]
    exact = {role for role, score in matches if score == 1.0}
    named = sum(score > 0 for _, score in matches)
    return len(exact) >= MIN_ROLES and named >= MIN_SHARE * len(cells)
