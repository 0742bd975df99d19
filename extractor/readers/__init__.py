"""One reader per input format, all ending in the same :class:`~extractor.datamodel.Document`.

:func:`read_document` picks the reader from the file's content (magic bytes)
and its suffix: a file whose content is another supported format than its name
says is read by its content, with a warning; one whose content is not a
supported format gets a named error. ``txt`` documents keep their source lines;
``docx``, ``pdf``, ``html`` and ``xlsx`` documents also carry their table grids.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from extractor.datamodel import Document
from extractor.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    FormatMismatchError,
    LegacyOfficeError,
    UnsupportedFormatError,
)
from extractor.readers.txt import known_binary_kind, read_bytes, read_txt

__all__ = ["LEGACY_SUFFIXES", "SUPPORTED_SUFFIXES", "FORMAT_OF_SUFFIX", "detect_format", "read_document"]

log = logging.getLogger(__name__)

# Suffix -> reader format. Folders are searched for exactly these suffixes.
FORMAT_OF_SUFFIX: dict[str, str] = {
    ".txt": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(FORMAT_OF_SUFFIX)
# Old binary Office suffixes: not read, but reported with how to convert them.
LEGACY_SUFFIXES: frozenset[str] = frozenset({".doc", ".xls", ".wps", ".et"})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream name an encrypted DOCX/XLSX is stored under (UTF-16 in an OLE file).
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
_CONVERT_TO = {".xls": "xlsx", ".et": "xlsx"}
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<meta")


def read_document(path: str | Path) -> Document:
    """Read the document at ``path`` with the reader its content calls for.

    Raises a :class:`~extractor.errors.DocumentLoadError` subclass naming the
    file for anything unreadable: missing, empty, binary, undecodable, a scan
    without text layer, encrypted, corrupt, an old binary Office file, or a
    format we do not read.
    """
    data = read_bytes(path)
    suffix = Path(path).suffix.lower()
    fmt = detect_format(data, path)
    named = FORMAT_OF_SUFFIX.get(suffix)
    if named is not None and named != fmt:
        log.warning("%s: named %s but its content is %s; read as %s", path, suffix, fmt.upper(), fmt.upper())
    return _READERS[fmt](path, data)


def detect_format(data: bytes, path: str | Path) -> str:
    """The reader format of ``data`` by its content: pdf, docx, xlsx, html or txt."""
    suffix = Path(path).suffix.lower()
    head = data[:1024]
    if head.lstrip(b"\x00 \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE) and _ENCRYPTED_OOXML in data:
        raise EncryptedDocumentError("the file is password-protected; save an unprotected copy and read that", path)
    if data.startswith(_OLE):
        target = _CONVERT_TO.get(suffix, "docx")
        raise LegacyOfficeError(
            f"this is an old binary Office file (.doc/.xls/.wps), which is not read; convert it first, "
            f"e.g. `libreoffice --headless --convert-to {target} {Path(path).name}`",
            path,
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _office_kind(data, path)
    if _looks_html(head):
        return "html"
    kind = known_binary_kind(data)
    if kind is not None and suffix in FORMAT_OF_SUFFIX and suffix != ".txt":
        raise FormatMismatchError(f"named {suffix} but this looks like {kind}; we read {_formats()}", path)
    return "txt"


def _office_kind(data: bytes, path: str | Path) -> str:
    """docx or xlsx for a ZIP file, by the parts it holds."""
    suffix = Path(path).suffix.lower()
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        what = {".docx": "DOCX", ".xlsx": "XLSX"}.get(suffix, "ZIP (DOCX/XLSX)")
        raise CorruptDocumentError(f"corrupt {what} file: not a readable ZIP archive ({exc}); re-download or re-save it", path) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise UnsupportedFormatError(
        f"a ZIP archive that is neither DOCX nor XLSX (ODT/ODS or another archive); we read {_formats()}; "
        "convert it to DOCX or XLSX first",
        path,
    )


def _looks_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(_HTML_MARKS) or (text.startswith(b"<?xml") and b"<html" in text)


def _formats() -> str:
    return ", ".join(sorted(SUPPORTED_SUFFIXES))


def _read_docx(path: str | Path, data: bytes) -> Document:
    from extractor.readers.docx import read_docx

    return read_docx(path, data)


def _read_pdf(path: str | Path, data: bytes) -> Document:
    from extractor.readers.pdf import read_pdf

    return read_pdf(path, data)


def _read_html(path: str | Path, data: bytes) -> Document:
    from extractor.readers.html import read_html

    return read_html(path, data)


def _read_xlsx(path: str | Path, data: bytes) -> Document:
    from extractor.readers.xlsx import read_xlsx

    return read_xlsx(path, data)


# Readers import their libraries lazily, so reading .txt needs none of them.
_READERS: dict[str, Callable[[str | Path, bytes], Document]] = {
    "txt": read_txt,
    "docx": _read_docx,
    "pdf": _read_pdf,
    "html": _read_html,
    "xlsx": _read_xlsx,
}
