"""Write DOCX, PDF, HTML and XLSX versions of the bundled samples and wild tables.

Each source .txt is rebuilt into paragraphs and tables with our own table finder
(:func:`extractor.tables.find_tables`), then written in every format with the
merges a publisher's file has: a cell of an activity, budget, description, goal
or 一级/二级 category column printed once over a block of rows becomes a vertical
merge; a header cell over sub-headers (评价标准 over 优/良/中/差) a horizontal one,
and header cells without a sub-header merge down over the header rows. The PDFs
are drawn with reportlab (built-in CID font STSong-Light, so no font is embedded)
with ruling lines, page numbers in the footer and a running header.

    python scripts/make_format_fixtures.py [--out tests/data/formats]

Also writes merged_categories.docx (a national 一级/二级/三级指标 grid with
vertically merged activity and category cells) and continued_table.pdf (one
table running over two pages). Output is deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import datetime
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from extractor.readers.txt import read_bytes, read_txt
from extractor.document import analyse

ROOT = Path(__file__).resolve().parent.parent
MERGE_DOWN_ROLES = {"parent_activity", "activity", "category1", "category2", "budget", "description", "goal"}
FORMATS = ("docx", "pdf", "html", "xlsx")
# Parts of python-docx's template that no fixture needs (they would be most of each file).
UNUSED_PARTS = {"stylesWithEffects", "theme", "webSettings", "customXml", "thumbnail"}
KEPT_STYLES = {"Normal", "heading 1", "Default Paragraph Font", "Normal Table", "Table Grid"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_LINES = 450  # source lines per sample: keeps the generated files small
LOOKBACK = 12  # lines above the first performance table (its section heading and caption)
PDF_MAX_ROW_SPAN = 6  # reportlab cannot break a page inside a taller vertical merge


@dataclass
class Block:
    """A paragraph (``text``) or a table: cell texts and merges (r, c) -> (rows, cols)."""

    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    merges: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def sources() -> list[Path]:
    wild = ROOT / "samples" / "wild"
    if not wild.is_dir():
        wild = ROOT.parent / "shared" / "corpus" / "wild"
    return sorted((ROOT / "samples").glob("*.txt")) + sorted(wild.glob("*.txt"))


def blocks_of(path: Path, max_lines: int = MAX_LINES) -> tuple[list[Block], int, int]:
    """The performance part of a document as paragraphs and tables (inline lists stay paragraphs).

    Returns the blocks and the source lines they cover, 1-based ``[first, end)``:
    from a few lines above the first performance table to about ``max_lines``
    further: before the table that crosses that limit, or inside it, where a row
    starts a new activity, when it is the first table (so no record is cut).
    """
    doc = read_txt(path, read_bytes(path))
    found = analyse(doc).tables
    performance = [t for t in found if t.is_performance]
    start = max(0, (performance[0].line - 1 - LOOKBACK) if performance else 0)
    limit = start + max_lines
    tables = {t.line - 1: t for t in found if t.layout != "inline"}
    blocks: list[Block] = []
    i = start
    while i < min(len(doc.lines), limit):
        table = tables.get(i)
        if table is not None:
            rows = _rows_before(table, limit)
            if len(rows) < len(table.rows) and any(b.rows for b in blocks):
                return blocks, start + 1, table.line  # stop before a table rather than cut it
            blocks.append(_table_block(table, rows))
            if len(rows) < len(table.rows):
                return blocks, start + 1, table.rows[len(rows)].line
            i = table.end_line
            continue
        if doc.lines[i].strip():
            blocks.append(Block(text=doc.lines[i].replace("\t", " ").strip()))
        i += 1
    return blocks, start + 1, i + 1


def _rows_before(table, limit: int) -> list:
    """The table's rows up to the first row past ``limit`` (0-based line) that starts a new activity."""
    for k, row in enumerate(table.rows):
        if k and row.line - 1 >= limit and not row.is_header and row.cells and row.cells[0].text:
            return table.rows[:k]
    return table.rows


def _table_block(table, table_rows: list) -> Block:
    width = max(len(r.cells) for r in table_rows)
    rows = [[c.text for c in r.cells] + [""] * (width - len(r.cells)) for r in table_rows]
    block = Block(rows=rows)
    headers = [r.is_header for r in table_rows]
    for r, row in enumerate(table_rows):
        if headers[r]:
            _header_merges(block, r, headers)
            continue
        for c in range(len(row.cells)):
            if rows[r][c] and row.roles.get(c) in MERGE_DOWN_ROLES:
                end = r + 1
                while end < len(rows) and not headers[end] and not rows[end][c]:
                    end += 1
                if end - r > 1:
                    block.merges[(r, c)] = (end - r, 1)
    return block


