"""Read a .txt budget disclosure into a :class:`~extractor.datamodel.Document`.

The encoding is detected, never assumed: strict UTF-8 (with or without BOM)
first, then strict GB18030 (a superset of GBK/GB2312). Anything else -- empty,
binary, truncated or undecodable input -- raises a specific
:class:`~extractor.errors.DocumentLoadError` that names the file and says what
to do.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from extractor.datamodel import Document
from extractor.errors import (
    BinaryDocumentError,
    DocumentLoadError,
    EmptyDocumentError,
    TruncatedDocumentError,
    UndecodableDocumentError,
    UnsupportedFormatError,
)
from extractor.normalize import normalize_lines

UTF8, UTF8_SIG, GB18030 = "utf-8", "utf-8-sig", "gb18030"

_CONVERT = "convert it to plain text (UTF-8 .txt) first"

# (magic prefix, what it is). Checked in order, at the very start of the file.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (DOCX/XLSX/ODT are ZIP files)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (DOC/XLS/WPS)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xfe", "UTF-16 (little-endian) text"),
    (b"\xfe\xff", "UTF-16 (big-endian) text"),
)

# Characters expected in a Chinese document besides ASCII (used to break a tie
# when bytes are valid UTF-8 *and* valid GB18030).
_CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))

_MIN_GUESS_BYTES = 256

BIG5 = "big5hkscs"
# Non-ASCII characters a Chinese document plausibly holds: Latin-1 signs, general
# punctuation, letterlike/number forms (℃ Ⅱ), arrows and maths (≥), enclosed
# numbers (①), box drawing and shapes (■ ★), CJK symbols, ideographs, full-width forms.
_PLAUSIBLE_RANGES = (
    (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2100, 0x2BFF), (0x3000, 0x303F), (0x3200, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)
_MAX_IMPLAUSIBLE = 0.05
_PLAUSIBILITY_CHARS = 200_000

# A character that makes a file not empty: neither whitespace nor invisible (found at once, not by a pass over the file).
_VISIBLE = re.compile("[^\\s\ufeff\u200b\u200c\u200d\u2060]")


def read_txt(path: str | Path, data: bytes) -> Document:
    """Decode and normalise the bytes ``data`` of the text file at ``path``.

    Raises a :class:`DocumentLoadError` subclass naming the file when it is
    empty, binary, truncated or undecodable.
    """
    text, encoding = decode_bytes(data, path)
    return Document(
        doc_id=Path(path).stem,
        source=str(path),
        lines=tuple(normalize_lines(text)),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return ``(text, encoding)`` for raw file bytes; a leading BOM is removed.

    ``encoding`` is ``"utf-8"``, ``"utf-8-sig"`` or ``"gb18030"``. ``path`` is
    only used in error messages.
    """
    if not data:
        raise EmptyDocumentError("file is empty (0 bytes)", path)
    _reject_binary(data, path)
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _decode_utf8(data, len(codecs.BOM_UTF8), path), UTF8_SIG
    else:
        text, encoding = _decode_unmarked(data, path)
    if not _VISIBLE.search(text):
        raise EmptyDocumentError("file contains only whitespace (no text)", path)
    return text, encoding


