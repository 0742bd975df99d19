"""Read a saved web page (.html/.htm): its text in order and its tables with spans.

The encoding comes from a BOM, else the page's ``<meta charset>`` (GB2312 and
GBK pages are decoded as GB18030, their superset), else it is detected like a
text file. Page chrome -- navigation, header, footer, scripts, styles, forms'
hidden parts -- is dropped. ``rowspan``/``colspan`` become spans; a small table
nested inside a cell becomes that cell's text, one nested row per line, while a
table whose cells hold real tables is page layout and is read as text around them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractor.datamodel import Document
from extractor.errors import CorruptDocumentError
from extractor.readers.grid import DocumentBuilder, Grid, Span
from extractor.readers.txt import decode_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312 and GBK pages often use GB18030-only characters; GB18030 reads them all.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "hz-gb-2312"}
_CHROME = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "iframe",
           "object", "embed", "svg", "canvas", "button", "select", "textarea", "head"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar"}
_BLOCKS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
           "dl", "dt", "dd", "blockquote", "pre", "center", "form", "fieldset", "address", "figure",
           "figcaption", "caption", "body", "hr"}
_LAYOUT_BLOCKS = {"table", "tr", "td", "th", "thead", "tbody", "tfoot"}
_SPAN_LIMIT = 1000  # browsers clamp rowspan/colspan similarly


def read_html(path: str | Path, data: bytes) -> Document:
    """The document in the HTML bytes ``data`` read from ``path``."""
    import lxml.html
    from lxml.etree import ParserError

    text, encoding = decode_html(data, path)
    try:
        root = lxml.html.document_fromstring(text)
    except (ParserError, ValueError) as exc:
        raise CorruptDocumentError(f"cannot parse the HTML page: {exc}", path) from None
    builder = DocumentBuilder()
    walker = _Walker(builder)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return builder.build(path, data, "html", encoding)


def decode_html(data: bytes, path: str | Path) -> tuple[str, str]:
    """``(text, encoding)``: BOM, then meta charset, then text-file detection."""
    if data.startswith(codecs.BOM_UTF8):
        return decode_bytes(data, path)
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii").lower()
        name = "gb18030" if declared in _GB_FAMILY else declared
        try:
            codecs.lookup(name)
        except LookupError:
            name = ""
        if name:
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                pass  # the page lies about its charset: detect it instead
    return decode_bytes(data, path)


def _is_chrome(element: Any) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in _CHROME:
        return True
    if (element.get("role") or "").lower() in _CHROME_ROLES:
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or element.get("hidden") is not None


class _Walker:
    """Depth-first walk that turns block elements into paragraphs and tables into grids."""

    def __init__(self, builder: DocumentBuilder) -> None:
        self.builder = builder
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        for line in text.split("\n"):
            line = " ".join(line.split())
            if line:
                self.builder.paragraph(line)

    def walk(self, element: Any) -> None:
        if not isinstance(element.tag, str) or _is_chrome(element):
            self.buffer.append(element.tail or "")
            return
        tag = element.tag.lower()
        if tag == "table" and not is_layout_table(element):
            self.flush()
            self.builder.table(table_grid(element))
        elif tag == "br":
            self.buffer.append("\n")
        else:
            block = tag in _BLOCKS or tag in _LAYOUT_BLOCKS  # the latter only inside a layout table
            if block:
                self.buffer.append("\n")
            self.buffer.append(element.text or "")
            for child in element:
                self.walk(child)
            if block:
                self.buffer.append("\n")
        self.buffer.append(element.tail or "")


def is_layout_table(table: Any) -> bool:
    """A table used to lay out the page (old government sites): one of its cells holds
    a table of at least two rows and two columns. Its cells are read as page parts."""
    for nested in table.iterdescendants("table"):
        rows = list(_rows(nested))
        if len(rows) >= 2 and max(len([c for c in r if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]) for r in rows) >= 2:
            return True
    return False


def _rows(table: Any) -> Iterator[Any]:
    """The table's own rows (thead, tbody, tfoot or direct), not nested tables' rows."""
    for child in table:
        if not isinstance(child.tag, str) or _is_chrome(child):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from _rows(child)


def _span(cell: Any, name: str) -> int:
    try:
        return max(1, min(_SPAN_LIMIT, int(re.sub(r"\D.*", "", cell.get(name, "1").strip()) or 1)))
    except ValueError:
        return 1


def table_grid(table: Any) -> Grid:
    """Spans of an HTML table; cells are placed around earlier rowspans as browsers do."""
    grid = Grid()
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(_rows(table)):
        col = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th") or _is_chrome(cell):
                continue
            while (r, col) in taken:
                col += 1
            rows, cols = _span(cell, "rowspan"), _span(cell, "colspan")
            grid.add(Span(row=r, col=col, text=cell_text(cell), row_span=rows, col_span=cols))
            taken.update((r + i, col + j) for i in range(rows) for j in range(cols))
            col += cols
    # A rowspan running past the last row covers nothing.
    n_rows = sum(1 for _ in _rows(table))
    for span in grid.spans:
        span.row_span = max(1, min(span.row_span, n_rows - span.row))
    return grid


def cell_text(cell: Any) -> str:
    """A cell's text: blocks and ``<br>`` break lines; a nested table gives one line per row."""
    builder = DocumentBuilder()
    walker = _Walker(builder)
    walker.buffer.append(cell.text or "")
    for child in cell:
        walker.walk(child)
    walker.flush()
    return "\n".join(line.strip() for line in builder.lines if line.strip())
