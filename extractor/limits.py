"""Per-document limits: a document over one ends in a named error, the run goes on.

Settings live under ``[limits]`` in ``configs/default.toml``. The wall-time
limit is a timer signal (``SIGALRM``) in the process that extracts the
document -- each worker of a parallel run, or the main process of a serial
one -- so a document that overruns is stopped without stopping its worker.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from types import FrameType
from typing import Any

from extractor.config import Config
from extractor.datamodel import IndicatorRecord, Table
from extractor.errors import (
    ConfigError,
    DocumentTimeoutError,
    DocumentTooLargeError,
    TooManyCellsError,
    TooManyRecordsError,
    TooManyThresholdsError,
)


@dataclass(frozen=True)
class Limits:
    """What one document may take; 0 switches a limit off."""

    max_document_mb: float = 20.0
    max_seconds_per_document: float = 120.0
    max_cells_per_row: int = 100
    max_thresholds_per_record: int = 20
    max_records_per_document: int = 50_000

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"limits.{item.name} must be a number >= 0 (0 = no limit), not {value!r}")

    @classmethod
    def from_config(cls, config: Config, **overrides: float | None) -> Limits:
        """The ``[limits]`` settings, with any non-None keyword overriding its key."""
        section = config.get("limits", {}) or {}
        if not isinstance(section, dict):
            raise ConfigError("[limits] must be a table of settings")
        unknown = set(section) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown [limits] settings {sorted(unknown)}")
        values: dict[str, Any] = {**section, **{k: v for k, v in overrides.items() if v is not None}}
        return cls(**values)

    def check_size(self, path: Path, size: int) -> None:
        """Refuse a file over ``max_document_mb`` before reading it."""
        if self.max_document_mb and size > self.max_document_mb * 1_000_000:
            raise DocumentTooLargeError(
                f"{size / 1_000_000:.1f} MB is over the {self.max_document_mb:g} MB limit per document "
                "(limits.max_document_mb, --max-document-mb)",
                path,
            )

    def check_tables(self, path: str, tables: Sequence[Table]) -> None:
        """Refuse a document with a table row of more cells than ``max_cells_per_row``."""
        if not self.max_cells_per_row:
            return
        for table in tables:
            for row in table.rows:
                if len(row.cells) > self.max_cells_per_row:
                    raise TooManyCellsError(
                        f"a table row at line {row.line} has {len(row.cells)} cells, over the limit of "
                        f"{self.max_cells_per_row} (limits.max_cells_per_row); is the file one long line?",
                        path,
                    )

    def check_records(self, path: str, records: Sequence[IndicatorRecord]) -> None:
        """Refuse a document with too many records, or a record with too many thresholds."""
        if self.max_records_per_document and len(records) > self.max_records_per_document:
            raise TooManyRecordsError(
                f"{len(records)} records, over the limit of {self.max_records_per_document} "
                "(limits.max_records_per_document)",
                path,
            )
        if not self.max_thresholds_per_record:
            return
        for record in records:
            count = max(len(record.thresholds), len(record.parsed_thresholds))
            if count > self.max_thresholds_per_record:
                raise TooManyThresholdsError(
                    f"the record at line {record.line} has {count} thresholds, over the limit of "
                    f"{self.max_thresholds_per_record} (limits.max_thresholds_per_record)",
                    path,
                )


#: When the first timeout exception is swallowed (raised inside a gc callback,
#: or caught by a broad ``except``), the timer fires again this often.
REFIRE_SECONDS = 0.05


@contextmanager
def time_limit(seconds: float, path: str | Path) -> Iterator[None]:
    """Raise :class:`DocumentTimeoutError` in this block once ``seconds`` have passed.

    Works in a process's main thread (a worker, or a serial run); elsewhere, or
    with ``seconds`` 0, the block runs unbounded. A signal handler's exception
    can be lost (Python reports one raised inside a garbage-collector callback
    as "unraisable" and goes on), so the timer re-fires until the block ends,
    and a block that finishes after its time anyway still raises.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = True
    expired = False

    def timeout() -> DocumentTimeoutError:
        return DocumentTimeoutError(
            f"extraction took longer than {seconds:g} s (limits.max_seconds_per_document, --max-seconds)", path
        )

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        nonlocal expired
        if not armed:
            return
        expired = True
        signal.setitimer(signal.ITIMER_REAL, REFIRE_SECONDS)
        raise timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            armed = False  # a re-fire landing just before this raises; the cleanup below still runs
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if expired:
        raise timeout()