def read_bytes(path: str | Path) -> bytes:
    """Read the whole file, turning OS errors into :class:`DocumentLoadError`."""
    p = Path(path)
    if not p.exists():
        raise DocumentLoadError("file not found; check the path", path)
    if p.is_dir():
        raise DocumentLoadError("is a directory; pass a document file instead", path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise DocumentLoadError(f"cannot read file: {exc.strerror or exc}", path) from exc


def known_binary_kind(data: bytes) -> str | None:
    """What a file is by its magic bytes ("a PNG image"), or None for none we know."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def _reject_binary(data: bytes, path: str | Path) -> None:
    """Raise for known non-text formats (by magic bytes) and for NUL bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnsupportedFormatError(f"this looks like {kind}, not plain text; {_CONVERT}", path)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise BinaryDocumentError(
            f"binary data: NUL byte at byte {nul} ({_where(data, nul)}); "
            f"this is not a text file, {_CONVERT}",
            path,
        )


def _decode_utf8(data: bytes, start: int, path: str | Path) -> str:
    """Strictly decode ``data[start:]`` as UTF-8 or raise truncated/undecodable."""
    try:
        return data[start:].decode(UTF8)
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        if _is_truncated_tail(exc):
            raise _truncated(data, offset, "UTF-8", path) from None
        raise _undecodable(data, exc, path, "UTF-8 (it starts with a UTF-8 BOM)") from None


def _decode_unmarked(data: bytes, path: str | Path) -> tuple[str, str]:
    """Decode bytes without a UTF-8 BOM: UTF-8 first, then GB18030."""
    utf8_text, utf8_err = _try_decode(data, UTF8)
    if utf8_text is not None and utf8_text.isascii():
        return utf8_text, UTF8
    gb_text, gb_err = _try_decode(data, GB18030)
    utf8_reading = _utf8_reading(data, utf8_text, utf8_err)
    if gb_text is not None and (utf8_reading is None or _prefer_gb18030(utf8_reading, gb_text)):
        return _gb18030_or_big5(data, gb_text.removeprefix("\ufeff"), path)  # GB18030 has its own BOM
    if utf8_text is not None:
        return utf8_text, UTF8
    assert utf8_err is not None
    raise _decode_error(data, utf8_err, gb_err, path)


def _try_decode(data: bytes, encoding: str) -> tuple[str | None, UnicodeDecodeError | None]:
    """Strict decode; returns ``(text, None)`` or ``(None, error)``.

    The error goes without its traceback: kept by a caller, the traceback's
    frames (and every caller's, up to the bulk run's) would make a reference
    cycle holding the whole document's objects until the collector ran.
    """
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        return None, exc.with_traceback(None)


def _is_truncated_tail(exc: UnicodeDecodeError) -> bool:
    """True if the only problem is an incomplete multibyte sequence at the end."""
    return exc.end == len(exc.object) and exc.reason in (
        "unexpected end of data",
        "incomplete multibyte sequence",
    )


def _utf8_reading(data: bytes, text: str | None, error: UnicodeDecodeError | None) -> str | None:
    """The UTF-8 text to weigh against GB18030: all of it, or all before a cut tail."""
    if text is not None:
        return text
    if error is not None and _is_truncated_tail(error):
        return data[: error.start].decode(UTF8)
    return None


def _decode_error(
    data: bytes, utf8_err: UnicodeDecodeError, gb_err: UnicodeDecodeError | None, path: str | Path
) -> DocumentLoadError:
    """Truncated (UTF-8 checked first) or undecodable error for failed decodings."""
    if _is_truncated_tail(utf8_err):
        return _truncated(data, utf8_err.start, "UTF-8", path)
    assert gb_err is not None  # GB18030 text is returned unless UTF-8 was cut short
    if _is_truncated_tail(gb_err):
        return _truncated(data, gb_err.start, "GB18030", path)
    # The decoding that got furthest is most likely the intended one.
    return _undecodable(data, max(utf8_err, gb_err, key=lambda e: e.start), path)


def implausible_share(text: str) -> float:
    """Share of non-ASCII characters that a Chinese document should not contain.

    Private-use characters, kana, bopomofo, Greek, Cyrillic and the like are
    what Big5 (or any other double-byte encoding) turns into when decoded as
    GB18030; real GB text has almost none.
    """
    wide = [c for c in text[:_PLAUSIBILITY_CHARS] if ord(c) > 0x7F]
    if not wide:
        return 0.0
    odd = sum(not any(lo <= ord(c) <= hi for lo, hi in _PLAUSIBLE_RANGES) for c in wide)
    return odd / len(wide)


def _gb18030_or_big5(data: bytes, gb_text: str, path: str | Path) -> tuple[str, str]:
    """Keep a plausible GB18030 reading; else Big5 if that reads as Chinese; else refuse."""
    share = implausible_share(gb_text)
    if share <= _MAX_IMPLAUSIBLE:
        return gb_text, GB18030
    big5_text, _ = _try_decode(data, BIG5)
    if big5_text is not None and _has_cjk(big5_text) and implausible_share(big5_text) <= _MAX_IMPLAUSIBLE:
        return big5_text, BIG5
    raise UndecodableDocumentError(
        f"decoding as GB18030 gives {share:.0%} characters no Chinese document contains "
        f"(private-use, kana, Greek, Cyrillic…), and it is not Big5 either{_guess(data)}; "
        "re-save the file as UTF-8",
        path,
    )


def _has_cjk(text: str) -> bool:
    """True if ``text`` contains any CJK ideograph, CJK punctuation or full-width form."""
    return any(lo <= ord(c) <= hi for c in text for lo, hi in _CJK_RANGES)


def _looks_chinese(text: str) -> bool:
    """True if all non-ASCII characters are in GB2312 and at least half are CJK."""
    wide = "".join(c for c in text if ord(c) > 0x7F)
    try:
        wide.encode("gb2312")
    except UnicodeEncodeError:
        return False
    cjk = sum(_has_cjk(c) for c in wide)
    return bool(wide) and cjk * 2 >= len(wide)


def _prefer_gb18030(utf8_text: str, gb_text: str) -> bool:
    """Break the tie when bytes decode both as UTF-8 and as GB18030.

    GBK text that happens to be valid UTF-8 decodes to non-Chinese letters
    ("系统平台" -> "ϵͳƽ̨"), whereas real UTF-8 Chinese contains CJK characters.
    ASCII-only UTF-8 (or ASCII cut inside a final multibyte character) is kept.
    Known blind spot: short UTF-8 text in a script like Cyrillic may look like
    GBK; budget disclosures do not contain such text.
    """
    return not utf8_text.isascii() and not _has_cjk(utf8_text) and _looks_chinese(gb_text)


def _where(data: bytes, offset: int) -> str:
    """Human position of a byte offset: its 1-based line number."""
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}"


def _truncated(
    data: bytes, offset: int, encoding: str, path: str | Path
) -> TruncatedDocumentError:
    """Error for a file cut inside its last multibyte character (at ``offset``)."""
    size = len(data)
    return TruncatedDocumentError(
        f"file appears truncated at byte {offset} ({_where(data, offset)}): it ends in the "
        f"middle of a {encoding} character ({size - offset} of its bytes present, file size "
        f"{size} bytes); re-export or re-download the complete file",
        path,
    )


def _undecodable(
    data: bytes, error: UnicodeDecodeError, path: str | Path, tried: str = "UTF-8 or GB18030"
) -> UndecodableDocumentError:
    """Error naming the first bad byte of ``error``'s decoding of ``data``."""
    offset = error.start + (len(data) - len(error.object))
    return UndecodableDocumentError(
        f"cannot decode text as {tried}: first invalid byte 0x{data[offset]:02x} at byte "
        f"{offset} ({_where(data, offset)}, decoding as {error.encoding.upper()})"
        f"{_guess(data)}; re-save the file as UTF-8",
        path,
    )


def _guess(data: bytes) -> str:
    """charset-normalizer's guess of the real encoding, for the message.

    Skipped for tiny inputs, where its guesses are noise.
    """
    if len(data) < _MIN_GUESS_BYTES:
        return ""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return ""
    best = from_bytes(data[:65536]).best()
    if best is None or best.encoding in ("utf_8", "gb18030"):
        return ""
    return f"; charset-normalizer guesses {best.encoding}"
