"""Read a Word .docx: paragraphs in order (with automatic numbering) and real table grids.

python-docx opens the package; the body and its tables are walked on the
underlying XML so that spans are kept: ``w:gridSpan`` (horizontal merge),
``w:vMerge`` restart/continue (vertical merge), ``w:gridBefore``/``w:gridAfter``
(rows that start or end short) and tables nested inside cells (their text
becomes the cell's text, one nested row per line).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

from extractor.datamodel import Document
from extractor.errors import CorruptDocumentError
from extractor.readers.grid import DocumentBuilder, Grid, Span
from extractor.readers.numbering import Numbering

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: str | Path, data: bytes) -> Document:
    """The document in the DOCX bytes ``data`` read from ``path``."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        package = docx.Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocumentError(f"corrupt DOCX file: {exc}; re-save it from Word", path) from None
    except Exception as exc:  # lxml syntax errors in a damaged part
        raise CorruptDocumentError(f"corrupt DOCX file ({type(exc).__name__}: {exc}); re-save it from Word", path) from None
    numbering = Numbering.from_docx(package)
    builder = DocumentBuilder()
    for element in _blocks(package.element.body):
        if element.tag == W + "p":
            builder.paragraph(numbering.prefix(element) + paragraph_text(element))
        else:
            builder.table(table_grid(element))
    return builder.build(path, data, "docx", "utf-8")


def _children(parent: Any, tags: tuple[str, ...]) -> Iterator[Any]:
    """Children of ``parent`` with one of ``tags``, in order, looking inside content controls
    (``w:sdt``) and custom XML wrappers, which may wrap paragraphs, tables, rows or cells."""
    for child in parent.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag in (W + "sdt", W + "customXml", W + "smartTag"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _children(content, tags)


def _blocks(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables of a body or cell, in order."""
    return _children(parent, (W + "p", W + "tbl"))


def _rows(tbl: Any) -> Iterator[Any]:
    return _children(tbl, (W + "tr",))


def _cells(tr: Any) -> Iterator[Any]:
    return _children(tr, (W + "tc",))


def paragraph_text(p: Any) -> str:
    """Visible text of a ``w:p``: runs, tabs as spaces, breaks as newlines; deleted text skipped."""
    parts: list[str] = []
    for node in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "delText", W + "noBreakHyphen"):
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif node.tag == W + "tab":
            parts.append(" ")
        elif node.tag == W + "noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _val(element: Any, tag: str, default: str | None = None) -> str | None:
    found = element.find(tag) if element is not None else None
    return found.get(W + "val", default) if found is not None else None


def table_grid(tbl: Any) -> Grid:
    """The spans of a ``w:tbl``, merged cells kept as spans."""
    grid = Grid()
    open_vertical: dict[int, Span] = {}  # grid column -> span a vMerge continue extends
    for r, tr in enumerate(_rows(tbl)):
        col = int(_val(tr.find(W + "trPr"), W + "gridBefore") or 0)
        for tc in _cells(tr):
            tc_pr = tc.find(W + "tcPr")
            width = int(_val(tc_pr, W + "gridSpan") or 1)
            v_merge = _val(tc_pr, W + "vMerge", "continue")
            if v_merge == "continue" and col in open_vertical:
                open_vertical[col].row_span = r - open_vertical[col].row + 1
            else:
                span = Span(row=r, col=col, text=cell_text(tc), col_span=width)
                grid.add(span)
                if v_merge == "restart":
                    open_vertical[col] = span
                else:
                    open_vertical.pop(col, None)
            col += width
    return grid


def cell_text(tc: Any) -> str:
    """A cell's paragraphs joined by newlines; a nested table gives one line per row."""
    lines: list[str] = []
    for block in _blocks(tc):
        if block.tag == W + "p":
            lines.append(paragraph_text(block))
        else:
            for tr in _rows(block):
                lines.append(" ".join(cell_text(c).replace("\n", " ") for c in _cells(tr)).strip())
    return "\n".join(lines)
