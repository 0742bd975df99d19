"""Read a PDF with a text layer: text lines in reading order and table grids.

pdfplumber finds tables by their ruling lines; on a page without ruled tables
a text-alignment fallback keeps only grids of at least two filled columns.
Cell spans come from the cells' boxes. Running page headers and footers (text
near the top or bottom edge repeated on other pages) and page numbers are
dropped. A table at the top of a page whose columns match the table that ended
the previous page is its continuation and is joined to it (a repeated header
row is dropped). A PDF with no text at all is a scan: OCR is needed.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from extractor.datamodel import Document
from extractor.errors import CorruptDocumentError, EncryptedDocumentError, OcrNeededError
from extractor.readers.grid import DocumentBuilder, Grid, Span

_EDGE = 0.08  # share of the page height at top and bottom where running heads live
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|"
    r"page\s*\d+(?:\s*of\s*\d+)?|\d+)\s*$",
    re.I,
)
_DIGITS = re.compile(r"\d+")
_SNAP = 2.0  # points within which cell edges are the same grid line
_LINE_GAP = 3.0  # points within which chars are on the same text line
# A line that starts a new paragraph: an enumeration or a short label with a colon.
_NEW_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[^\s：:，。；]{2,8}[：:])")
_TEXT_SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text"}


@dataclass
class _Item:
    """A text line or a table on one page, with its vertical position."""

    top: float
    bottom: float
    page: int
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    grid: Grid | None = None
    columns: tuple[float, ...] = ()
    last_page: int = 0  # the page a table joined over several pages ends on
    first_row: list[str] = field(default_factory=list)


def read_pdf(path: str | Path, data: bytes) -> Document:
    """The document in the PDF bytes ``data`` read from ``path``."""
    pages = _open_pages(path, data)
    try:
        items, chars = [], 0
        for number, page in enumerate(pages, start=1):
            chars += sum(1 for c in page.chars if c["text"].strip())
            items.append(_page_items(page, number))
            page.close()  # drop the page's parsed objects: memory stays flat on long PDFs
    except Exception as exc:  # a damaged content stream or object
        raise CorruptDocumentError(
            f"corrupt PDF: a page cannot be read ({type(exc).__name__}: {exc}); re-download or re-export it", path
        ) from None
    if not chars:
        raise OcrNeededError(
            f"this PDF has no text layer ({len(pages)} page(s) of images, a scan): it needs OCR first "
            "(e.g. `ocrmypdf --language chi_sim in.pdf out.pdf`), then read the OCR'd PDF",
            path,
        )
    items = _drop_running_heads(items, [float(p.height) for p in pages])
    builder = DocumentBuilder()
    for item in _join_wrapped(_join_continued_tables(items)):
        builder.page = item.page
        if item.grid is not None:
            builder.table(item.grid)
        else:
            builder.paragraph(item.text)
    return builder.build(path, data, "pdf", "")


def _open_pages(path: str | Path, data: bytes) -> list[Any]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(BytesIO(data))
        return list(pdf.pages)
    except Exception as exc:  # pdfminer raises many types for damaged files
        if _is_password_error(exc):
            raise EncryptedDocumentError(
                "the PDF is encrypted with a password; save an unprotected copy and read that", path
            ) from None
        raise CorruptDocumentError(
            f"corrupt PDF: cannot parse it ({type(exc).__name__}: {exc}); re-download or re-export it", path
        ) from None


def _is_password_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        name = type(seen).__name__
        if "Password" in name or "Encryption" in name or any("Password" in type(a).__name__ for a in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _page_items(page: Any, number: int) -> list[_Item]:
    """Text lines and tables of one page, top to bottom."""
    tables = [t for t in page.find_tables() if len(t.columns) >= 2]
    if not tables:
        tables = [t for t in page.find_tables(_TEXT_SETTINGS) if _is_aligned_grid(t)]
    items = [_table_item(page, t, number) for t in tables]
    boxes = [t.bbox for t in tables]
    rest = page.filter(lambda obj: obj.get("object_type") != "char" or not any(_inside(obj, b) for b in boxes))
    for line in rest.extract_text_lines(return_chars=False):
        if line["text"].strip():
            items.append(_Item(top=line["top"], bottom=line["bottom"], page=number, text=line["text"],
                               x0=line["x0"], x1=line["x1"]))
    return sorted(items, key=lambda i: i.top)


def _join_wrapped(items: list[_Item]) -> list[_Item]:
    """Text lines of one paragraph joined: a line that reaches the right margin
    continues on the next line when that one follows right below it (or opens
    the next page) and does not start a new item ("二、", "绩效指标：")."""
    lines = [i for i in items if i.grid is None]
    if not lines:
        return items
    right = max(i.x1 for i in lines)
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:]) if a.page == b.page and b.top > a.bottom)
    usual = gaps[len(gaps) // 4] if gaps else 0.0
    out: list[_Item] = []
    for item in items:
        previous = out[-1] if out else None
        if (item.grid is None and previous is not None and previous.grid is None
                and right - previous.x1 < 2 * (previous.bottom - previous.top)
                and (item.page != previous.page or item.top - previous.bottom <= usual + 1.0)
                and not _NEW_ITEM.match(item.text)):
            joiner = "" if _cjk_edge(previous.text, item.text) else " "
            previous.text += joiner + item.text
            previous.x1, previous.top, previous.bottom, previous.page = item.x1, item.top, item.bottom, item.page
        else:
            out.append(item)
    return out


def _is_aligned_grid(table: Any) -> bool:
    """A text-aligned table worth keeping: most rows fill at least two columns."""
    rows = table.extract()
    filled = [sum(bool((c or "").strip()) for c in row) for row in rows]
    return len(rows) >= 2 and sum(f >= 2 for f in filled) * 2 >= len(rows)


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _SNAP:
            out.append(value)
    return out


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda k: abs(edges[k] - value))


def _table_item(page: Any, table: Any, number: int) -> _Item:
    """A table's spans from its cell boxes, with text read from the chars in each box."""
    cells = list(table.cells)
    xs = _snap([c[0] for c in cells] + [c[2] for c in cells])
    ys = _snap([c[1] for c in cells] + [c[3] for c in cells])
    spans: list[Span] = []
    owner: dict[tuple[int, int], int] = {}  # grid position -> index of the cell covering it
    for box in cells:
        col, end_col = _index(xs, box[0]), _index(xs, box[2])
        row, end_row = _index(ys, box[1]), _index(ys, box[3])
        span = Span(row=row, col=col, text="", row_span=max(1, end_row - row), col_span=max(1, end_col - col), page=number)
        owner.update({(r, c): len(spans) for r in range(row, row + span.row_span) for c in range(col, col + span.col_span)})
        spans.append(span)
    chars: list[list[dict]] = [[] for _ in spans]
    for char in page.chars:
        if _inside(char, table.bbox):
            x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            k = owner.get((bisect.bisect(ys, y) - 1, bisect.bisect(xs, x) - 1))
            if k is not None:
                chars[k].append(char)
    grid = Grid(page=number)
    for span, box, own in zip(spans, cells, chars, strict=True):
        span.text = _cell_text(own, box)
        grid.add(span)
    first = sorted((s for s in grid.spans if s.row == 0), key=lambda s: s.col)
    return _Item(top=table.bbox[1], bottom=table.bbox[3], page=number, grid=grid,
                 columns=tuple(round(x) for x in xs), first_row=[s.text for s in first])


