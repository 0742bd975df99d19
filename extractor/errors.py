"""Error hierarchy. Every error names the file and says what is wrong.

Codes (``E1xx`` input, ``E2xx`` model/annotations, ``E3xx`` review server,
``E4xx`` output folder) let users search the README for what to do. Within
``E1xx``: ``E101``-``E10x`` a document's bytes, ``E12x`` a document over one
of the per-document limits (``[limits]`` in ``configs/default.toml``),
``E13x`` an input path that is not a document.
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


class DocumentLimitError(DocumentLoadError):
    """A document is over one of the per-document limits; the run goes on without it."""

    code = "E120"


class DocumentTooLargeError(DocumentLimitError):
    """E121: the input file is larger than ``limits.max_document_mb``."""

    code = "E121"


class DocumentTimeoutError(DocumentLimitError):
    """E122: extracting the document took longer than ``limits.max_seconds_per_document``."""

    code = "E122"


class TooManyCellsError(DocumentLimitError):
    """E123: a table row has more cells than ``limits.max_cells_per_row`` (e.g. a whole file on one line)."""

    code = "E123"


class TooManyThresholdsError(DocumentLimitError):
    """E124: a record has more thresholds than ``limits.max_thresholds_per_record``."""

    code = "E124"


class TooManyRecordsError(DocumentLimitError):
    """E125: the document yields more records than ``limits.max_records_per_document``."""

    code = "E125"


class WorkerDiedError(DocumentLimitError):
    """E126: the worker process extracting the document died (e.g. killed for memory), alone, twice."""

    code = "E126"


class InputPathError(DocumentLoadError):
    """E130: an input path is not a document that can be read."""

    code = "E130"


class NotRegularFileError(InputPathError):
    """E131: a FIFO, socket or device where a document file was expected (never opened)."""

    code = "E131"


class BrokenLinkError(InputPathError):
    """E132: a symbolic link that points nowhere or into a loop."""

    code = "E132"


class UnreadableFolderError(InputPathError):
    """E133: a folder that cannot be listed (permissions)."""

    code = "E133"


class NoDocumentsError(InputPathError):
    """E134: a folder given on the command line holds no supported document."""

    code = "E134"


class PathTooLongError(InputPathError):
    """E135: a path longer than the system allows (PATH_MAX / NAME_MAX)."""

    code = "E135"


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


class OutputDirError(ExtractorError):
    """E401: ``--out`` is not a folder that can be written (a file, or not creatable)."""

    code = "E401"
