"""Line-level clean-up of decoded documents.

Normalisation never adds, drops or reorders lines: line N of the file stays
line N, so every later stage can cite the source line a person sees in an
editor. TAB characters are table structure and are kept exactly.
"""

from __future__ import annotations

import re

# Only these break lines; \x0b, \x0c, \x1c-\x1e, \x85, \u2028, \u2029 stay inside.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Spaces and control characters that become one ordinary space (TAB excluded).
_SPACE_LIKE = re.compile(
    "[\u3000\u00a0\u2000-\u200a\u202f\u205f\u2028\u2029\u0085"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f]"
)

# Zero-width and direction marks, soft hyphen, BOM: removed.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")

# DOCX->text dump of a Word bookmark, e.g. "[bookmark: _Toc475348078]".
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")

# Word TC (table-of-contents entry) field code, e.g.
# " TC 总体绩效目标 \f A \l 1 " or ' TC "text" \f C \l "2" '. At least one
# switch (\f, \l or \n) is required so that a plain "TC" in text survives.
_TC_FIELD = re.compile(
    r"[ \t]*(?<![A-Za-z0-9])TC[ ]+(?:\"[^\"]*\"|[^\\\t\"]*?)"
    r"(?:[ ]*\\[fln](?:[ ]+(?:\"[^\"]*\"|[^\s\\\"]+))?)+[ ]*"
)

# Whatever any of the patterns above could change; a line without it is only right-stripped.
_TOUCHED = re.compile(f"{_INVISIBLE.pattern}|{_SPACE_LIKE.pattern}|TC|\\[bookmark:")

_QUOTE = '"'


def normalize_lines(text: str) -> list[str]:
    """Split ``text`` on CRLF, CR or LF only and normalise every line.

    A trailing line break does not produce an extra empty line (the same count
    as ``str.splitlines`` for text that only uses those three breaks).
    """
    if not text:
        return []
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return [normalize_line(line) for line in lines]


def normalize_line(line: str) -> str:
    """Clean one line: odd spaces -> " ", DOCX artefacts removed, TABs kept."""
    line = line.rstrip("\r\n")
    if _TOUCHED.search(line) is None:
        return line.rstrip(" ")
    line = _INVISIBLE.sub("", line)
    line = _BOOKMARK.sub("", line)
    line = _TC_FIELD.sub("", line)
    line = _SPACE_LIKE.sub(" ", line)
    return line.rstrip(" ")


def _is_wrapped(text: str) -> bool:
    """True if ``text`` is one CSV quoted field: "..." with inner quotes doubled."""
    if len(text) < 2 or text[0] != _QUOTE or text[-1] != _QUOTE:
        return False
    return _QUOTE not in text[1:-1].replace(_QUOTE * 2, "")


def unquote_cell(text: str) -> str:
    """Undo CSV-style quoting of a (multi-line) table cell and strip it.

    ``"a\\n\\nb\\n"`` -> ``a\\n\\nb``; doubled quotes become one quote. A cell
    exported twice (``\"\"\"text\\n\\n\"\"\"``) is unwrapped again, so the
    result is ``text``. Text whose quotes are not a wrapping pair (``"三公"经费``)
    is only stripped.
    """
    text = text.strip()
    if not text.startswith(_QUOTE):  # most cells: not wrapped
        return text
    while _is_wrapped(text):
        text = text[1:-1].replace(_QUOTE * 2, _QUOTE).strip()
    return text


def is_quote_open(text: str) -> bool:
    """True if ``text`` starts a quoted cell (``"``) whose closing quote is missing.

    Leading whitespace (e.g. the TAB of a cell line) is ignored.
    """
    text = text.lstrip()
    return text.startswith(_QUOTE) and text.count(_QUOTE) % 2 == 1
