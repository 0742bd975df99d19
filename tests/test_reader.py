"""Tests for extractor.reader: encodings, line endings and every load error."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest

from extractor.datamodel import Document
from extractor.errors import (
    BinaryDocumentError,
    CorruptDocumentError,
    DocumentLoadError,
    EmptyDocumentError,
    TruncatedDocumentError,
    UndecodableDocumentError,
    UnsupportedFormatError,
)
from extractor.normalize import normalize_lines
from extractor.reader import decode_bytes, read_document

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
S001 = SAMPLES / "001_96d939c67dd7b28c.txt"

CHINESE = "一、部门职责\n\t项目名称\t车辆保险费\t\n\t\u3000\u30001、公文运转\n"


@cache
def sample_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_bytes(tmp_path: Path, data: bytes, name: str = "doc.txt") -> Document:
    return read_document(write(tmp_path, name, data))


def assert_load_error(tmp_path: Path, data: bytes, error: type[Exception], *words: str) -> str:
    """Reading ``data`` raises exactly ``error``; the message names the file and ``words``."""
    path = write(tmp_path, "bad_input.txt", data)
    with pytest.raises(error) as info:
        read_document(path)
    assert type(info.value) is error
    message = str(info.value)
    assert "bad_input.txt" in message
    for word in words:
        assert word in message
    return message


# --- samples ----------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_sample_line_count_invariant(path: Path) -> None:
    doc = read_document(path)
    raw = sample_text(path).splitlines()
    assert len(doc.lines) == len(raw)
    assert doc.encoding == "utf-8"
    assert doc.doc_id == path.stem
    assert doc.source == str(path)
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_line_numbers_match_editor() -> None:
    doc = read_document(S001)
    assert doc.line(87) == "（二）分项绩效目标"
    assert doc.lines[86] == doc.line(87)
    assert doc.line(148) == '"'


def test_sample_without_final_newline_keeps_last_line() -> None:
    path = SAMPLES / "003_325a9de861070d6d.txt"
    raw = sample_text(path)
    assert not raw.endswith("\n")
    assert read_document(path).lines[-1] == normalize_lines(raw.splitlines()[-1])[0]


def test_source_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "rel.txt", b"abc\n")
    monkeypatch.chdir(tmp_path)
    doc = read_document("rel.txt")
    assert (doc.source, doc.doc_id) == ("rel.txt", "rel")


# --- encodings ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_gb_encoded_sample_reads_identically(tmp_path: Path, encoding: str) -> None:
    utf8 = read_document(S001)
    data = sample_text(S001).encode(encoding)  # sample 001 is representable in both
    doc = read_bytes(tmp_path, data, S001.name)
    assert doc.encoding == "gb18030"
    assert doc.lines == utf8.lines
    assert doc.sha256 == hashlib.sha256(data).hexdigest() != utf8.sha256


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_every_sample_round_trips_through_gb18030(tmp_path: Path, path: Path) -> None:
    doc = read_bytes(tmp_path, sample_text(path).encode("gb18030"), path.name)
    assert doc.encoding == "gb18030"
    assert doc.lines == read_document(path).lines


def test_utf8_bom(tmp_path: Path) -> None:
    doc = read_bytes(tmp_path, b"\xef\xbb\xbf" + CHINESE.encode("utf-8"))
    assert doc.encoding == "utf-8-sig"
    assert doc.lines == tuple(normalize_lines(CHINESE))
    assert not doc.lines[0].startswith("\ufeff")


def test_plain_utf8(tmp_path: Path) -> None:
    doc = read_bytes(tmp_path, CHINESE.encode("utf-8"))
    assert doc.encoding == "utf-8"
    assert doc.lines == ("一、部门职责", "\t项目名称\t车辆保险费\t", "\t  1、公文运转")


def test_ascii_is_utf8(tmp_path: Path) -> None:
    assert read_bytes(tmp_path, b"budget 2021\n").encoding == "utf-8"


# GBK bytes of these real sample phrases are also valid UTF-8 ("系统平台" -> "ϵͳƽ̨").
@pytest.mark.parametrize("phrase", ["系统平台", "食品药品", "司全员学习"])
def test_gbk_that_is_valid_utf8_is_read_as_gb18030(tmp_path: Path, phrase: str) -> None:
    data = phrase.encode("gbk")
    data.decode("utf-8")  # precondition: the bytes really are ambiguous
    doc = read_bytes(tmp_path, data)
    assert (doc.encoding, doc.lines) == ("gb18030", (phrase,))


@pytest.mark.parametrize("phrase", ["系统平台", "Déjà vu", "Привет мир"])
def test_ambiguous_utf8_still_utf8(tmp_path: Path, phrase: str) -> None:
    doc = read_bytes(tmp_path, phrase.encode("utf-8"))
    assert (doc.encoding, doc.lines) == ("utf-8", (phrase,))


def test_decode_bytes_returns_text_and_encoding() -> None:
    assert decode_bytes("预算".encode("gb18030"), "x.txt") == ("预算", "gb18030")
    assert decode_bytes(b"\xef\xbb\xbfa", "x.txt") == ("a", "utf-8-sig")


# --- line endings --------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_identical(tmp_path: Path, newline: str) -> None:
    text = sample_text(S001)
    lf = read_document(S001)
    other = read_bytes(tmp_path, text.replace("\n", newline).encode("utf-8"), S001.name)
    assert other.lines == lf.lines


def test_mixed_line_endings(tmp_path: Path) -> None:
    doc = read_bytes(tmp_path, "甲\r\n乙\r丙\n丁".encode("utf-8"))
    assert doc.lines == ("甲", "乙", "丙", "丁")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_final_line_without_newline_kept(tmp_path: Path, newline: str) -> None:
    doc = read_bytes(tmp_path, f"第一行{newline}最后一行".encode("utf-8"))
    assert doc.lines == ("第一行", "最后一行")


def test_trailing_newline_adds_no_line_but_blank_lines_count(tmp_path: Path) -> None:
    assert read_bytes(tmp_path, "甲\n".encode("utf-8")).lines == ("甲",)
    assert read_bytes(tmp_path, "甲\n\n".encode("utf-8")).lines == ("甲", "")
    assert read_bytes(tmp_path, "\n\n甲".encode("utf-8")).lines == ("", "", "甲")


@pytest.mark.parametrize("sep", ["\x0b", "\x0c", "\x1c", "\u2028", "\u2029", "\x85"])
def test_other_separators_do_not_split(tmp_path: Path, sep: str) -> None:
    doc = read_bytes(tmp_path, f"甲{sep}乙\n丙\n".encode("utf-8"))
    assert doc.lines == ("甲 乙", "丙")


# --- errors ------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(DocumentLoadError, match="nope.txt.*not found"):
        read_document(path)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentLoadError, match="folder.txt.*directory"):
        read_document(folder)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n", "\u3000\n".encode("utf-8")],
    ids=["zero-bytes", "whitespace", "bom-only", "bom-newlines", "fullwidth-space"],
)
def test_empty(tmp_path: Path, data: bytes) -> None:
    assert_load_error(tmp_path, data, EmptyDocumentError, "empty" if not data else "whitespace")


def test_nul_bytes_binary(tmp_path: Path) -> None:
    data = "甲\n乙".encode("utf-8") + b"\x00\x01\x02"
    message = assert_load_error(tmp_path, data, BinaryDocumentError, "NUL", "byte 7")
    assert "line 2" in message


@pytest.mark.parametrize(
    ("magic", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"{\\rtf1\\ansi", "RTF"),
        ("\ufeff预算".encode("utf-16-le"), "UTF-16"),
    ],
)
def test_known_formats_unsupported(tmp_path: Path, magic: bytes, kind: str) -> None:
    message = assert_load_error(tmp_path, magic + b"rest", UnsupportedFormatError, kind)
    assert "convert it to plain text" in message


@pytest.mark.parametrize(
    ("magic", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Office"),
    ],
)
def test_text_decoding_refuses_other_formats(magic: bytes, kind: str) -> None:
    # read_document hands these to their own readers (tests/test_readers_errors.py);
    # the text decoder alone still refuses them.
    with pytest.raises(UnsupportedFormatError, match=kind):
        decode_bytes(magic + b"rest", "x.txt")


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    message = assert_load_error(tmp_path, b"%PDF-1.4\n", CorruptDocumentError, "corrupt PDF")
    assert message.startswith("[E112]")


def test_truncated_utf8(tmp_path: Path) -> None:
    data = sample_text(S001).encode("utf-8")
    assert data.endswith("\n".encode())
    data = data.rstrip(b"\n")
    cut = data[:-1]  # drop the last byte of the final 3-byte character
    message = assert_load_error(tmp_path, cut, TruncatedDocumentError, "truncated")
    assert f"truncated at byte {len(data) - 3}" in message


@pytest.mark.parametrize("missing", [1, 2])
def test_truncated_short_utf8(tmp_path: Path, missing: int) -> None:
    data = "预算".encode("utf-8")[:-missing]
    assert_load_error(tmp_path, data, TruncatedDocumentError, "truncated at byte 3")


def test_truncated_utf8_with_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "预算".encode("utf-8")[:-1]
    assert_load_error(tmp_path, data, TruncatedDocumentError, "truncated at byte 6")


def test_truncated_gb18030(tmp_path: Path) -> None:
    data = sample_text(S001).rstrip("\n").encode("gb18030")[:-1]
    assert_load_error(tmp_path, data, TruncatedDocumentError, "truncated", "GB18030")


def test_invalid_byte_in_middle_is_undecodable_not_truncated(tmp_path: Path) -> None:
    good = ("一二三\n" * 10).encode("utf-8")
    data = good + b"\xff" + ("四五六\n" * 5).encode("utf-8")
    message = assert_load_error(tmp_path, data, UndecodableDocumentError, f"byte {len(good)}")
    assert "0xff" in message and "line 11" in message and "UTF-8" in message


def test_undecodable_gb_file_names_gb_offset(tmp_path: Path) -> None:
    good = ("一二三\n" * 10).encode("gb18030")
    data = good + b"\xff" + ("四五六\n" * 5).encode("gb18030")
    assert_load_error(tmp_path, data, UndecodableDocumentError, f"byte {len(good)}", "GB18030")


def test_undecodable_after_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "中文".encode("gbk") + b"abc"  # D6 D0 is no UTF-8 sequence
    assert_load_error(tmp_path, data, UndecodableDocumentError, "0xd6 at byte 3", "BOM")


def test_errors_are_document_load_errors() -> None:
    for error in (
        EmptyDocumentError,
        BinaryDocumentError,
        TruncatedDocumentError,
        UndecodableDocumentError,
        UnsupportedFormatError,
    ):
        assert issubclass(error, DocumentLoadError)
