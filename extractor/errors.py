"""Error hierarchy. Every error names the file and says what is wrong.

Codes (``E1xx`` input, ``E2xx`` model/annotations, ``E3xx`` review server) let
users search the README for what to do.
"""

from __future__ import annotations

from pathlib import Path


class ExtractorError(Exception):
    """Base class: a problem the user can act on."""

    code = "E000"

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.message = message
        prefix = f"[{self.code}] "
        super().__init__(prefix + (f"{self.path}: {message}" if self.path else message))


class DocumentLoadError(ExtractorError):
    """A document could not be read or decoded."""

    code = "E101"


class EmptyDocumentError(DocumentLoadError):
    code = "E102"


class BinaryDocumentError(DocumentLoadError):
    code = "E103"


class UndecodableDocumentError(DocumentLoadError):
    code = "E104"


class TruncatedDocumentError(DocumentLoadError):
    code = "E105"


class UnsupportedFormatError(DocumentLoadError):
    code = "E106"


class OcrNeededError(DocumentLoadError):
    """A PDF without a text layer (a scan): it needs OCR first."""

    code = "E110"


class EncryptedDocumentError(DocumentLoadError):
    """A password-protected document."""

    code = "E111"


class CorruptDocumentError(DocumentLoadError):
    """A PDF, DOCX or XLSX whose structure cannot be read (bad ZIP, broken PDF)."""

    code = "E112"


class LegacyOfficeError(DocumentLoadError):
    """An old binary Word/Excel file (.doc, .xls, .wps): convert it first."""

    code = "E113"


class FormatMismatchError(DocumentLoadError):
    """The file's name says one format and its content is another we cannot read."""

    code = "E114"


class AnnotationsError(ExtractorError):
    """An annotations file is malformed; names the file and line."""

    code = "E201"


class ModelLoadError(ExtractorError):
    """A model directory is missing, incomplete or not a safe format."""

    code = "E202"


class ConfigError(ExtractorError):
    code = "E203"


class MetadataFileError(ExtractorError):
    """A metadata sidecar CSV is malformed; names the file and line."""

    code = "E204"


class RunFolderError(ExtractorError):
    """A folder given to ``extractor export`` is not a finished extraction run."""

    code = "E205"


class EngineError(ExtractorError):
    """An execution engine (Ray) is not installed or its cluster cannot be reached."""

    code = "E206"


class ReviewServerError(ExtractorError):
    """The Label Studio server is unreachable or refused the request."""

    code = "E301"
