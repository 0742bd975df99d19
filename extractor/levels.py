"""Levels of a document's headings: numbering inside parts, parts as siblings.

:class:`LevelStack` is fed the accepted headings in document order and
answers each one's level. It knows the disclosure's parts through
:mod:`extractor.outline` and numbering through :class:`~extractor.numbering.Numbering`;
deciding which lines are headings is :mod:`extractor.segmenter`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.numbering import Numbering
from extractor.outline import load_outline

__all__ = ["MAJOR", "MINOR", "LevelStack", "OpenHeading"]

# Kinds of un-numbered headings on the stack (numbered ones use their scheme).
MAJOR = "major"  # an un-numbered part ("名词解释")
MINOR = "minor"  # an un-numbered sub-heading ("收入说明", "机构设置：")


@dataclass
class OpenHeading:
    """A heading on the level stack: open until a heading at its level or above."""

    kind: str  # numbering scheme, MAJOR or MINOR
    level: int
    own_type: str  # type named by its own title ("other" for "一、工委办公室")
    title: str = ""
    last: int = 0  # last number seen in this list
    part: str | None = None  # the top-level part it opened, if it opened one

    @property
    def numbered(self) -> bool:
        return self.kind not in (MAJOR, MINOR)


@dataclass
class LevelStack:
    """Open headings (outermost first) and the top-level parts seen so far.

    Levels come from two sources. A heading that names a part of the
    disclosure (``configs/outline.toml``: 部门职责及机构设置, 预算安排总体情况,
    机关运行经费, …) is a sibling of the part open before it, whatever its
    number; inside a part, numbering decides: the next number of an open list
    is its sibling, a "1" opens a nested list, and a numbering scheme used by
    one heading only joins the open list whose next number it carries rather
    than opening a level of its own. Before any part is open, parts nest
    under the headings that hold them ("第三部分 部门预算情况说明").
    """

    lone: frozenset[str] = frozenset()  # schemes only one heading of the document uses
    items: list[OpenHeading] = field(default_factory=list)
    seen_parts: set[str] = field(default_factory=set)
    top_schemes: set[str] = field(default_factory=set)  # schemes of numbered level-1 headings

    def start(self) -> None:
        """A document title: a new outline begins."""
        self.items.clear()
        self.seen_parts.clear()
        self.top_schemes.clear()

    def close_all(self) -> None:
        """A table of contents: every open heading closes (the parts seen stay seen)."""
        self.items.clear()

    def innermost_type(self) -> str:
        """Own type of the innermost open heading ("other" when none)."""
        return self.items[-1].own_type if self.items else "other"

    def opens_part(self, part: str | None) -> bool:
        """A heading naming ``part`` starts a new part: the part open now does
        not contain it and no part of its type was opened before."""
        if part is None or part in self.seen_parts:
            return False
        open_part = self._open_part()
        return open_part is None or not load_outline().contains(open_part.part or "", part)

    def part(self, part: str, num: Numbering | None, own_type: str, title: str) -> int:
        """Level of a heading that opens ``part``.

        It carries on an open list that holds the open part ("三、…绩效信息"
        after "二、…情况说明" holding "（七）其他需要说明的事项"), else it is
        the open part's sibling ("2、部门预算安排总体情况" after "一、部门职责
        及机构设置情况" and its sub-sections). With no part open, numbering
        decides; an un-numbered part then goes under the innermost numbered
        heading, or to level 1.
        """
        self.seen_parts.add(part)
        open_part = self._open_part()
        if num is not None:
            pos = self._follows(num)
            if pos is not None and (open_part is None or self.items[pos].level <= open_part.level):
                level = self._continue(pos, num.value, own_type, title)
            elif open_part is None:
                level = self.numbered(num, own_type, title)
            else:
                level = self._replace(OpenHeading(num.scheme, open_part.level, own_type, title, num.value))
        elif open_part is not None:
            level = self._replace(OpenHeading(MAJOR, open_part.level, own_type, title))
        else:
            holder = next((e for e in reversed(self.items) if e.numbered), None)
            level = self._replace(OpenHeading(MAJOR, holder.level + 1 if holder else 1, own_type, title))
        self.items[-1].part = part
        return level

    def minor(self, own_type: str, title: str) -> int:
        """An un-numbered sub-heading.

        It nests under an un-numbered heading whose title it elaborates
        ("部门职责" -> "某部部门职责情况说明"); otherwise it is a child of the
        innermost open heading whose own title names a section type (list
        items such as "十一、武装部" and other un-numbered sub-headings are
        skipped).
        """
        inner = self.items[-1] if self.items else None
        if inner is not None and inner.kind == MINOR and _elaborates(inner.title, title):
            return self._push(OpenHeading(MINOR, inner.level + 1, own_type, title))
        for pos in range(len(self.items) - 1, -1, -1):
            entry = self.items[pos]
            if entry.kind != MINOR and entry.own_type != "other":
                del self.items[pos + 1 :]
                return self._push(OpenHeading(MINOR, entry.level + 1, own_type, title))
        self.items.clear()
        return self._push(OpenHeading(MINOR, 1, own_type, title))

    def numbered(self, num: Numbering, own_type: str, title: str) -> int:
        """Level of a numbered heading inside a part.

        The next number of an open list is its sibling (the innermost such
        list wins); a "1" opens a nested list; a later number of a scheme not
        open follows an un-numbered part (its lost "一、"); a gap in an open
        list's numbers is still that list.
        """
        pos = self._follows(num)
        if pos is not None:
            return self._continue(pos, num.value, own_type, title)
        same = [pos for pos, e in enumerate(self.items) if e.kind == num.scheme]
        if num.value != 1:
            open_part = self._open_part()
            if open_part is not None and open_part.kind == MAJOR and not same:
                return self._replace(OpenHeading(num.scheme, open_part.level, own_type, title, num.value))
            earlier = [pos for pos in same if self.items[pos].last < num.value]
            if earlier:
                return self._continue(earlier[-1], num.value, own_type, title)
        level = self.items[-1].level + 1 if self.items else 1
        return self._push(OpenHeading(num.scheme, level, own_type, title, num.value))

    def _follows(self, num: Numbering) -> int | None:
        """Position of the innermost open list whose next number ``num`` is."""
        follows = [
            pos for pos, e in enumerate(self.items) if e.last + 1 == num.value and self._same_list(e, num.scheme)
        ]
        return follows[-1] if follows else None

    def _same_list(self, entry: OpenHeading, scheme: str) -> bool:
        """Whether a heading of ``scheme`` may carry on ``entry``'s list.

        Its own scheme always may; so may any scheme of the document's
        numbered level-1 headings at level 1 ("一、" … "2、" … "三、"), and a
        scheme used once (a numbering slip) in any numbered list.
        """
        if not entry.numbered:
            return False
        if entry.kind == scheme or scheme in self.lone:
            return True
        return entry.level == 1 and entry.kind in self.top_schemes and scheme in self.top_schemes

    def _open_part(self) -> OpenHeading | None:
        """The innermost open heading that opened a part, if any."""
        return next((e for e in reversed(self.items) if e.part is not None), None)

    def _replace(self, entry: OpenHeading) -> int:
        """Close the open headings at ``entry``'s level and deeper, open ``entry``."""
        self.items = [e for e in self.items if e.level < entry.level]
        return self._push(entry)

    def _push(self, entry: OpenHeading) -> int:
        self.items.append(entry)
        if entry.level == 1 and entry.numbered:
            self.top_schemes.add(entry.kind)
        return entry.level

    def _continue(self, pos: int, value: int, own_type: str, title: str) -> int:
        del self.items[pos + 1 :]
        entry = self.items[pos]
        entry.last, entry.own_type, entry.title, entry.part = value, own_type, title, None
        return entry.level


def _elaborates(outer: str, inner: str) -> bool:
    """``inner`` is a longer title on ``outer``'s topic ("部门职责" -> "某部部门职责情况说明")."""
    return bool(outer) and len(inner) > len(outer) and outer in inner
