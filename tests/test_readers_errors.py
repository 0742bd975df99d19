"""Bad files get a named error with its code, and lying extensions are read by content."""

from __future__ import annotations

import io
import logging
import shutil
import zipfile
from pathlib import Path

import pytest

from extractor.errors import (
    CorruptDocumentError,
    DocumentLoadError,
    EncryptedDocumentError,
    FormatMismatchError,
    LegacyOfficeError,
    OcrNeededError,
    UndecodableDocumentError,
    UnsupportedFormatError,
)
from extractor.reader import read_document
from extractor.readers import SUPPORTED_SUFFIXES
from tests.helpers import ROOT, read_records, read_rows

FORMATS_DIR = ROOT / "tests" / "data" / "formats"
DOCX = FORMATS_DIR / "merged_categories.docx"
XLSX = FORMATS_DIR / "hn_xiangtan_hwc_2023.xlsx"
PDF = FORMATS_DIR / "continued_table.pdf"
HTML = FORMATS_DIR / "hn_xiangtan_hwc_2023.html"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def load_error(path: Path, error: type[DocumentLoadError], code: str, *words: str) -> str:
    with pytest.raises(error) as info:
        read_document(path)
    assert type(info.value) is error and info.value.code == code
    message = str(info.value)
    assert message.startswith(f"[{code}] ") and path.name in message
    for word in words:
        assert word in message, message
    return message


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _pdf_bytes(draw, **options) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, **options)
    draw(page)
    page.save()
    return buffer.getvalue()


def test_encrypted_pdf(tmp_path: Path) -> None:
    data = _pdf_bytes(lambda c: c.drawString(72, 700, "secret budget"), encrypt="pw")
    load_error(write(tmp_path, "locked.pdf", data), EncryptedDocumentError, "E111", "password")