def _cell_text(chars: list[dict], box: tuple[float, float, float, float]) -> str:
    """Chars of a cell as text: a line that runs to the cell's right edge wraps into the next."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(char["top"] - lines[-1][0]["top"]) <= _LINE_GAP:
            lines[-1].append(char)
        else:
            lines.append([char])
    text = ""
    for k, line in enumerate(lines):
        line.sort(key=lambda c: c["x0"])
        part = _join_chars(line)
        if k:
            previous = lines[k - 1]
            size = max(c["size"] for c in previous)
            wrapped = box[2] - previous[-1]["x1"] < 2.5 * size
            text += ("" if _cjk_edge(text, part) else " ") if wrapped else "\n"
        text += part
    return text.strip()


def _join_chars(line: list[dict]) -> str:
    out = ""
    for k, char in enumerate(line):
        if k and char["x0"] - line[k - 1]["x1"] > 0.3 * char["size"] and not out.endswith(" "):
            out += " "
        out += char["text"]
    return out


def _cjk_edge(before: str, after: str) -> bool:
    """Whether a wrapped line joins without a space (CJK on either side of the break)."""
    a, b = before[-1:], after[:1]
    return not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum())


def _drop_running_heads(pages: list[list[_Item]], heights: list[float]) -> list[list[_Item]]:
    """Without text lines near the top or bottom edge that are page numbers or repeat on other pages."""
    def key(item: _Item) -> str:
        return _DIGITS.sub("#", item.text.strip())

    def at_edge(item: _Item) -> bool:
        height = heights[item.page - 1]
        return item.grid is None and (item.bottom < height * _EDGE or item.top > height * (1 - _EDGE))

    repeats = Counter(key(i) for page in pages for i in {key(j): j for j in page if at_edge(j)}.values())
    kept = []
    for page in pages:
        kept.append([
            i for i in page
            if not (at_edge(i) and (_PAGE_NUMBER.match(i.text) or (len(pages) > 1 and repeats[key(i)] > 1)))
        ])
    return kept


def _join_continued_tables(pages: list[list[_Item]]) -> list[_Item]:
    """All items in order, a table continued at the top of the next page joined to its start."""
    out: list[_Item] = []
    for page in pages:
        for k, item in enumerate(page):
            previous = out[-1] if out else None
            if (k == 0 and item.grid is not None and previous is not None and previous.grid is not None
                    and max(previous.page, previous.last_page) == item.page - 1
                    and _same_columns(previous.columns, item.columns)):
                _append_rows(previous, item)
            else:
                out.append(item)
    return out


def _same_columns(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 2 * _SNAP for x, y in zip(a, b, strict=True))


def _append_rows(first: _Item, more: _Item) -> None:
    assert first.grid is not None and more.grid is not None
    skip_header = more.first_row == first.first_row
    offset = first.grid.n_rows - (1 if skip_header else 0)
    first.last_page = more.page
    for span in more.grid.spans:
        if skip_header and span.row == 0:
            continue
        span.row += offset
        first.grid.add(span)