def _header_merges(block: Block, r: int, headers: list[bool]) -> None:
    """A header cell over empty cells whose next header row is filled spans them; one over empty sub-header cells spans down."""
    rows, width = block.rows, len(block.rows[0])
    below = rows[r + 1] if r + 1 < len(rows) and headers[r + 1] else None
    for c in range(width):
        if not rows[r][c] or below is None:
            continue
        end = c + 1
        while end < width and not rows[r][end] and below[end]:
            end += 1
        if end - c > 1 and below[c]:
            block.merges[(r, c)] = (1, end - c)
        elif end - c == 1 and not below[c]:
            block.merges[(r, c)] = (2, 1)


def covered(block: Block) -> set[tuple[int, int]]:
    """Grid positions covered by a merge (not its top-left)."""
    out = set()
    for (r, c), (nr, nc) in block.merges.items():
        out.update((r + i, c + j) for i in range(nr) for j in range(nc) if i or j)
    return out


# --- DOCX -------------------------------------------------------------------

def write_docx(blocks: list[Block], path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    for block in blocks:
        if not block.rows:
            document.add_paragraph(block.text, style=_docx_style(block.text))
            continue
        body.insert(len(body) - 1, parse_xml(_docx_table_xml(block)))
    _save_zip(document, path)


def _docx_style(text: str) -> str | None:
    return "Heading 1" if text.startswith(("第", "一、", "二、", "三、", "四、", "五、")) and len(text) < 30 else None


def _docx_table_xml(block: Block) -> str:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    width = len(block.rows[0])
    vertical = {}  # (r, c) -> "restart" | "continue"
    for (r, c), (nr, _) in block.merges.items():
        if nr > 1:
            vertical[(r, c)] = "restart"
            vertical.update({(r + i, c): "continue" for i in range(1, nr)})
    spans = {(r, c): nc for (r, c), (_, nc) in block.merges.items()}
    horizontal_cover = {(r, c + j) for (r, c), nc in spans.items() for j in range(1, nc)}
    out = [f'<w:tbl {ns}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
           '<w:tblBorders>' + "".join(f'<w:{s} w:val="single" w:sz="4"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
           + '</w:tblBorders></w:tblPr><w:tblGrid>' + '<w:gridCol w:w="1000"/>' * width + "</w:tblGrid>"]
    for r, row in enumerate(block.rows):
        out.append("<w:tr>")
        for c in range(width):
            if (r, c) in horizontal_cover:
                continue
            props = ""
            if spans.get((r, c), 1) > 1:
                props += f'<w:gridSpan w:val="{spans[(r, c)]}"/>'
            if (r, c) in vertical:
                props += '<w:vMerge w:val="restart"/>' if vertical[(r, c)] == "restart" else "<w:vMerge/>"
            text = "" if vertical.get((r, c)) == "continue" else row[c]
            paragraphs = "".join(
                f'<w:p><w:r><w:t xml:space="preserve">{html.escape(part, quote=False)}</w:t></w:r></w:p>'
                for part in (text.split("\n") if text else [""])
            )
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _save_zip(document, path: Path) -> None:
    """Save without the template's unused parts, with fixed ZIP timestamps (same bytes on every run)."""
    for rels in (document.part.rels, document.part.package.rels):
        for key, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in UNUSED_PARTS:
                del rels[key]
    styles = document.styles.element
    for element in list(styles):
        name = element.find(W + "name")
        if element.tag == W + "latentStyles" or (element.tag == W + "style" and name is not None
                                                 and name.get(W + "val") not in KEPT_STYLES):
            styles.remove(element)
    buffer = io.BytesIO()
    document.save(buffer)
    _rezip(buffer.getvalue(), path)


def _rezip(data: bytes, path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", content)
            target.writestr(fixed, content)


# --- HTML -------------------------------------------------------------------

CHROME = ('<header><a href="/">首页</a> | 政务公开</header><nav><ul><li>首页</li><li>部门预算</li></ul></nav>'
          '<script>var x = "<td>不是表格</td>";</script><style>td {border: 1px solid}</style>')
FOOTER = "<footer>版权所有 © 某某人民政府 网站标识码 1300000000</footer>"


def write_html(blocks: list[Block], path: Path, encoding: str = "utf-8") -> None:
    charset = "gb2312" if encoding == "gb18030" else encoding
    parts = [f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
             f"<title>{html.escape(path.stem)}</title></head><body>{CHROME}<div class=\"content\">"]
    for block in blocks:
        if not block.rows:
            parts.append(f"<p>{html.escape(block.text)}</p>\n")
            continue
        hidden = covered(block)
        parts.append('<table border="1">\n')
        for r, row in enumerate(block.rows):
            parts.append("<tr>")
            for c, text in enumerate(row):
                if (r, c) in hidden:
                    continue
                nr, nc = block.merges.get((r, c), (1, 1))
                attrs = (f' rowspan="{nr}"' if nr > 1 else "") + (f' colspan="{nc}"' if nc > 1 else "")
                parts.append(f"<td{attrs}>{html.escape(text).replace(chr(10), '<br>')}</td>")
            parts.append("</tr>\n")
        parts.append("</table>\n")
    parts.append(f"</div>{FOOTER}</body></html>\n")
    path.write_bytes("".join(parts).encode(encoding))


# --- XLSX -------------------------------------------------------------------

def write_xlsx(blocks: list[Block], path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = workbook.active
    row = 1
    for block in blocks:
        if not block.rows:
            sheet.cell(row=row, column=1, value=block.text)
            row += 1
            continue
        row += 1  # a blank row before and after each table
        hidden = covered(block)
        for r, texts in enumerate(block.rows):
            for c, text in enumerate(texts):
                if text and (r, c) not in hidden:
                    sheet.cell(row=row + r, column=c + 1, value=text)
        for (r, c), (nr, nc) in block.merges.items():
            sheet.merge_cells(start_row=row + r, start_column=c + 1, end_row=row + r + nr - 1, end_column=c + nc)
        row += len(block.rows) + 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    _rezip(buffer.getvalue(), path)


# --- PDF --------------------------------------------------------------------

FONT = "STSong-Light"


def write_pdf(blocks: list[Block], path: Path, title: str = "") -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size = landscape(A4)
    text_style = ParagraphStyle("t", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    cell_style = ParagraphStyle("c", fontName=FONT, fontSize=7, leading=9, wordWrap="CJK")
    usable = size[0] - 30 * mm

    def page_marks(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(15 * mm, size[1] - 8 * mm, title or "部门预算信息公开")
        canvas.drawCentredString(size[0] / 2, 7 * mm, f"- {doc.page} -")
        canvas.restoreState()

    story = []
    for block in blocks:
        if not block.rows:
            story.append(Paragraph(_pdf_text(block.text), text_style))
            continue
        widths = _column_widths(block, usable)
        data = [[Paragraph(_pdf_text(t), cell_style) if t else "" for t in row] for row in block.rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7)]
        for (r, c), (nr, nc) in block.merges.items():
            if nr <= PDF_MAX_ROW_SPAN:
                style.append(("SPAN", (c, r), (c + nc - 1, r + nr - 1)))
        story.append(Table(data, colWidths=widths, style=TableStyle(style), repeatRows=_header_rows(block)))
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=title, author="", creator="",
                            invariant=1)
    doc.build(story, onFirstPage=page_marks, onLaterPages=page_marks)


def _header_rows(block: Block) -> int:
    return 0


def _pdf_text(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br/>")


def _column_widths(block: Block, usable: float) -> list[float]:
    width = len(block.rows[0])
    longest = [max(min(len(line), 40) for row in block.rows for line in (row[c].split("\n") or [""])) for c in range(width)]
    weights = [max(4, n) for n in longest]
    total = sum(weights)
    return [usable * w / total for w in weights]


# --- special fixtures ---------------------------------------------------------

def merged_categories() -> list[Block]:
    """A national 一级/二级/三级 grid: activity and category cells merged over their rows."""
    rows = [
        ["项目名称", "一级指标", "二级指标", "三级指标", "指标值"],
        ["校舍维修改造", "产出指标", "数量指标", "维修校舍面积", "≥5000平方米"],
        ["", "", "", "维修学校数量", "12所"],
        ["", "", "质量指标", "工程验收合格率", "100%"],
        ["", "", "时效指标", "按期完工率", "≥95%"],
        ["", "效益指标", "社会效益指标", "改善学生学习环境", "明显改善"],
        ["", "", "", "安全隐患消除率", "100%"],
        ["", "满意度指标", "服务对象满意度指标", "师生满意度", "≥90%"],
    ]
    merges = {(1, 0): (7, 1), (1, 1): (4, 1), (1, 2): (2, 1), (5, 1): (2, 1), (5, 2): (2, 1)}
    return [Block(text="一、项目支出绩效目标表"), Block(text="1.校舍维修改造绩效目标表"), Block(rows=rows, merges=merges)]


def continued_table() -> list[Block]:
    """One ruled table long enough to run over onto a second page."""
    rows = [["职责活动", "绩效指标", "指标值"]]
    for k in range(1, 41):
        rows.append(["一、日常运转保障" if k == 1 else "", f"第{k}项工作完成率", f"≥{80 + k % 20}%"])
    return [Block(text="一、部门整体绩效目标"), Block(rows=rows, merges={(1, 0): (40, 1)})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "formats")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for source in sources():
        blocks, first, end = blocks_of(source)
        stem = source.stem
        manifest[stem] = {"source": str(source.relative_to(ROOT)), "first_line": first, "end_line": end}
        write_docx(blocks, args.out / f"{stem}.docx")
        write_html(blocks, args.out / f"{stem}.html", "gb18030" if stem.startswith("003") else "utf-8")
        write_xlsx(blocks, args.out / f"{stem}.xlsx")
        write_pdf(blocks, args.out / f"{stem}.pdf", title=stem)
        print(stem, sum(1 for b in blocks if b.rows), "tables")
    write_docx(merged_categories(), args.out / "merged_categories.docx")
    write_pdf(continued_table(), args.out / "continued_table.pdf", title="跨页表格")
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