def test_corrupt_pdf(tmp_path: Path) -> None:
    load_error(write(tmp_path, "broken.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj garbage"), CorruptDocumentError, "E112", "corrupt PDF")


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = PDF.read_bytes()
    load_error(write(tmp_path, "cut.pdf", data[: len(data) // 3]), CorruptDocumentError, "E112")


def test_scanned_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    def draw(page) -> None:  # a "scan": only shapes, no text
        for k in range(20):
            page.rect(72, 700 - k * 20, 300, 12, fill=1)

    load_error(write(tmp_path, "scan.pdf", _pdf_bytes(draw)), OcrNeededError, "E110", "no text layer", "OCR")


@pytest.mark.parametrize(("name", "source"), [("bad.docx", DOCX), ("bad.xlsx", XLSX)])
def test_corrupt_office_zip(tmp_path: Path, name: str, source: Path) -> None:
    data = source.read_bytes()
    load_error(write(tmp_path, name, data[: len(data) // 2]), CorruptDocumentError, "E112", "corrupt", "ZIP")


def test_zip_with_a_damaged_docx_part(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(DOCX) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, content[:100] if info.filename == "word/document.xml" else content)
    load_error(write(tmp_path, "damaged.docx", buffer.getvalue()), CorruptDocumentError, "E112", "DOCX")


@pytest.mark.parametrize(("name", "target"), [("old.doc", "docx"), ("old.xls", "xlsx"), ("old.wps", "docx")])
def test_legacy_office_says_how_to_convert(tmp_path: Path, name: str, target: str) -> None:
    load_error(write(tmp_path, name, OLE), LegacyOfficeError, "E113", f"libreoffice --headless --convert-to {target} {name}")


def test_password_protected_docx(tmp_path: Path) -> None:
    data = OLE + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    load_error(write(tmp_path, "locked.docx", data), EncryptedDocumentError, "E111", "password")


def test_extension_lies_and_content_is_not_readable(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
    load_error(write(tmp_path, "table.pdf", png), FormatMismatchError, "E114", "named .pdf", "PNG")


def test_zip_that_is_neither_docx_nor_xlsx(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document-content/>")
    load_error(write(tmp_path, "doc.docx", buffer.getvalue()), UnsupportedFormatError, "E106", "neither DOCX nor XLSX")


@pytest.mark.parametrize(
    ("source", "name", "fmt"),
    [(DOCX, "report.txt", "docx"), (PDF, "report.docx", "pdf"), (HTML, "report.docx", "html"), (XLSX, "report.pdf", "xlsx")],
)
def test_lying_extension_is_read_by_content_and_said(tmp_path: Path, caplog, source: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    shutil.copy(source, path)
    with caplog.at_level(logging.WARNING, logger="extractor.readers"):
        doc = read_document(path)
    assert doc.format == fmt and doc.tables
    assert doc.lines == read_document(source).lines
    assert any(name in r.getMessage() and fmt.upper() in r.getMessage() for r in caplog.records)


# --- Big5 -----------------------------------------------------------------

BIG5_TEXT = "一、部門職責\n本部門負責全區教育事業的規劃、管理與績效評價工作。\n二、項目支出績效目標表\n項目名稱\t校舍維修\n績效指標\t完成率\t95%以上\n滿意度\t90%以上\n" * 3


def test_big5_text_is_decoded_as_big5(tmp_path: Path) -> None:
    path = write(tmp_path, "big5.txt", BIG5_TEXT.encode("big5"))
    doc = read_document(path)
    assert doc.encoding == "big5hkscs"
    assert "\n".join(doc.lines) == BIG5_TEXT.rstrip("\n")


def test_gb_text_stays_gb18030(tmp_path: Path) -> None:
    text = "一、部门职责\n本部门负责全区教育事业的规划、管理与绩效评价工作。\n" * 3
    assert read_document(write(tmp_path, "gb.txt", text.encode("gb18030"))).encoding == "gb18030"


def test_text_that_is_neither_gb_nor_big5_is_refused(tmp_path: Path) -> None:
    # Valid GB18030 (user-defined area: private-use characters) but not valid Big5.
    data = ("预算".encode("gb18030") + b"\xa1\x80\xa2\x81\xa3\x82 ") * 40
    load_error(write(tmp_path, "odd.txt", data), UndecodableDocumentError, "E104", "GB18030", "private-use")


def test_supported_suffixes_in_one_place() -> None:
    assert SUPPORTED_SUFFIXES == {".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx"}


def test_bulk_run_reads_every_format_and_lists_bad_files(tmp_path: Path) -> None:
    import json

    from extractor.bulk import run_extraction
    from extractor.models.base import resolve_model_dir

    folder = tmp_path / "in"
    folder.mkdir()
    for fmt in ("docx", "pdf", "html", "xlsx"):
        shutil.copy(FORMATS_DIR / f"hn_xiangtan_hwc_2023.{fmt}", folder / f"t.{fmt}")
    shutil.copy(FORMATS_DIR / "continued_table.pdf", folder / "two_pages.pdf")
    (folder / "old.doc").write_bytes(OLE)
    (folder / "cut.xlsx").write_bytes(XLSX.read_bytes()[:500])
    out = tmp_path / "out"
    summary = run_extraction([folder], out, resolve_model_dir(ROOT / "models"), threshold=0.9)
    assert summary.processed == 5 and summary.failed == 2
    errors = {Path(e["source"]).name: e["code"] for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert errors == {"old.doc": "E113", "cut.xlsx": "E112"}
    records = read_records(out)
    by_source: dict[str, list[dict]] = {}
    for record in records:
        by_source.setdefault(Path(record["source"]).name, []).append(record)
    hand = ROOT / "annotations" / "expected_records" / "wild" / "hn_xiangtan_hwc_2023.jsonl"
    assert {len(v) for k, v in by_source.items() if k.startswith("t.")} == {len(hand.read_text(encoding="utf-8").splitlines())}
    assert {r["page"] for r in by_source["two_pages.pdf"]} == {1, 2}
    assert {r["page"] for r in by_source["t.docx"]} == {None}
    rows = read_rows(out)
    assert all("page" in row for row in rows)
    assert "page" in (out / "records.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_file_without_text_is_empty(tmp_path: Path, fmt: str) -> None:
    from extractor.errors import EmptyDocumentError

    path = tmp_path / f"blank.{fmt}"
    if fmt == "docx":
        import docx

        docx.Document().save(path)
    elif fmt == "xlsx":
        import openpyxl

        openpyxl.Workbook().save(path)
    else:
        path.write_text("<html><body><nav>首页</nav><table><tr><td> </td></tr></table></body></html>", encoding="utf-8")
    load_error(path, EmptyDocumentError, "E102", "no text")
