"""Entry point kept for the modules that import it: see :mod:`extractor.readers`."""

from extractor.readers import SUPPORTED_SUFFIXES, read_document
from extractor.readers.txt import decode_bytes

__all__ = ["SUPPORTED_SUFFIXES", "decode_bytes", "read_document"]
