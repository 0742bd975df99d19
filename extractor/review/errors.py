"""Review-side errors: each says which server, project or task failed and what to do."""

from __future__ import annotations

from extractor.errors import AnnotationsError, ReviewServerError

__all__ = [
    "AnnotationsError",
    "ReviewAuthError",
    "ReviewExportError",
    "ReviewProjectError",
    "ReviewQueueError",
    "ReviewServerError",
    "ReviewUnreachableError",
]


class ReviewUnreachableError(ReviewServerError):
    """No Label Studio answers at the configured URL."""


class ReviewAuthError(ReviewServerError):
    """The server refused the API key."""


class ReviewProjectError(ReviewServerError):
    """The named project does not exist (or cannot be created)."""


class ReviewExportError(ReviewServerError):
    """An export holds annotations that cannot be turned into reviews."""


class ReviewQueueError(AnnotationsError):
    """A review queue file (``review_queue.jsonl``/``rows.jsonl``) is malformed."""
